"""Temperature scaling: one temperature for the logits, fitted on held-out rows.

``XentClassifier(calibration="temperature")`` divides the network's logits
by a temperature ``T > 0`` before turning them into probabilities.  ``T``
minimises the crossentropy of the held-out rows' probabilities, with a
weak prior that keeps it near 1 when those rows are few: the objective is

    sum_i -log p_T(y_i | x_i)  +  (log T)^2 / (2 * PRIOR_WIDTH^2),

and ``T`` is bounded to ``[T_MIN, T_MAX]``.  Without the prior, a handful of
held-out rows the network gets right with room to spare pull ``T`` to its
lower bound, and the probabilities become overconfident on new data.

Dividing all logits by one positive number keeps their order, so
``predict`` and the ranking of ``decision_function`` do not change.  For
sigmoid outputs (binary, one-vs-rest and multilabel targets) one
temperature is shared by all outputs: a temperature per label would be
fitted on each label's few held-out positives.

Pure NumPy and SciPy.
"""

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_expit, log_softmax

__all__ = [
    "PRIOR_WIDTH",
    "T_MAX",
    "T_MIN",
    "check",
    "check_held_out",
    "fit_temperature",
    "held_out_temperature",
    "reliability",
]

T_MIN, T_MAX = 0.05, 20.0
"""Bounds of the fitted temperature."""
PRIOR_WIDTH = 0.5
"""Standard deviation of the Gaussian prior on ``log T`` (centred on 0)."""
CALIBRATIONS = ("temperature",)
"""Values of ``calibration`` besides None."""


def check(calibration, probability, loss_name):
    """Whether to calibrate; a clear error for a loss without probabilities."""
    if calibration is None:
        return False
    if calibration not in CALIBRATIONS:
        raise ValueError(f"Unknown calibration {calibration!r}; use 'temperature'.")
    if probability is None:
        raise ValueError(
            f"calibration={calibration!r} calibrates probabilities, but "
            f"loss={loss_name!r} is a margin loss and has none. Use a crossentropy "
            "loss (e.g. loss='auto'), or calibration=None."
        )
    return True


def check_held_out(codes, train, val, target_type):
    """Refuse held-out rows that miss a class the training rows have.

    ``codes`` are class codes ``(n,)`` or a multilabel indicator ``(n, k)``;
    ``train`` and ``val`` row indices (``val`` None: no rows held out).
    """
    advice = (
        "calibration='temperature' fits its temperature on held-out rows "
        "(validation_fraction of the training rows, or validation_split): "
        "raise validation_fraction, pass more rows of every class, or set "
        "calibration=None."
    )
    if val is None or len(val) == 0 or len(train) == 0:
        raise ValueError(f"No rows are held out. {advice}")
    codes = np.asarray(codes)
    if target_type == "multilabel-indicator":
        seen = codes[train].any(axis=0) & ~codes[train].all(axis=0)
        varied = codes[val].any(axis=0) & ~codes[val].all(axis=0)
        if not varied[seen].any():
            raise ValueError(
                "The held-out rows show no label both present and absent. " + advice
            )
        return
    missing = np.setdiff1d(np.unique(codes[train]), codes[val])
    if missing.size:
        raise ValueError(
            f"The {len(val)} held-out rows hold no row of {missing.size} class(es) "
            f"(class codes {missing[:5].tolist()}). " + advice
        )


def _log_likelihood(logits, codes, probability, target_type):
    """A function ``beta -> sum of log-probabilities of the targets``."""
    logits = np.asarray(logits, dtype=np.float64)
    codes = np.asarray(codes)
    if probability == "softmax":
        rows = np.arange(len(codes))
        return lambda beta: log_softmax(beta * logits, axis=1)[rows, codes].sum()
    if target_type == "multilabel-indicator" or (
        target_type == "binary" and logits.shape[1] == 1
    ):
        sign = 2.0 * codes.reshape(logits.shape) - 1.0
        return lambda beta: log_expit(sign * beta * logits).sum()
    # One-vs-rest sigmoids normalised to sum to 1, as LossRule.proba does.
    rows = np.arange(len(codes))

    def one_vs_rest(beta):
        log_p = log_expit(beta * logits)
        log_norm = np.logaddexp.reduce(log_p, axis=1)
        return (log_p[rows, codes] - log_norm).sum()

    return one_vs_rest


