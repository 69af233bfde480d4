"""Crossentropy or hinge? A cross-validated search over ``loss``.

The tutorial's question, which loss suits a problem, answered by
experiment: one ``GridSearchCV`` over ``loss``, scored by accuracy and, for
the losses that give probabilities, log-loss.  Used by
``examples/plot_loss_comparison.py`` and ``skxent compare``.
"""

import warnings

import numpy as np
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV

__all__ = [
    "DEFAULT_LOSSES",
    "compare_losses",
    "loss_results",
    "loss_table",
    "neg_log_loss_where_defined",
]

DEFAULT_LOSSES = (
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
)
"""Every loss family ``XentClassifier`` supports, once each:
``sparse_categorical_crossentropy`` is left out because skxent runs
categorical crossentropy in its sparse form, so the two are the same loss."""


def neg_log_loss_where_defined(estimator, X, y):
    """``neg_log_loss`` scorer, or NaN for a loss that yields no probabilities.

    The hinges have no ``predict_proba``; scikit-learn's ``"neg_log_loss"``
    would raise for them, this scorer gives NaN instead, so one search can
    compare crossentropies and hinges.

    Examples
    --------
    >>> from skxent import XentClassifier
    >>> neg_log_loss_where_defined(XentClassifier(loss="hinge"), None, None)
    nan
    """
    if not hasattr(estimator, "predict_proba"):
        return np.nan
    return -log_loss(y, estimator.predict_proba(X), labels=estimator.classes_)


def _loss_param(estimator):
    """``"loss"``, or ``"<step>__loss"`` for a Pipeline ending in the classifier."""
    if hasattr(estimator, "steps"):
        return f"{estimator.steps[-1][0]}__loss"
    return "loss"


def compare_losses(X, y, estimator, *, losses=DEFAULT_LOSSES, cv=5, n_jobs=None):
    """Cross-validate ``estimator`` once per loss.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    estimator : XentClassifier or Pipeline
        The shared configuration; a ``Pipeline`` must end in the classifier.
    losses : sequence of str, default=DEFAULT_LOSSES
        The candidates.
    cv : int or cross-validation generator, default=5
        Folds, stratified by class for an int.
    n_jobs : int, default=None
        Candidates fitted in parallel, as in ``GridSearchCV``.

    Returns
    -------
    search : GridSearchCV
        Fitted, scored by ``"accuracy"`` and ``"log_loss"`` (the negated
        log-loss, NaN for the hinges), refitted on the most accurate loss.
    """
    search = GridSearchCV(
        estimator,
        {_loss_param(estimator): list(losses)},
        scoring={"accuracy": "accuracy", "log_loss": neg_log_loss_where_defined},
        refit="accuracy",
        cv=cv,
        n_jobs=n_jobs,
        error_score="raise",
    )
    with warnings.catch_warnings():
        # The hinges' NaN log-loss is expected: they give no probabilities.
        warnings.filterwarnings("ignore", "One or more of the test scores")
        return search.fit(X, y)


def loss_results(search):
    """One dict per candidate loss of a fitted :func:`compare_losses` search.

    Returns
    -------
    rows : list of dict
        Keys ``loss``, ``accuracy`` and ``accuracy_std`` (mean and standard
        deviation over the folds), ``log_loss`` (mean, NaN where undefined)
        and ``fit_time`` (mean seconds per fit), in the order searched.
    """
    results = search.cv_results_
    rows = []
    for i, params in enumerate(results["params"]):
        (loss,) = (v for k, v in params.items() if k.split("__")[-1] == "loss")
        rows.append(
            {
                "loss": loss,
                "accuracy": float(results["mean_test_accuracy"][i]),
                "accuracy_std": float(results["std_test_accuracy"][i]),
                "log_loss": -float(results["mean_test_log_loss"][i]),
                "fit_time": float(results["mean_fit_time"][i]),
            }
        )
    return rows


def loss_table(search):
    """The results of a fitted :func:`compare_losses` search as a Markdown table.

    Log-loss is ``n/a`` for the losses without probabilities (the hinges);
    the last line names the most accurate loss.
    """
    lines = [
        "| loss | CV accuracy | CV log-loss | mean fit time |",
        "| --- | --- | --- | --- |",
    ]
    for row in loss_results(search):
        log = "n/a" if np.isnan(row["log_loss"]) else f"{row['log_loss']:.3f}"
        lines.append(
            f"| {row['loss']} | {row['accuracy']:.3f} | {log} "
            f"| {row['fit_time']:.2f} s |"
        )
    best = search.best_params_[_loss_param(search.estimator)]
    lines.append(f"best: {best}")
    return "\n".join(lines)
