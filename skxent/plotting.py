"""Figures of a fitted :class:`~skxent.XentClassifier` (needs matplotlib).

Install matplotlib with ``pip install "skxent[plot]"``.  It is imported
when a function here is called, not when this module is imported.
Decision regions need no helper: mlxtend's ``plot_decision_regions`` takes
the estimator itself, since it predicts class labels.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["plot_history", "plot_loss_comparison"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skxent.plotting needs matplotlib: pip install 'skxent[plot]'"
        ) from exc
    return plt


def _axes(ax):
    if ax is None:
        _, ax = _pyplot().subplots()
    else:
        _pyplot()  # the same clear error when matplotlib is missing
    return ax


def plot_history(clf, ax=None, log_scale=True):
    """Training (and validation) loss per epoch of a fitted classifier.

    Draws ``clf.history_["loss"]`` and, when training held out a
    validation split, ``clf.history_["val_loss"]``, labelled with the loss
    used (``clf.loss_``): the tutorial's loss-curve figure in one call.

    Parameters
    ----------
    clf : XentClassifier or Pipeline
        A fitted classifier, or a ``Pipeline`` ending in one.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure by default.
    log_scale : bool, default=True
        A logarithmic loss axis, where the late epochs' small losses stay
        visible.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``clf`` is not fitted.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_moons
    >>> from skxent import XentClassifier
    >>> from skxent.plotting import plot_history
    >>> X, y = make_moons(100, random_state=0)
    >>> clf = XentClassifier(epochs=5, validation_split=0.2, random_state=0)
    >>> ax = plot_history(clf.fit(X, y))
    >>> [line.get_label() for line in ax.get_lines()]
    ['training binary_crossentropy', 'validation binary_crossentropy']
    >>> ax.get_yscale()
    'log'
    """
    if hasattr(clf, "steps"):  # a Pipeline: its classifier is the last step
        clf = clf[-1]
    check_is_fitted(clf, "history_")
    ax = _axes(ax)
    epochs = np.arange(1, len(clf.history_["loss"]) + 1)
    ax.plot(epochs, clf.history_["loss"], label=f"training {clf.loss_}")
    if "val_loss" in clf.history_:
        ax.plot(epochs, clf.history_["val_loss"], label=f"validation {clf.loss_}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{clf.loss_} loss")
    if log_scale:
        ax.set_yscale("log")
    ax.legend()
    return ax


def plot_loss_comparison(search, ax=None):
    """Mean cross-validated accuracy per loss of a search over ``loss``.

    One horizontal bar per loss, in the order searched, with the standard
    deviation over the folds as error bar.

    Parameters
    ----------
    search : GridSearchCV
        A fitted search from :func:`skxent.comparison.compare_losses`.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure by default.

    Returns
    -------
    ax : matplotlib.axes.Axes
    """
    from .comparison import loss_results

    check_is_fitted(search, "cv_results_")
    ax = _axes(ax)
    rows = loss_results(search)
    names = [row["loss"] for row in rows]
    ax.barh(
        names,
        [row["accuracy"] for row in rows],
        xerr=[row["accuracy_std"] for row in rows],
        color="tab:blue",
    )
    ax.invert_yaxis()  # the first loss on top, as in the printed table
    ax.set_xlabel("cross-validated accuracy")
    ax.set_xlim(0, 1.05)
    return ax
