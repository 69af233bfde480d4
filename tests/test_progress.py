"""verbose=1: the progress bar moves within an epoch, the decisions do not change."""

import os
import pathlib
import re
import select
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import make_moons

import skxent
from skxent import XentClassifier, _progress, _training

from _assertions import assert_same_fit

BACKEND = keras.backend.backend()


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(200, noise=0.2, random_state=0)
    return X.astype(np.float32), y


SMALL = dict(hidden_layer_sizes=(8,), random_state=0)

CASES = {
    # 200 rows in batches of 16: 12 full batches and one of 8.
    "a last, smaller batch": dict(epochs=4, batch_size=16, n_iter_no_change=None),
    "whole batches": dict(epochs=4, batch_size=20, n_iter_no_change=None),
    "loss plateau stops": dict(epochs=30, batch_size=16, tol=100.0),
    "early stopping restores the best": dict(
        epochs=40, batch_size=16, learning_rate=0.05, early_stopping=True
    ),
    "the default network": dict(hidden_layer_sizes=(100,), epochs=3, batch_size=32),
}


def uneven_steps(done, n_steps):
    """Slices of 1, 2, 3, 1, 2, 3, ... steps: every way an epoch can be cut."""
    return done % 3 + 1


@pytest.mark.parametrize("params", CASES.values(), ids=CASES.keys())
def test_epochs_in_slices_make_the_decisions_of_a_quiet_fit(
    moons, monkeypatch, capsys, params
):
    # verbose=0 runs the whole fit in one compiled call (TensorFlow, JAX) or
    # each epoch in one loop (PyTorch); verbose=1 each epoch in slices, the
    # running loss sum carried from one call to the next.
    X, y = moons
    calls = []

    def steps(self, done, n_steps):
        calls.append(done)
        return uneven_steps(done, n_steps)

    monkeypatch.setattr(_progress.EpochSlices, "steps", steps)
    quiet = XentClassifier(**{**SMALL, **params}).fit(X, y)
    shown = XentClassifier(**{**SMALL, **params}, verbose=1).fit(X, y)
    assert_same_fit(quiet, shown)
    # Every epoch ran in slices.
    assert calls.count(0) == shown.n_iter_ and len(calls) > 3 * shown.n_iter_
    assert "loss:" in capsys.readouterr().out


def test_epochs_in_slices_on_sparse_input(moons, monkeypatch, capsys):
    X, y = moons
    X = sparse.csr_matrix(np.hstack([X, np.zeros_like(X)]))
    monkeypatch.setattr(_progress.EpochSlices, "steps", lambda self, d, n: 5)
    params = dict(SMALL, epochs=6, batch_size=16, early_stopping=True)
    quiet = XentClassifier(**params).fit(X, y)
    assert_same_fit(quiet, XentClassifier(**params, verbose=1).fit(X, y))


def test_only_verbose_1_runs_epochs_in_slices(moons, monkeypatch, capsys):
    X, y = moons
    sliced = []
    run = _progress.EpochSlices.run

    def spy(self, order):
        sliced.append(len(order))
        return run(self, order)

    monkeypatch.setattr(_progress.EpochSlices, "run", spy)
    for verbose in (0, 2, 1):
        XentClassifier(**SMALL, epochs=2, verbose=verbose).fit(X, y)
    assert sliced == [len(X)] * 2


def test_slices_are_as_few_as_the_display_needs(monkeypatch):
    monkeypatch.setattr(_progress, "SLICE_SECONDS", 0.2)
    slices = _progress.EpochSlices(session=None, batch_size=32, progbar=None)
    # A pace not yet measured (the call compiles): one step.
    assert slices.steps(0, 1000) == 1
    # An epoch that takes less than SLICE_SECONDS: the rest in one call.
    slices.seconds_per_step = 1e-4
    assert slices.steps(1, 1000) == 999
    # A 2 s epoch: ten calls of 0.2 s, the rest split evenly.
    slices.seconds_per_step = 2e-3
    assert slices.steps(0, 1000) == 100
    assert slices.steps(900, 1000) == 100
    assert slices.steps(0, 1001) == 91  # 11 calls of 91 steps
    # A step longer than SLICE_SECONDS: one step a call.
    slices.seconds_per_step = 1.0
    assert slices.steps(5, 10) == 1


def test_compiling_is_announced_once_and_only_with_progress(moons, capsys):
    X, y = moons
    line = f"skxent: compiling the training program ({BACKEND})..."
    compiles = BACKEND != "torch"  # PyTorch runs eagerly: nothing to compile
    for verbose in (1, 2):
        _training.PROGRAMS.clear()
        XentClassifier(**SMALL, epochs=2, verbose=verbose).fit(X, y)
        first = capsys.readouterr().out
        XentClassifier(**SMALL, epochs=2, verbose=verbose).fit(X, y)
        again = capsys.readouterr().out
        assert (line in first) == compiles and "Epoch 2/2" in first
        assert line not in again and "Epoch 2/2" in again
    _training.PROGRAMS.clear()
    XentClassifier(**SMALL, epochs=2).fit(X, y)
    assert capsys.readouterr().out == ""


# -- in a terminal ------------------------------------------------------------

CHILD = """
import numpy as np
from skxent import XentClassifier, _progress

_progress.SLICE_SECONDS = 0.06  # redraws a little slower than Keras's 0.05 s
rng = np.random.default_rng(0)
X = rng.normal(size=(500 * 256, 32)).astype(np.float32)
y = (X[:, 0] + X[:, 1] > 0).astype(int)
XentClassifier(
    hidden_layer_sizes=(256, 256), batch_size=256, epochs=2, random_state=0,
    verbose=1,
).fit(X, y)
print("DONE")
"""

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_in_pty(code, tmp_path, timeout):
    """Run ``code`` with stdout on a pseudo-terminal; its output, killed at timeout."""
    env = dict(os.environ)
    # The child imports the skxent under test, wherever the tests run from.
    root = str(pathlib.Path(skxent.__file__).parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    controller, terminal = os.openpty()
    with open(tmp_path / "stderr", "wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.DEVNULL,
            stdout=terminal,
            stderr=stderr,
            cwd=tmp_path,
            env=env,
        )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no end in {timeout} s: {output[-2000:]!r}")
            if not select.select([controller], [], [], left)[0]:
                continue
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        code = child.wait(timeout=max(1, deadline - time.monotonic()))
        assert code == 0, (tmp_path / "stderr").read_text()[-3000:]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(controller)
    return output.decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_verbose_1_output_moves_within_an_epoch_in_a_terminal(tmp_path):
    out = ANSI.sub("", run_in_pty(CHILD, tmp_path, timeout=240))
    assert "DONE" in out
    first, second = out.split("Epoch 2/2")
    # Each redraw returns to the line's start and writes "k/N".
    steps = [int(k) for k, n in re.findall(r"\r *(\d+)/(\d+) ", first) if k != n]
    assert len(set(steps)) >= 3 and steps == sorted(steps), steps
    assert re.search(r"\r *500/500 ", first) and re.search(r"\r *500/500 ", second)
    compiling = f"skxent: compiling the training program ({BACKEND})..."
    if BACKEND != "torch":
        assert first.index(compiling) < first.index("\r  1/500 ")
