"""skxent.plotting and skxent.comparison."""

import io
import math
import re
import struct
import sys
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_moons
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier
from skxent.comparison import compare_losses, loss_results, loss_table
from skxent.plotting import (
    plot_decision_regions,
    plot_history,
    plot_loss_comparison,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

QUICK = dict(hidden_layer_sizes=(8,), epochs=4, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def moons():
    return make_moons(120, noise=0.1, random_state=0)


@pytest.fixture(scope="module")
def with_validation(moons):
    return XentClassifier(validation_split=0.25, **QUICK).fit(*moons)


@pytest.fixture(scope="module")
def search(moons):
    return compare_losses(
        *moons, XentClassifier(**QUICK), losses=["binary_crossentropy", "hinge"], cv=2
    )


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_history_draws_training_and_validation_loss(with_validation):
    clf = with_validation
    ax = plot_history(clf)
    training, validation = ax.get_lines()
    assert training.get_label() == "training binary_crossentropy"
    assert validation.get_label() == "validation binary_crossentropy"
    np.testing.assert_array_equal(training.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(training.get_ydata(), clf.history_["loss"])
    np.testing.assert_allclose(validation.get_ydata(), clf.history_["val_loss"])
    assert ax.get_yscale() == "log"
    assert ax.get_legend() is not None


def test_plot_history_on_given_axes_linear_and_without_validation(moons):
    clf = XentClassifier(loss="hinge", **QUICK).fit(*moons)
    _, ax = plt.subplots()
    assert plot_history(clf, ax=ax, log_scale=False) is ax
    (line,) = ax.get_lines()
    assert line.get_label() == "training hinge"
    assert ax.get_yscale() == "linear"


def test_plot_history_takes_a_pipeline(moons):
    pipeline = make_pipeline(StandardScaler(), XentClassifier(**QUICK)).fit(*moons)
    (line,) = plot_history(pipeline).get_lines()
    np.testing.assert_allclose(line.get_ydata(), pipeline[-1].history_["loss"])


def test_plot_history_unfitted():
    with pytest.raises(NotFittedError):
        plot_history(XentClassifier())


def test_plotting_without_matplotlib_says_how_to_install(with_validation, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'skxent\[plot\]'"):
        plot_history(with_validation)


def test_loss_results_nan_log_loss_only_for_hinges(search):
    bce, hinge = loss_results(search)
    assert (bce["loss"], hinge["loss"]) == ("binary_crossentropy", "hinge")
    assert bce["log_loss"] > 0 and math.isnan(hinge["log_loss"])
    for row in (bce, hinge):
        assert 0 <= row["accuracy"] <= 1 and row["fit_time"] > 0


def test_loss_table(search):
    lines = loss_table(search).splitlines()
    assert lines[0] == "| loss | CV accuracy | CV log-loss | mean fit time |"
    assert lines[2].startswith("| binary_crossentropy | ")
    assert lines[3].startswith("| hinge | ") and "| n/a |" in lines[3]
    assert lines[4] == f"best: {search.best_params_['loss']}"


def test_compare_losses_in_a_pipeline_searches_the_step_parameter(moons):
    pipeline = make_pipeline(StandardScaler(), XentClassifier(**QUICK))
    search = compare_losses(*moons, pipeline, losses=["hinge", "bce"], cv=2)
    assert list(search.param_grid) == ["xentclassifier__loss"]
    assert [row["loss"] for row in loss_results(search)] == ["hinge", "bce"]


def test_plot_loss_comparison_one_bar_per_loss(search):
    ax = plot_loss_comparison(search)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "binary_crossentropy",
        "hinge",
    ]
    heights = [patch.get_width() for patch in ax.patches]
    np.testing.assert_allclose(heights, [r["accuracy"] for r in loss_results(search)])


def saved_width(ax):
    """Width in pixels of the axes' figure saved as matplotlib saves by default."""
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png")
    return struct.unpack(">II", buffer.getvalue()[16:24])[0]


def test_new_figures_are_big_enough_for_a_slide(with_validation, search, moons):
    X, y = moons
    for ax in (
        plot_history(with_validation),
        plot_loss_comparison(search),
        plot_decision_regions(with_validation, X, y),
    ):
        assert saved_width(ax) >= 1000


def test_decision_regions_are_labelled_with_the_features(with_validation, moons):
    X, y = moons
    ax = plot_decision_regions(with_validation, X, y)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 0", "feature 1")
    frame = pd.DataFrame(X, columns=["width", "height"])
    clf = XentClassifier(**QUICK).fit(frame, y)
    _, given = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        ax = plot_decision_regions(clf, frame, y, ax=given)
    assert ax is given and (ax.get_xlabel(), ax.get_ylabel()) == ("width", "height")


def user_guide_snippet(marker):
    """The Python code block of docs/user_guide.md that mentions ``marker``."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "user_guide.md").read_text()
    (block,) = [
        b for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL) if marker in b
    ]
    return block


def test_the_user_guides_log_loss_search_over_a_hinge_runs():
    # scoring=["accuracy", "neg_log_loss"] stops such a search inside
    # scikit-learn (as for SGDClassifier); the documented scorer does not.
    namespace = {}
    exec(user_guide_snippet("neg_log_loss_where_defined"), namespace)  # noqa: S102
    results = namespace["search"].cv_results_
    bce, hinge = results["mean_test_neg_log_loss"]
    assert bce < 0 and math.isnan(hinge)
    assert (results["mean_test_accuracy"] > 0.5).all()
