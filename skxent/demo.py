"""The classic Keras loss tutorial's two problems, and ``skxent demo``.

The tutorial trains a small network on two toy problems: two concentric
circles (two classes, binary crossentropy) and four Gaussian blobs with
one-hot targets (four classes, categorical crossentropy).  The functions
here make the same data and split, so that ``examples/plot_tutorial.py``,
the command ``skxent demo`` and the tests all solve the very same problems.
NumPy and scikit-learn only: importing this module does not import
TensorFlow or matplotlib.
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import make_blobs, make_circles

__all__ = ["TUTORIAL_PARAMS", "run_demo", "tutorial_blobs", "tutorial_circles"]

TUTORIAL_PARAMS = {
    "hidden_layer_sizes": (12, 8),
    "kernel_initializer": "he_uniform",
    "epochs": 30,
    "batch_size": 5,
    "validation_split": 0.2,
    "random_state": 0,
}
"""The tutorial's network and training settings as ``XentClassifier``
parameters: two hidden ReLU layers of 12 and 8 units initialised He
uniform, 30 epochs of
5-sample batches, 20 % of the training rows held out for validation (and a
fixed seed, which the tutorial does not set)."""

N_SAMPLES = 1000
N_TEST = 250  # the tutorial keeps the first 250 samples for testing
BLOB_CENTERS = [(15, 0), (15, 15), (0, 15), (30, 15)]


def _split(X, y):
    return X[N_TEST:], X[:N_TEST], y[N_TEST:], y[:N_TEST]


def tutorial_circles():
    """The tutorial's circles: 1,000 points on two circles, two classes.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        750 training and 250 test rows of 2 features; labels 0 and 1.

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = tutorial_circles()
    >>> X_train.shape, X_test.shape, y_train[:5]
    ((750, 2), (250, 2), array([0, 1, 0, 1, 0]))
    """
    X, y = make_circles(n_samples=N_SAMPLES, factor=0.1, random_state=0)
    return _split(X, y)


def tutorial_blobs():
    """The tutorial's four blobs, with one-hot targets as ``to_categorical`` makes.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        750 training and 250 test rows of 2 features; ``y`` is a one-hot
        matrix with 4 columns, equal to what ``keras.utils.to_categorical``
        returns for the labels.

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = tutorial_blobs()
    >>> X_train.shape, y_train.shape
    ((750, 2), (750, 4))
    >>> y_train[:2]
    array([[0., 1., 0., 0.],
           [1., 0., 0., 0.]])
    """
    X, y = make_blobs(
        n_samples=N_SAMPLES,
        centers=BLOB_CENTERS,
        n_features=2,
        cluster_std=1.5,
        random_state=0,
    )
    onehot = np.eye(len(BLOB_CENTERS))[y]
    return _split(X, onehot)


PROBLEMS = {"circles": tutorial_circles, "blobs": tutorial_blobs}
"""Name (used in file names) -> the function making that problem."""


def run_demo(out, *, stream=None, verbose=None):
    """Solve the tutorial's two problems and write their figures to ``out``.

    For each problem: fit :class:`~skxent.XentClassifier` with
    :data:`TUTORIAL_PARAMS`, print the loss it chose, its value on the test
    rows and the test accuracy, and write ``<problem>_decision_regions.png``
    (mlxtend's ``plot_decision_regions`` on the estimator itself, through
    :func:`skxent.plotting.plot_decision_regions`) and ``<problem>_loss.png``
    (training and validation loss per epoch, log scale), each about 1200 pixels
    wide.  Needs the ``plot`` extra (matplotlib and mlxtend); figures are
    made with pyplot and closed once written (``skxent demo`` selects the
    headless Agg backend first).

    Parameters
    ----------
    out : str or path
        Directory for the figures; created if missing.
    stream : file, default=None
        Where to print (``sys.stdout`` by default).
    verbose : int, default=None
        Keras's progress output while training; by default a progress bar
        when ``stream`` is a terminal and nothing otherwise.

    Returns
    -------
    results : dict
        Problem name -> ``(fitted classifier, test accuracy)``.
    """
    try:
        import matplotlib.pyplot  # noqa: F401
        import mlxtend.plotting  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "the demo needs matplotlib and mlxtend: pip install 'skxent[plot]'"
        ) from exc

    from sklearn.metrics import log_loss

    from . import XentClassifier
    from .plotting import plot_decision_regions, plot_history

    stream = sys.stdout if stream is None else stream
    if verbose is None:
        verbose = 1 if getattr(stream, "isatty", lambda: False)() else 0
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for number, (name, make_problem) in enumerate(PROBLEMS.items(), start=1):
        X_train, X_test, y_train, y_test = make_problem()
        print(
            f"[{number}/{len(PROBLEMS)}] {name}: training on {len(X_train)} rows, "
            f"{TUTORIAL_PARAMS['epochs']} epochs ...",
            file=stream,
            flush=True,
        )
        clf = XentClassifier(**TUTORIAL_PARAMS, verbose=verbose).fit(X_train, y_train)
        accuracy = clf.score(X_test, y_test)
        # A one-hot y_test becomes class indices, the labels predict returns.
        labels = y_test.argmax(axis=1) if y_test.ndim == 2 else y_test
        # Both losses here are crossentropies, whose mean is the log-loss.
        test_loss = log_loss(labels, clf.predict_proba(X_test), labels=clf.classes_)
        print(
            f"{name}: loss_={clf.loss_!r}, test loss {test_loss:.4f}, "
            f"test accuracy {accuracy:.3f}",
            file=stream,
            flush=True,
        )
        results[name] = (clf, accuracy)

        ax = plot_decision_regions(clf, X_test, labels.astype(int))
        ax.set_title(
            f"{name}: test {clf.loss_} {test_loss:.4f}, test accuracy {accuracy:.3f}"
        )
        _save(ax.figure, out / f"{name}_decision_regions.png", stream)

        ax = plot_history(clf)
        ax.set_title(f"{name}: training and validation loss")
        _save(ax.figure, out / f"{name}_loss.png", stream)
    return results


def _save(fig, path, stream):
    import matplotlib.pyplot as plt

    from .plotting import DPI

    fig.savefig(path, dpi=DPI, bbox_inches="tight")  # about 1200 pixels wide
    plt.close(fig)
    print(f"  wrote {path}", file=stream, flush=True)
