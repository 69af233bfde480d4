"""Fit as a plan: validated data and parameters in, every decision out.

:func:`make_plan` is a pure function (NumPy and scikit-learn only, no
Keras): from the validated ``X`` and ``y``, the estimator's parameters and
what an earlier fit left (for ``warm_start`` and ``partial_fit``) it
decides the target encoding, the loss rule, the training targets and
weights, the seeds, the training and validation rows and the stopping
rule, and returns them as a frozen :class:`FitPlan`.  The estimator then
builds or reuses its network, trains it (:func:`skxent._training.train`)
and stores the fitted attributes :func:`fitted_attributes` gives.
"""

from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

from . import _calibration, _scaling
from ._loss_rules import LOSSES, LossRule, loss_kwargs, resolve_loss
from ._params import route
from ._targets import TargetEncoder

__all__ = [
    "AUTO_BATCH",
    "FitPlan",
    "Previous",
    "Stopping",
    "encode",
    "fitted_attributes",
    "make_plan",
    "sample_weights",
    "seeds",
    "split",
]

AUTO_BATCH = 200
"""The minibatch of ``batch_size="auto"``: at most 200 rows, all of them when
fewer, as MLPClassifier's ``batch_size="auto"`` (``min(200, n_samples)``)."""


@dataclass(frozen=True)
class Previous:
    """What an earlier fit left, for a fit that continues it."""

    encoder: TargetEncoder
    loss: str
    n_iter: int
    history: dict
    scaling: tuple | None

    @classmethod
    def of(cls, estimator):
        """What the fitted ``estimator`` left."""
        offset = getattr(estimator, "input_offset_", None)
        return cls(
            estimator.target_encoder_,
            estimator.loss_,
            estimator.n_iter_,
            estimator.history_,
            None if offset is None else (offset, estimator.input_scale_),
        )


@dataclass(frozen=True)
class Stopping:
    """MLPClassifier's stopping rule: :class:`skxent._training.PlateauStop`'s settings.

    The one-call programs (:mod:`skxent._one_call`) take it as it is.
    """

    monitor: str
    tol: float
    patience: int
    restore_best: bool


@dataclass(frozen=True)
class FitPlan:
    """Everything one ``fit`` or ``partial_fit`` call decided before training.

    ``X`` (the features the network trains on: scaled by ``scaling``, the
    ``(offset, scale)`` of ``input_scaling``, where set), ``codes``,
    ``targets`` and ``weights`` hold every row; ``train_rows`` and
    ``val_rows`` (None without validation) index them.  ``loss_settings``
    are the Keras loss's keyword arguments, for a new network only
    (``previous`` is None).  ``stopping`` is None where training runs all
    its epochs (``n_iter_no_change=None``, or ``partial_fit``).
    ``calibrate``: a temperature is fitted on the ``val_rows`` after
    training.
    """

    encoder: TargetEncoder
    rule: LossRule
    loss_settings: dict | None
    X: Any
    scaling: tuple | None
    codes: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    train_rows: np.ndarray
    val_rows: np.ndarray | None
    init_seed: int
    shuffle_seed: int
    epochs: int
    first_epoch: int
    batch_size: int
    shuffle: bool
    monitor: str
    stopping: Stopping | None
    calibrate: bool
    incremental: bool
    previous: Previous | None = field(default=None, repr=False)

    @property
    def meta(self):
        """What a ``body`` callable is told about the problem."""
        encoder = self.encoder
        return {
            "n_features_in_": self.X.shape[1],
            "n_classes_": encoder.n_classes_,
            "classes_": encoder.classes_,
            "target_type_": encoder.target_type_,
            "loss_": self.rule.name,
            "n_outputs_": self.rule.n_outputs(encoder.target_type_, encoder.n_classes_),
            "random_seed": self.init_seed,
        }


