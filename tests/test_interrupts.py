"""Ctrl-C: real SIGINTs sent to a child process at each phase of a fit and a save.

A child Python process runs, one after the other, a first fit in a fresh
process (Keras and its backend are imported), a fit of a new architecture
(compiled), a ``warm_start`` fit of a fitted estimator (an epoch runs) and
a run of saves over an existing file.  It prints a marker as each begins;
the parent sends ``SIGINT`` a set delay after the marker (after the second
epoch's marker for training), so the signal lands in the same phase
however loaded the machine is.  For each phase the child reports whether
``KeyboardInterrupt`` was raised (every operation is far too long to end
first), whether the estimator was left as it was (unfitted stays
unfitted; a fitted one keeps its weights, attributes and predictions) and
whether a fit right after works; after the saves, whether the file holds
a whole model and no temporary file was left.

Run ``python tests/test_interrupts.py`` for the table in
``docs/reliability.md`` (both backends, when installed).
"""

import importlib.util
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGINT") or sys.platform == "win32",
    reason="sends POSIX signals",
)

CHILD = r"""
import json, os, sys, time

import numpy as np
from sklearn.datasets import make_moons

from skxent import XentClassifier
import skxent

X, y = make_moons(300, noise=0.2, random_state=0)
LONG = dict(epochs=100_000, n_iter_no_change=None, random_state=0)


def state(clf):
    fitted = {k: v for k, v in vars(clf).items() if k.endswith("_")}
    if "n_iter_" not in fitted:  # model_ may be built on first use: not in vars
        return {"fitted": sorted(fitted)}
    return {
        "proba": clf.predict_proba(X),
        "weights": [np.array(w) for w in clf.model_.get_weights()],
        "optimizer": [np.array(v) for v in clf.model_.optimizer.variables],
        "n_iter": clf.n_iter_,
        "history": clf.history_["loss"][:],
    }


def same(a, b):
    if a.keys() != b.keys():
        return False
    for key in a:
        x, y_ = a[key], b[key]
        if isinstance(x, list) and x and isinstance(x[0], np.ndarray):
            if len(x) != len(y_) or not all(
                np.array_equal(p, q) for p, q in zip(x, y_)
            ):
                return False
        elif isinstance(x, np.ndarray):
            if not np.array_equal(x, y_):
                return False
        elif x != y_:
            return False
    return True


def wait_for_parent():
    # A SIGINT sent after the operation ended lands here, harmlessly.
    while True:
        try:
            return sys.stdin.readline()
        except KeyboardInterrupt:
            continue


def attempt(phase, clf, operation, check=None):
    before = state(clf)
    keras_imported = "keras" in sys.modules
    started = time.time()
    try:
        print("BEGIN", phase, flush=True)
        operation()
        interrupted, caught = False, None
    except KeyboardInterrupt:
        interrupted, caught = True, time.time()
    report = {
        "phase": phase,
        "interrupted": interrupted,
        "caught_at": caught,
        "seconds": time.time() - started,
        "intact": same(before, state(clf)),
        "keras_imported_before": keras_imported,
    }
    if check is not None:
        report.update(check())
    try:
        XentClassifier(epochs=2, hidden_layer_sizes=(4,)).fit(X, y).predict(X)
        report["next_fit"] = True
    except Exception as exc:
        report["next_fit"] = f"{type(exc).__name__}: {exc}"
    print("RESULT", json.dumps(report), flush=True)
    wait_for_parent()


# 1. A first fit, in a fresh process: Keras and its backend are imported.
unfitted = XentClassifier(**LONG)
attempt("import", unfitted, lambda: unfitted.fit(X, y))

# 2. A new architecture: its training program is compiled.
new = XentClassifier(hidden_layer_sizes=(37, 11), **LONG)
attempt("compile", new, lambda: new.fit(X, y))

# 3. A fitted estimator, trained on with warm_start: an epoch runs.
import keras


class Epochs(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        print("EPOCH", epoch + 1, flush=True)


fitted = XentClassifier(epochs=3, random_state=0).fit(X, y)
fitted.set_params(warm_start=True, callbacks=[Epochs()], **LONG)
attempt("training", fitted, lambda: fitted.fit(X, y))

# 4. Saves over an existing file.
path = os.path.abspath("model.skxent")
old = XentClassifier(epochs=2, random_state=1).fit(X, y)
old.save(path)
big = XentClassifier(hidden_layer_sizes=(512, 512), epochs=1, random_state=2)
big.fit(X, y)
expected = [old.predict_proba(X), big.predict_proba(X)]


def saves():
    for _ in range(200):
        big.save(path)


def file_check():
    loaded = skxent.load(path).predict_proba(X)
    return {
        "file_whole": any(np.array_equal(loaded, e) for e in expected),
        "temporary_files": sorted(set(os.listdir(".")) - {"model.skxent"}),
    }


attempt("saving", big, saves, file_check)
print("DONE", flush=True)
"""

