"""Figures of a fitted :class:`~skxent.XentClassifier` (needs matplotlib).

Install matplotlib with ``pip install "skxent[plot]"``.  It is imported
when a function here is called, not when this module is imported.
mlxtend's ``plot_decision_regions`` takes the estimator itself, since it
predicts class labels; :func:`plot_decision_regions` here adds the axis
labels and a size fit for a slide.

New figures are :data:`FIGSIZE` inches at :data:`DPI` dots per inch: 1350
pixels wide when saved at the figure's own resolution.
"""

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "DPI",
    "FIGSIZE",
    "feature_names",
    "plot_calibration",
    "plot_decision_regions",
    "plot_history",
    "plot_loss_comparison",
]

FIGSIZE = (9, 5.5)
"""Size in inches of the figures made here."""
DPI = 150
"""Their resolution: ``savefig`` at the default (the figure's) gives 1350 px
(a little less with ``bbox_inches="tight"``)."""


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skxent.plotting needs matplotlib: pip install 'skxent[plot]'"
        ) from exc
    return plt


def _axes(ax, figsize=FIGSIZE):
    if ax is None:
        _, ax = _pyplot().subplots(figsize=figsize, dpi=DPI)
    else:
        _pyplot()  # the same clear error when matplotlib is missing
    return ax


def feature_names(clf, X=None):
    """Names of ``X``'s columns: the fitted ``feature_names_in_``, else
    a DataFrame's columns, else ``"feature 0"``, ``"feature 1"``, ...

    Examples
    --------
    >>> import numpy as np
    >>> feature_names(None, np.zeros((3, 2)))
    ['feature 0', 'feature 1']
    """
    names = getattr(clf, "feature_names_in_", None)
    if names is None and hasattr(X, "columns"):
        names = X.columns
    if names is not None:
        return [str(name) for name in names]
    return [f"feature {i}" for i in range(np.shape(X)[1])]


def plot_decision_regions(clf, X, y, ax=None, **kwargs):
    """mlxtend's ``plot_decision_regions`` with labelled axes, slide-sized.

    Parameters
    ----------
    clf : XentClassifier or Pipeline
        A fitted classifier of two features (or pass mlxtend's
        ``feature_index`` and ``filler_feature_values``).
    X : array-like of shape (n_samples, n_features)
        The points to draw; a DataFrame's column names label the axes.
    y : array-like of shape (n_samples,)
        Their labels (integers, as mlxtend needs).
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new :data:`FIGSIZE` figure by default.
    **kwargs
        Passed to ``mlxtend.plotting.plot_decision_regions`` (``legend=3``
        by default).

    Returns
    -------
    ax : matplotlib.axes.Axes
        With the features' names (:func:`feature_names`) as axis labels.
    """
    try:
        from mlxtend.plotting import plot_decision_regions as mlxtend_regions
    except ImportError as exc:
        raise ImportError(
            "plot_decision_regions needs mlxtend: pip install 'skxent[plot]'"
        ) from exc
    ax = _axes(ax, figsize=(FIGSIZE[0], FIGSIZE[0] * 0.75))
    names = feature_names(clf, X)
    first, second = kwargs.get("feature_index") or (0, 1)
    kwargs.setdefault("legend", 3)
    with warnings.catch_warnings():
        # mlxtend's own matplotlib warning about its "x" marker, and
        # scikit-learn's about the plain arrays mlxtend predicts on.
        warnings.filterwarnings("ignore", "You passed an? edgecolor", UserWarning)
        warnings.filterwarnings("ignore", "X does not have valid feature names")
        mlxtend_regions(np.asarray(X), np.asarray(y), clf=clf, ax=ax, **kwargs)
    ax.set_xlabel(names[first])
    ax.set_ylabel(names[second])
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


def _estimator_name(estimator):
    if hasattr(estimator, "steps"):  # a Pipeline: name its classifier
        estimator = estimator[-1]
    return type(estimator).__name__


def plot_calibration(estimators, X, y, *, n_bins=15, axes=None):
    """Top-label reliability diagrams of fitted classifiers, side by side.

    For each classifier, the rows of ``X`` are binned by the probability of
    their most probable class (the confidence) into ``n_bins`` equal bins,
    and the accuracy of that top label in each bin is drawn against the
    bin's mean confidence: a calibrated classifier lies on the diagonal.
    Works for any number of classes (scikit-learn's ``CalibrationDisplay``
    draws binary problems only).  The legend gives the expected calibration
    error (ECE, the row-weighted mean gap over the bins) and the log loss;
    light bars show the share of rows in each bin.

    Parameters
    ----------
    estimators : dict of str to classifier, or list of classifiers
        Fitted classifiers with ``predict_proba`` and ``classes_``; a dict
        names their panels, a list is named by class.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Rows to evaluate on (held-out rows, for an honest diagram).
    y : array-like of shape (n_samples,)
        Their labels, among each classifier's ``classes_``.
    n_bins : int, default=15
    axes : sequence of matplotlib.axes.Axes, default=None
        One per classifier; by default a new :data:`FIGSIZE` figure with
        one panel per classifier, sharing their accuracy axis.

    Returns
    -------
    axes : list of matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxent.plotting import plot_calibration
    >>> X, y = load_iris(return_X_y=True)
    >>> axes = plot_calibration({"logistic": LogisticRegression().fit(X, y)}, X, y)
    >>> axes[0].get_title(), axes[0].get_xlabel()
    ('logistic', 'top-label probability')
    """
    from sklearn.metrics import log_loss

    from ._calibration import reliability

    if isinstance(estimators, dict):
        items = list(estimators.items())
    else:
        items = [(_estimator_name(est), est) for est in estimators]
    if not items:
        raise ValueError("plot_calibration needs at least one fitted classifier.")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(
            "plot_calibration draws top-label reliability, which needs one label "
            f"per row; got y of shape {y.shape}."
        )
    plt = _pyplot()
    if axes is None:
        _, grid = plt.subplots(
            1, len(items), figsize=FIGSIZE, dpi=DPI, sharey=True, squeeze=False
        )
        axes = list(grid[0])
    if len(axes) != len(items):
        raise ValueError(f"{len(items)} classifiers need {len(items)} axes.")
    edges = np.linspace(0, 1, n_bins + 1)
    for ax, (name, estimator) in zip(axes, items, strict=True):
        check_is_fitted(estimator)
        classes = np.asarray(estimator.classes_)
        codes = np.searchsorted(classes, y).clip(0, len(classes) - 1)
        if not np.array_equal(classes[codes], y):
            raise ValueError(f"y holds labels that {name} was not fit on.")
        proba = estimator.predict_proba(X)
        confidence, accuracy, counts, ece = reliability(proba, codes, n_bins)
        loss = log_loss(y, proba, labels=classes)
        ax.bar(
            edges[:-1],
            counts / counts.sum(),
            width=1 / n_bins,
            align="edge",
            color="tab:gray",
            alpha=0.25,
            label="share of rows",
        )
        ax.plot([0, 1], [0, 1], ":", color="black", label="calibrated")
        shown = counts > 0
        ax.plot(
            confidence[shown],
            accuracy[shown],
            "o-",
            color="tab:blue",
            label=f"ECE {ece:.3f}\nlog loss {loss:.3f}",
        )
        ax.set_title(name)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "", "0.5", "", "1"])
        ax.set_xlabel("top-label probability")
        ax.legend(loc="upper left", fontsize="small")
    axes[0].set_ylabel("top-label accuracy")
    return axes
