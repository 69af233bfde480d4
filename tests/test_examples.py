"""The examples run headless and reach the tutorial's accuracy."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    "script", sorted(EXAMPLES.glob("plot_*.py")), ids=lambda p: p.name
)
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert "test accuracy" in out
    if script.name == "plot_tutorial.py":
        assert "circles: loss_='binary_crossentropy', test accuracy 1.000" in out
        assert "blobs:   loss_='categorical_crossentropy'" in out
        assert len(list((tmp_path / "out").glob("*.png"))) == 3