# Phase: (the marker after which the SIGINT is sent, delays in seconds).
PHASES = {
    "import": ("BEGIN import", (0.0, 0.5, 1.5)),
    "compile": ("BEGIN compile", (0.05, 0.3)),
    "training": ("EPOCH 2", (0.0, 0.02)),
    "saving": ("BEGIN saving", (0.0, 0.1)),
}
ROUNDS = max(len(delays) for _, delays in PHASES.values())
# The suite's own backend: the README's command runs the suite under
# TensorFlow and again under JAX, so each backend's children run once.
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
BACKENDS = [
    pytest.param(
        BACKEND,
        marks=pytest.mark.skipif(
            importlib.util.find_spec(BACKEND) is None, reason=f"{BACKEND} is absent"
        ),
    )
]


def _sigint_as_in_a_terminal():
    """Let the child start with SIGINT's default action, whoever started us.

    A shell starts a background job (``cmd &``, ``nohup``) with SIGINT
    ignored, and a child inherits that; Python then installs no
    ``KeyboardInterrupt`` handler at all, and every SIGINT these tests send
    would be lost, whatever skxent does.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_child(backend, delays, directory, timeout=600):
    """Run the child once, with ``delays[phase]``; its reports by phase."""
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=directory,
        env=env,
        preexec_fn=_sigint_as_in_a_terminal,
    )
    lines = queue.Queue()
    errors = []
    threading.Thread(
        target=lambda: [lines.put(line) for line in child.stdout] + [lines.put("")],
        daemon=True,
    ).start()
    threading.Thread(target=lambda: errors.extend(child.stderr), daemon=True).start()
    deadline = time.monotonic() + timeout

    seen = []  # the child's output so far, for the failure message

    def read_until(prefix):
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                raise AssertionError(
                    f"no {prefix!r} from the child in {timeout} s (a lost SIGINT?);"
                    f" its last output lines: {seen[-5:]!r}\n" + "".join(errors)
                ) from None
            seen.append(line)
            if not line:
                raise AssertionError("the child ended early:\n" + "".join(errors))
            # A SIGINT landing inside a print() (the EPOCH lines) can leave a
            # line without its end, and the next marker is written after it.
            if prefix in line:
                return line[line.index(prefix) :]

    reports = {}
    try:
        for phase, (marker, _) in PHASES.items():
            read_until(marker)
            time.sleep(delays[phase])
            sent = time.time()
            child.send_signal(signal.SIGINT)
            report = json.loads(read_until("RESULT ")[len("RESULT ") :])
            if report["caught_at"] is not None:
                report["latency"] = report["caught_at"] - sent
            report["delay"] = delays[phase]
            reports[phase] = report
            child.stdin.write("go\n")
            child.stdin.flush()
        read_until("DONE")
        child.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return reports, "".join(errors)


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_ctrl_c_at_any_phase_interrupts_and_leaves_a_working_process(
    backend, round_, tmp_path
):
    delays = {p: ds[round_ % len(ds)] for p, (_, ds) in PHASES.items()}
    reports, stderr = run_child(backend, delays, tmp_path)
    for phase, report in reports.items():
        assert report["next_fit"] is True, (phase, report, stderr)
        assert report["intact"], (phase, report, stderr)
        if phase == "saving":
            assert report["file_whole"] and not report["temporary_files"], report
        else:
            # Each fit is far too long to end before the signal.
            assert report["interrupted"], (phase, report, stderr)
    assert "Exception ignored" not in stderr, stderr


def _failing_callback(error):
    """A callback that raises at the end of an epoch (Keras imported lazily)."""
    import keras

    class Fails(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise error("a callback failed")

    return Fails()


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_a_failed_continued_fit_keeps_the_weights_and_optimizer_state(method, error):
    import numpy as np
    from sklearn.datasets import make_moons

    from skxent import XentClassifier

    X, y = make_moons(100, noise=0.2, random_state=0)
    clf = XentClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    clf.fit(X, y)
    weights = [np.array(w) for w in clf.model_.get_weights()]
    optimizer = [np.array(v) for v in clf.model_.optimizer.variables]
    proba, history = clf.predict_proba(X), clf.history_["loss"][:]
    # The first epoch of continued training trains, then its end raises.
    clf.set_params(callbacks=[_failing_callback(error)], epochs=5, warm_start=True)
    with pytest.raises(error, match="a callback failed"):
        getattr(clf, "fit" if method == "warm_start" else method)(X, y)
    assert clf.history_["loss"] == history and clf.n_iter_ == 2
    for before, after in zip(weights, clf.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(optimizer, clf.model_.optimizer.variables, strict=True):
        np.testing.assert_array_equal(before, np.array(after))
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    clf.set_params(callbacks=None).fit(X, y)  # and training goes on from there
    assert clf.n_iter_ == 7


SECTIONS = r"""
import gc, signal, time

