"""The documentation builds with warnings as errors.

The examples are converted for the gallery but not run here:
tests/test_examples.py runs them.  Built from a copy of docs/ and examples/,
so the generated pages stay out of the source tree.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Builds the docs; the examples are not run, so no backend changes the result.
pytestmark = [pytest.mark.slow, pytest.mark.backend_independent]

for module in (
    "sphinx",
    "sphinx_gallery",
    "numpydoc",
    "myst_parser",
    "pydata_sphinx_theme",
):
    pytest.importorskip(module, reason='the docs extra: pip install -e ".[docs]"')

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)
def test_docs_build_without_warnings(tmp_path):
    for folder in ("docs", "examples"):
        shutil.copytree(
            ROOT / folder,
            tmp_path / folder,
            ignore=shutil.ignore_patterns(
                "_build", "auto_examples", "generated", "out"
            ),
        )
    html = tmp_path / "html"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
        + [str(tmp_path / "docs"), str(html)],
        capture_output=True,
        text=True,
        env={**os.environ, "SKXENT_DOCS_PLOT_GALLERY": "0"},
        timeout=540,
    )
    assert run.returncode == 0, run.stderr
    for page in ("getting_started", "user_guide", "migrating", "api"):
        assert (html / f"{page}.html").is_file()
    api = (html / "generated" / "skxent.XentClassifier.html").read_text()
    assert "hidden_layer_sizes" in api and "predict_proba" in api
    assert (html / "auto_examples" / "plot_tutorial.html").is_file()
    # pydata-sphinx-theme: its style sheet, its light/dark switch, and code
    # blocks that scroll sideways.
    index = (html / "index.html").read_text()
    assert "pydata-sphinx-theme.css" in index and "theme-switch" in index
    assert "overflow-x: auto" in (html / "_static" / "skxent.css").read_text()
