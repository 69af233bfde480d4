"""What ``fit`` decides before training: seeds, sample weights, the split.

NumPy and scikit-learn only; :mod:`skxent._classifier` calls these so the
estimator module holds the scikit-learn protocol and little else.
"""

from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

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
