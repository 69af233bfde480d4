"""The ``skxent`` command: ``demo``, ``compare`` and its one-line errors."""

import csv
import os
import re
import struct
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from sklearn.datasets import make_classification

from skxent._cli import main

# The command line runs the tutorial's demo and the loss comparison, scripts
# above the backend, under the default one.
pytestmark = pytest.mark.default_backend


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A CSV of 3 numeric features and string labels 'no'/'yes'."""
    X, y = make_classification(
        n_samples=120, n_features=3, n_informative=3, n_redundant=0, random_state=0
    )
    path = tmp_path_factory.mktemp("data") / "data.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["a", "label", "b", "c"])
        for row, label in zip(X, y, strict=True):
            writer.writerow([row[0], ["no", "yes"][label], row[1], row[2]])
    return path


def run_skxent(args, cwd):
    """``python -m skxent ARGS`` as a user runs it: no TF_CPP_MIN_LOG_LEVEL set."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run(
        [sys.executable, "-m", "skxent", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def png_size(path):
    """(width, height) in pixels, from the PNG header."""
    return struct.unpack(">II", path.read_bytes()[16:24])


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_console_script_and_module_entry_points(tmp_path):
    (script,) = entry_points(group="console_scripts", name="skxent")
    assert script.value == "skxent._cli:main"
    run = run_skxent(["--help"], tmp_path)
    assert run.returncode == 0
    assert "demo" in run.stdout and "compare" in run.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    return run_skxent(["demo", "--out", str(out)], out.parent), out


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_demo_prints_its_own_lines_only_and_writes_four_figures(demo):
    run, out = demo
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # no TensorFlow start-up lines, nothing else
    lines = run.stdout.splitlines()
    assert lines[0] == "[1/2] circles: training on 750 rows, 30 epochs ..."
    assert re.fullmatch(
        r"circles: loss_='binary_crossentropy', test loss \d\.\d{4}, "
        r"test accuracy 1\.000",
        lines[1],
    )
    assert re.fullmatch(
        r"blobs: loss_='categorical_crossentropy', test loss \d\.\d{4}, "
        r"test accuracy (0\.99\d|1\.000)",  # 1.000 under TensorFlow, seed 0
        lines[5],
    )
    assert len(lines) == 8 and lines[2].startswith("  wrote ")
    assert sorted(p.name for p in out.glob("*.png")) == [
        "blobs_decision_regions.png",
        "blobs_loss.png",
        "circles_decision_regions.png",
        "circles_loss.png",
    ]


@pytest.mark.slow
def test_demo_figures_are_big_enough_for_a_slide(demo):
    _, out = demo
    for path in out.glob("*.png"):
        width, height = png_size(path)
        assert width >= 1000 and height >= 600, path.name


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_compare_prints_its_own_lines_only(table, tmp_path):
    args = ["compare", str(table), "--target", "label", "--cv", "2", "--epochs", "2"]
    run = run_skxent([*args, "--losses", "binary_crossentropy", "hinge"], tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.splitlines()[0].endswith("target 'label' with 2 classes")


def test_compare_prints_a_table_and_writes_a_figure(table, tmp_path, capsys):
    figure = tmp_path / "compare.png"
    args = ["compare", str(table), "--target", "label", "--cv", "2"]
    args += ["--losses", "binary_crossentropy", "hinge", "--epochs", "30"]
    assert main([*args, "--figure", str(figure)]) == 0
    out = capsys.readouterr().out
    assert "120 rows, 3 features, target 'label' with 2 classes" in out
    lines = out.splitlines()
    assert "| loss | CV accuracy | CV log-loss | mean fit time |" in lines
    (bce,) = [line for line in lines if line.startswith("| binary_crossentropy |")]
    (hinge,) = [line for line in lines if line.startswith("| hinge |")]
    assert bce.split("|")[3].strip() != "n/a"
    assert float(bce.split("|")[3]) > 0  # a log-loss
    assert hinge.split("|")[3].strip() == "n/a"
    for line in (bce, hinge):  # both learn: better than chance
        assert 0.6 < float(line.split("|")[2]) <= 1
    assert any(line.startswith("best: ") for line in lines)
    assert png_size(figure)[0] >= 1000


def _one_line_error(capsys, args):
    assert main(args) == 1
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("skxent compare: error: ")
    return line


def test_compare_missing_file(tmp_path, capsys):
    line = _one_line_error(
        capsys, ["compare", str(tmp_path / "no.csv"), "--target", "y"]
    )
    assert "cannot read" in line and "No such file" in line


def test_compare_missing_column(table, capsys):
    line = _one_line_error(capsys, ["compare", str(table), "--target", "klass"])
    assert "no column 'klass'" in line and "'label'" in line


def test_compare_one_class(tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_text("x,y\n" + "".join(f"{i},a\n" for i in range(10)))
    line = _one_line_error(capsys, ["compare", str(path), "--target", "y"])
    assert "only one class ('a')" in line


def test_compare_non_numeric_feature(tmp_path, capsys):
    path = tmp_path / "text.csv"
    path.write_text("x,colour,y\n1,red,a\n2,blue,b\n")
    line = _one_line_error(capsys, ["compare", str(path), "--target", "y"])
    assert "line 2" in line and "'colour'" in line and "'red'" in line


def test_compare_too_few_rows_per_class_for_the_folds(tmp_path, capsys):
    path = tmp_path / "small.csv"
    path.write_text("x,y\n1,a\n2,a\n3,b\n")
    line = _one_line_error(capsys, ["compare", str(path), "--target", "y"])
    assert "class 'b'" in line and "--cv 5" in line


def test_compare_bad_cv_is_a_usage_error(table):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(table), "--target", "label", "--cv", "1"])
    assert exit_info.value.code == 2


def test_demo_unwritable_output_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["demo", "--out", str(blocker / "out")]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("skxent demo: error: ") and "file" in line