def fit_temperature(logits, codes, probability, target_type):
    """The temperature of ``logits`` (held-out rows) for targets ``codes``.

    Parameters
    ----------
    logits : array-like of shape (n_samples, n_outputs)
    codes : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Class codes, or a 0/1 indicator for multilabel targets.
    probability : {"softmax", "sigmoid"}
    target_type : {"binary", "multiclass", "multilabel-indicator"}

    Returns
    -------
    temperature : float in [T_MIN, T_MAX]

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> logits = rng.normal(scale=4, size=(5000, 3))
    >>> p = np.exp(logits / 2) / np.exp(logits / 2).sum(1, keepdims=True)
    >>> codes = (rng.random((5000, 1)) > p.cumsum(1)).sum(1)
    >>> t = fit_temperature(logits, codes, "softmax", "multiclass")
    >>> bool(1.8 < t < 2.2)
    True
    """
    log_likelihood = _log_likelihood(logits, codes, probability, target_type)

    # In log T: the prior is a parabola and the bounds are symmetric-ish.
    def objective(log_t):
        return -log_likelihood(np.exp(-log_t)) + log_t**2 / (2 * PRIOR_WIDTH**2)

    result = minimize_scalar(
        objective,
        bounds=(np.log(T_MIN), np.log(T_MAX)),
        method="bounded",
        options={"xatol": 1e-5},
    )
    return float(np.clip(np.exp(result.x), T_MIN, T_MAX))


def held_out_temperature(plan, model, X):
    """The temperature of a trained ``model`` on ``plan``'s held-out rows of ``X``.

    None where ``plan`` (a :class:`~skxent._plan.FitPlan`) does not
    calibrate.  ``X`` holds the features as passed: the fitted network
    takes them so (its input scaling is folded into its first layer).
    """
    if not plan.calibrate:
        return None
    from ._inference import Inference

    target_type = plan.encoder.target_type_
    logits = Inference(model, plan.rule, target_type).logits(X[plan.val_rows])
    codes = plan.codes[plan.val_rows]
    return fit_temperature(logits, codes, plan.rule.probability, target_type)


def reliability(proba, y_codes, n_bins=15):
    """Top-label reliability: per-bin confidence, accuracy and counts, and ECE.

    The top label of each row is its most probable class; its probability
    (the confidence) is binned into ``n_bins`` equal-width bins of [0, 1].

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Predicted probabilities, rows summing to 1.
    y_codes : array-like of shape (n_samples,)
        True classes as column indices of ``proba``.
    n_bins : int, default=15

    Returns
    -------
    confidence, accuracy : ndarray of shape (n_bins,)
        Mean confidence and accuracy of the top label in each bin (NaN for
        an empty bin).
    counts : ndarray of shape (n_bins,)
    ece : float
        Expected calibration error: the count-weighted mean of
        ``|accuracy - confidence|`` over the bins.

    Examples
    --------
    >>> proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    >>> *_, ece = reliability(proba, np.array([0, 1, 1, 0]), n_bins=5)
    >>> round(ece, 3)  # bins [0.6, 0.8): 0.65 vs 1; [0.8, 1]: 0.85 vs 0.5
    0.35
    """
    proba = np.asarray(proba, dtype=np.float64)
    top = proba.argmax(axis=1)
    confidence = proba[np.arange(len(top)), top]
    correct = (top == np.asarray(y_codes)).astype(np.float64)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(bins, confidence, n_bins) / counts
        accuracy = np.bincount(bins, correct, n_bins) / counts
    gaps = np.abs(np.nan_to_num(accuracy - mean_confidence))
    ece = float((counts * gaps).sum() / max(counts.sum(), 1))
    return mean_confidence, accuracy, counts, ece
