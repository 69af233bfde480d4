"""The examples run headless and show what they promise."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# What each example must print, and how many figures it must write to out/.
EXPECTED = {
    "plot_tutorial.py": (
        [
            "circles: loss_='binary_crossentropy', test accuracy 1.000",
            "blobs:   loss_='categorical_crossentropy', test accuracy 0.996",
        ],
        3,
    ),
    "plot_custom_body.py": (["loss_='categorical_crossentropy', output units 10"], 0),
    "plot_loss_comparison.py": (
        [
            "| circles | hinge | 1.000 | nan |",
            "| four blobs | categorical_hinge | 1.000 | nan |",
            "| four blobs | categorical_crossentropy | 1.000 | 0.",
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
    for line in lines:
        assert line in out
    assert len(list(tmp_path.glob("out/*.png"))) == n_figures
