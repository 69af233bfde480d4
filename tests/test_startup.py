"""A quiet start: TensorFlow's C++ start-up lines stay off the terminal.

Unless the user set ``TF_CPP_MIN_LOG_LEVEL``, in which case they are
TensorFlow's to print.  Each check runs a fresh interpreter, the only place
where TensorFlow is imported for the first time.
"""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from skxent._keras import _quietly, _without_start_up_lines

# The subprocesses set their own backend (TensorFlow's start-up lines, or
# each of JAX and PyTorch): the pass's backend changes nothing here.
pytestmark = pytest.mark.backend_independent

# Lines TensorFlow prints at start-up (which of them depends on the machine).
START_UP = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog"
    r"|[IWEF]\d{4} \d\d:\d\d:\S+\s+\d+ (\S+:\d+)\] )",
    re.MULTILINE,
)
FIT_IN_AND_OUT_OF_PROCESS = """
from sklearn.datasets import make_blobs
from sklearn.model_selection import cross_val_score

import skxent
from skxent import XentClassifier

X, y = make_blobs(60, random_state=0)
clf = XentClassifier(epochs=1, hidden_layer_sizes=(4,)).fit(X, y)
clf.save("clf.skxent")
skxent.load("clf.skxent")
# Two loky worker processes, each importing TensorFlow anew.
cross_val_score(clf, X, y, cv=2, n_jobs=2)
print("done")
"""


def run_python(args, tmp_path, **env):
    """Run Python in ``tmp_path`` with no TF_CPP_MIN_LOG_LEVEL but ``env``'s."""
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    # TensorFlow's start-up lines, whatever backend the suite runs under.
    environ["KERAS_BACKEND"] = "tensorflow"
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**environ, **env},
        timeout=300,
        check=True,
    )


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_fit_save_load_and_loky_workers_print_no_start_up_lines(tmp_path):
    run = run_python(["-c", FIT_IN_AND_OUT_OF_PROCESS], tmp_path)
    assert run.stdout == "done\n"
    assert not START_UP.search(run.stderr), run.stderr
    assert "cuInit" not in run.stderr and "oneDNN" not in run.stderr
    assert run.stderr == ""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_user_who_sets_the_log_level_gets_tensorflows_lines(tmp_path):
    code = "import tensorflow as tf; tf.config.list_physical_devices()"
    plain = run_python(["-c", code], tmp_path, TF_CPP_MIN_LOG_LEVEL="0")
    fit = "\n".join(FIT_IN_AND_OUT_OF_PROCESS.splitlines()[:10])
    skxent = run_python(["-c", fit], tmp_path, TF_CPP_MIN_LOG_LEVEL="0")
    # Whatever TensorFlow prints here by itself, it prints under skxent too.
    sources = {match[2] for match in START_UP.finditer(plain.stderr)}
    assert sources <= {match[2] for match in START_UP.finditer(skxent.stderr)}
    assert sources - {None}  # e.g. port.cc:153, cpu_feature_guard.cc:227


def test_quietly_keeps_other_output_and_everything_on_failure(capfd):
    glog = "I0000 00:00:1795459404.653047    5172 port.cc:153] oneDNN custom ...\n"

    def write(text, fail=False):
        os.write(2, text.encode())
        if fail:
            raise ImportError("no TensorFlow")
        return "imported"

    assert _quietly(lambda: write(glog + "a line of our own\n")) == "imported"
    assert capfd.readouterr().err == "a line of our own\n"
    with pytest.raises(ImportError, match="no TensorFlow"):
        _quietly(lambda: write(glog, fail=True))
    assert capfd.readouterr().err == glog  # the import failed: all of it shown


def test_only_start_up_records_and_their_continuations_are_dropped():
    text = (
        "WARNING: All log messages before absl::InitializeLog() is called are "
        "written to STDERR\n"
        "I0000 00:00:1795459404.698696    5172 cpu_feature_guard.cc:227] This "
        "TensorFlow binary is optimized ...\n"
        "To enable the following instructions: AVX2 FMA, in other operations\n"
        "/x/y.py:3: DeprecationWarning: something\n"
        "  import thing\n"
        "E0000 00:00:1795459434.786262    5310 cuda_platform.cc:52] failed call "
        "to cuInit: INTERNAL\n"
    )
    assert _without_start_up_lines(text) == (
        "/x/y.py:3: DeprecationWarning: something\n  import thing\n"
    )


SAVE_AND_LOAD = """
import sys

import keras
import numpy as np
from sklearn.datasets import make_blobs

import skxent
from skxent import XentClassifier

X, y = make_blobs(60, centers=3, random_state=0)
clf = XentClassifier(
    epochs=1,
    hidden_layer_sizes=(4,),
    loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
    optimizer=keras.optimizers.SGD(learning_rate=0.05),
    random_state=0,
).fit(X, y)
clf.save("clf.skxent")
after_save = "tensorflow" in sys.modules
loaded = skxent.load("clf.skxent")
np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
print(keras.backend.backend(), after_save, "tensorflow" in sys.modules)
"""
NOT_TENSORFLOW = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            importlib.util.find_spec(name) is None, reason=f"{name} is absent"
        ),
    )
    for name in ("jax", "torch")
]


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("backend", NOT_TENSORFLOW)
def test_save_and_load_under_jax_and_torch_never_import_tensorflow(tmp_path, backend):
    run = run_python(["-c", SAVE_AND_LOAD], tmp_path, KERAS_BACKEND=backend)
    assert run.stdout.split() == [backend, "False", "False"], run.stderr
