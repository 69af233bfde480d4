"""``fit``: the targets' encoding, seeds, sample weights, the split, training.

:func:`fit` does what ``XentClassifier.fit`` and ``partial_fit`` do after
validating their input, so that :mod:`skxent._classifier` holds the
scikit-learn protocol and little else.  Keras is imported inside
:func:`fit` only: this module, like the estimator's, stays free of it.
"""

from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

from . import _calibration, _scaling, _sparse
from ._losses import LOSSES, loss_kwargs, resolve_loss
from ._params import route as _route
from ._targets import TargetEncoder

__all__ = [
    "encode",
    "fitted_state_kept_on_error",
    "sample_weights",
    "seeds",
    "split",
]


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


def encode(encoder, y, partial=False):
    """Class codes of ``y``; for ``partial_fit``, an unseen label says what to do.

    The first ``partial_fit`` call fixes the classes, and with them the
    network's output layer, so a label first seen in a later chunk cannot
    be learned.
    """
    try:
        return encoder.transform(y)
    except ValueError as exc:
        if not partial or encoder.input_format_ != "labels":
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


@contextmanager
def fitted_state_kept_on_error(estimator):
    """Restore ``estimator``'s fitted attributes if fitting raises.

    ``validate_data(reset=True)`` sets ``n_features_in_`` and
    ``feature_names_in_`` before later checks can fail; a failed fit of a
    fitted estimator must leave it predicting as before.  (The weights of a
    network that fails mid-training under ``warm_start`` are not restored.)
    """
    saved = {k: v for k, v in vars(estimator).items() if k.endswith("_")}
    try:
        yield
    except BaseException:
        for key in [k for k in vars(estimator) if k.endswith("_")]:
            del estimator.__dict__[key]
        estimator.__dict__.update(saved)
        raise


def fit(
    estimator,
    X,
    y,
    sample_weight,
    *,
    hidden_layer_sizes,
    epochs,
    reset,
    stop_early,
    classes=None,
):
    """Encode the targets, build (or reuse) the network, train, set fitted state.

    ``X`` and ``y`` are validated; ``reset`` starts a new network, else
    training continues ``estimator.model_``.  The fitted attributes are
    set only once training has succeeded.
    """
    params = estimator._routed_params()
    if reset:
        encoder = TargetEncoder(classes=classes).fit(y)
        rule, settings = resolve_loss(estimator.loss, encoder.target_type_)
        settings = loss_kwargs(
            rule, {**settings, **_route(params, "loss")}, estimator.label_smoothing
        )
    else:
        encoder, rule = estimator.target_encoder_, LOSSES[estimator.loss_]
    codes = encode(encoder, y, partial=not (reset or stop_early))
    weights = sample_weights(X, codes, sample_weight, estimator.class_weight, encoder)
    targets = rule.encode(codes, encoder.target_type_, encoder.n_classes_)
    drawn = seeds(estimator.random_state, estimator.n_iter_ if not reset else 0)
    # As in MLPClassifier, partial_fit neither holds out data for early
    # stopping nor stops.
    early_stopping = stop_early and estimator.early_stopping
    monitor = "val_loss" if early_stopping else "loss"
    # calibration: its temperature is fitted on held-out rows (hook).
    calibrate = _calibration.check(estimator.calibration, rule.probability, rule.name)
    fraction = estimator.validation_split or (
        estimator.validation_fraction if early_stopping or calibrate else 0.0
    )
    train, val = split(
        codes,
        fraction,
        drawn[2],
        encoder.target_type_,
        "validation_split" if estimator.validation_split else "validation_fraction",
    )
    if calibrate:  # calibration hook: fail before training, not after
        _calibration.check_held_out(codes, train, val, encoder.target_type_)
    # input_scaling hook: statistics of the first fit, kept by later ones.
    if reset:
        stats = _scaling.statistics(
            X, estimator.input_scaling if estimator.body is None else None
        )
    elif getattr(estimator, "input_offset_", None) is not None:
        stats = (estimator.input_offset_, estimator.input_scale_)
    else:
        stats = None
    X_raw, X = X, _scaling.scale_inputs(X, stats)

    # Keras (and with it TensorFlow) is imported here, on first fit.
    from . import _inference, _model, _training
    from ._backend import backend

    if reset:
        meta = {
            "n_features_in_": X.shape[1],
            "n_classes_": encoder.n_classes_,
            "classes_": encoder.classes_,
            "target_type_": encoder.target_type_,
            "loss_": rule.name,
            "n_outputs_": rule.n_outputs(encoder.target_type_, encoder.n_classes_),
            "random_seed": int(drawn[0]),
        }
        model = _model.build_model(
            meta,
            body=estimator.body,
            body_params=_route(params, "body"),
            hidden_layer_sizes=hidden_layer_sizes,
            activation=estimator.activation,
            kernel_initializer=estimator.kernel_initializer,
            seed=int(drawn[0]),
            sparse_input=_sparse.is_sparse(X)
            and _sparse.SPARSE_FIRST_LAYER
            and backend().SPARSE_INPUT,
        )
        model.compile(
            optimizer=_model.make_optimizer(
                estimator.optimizer,
                estimator.learning_rate,
                _route(params, "optimizer"),
            ),
            loss=_model.make_loss(rule, settings),
            **_route(params, "compile"),
        )
    else:
        model = estimator.model_

    callbacks = _model.make_callbacks(estimator.callbacks, _route(params, "callbacks"))
    if stop_early and estimator.n_iter_no_change is not None:
        callbacks.append(
            _training.PlateauStop(
                monitor,
                tol=estimator.tol,
                patience=estimator.n_iter_no_change,
                restore_best=early_stopping,
            )
        )
    with _scaling.folded_after(model, stats, unfold_first=not reset):
        history = _training.train(
            model,
            X,
            targets,
            weights,
            train=train,
            val=val,
            epochs=epochs,
            first_epoch=0 if reset else estimator.n_iter_,
            batch_size=estimator.batch_size,
            shuffle=estimator.shuffle,
            seed=int(drawn[1]),
            verbose=estimator.verbose,
            callbacks=callbacks,
            fit_params=_route(params, "fit"),
            compile_params=_route(params, "compile"),
        )

    logits_fn = _inference.logits_function(model)
    temperature = None
    if calibrate:  # calibration hook: the temperature of the trained network
        held_out = X_raw[val]
        if _sparse.is_sparse(held_out) and not logits_fn.takes_sparse:
            held_out = held_out.toarray()
        temperature = _calibration.fit_temperature(
            logits_fn(held_out), codes[val], rule.probability, encoder.target_type_
        )

    # Set fitted state only once training has succeeded.
    estimator.input_offset_, estimator.input_scale_ = stats or (None, None)
    estimator.calibration_temperature_ = temperature
    estimator.model_ = model
    estimator.target_encoder_ = encoder
    estimator.classes_ = encoder.classes_
    estimator.n_classes_ = encoder.n_classes_
    estimator.target_type_ = encoder.target_type_
    estimator.loss_ = rule.name
    previous = {} if reset else estimator.history_
    estimator.history_ = {
        k: [*previous.get(k, []), *map(float, v)] for k, v in history.items()
    }
    estimator.n_iter_ = len(estimator.history_.get("loss", []))
    # fmin skips NaN losses (NaN only if every epoch's loss was NaN).
    losses = np.asarray(history.get(monitor, [np.nan]), float)
    estimator.best_loss_ = float(np.fmin.reduce(losses))
    estimator._logits_fn = logits_fn
    return estimator
