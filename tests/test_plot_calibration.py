"""skxent.plotting.plot_calibration: top-label reliability of any classifier."""

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier, _calibration
from skxent.plotting import DPI, FIGSIZE, plot_calibration

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def problem():
    X, y = make_blobs(150, centers=3, cluster_std=3.0, random_state=0)
    labels = np.array(["a", "b", "c"])[y]  # string labels, three classes
    return X, labels


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_one_panel_per_estimator_with_ece_and_log_loss(problem):
    X, y = problem
    skxent = XentClassifier(hidden_layer_sizes=(8,), epochs=3, random_state=0)
    estimators = {
        "skxent": skxent.fit(X, y),
        "logistic": make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y),
    }
    axes = plot_calibration(estimators, X, y)
    assert [ax.get_title() for ax in axes] == ["skxent", "logistic"]
    figure = axes[0].figure
    assert tuple(figure.get_size_inches()) == FIGSIZE and figure.dpi == DPI
    assert axes[0].get_ylabel() == "top-label accuracy"
    assert all(ax.get_xlabel() == "top-label probability" for ax in axes)
    codes = np.searchsorted(["a", "b", "c"], y)
    for ax, est in zip(axes, estimators.values(), strict=True):
        *_, ece = _calibration.reliability(est.predict_proba(X), codes)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(f"ECE {ece:.3f}\nlog loss" in label for label in labels)
    # A list is named by class; a pipeline by its classifier.
    axes = plot_calibration([estimators["logistic"]], X, y)
    assert axes[0].get_title() == "LogisticRegression"


def test_bad_input(problem):
    X, y = problem
    clf = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="one label per row"):
        plot_calibration([clf], X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="not fit on"):
        plot_calibration([clf], X, np.where(y == "a", "z", y))
    with pytest.raises(ValueError, match="at least one"):
        plot_calibration({}, X, y)
