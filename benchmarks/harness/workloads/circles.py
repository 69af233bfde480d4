"""The tutorial's circles, shared by the fit, predict and plot workloads.

``make_circles(1000, factor=0.1, random_state=0)``, the first 250 rows for
testing, the rest for training; (12, 8) ReLU layers, 30 epochs of batch 5,
20 % validation, adam at 1e-3.
"""

from dataclasses import dataclass, field, replace

from .. import contenders
from ..runner import accuracy, fit_timed, import_family
from ..spec import Net


@dataclass(frozen=True)
class Circles:
    rows: int = 1000
    test: int = 250
    net: Net = field(
        default_factory=lambda: Net(
            hidden=(12, 8), epochs=30, batch_size=5, validation_split=0.2
        )
    )


CIRCLES = Circles()
CIRCLES_QUICK = replace(CIRCLES, net=replace(CIRCLES.net, epochs=2))


def circles(n, random_state=0):
    """``make_circles`` as the tutorial calls it, with a fixed seed."""
    from sklearn.datasets import make_circles

    return make_circles(n, factor=0.1, random_state=random_state)


def split(c):
    """The tutorial's split: train X, test X, train y, test y."""
    X, y = circles(c.rows)
    return X[c.test :], X[: c.test], y[c.test :], y[: c.test]


def estimator(family, net):
    """A new classifier of ``family`` for the circles."""
    if family == "scikeras":
        return contenders.classifier(family, net, init="he_uniform")
    return contenders.classifier(family, net)


def fit(family, c, repeats=1):
    """Fit on the training rows: times, the last estimator, the test split."""
    X_train, X_test, y_train, y_test = split(c)
    import_family(family)
    make = lambda: estimator(family, c.net)  # noqa: E731
    times, fitted = fit_timed(make, X_train, y_train, repeats)
    return times, fitted, X_test, y_test


def note(c):
    n = c.net
    return (
        f"Circles: make_circles({c.rows}, factor=0.1, random_state=0), the "
        f"first {c.test} rows for testing and accuracy, {c.rows - c.test} for "
        f"training; hidden {n.hidden}, {n.epochs} epochs, batch {n.batch_size}, "
        f"validation {n.validation_split}, adam at {n.learning_rate:g}. "
        "MLPClassifier gets early_stopping=True with that validation_fraction "
        f"and n_iter_no_change={n.epochs}: it trains on the same fraction every "
        "epoch and never stops early, but keeps its best epoch's weights."
    )


def measure_with(family, c):
    """The fitted estimator and its test accuracy, for predict workloads."""
    _, fitted, X_test, y_test = fit(family, c)
    return fitted, X_test, y_test, accuracy(fitted, X_test, y_test)