def seeds(random_state, step):
    """Three seeds (initialisation, shuffling, validation split).

    Drawn without touching any global random state: an int seeds a
    SeedSequence, ``None`` takes fresh OS entropy, and a RandomState
    instance is advanced, as scikit-learn estimators do.

    Examples
    --------
    >>> (seeds(0, 0) == seeds(0, 0)).all(), (seeds(0, 0) == seeds(0, 1)).all()
    (np.True_, np.False_)
    """
    rs = random_state
    if rs is None:
        entropy = np.random.SeedSequence().entropy
    elif isinstance(rs, Integral):
        entropy = int(rs)
    else:
        entropy = int(rs.randint(np.iinfo(np.int32).max))
    return np.random.SeedSequence([entropy, step]).generate_state(3) >> 1


def encode(encoder, y, incremental=False):
    """Class codes of ``y``; for ``partial_fit``, an unseen label says what to do.

    The first ``partial_fit`` call fixes the classes, and with them the
    network's output layer, so a label first seen in a later chunk cannot
    be learned.
    """
    try:
        return encoder.transform(y)
    except ValueError as exc:
        if not incremental or encoder.input_format_ != "labels":
            raise
        raise ValueError(
            f"{exc} The first partial_fit call fixes the classes: pass every "
            "label the stream can hold to it as classes=, e.g. "
            "partial_fit(X, y, classes=[...all labels...]), and start again "
            "from a new estimator."
        ) from None


def sample_weights(X, codes, sample_weight, class_weight, encoder):
    """float32 per-sample weights: ``sample_weight`` times ``class_weight``.

    Always a new array: the caller's ``sample_weight`` is never scaled in
    place.
    """
    weights = _check_sample_weight(
        sample_weight, X, dtype=np.float32, ensure_non_negative=True
    )
    if class_weight is None:
        return weights
    if encoder.target_type_ == "multilabel-indicator":
        raise ValueError(
            "class_weight is not supported for multilabel targets; "
            "pass sample_weight instead."
        )
    per_class = compute_class_weight(
        class_weight, classes=encoder.classes_, y=encoder.classes_[codes]
    )
    return weights * per_class[codes].astype(np.float32)


def split(codes, fraction, seed, target_type, name="validation_split"):
    """Row indices for training and validation (None without a split).

    Shuffled, and stratified by class wherever every class can be.
    ``name`` is the parameter that set ``fraction``, for the error message.
    """
    n = len(codes)
    if not fraction:
        return np.arange(n), None
    splitter = ShuffleSplit
    if target_type != "multilabel-indicator":
        counts = np.bincount(codes)
        n_val = int(np.ceil(fraction * n))
        n_present = np.count_nonzero(counts)
        if counts[counts > 0].min() >= 2 and n_present <= n_val <= n - n_present:
            splitter = StratifiedShuffleSplit
    splits = splitter(n_splits=1, test_size=fraction, random_state=int(seed))
    try:
        train, val = next(splits.split(np.zeros((n, 1)), codes))
    except ValueError as exc:
        raise ValueError(f"{name}={fraction} cannot split {n} samples: {exc}") from None
    return train, val


