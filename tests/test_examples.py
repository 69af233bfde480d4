"""The examples run headless and show what they promise."""

import re
import runpy
from pathlib import Path

import pytest

# Runs every example, under the default backend: the examples are users'
# scripts above the backend, which every pass of the suite tests itself.
pytestmark = [pytest.mark.slow, pytest.mark.default_backend]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# What each example must print (regular expressions searched in its output),
# and how many figures it must write to out/.
EXPECTED = {
    "plot_tutorial.py": (
        [
            r"circles: loss_='binary_crossentropy', test accuracy 1\.000",
            r"blobs:   loss_='categorical_crossentropy', "
            r"test accuracy (0\.99\d|1\.000)",
            r"predict returns class indices: \[\d \d \d \d \d\]",
        ],
        3,
    ),
    "plot_custom_body.py": ([r"loss_='categorical_crossentropy', output units 10"], 0),
    "plot_loss_comparison.py": (
        [
            r"circles\n\n(?:\|.*\n)*?\| hinge \| 1\.000 \| n/a \|",
            r"four blobs\n\n(?:\|.*\n)*?\| categorical_hinge \| 1\.000 \| n/a \|",
            r"four blobs\n\n(?:\|.*\n)*?\| categorical_crossentropy \| 1\.000 \| 0\.",
        ],
        1,
    ),
    "plot_multilabel.py": (
        [
            r"loss_='binary_crossentropy', target_type_='multilabel-indicator'",
            r"predict: \(150, 4\) 0/1, predict_proba: \(150, 4\)",
            r"ValueError: loss='categorical_crossentropy' assumes exactly one class",
        ],
        1,
    ),
    "plot_pipeline_search.py": (
        [
            r"best parameters \{'xentclassifier__hidden_layer_sizes': ",
            r"scaled, searched test accuracy 0\.[89]",
        ],
        1,
    ),
    "plot_probabilities.py": (
        [
            r"calibration_temperature_ = \d+\.\d\d",
            r"predict is the argmax of the calibrated probabilities: True",
            r"90 % prediction sets: coverage 0\.[89]\d\d, mean size \d\.\d\d",
            r"tuned threshold: balanced accuracy 0\.\d+",
        ],
        1,
    ),
    "plot_text_classification.py": (
        [
            r"X is a sparse CSR matrix: 2100 documents x \d+ words",
            r"best parameters \{'xentclassifier__hidden_layer_sizes': ",
            r"\| XentClassifier \| 0\.9\d\d \|",
            r"\| MLPClassifier \| 0\.\d+ \|",
            r"\| LogisticRegression \| 0\.\d+ \|",
        ],
        1,
    ),
}


def test_every_example_has_expectations():
    assert sorted(p.name for p in EXAMPLES.glob("plot_*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    lines, n_figures = EXPECTED[name]
    for pattern in lines:
        assert re.search(pattern, out), pattern
    assert len(list(tmp_path.glob("out/*.png"))) == n_figures