from skxent._interrupts import deferred, interruptible


def lost_in_a_gc_callback(phase, info):
    if phase == "start" and not fired:
        fired.append(phase)
        signal.raise_signal(signal.SIGINT)  # handled in this callback
        sum(range(10))


# A SIGINT in a deferred section: raised as it ends, the section runs whole.
ran = []
try:
    with deferred():
        signal.raise_signal(signal.SIGINT)
        ran.append("whole")
except KeyboardInterrupt:
    print("deferred", ran)

# A SIGINT in a garbage-collector callback, where an exception is dropped.
fired = []
gc.callbacks.append(lost_in_a_gc_callback)
try:
    with interruptible():
        gc.collect()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.001)
        print("lost")
except KeyboardInterrupt:
    print("interrupted", time.monotonic() < deadline)
gc.callbacks.remove(lost_in_a_gc_callback)

# Python's own handler is back, and a user's own handler is left alone.
print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
signal.signal(signal.SIGINT, lambda *args: print("the user's handler"))
with deferred(), interruptible():
    signal.raise_signal(signal.SIGINT)
    sum(range(10))
"""


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_deferred_sections_and_sigints_in_gc_callbacks(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", SECTIONS],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=100,
        preexec_fn=_sigint_as_in_a_terminal,
    )
    assert run.stdout.splitlines() == [
        "deferred ['whole']",
        "interrupted True",
        "True",
        "the user's handler",
    ], run.stdout + run.stderr
    assert "Exception ignored" not in run.stderr, run.stderr


def _table(backends):
    """Print the table of ``docs/reliability.md``: one row per backend, phase, delay."""
    rows = []
    for backend in backends:
        for round_ in range(ROUNDS):
            delays = {p: ds[round_ % len(ds)] for p, (_, ds) in PHASES.items()}
            with tempfile.TemporaryDirectory() as directory:
                reports, stderr = run_child(backend, delays, directory)
            for phase, report in reports.items():
                if round_ < len(PHASES[phase][1]):  # else the same delay again
                    rows.append((backend, list(PHASES).index(phase), report))
            if "Exception ignored" in stderr:
                print(f"{backend}, round {round_}: 'Exception ignored' in stderr")
    print(
        "| backend | phase | SIGINT sent | KeyboardInterrupt after (s) |"
        " estimator as before | next fit |"
    )
    print("|---|---|---|---|---|---|")
    for backend, _, report in sorted(rows, key=lambda r: (r[0], r[1], r[2]["delay"])):
        phase, latency = report["phase"], report.get("latency")
        intact = "yes" if report["intact"] else "NO"
        if phase == "saving":
            intact += ", file whole" if report["file_whole"] else ", FILE BROKEN"
            intact += ", temporary file left" if report["temporary_files"] else ""
        print(
            f"| {backend} | {phase} | {PHASES[phase][0]} + {report['delay']} s |"
            f" {'not raised' if latency is None else f'{latency:.2f}'} |"
            f" {intact} |"
            f" {'yes' if report['next_fit'] is True else report['next_fit']} |"
        )


if __name__ == "__main__":
    _table(
        [b for b in sys.argv[1:]]
        or [b for b in ("tensorflow", "jax", "torch") if importlib.util.find_spec(b)]
    )