def make_plan(X, y, sample_weight, params, *, previous=None, incremental=False,
              classes=None):  # fmt: skip
    """The :class:`FitPlan` of one ``fit`` (or ``partial_fit``) call.

    Parameters
    ----------
    X, y, sample_weight
        Validated features (a float32 array or a canonical CSR) and
        targets, and the caller's sample weights (never changed).
    params : dict
        The estimator's parameters, routed ``prefix__*`` ones included.
    previous : Previous, default=None
        An earlier fit to continue (``warm_start``, or ``partial_fit``
        after its first call); None starts a new network.
    incremental : bool, default=False
        ``partial_fit``: one epoch, no held-out rows, no stopping rule.
    classes : array-like, default=None
        ``partial_fit``'s ``classes``, for a new network.
    """
    if previous is None:
        encoder = TargetEncoder(classes=classes).fit(y)
        rule, settings = resolve_loss(params["loss"], encoder.target_type_)
        settings = loss_kwargs(
            rule, {**settings, **route(params, "loss")}, params["label_smoothing"]
        )
    else:
        encoder, rule, settings = previous.encoder, LOSSES[previous.loss], None
    codes = encode(encoder, y, incremental and previous is not None)
    weights = sample_weights(X, codes, sample_weight, params["class_weight"], encoder)
    init_seed, shuffle_seed, split_seed = map(
        int, seeds(params["random_state"], 0 if previous is None else previous.n_iter)
    )
    # As in MLPClassifier, partial_fit neither holds out data for early
    # stopping nor stops.  The temperature of calibration is fitted on
    # held-out rows, of each partial_fit chunk too.
    early_stopping = params["early_stopping"] and not incremental
    calibrate = _calibration.check(params["calibration"], rule.probability, rule.name)
    fraction = params["validation_split"] or (
        params["validation_fraction"] if early_stopping or calibrate else 0.0
    )
    name = "validation_split" if params["validation_split"] else "validation_fraction"
    train_rows, val_rows = split(
        codes, fraction, split_seed, encoder.target_type_, name
    )
    if calibrate:  # fail before training, not after
        _calibration.check_held_out(codes, train_rows, val_rows, encoder.target_type_)
    # The statistics of input scaling come from the first fit, for the
    # default network only (a custom body gets X as passed).
    if previous is None:
        method = params["input_scaling"] if params["body"] is None else None
        scaling = _scaling.statistics(X, method)
    else:
        scaling = previous.scaling
    monitor = "val_loss" if early_stopping else "loss"
    stopping = None
    if not incremental and params["n_iter_no_change"] is not None:
        stopping = Stopping(
            monitor, params["tol"], params["n_iter_no_change"], early_stopping
        )
    return FitPlan(
        encoder=encoder,
        rule=rule,
        loss_settings=settings,
        X=_scaling.scale_inputs(X, scaling),
        scaling=scaling,
        codes=codes,
        targets=rule.encode(codes, encoder.target_type_, encoder.n_classes_),
        weights=weights,
        train_rows=train_rows,
        val_rows=val_rows,
        init_seed=init_seed,
        shuffle_seed=shuffle_seed,
        epochs=1 if incremental else params["epochs"],
        first_epoch=0 if previous is None else previous.n_iter,
        # Not clipped to the rows: a batch larger than the data is one batch
        # of all of them, and fits of other row counts share one program.
        batch_size=AUTO_BATCH
        if params["batch_size"] == "auto"
        else params["batch_size"],
        shuffle=params["shuffle"],
        monitor=monitor,
        stopping=stopping,
        calibrate=calibrate,
        incremental=incremental,
        previous=previous,
    )


def fitted_attributes(plan, history, temperature=None):
    """The fitted attributes a trained plan gives, but the network itself.

    ``history`` is this call's per-epoch logs; it continues the previous
    fit's, whose epochs ``n_iter_`` counts too.  ``temperature`` is the
    calibration's (:func:`skxent._calibration.held_out_temperature`).
    """
    offset, scale = plan.scaling or (None, None)
    encoder = plan.encoder
    earlier = {} if plan.previous is None else plan.previous.history
    merged = {k: [*earlier.get(k, []), *map(float, v)] for k, v in history.items()}
    # fmin skips NaN losses (NaN only if every epoch's loss was NaN).
    losses = np.asarray(history.get(plan.monitor, [np.nan]), float)
    return {
        "target_encoder_": encoder,
        "classes_": encoder.classes_,
        "n_classes_": encoder.n_classes_,
        "target_type_": encoder.target_type_,
        "loss_": plan.rule.name,
        "history_": merged,
        "n_iter_": len(merged.get("loss", [])),
        "best_loss_": float(np.fmin.reduce(losses)),
        "input_offset_": offset,
        "input_scale_": scale,
        "calibration_temperature_": temperature,
    }
