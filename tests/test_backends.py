"""Keras's backends: shared compiled programs, inference, switching backend.

The whole suite runs under each backend CI installs (``KERAS_BACKEND``);
the tests here add what only a second backend shows: a model saved under
one loads under another, JAX and PyTorch never import TensorFlow, and the
programs compiled for one fit serve the next.
"""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from sklearn.datasets import make_moons

from skxent import XentClassifier, _training

BACKEND = keras.backend.backend()
QUICK = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=16)
# PyTorch compiles nothing, so its programs are not kept for other fits.
SHARED = 0 if BACKEND == "torch" else 1
OTHER_BACKENDS = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            importlib.util.find_spec(module) is None, reason=f"{module} is absent"
        ),
    )
    for name, module in (("tensorflow", "tensorflow"), ("jax", "jax"))
    + (("torch", "torch"),)
    if name != BACKEND
]


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(200, noise=0.2, random_state=0)
    return X.astype(np.float32), y


def dense_body(meta, units=8):
    return [keras.layers.Dense(units, activation="relu")]


def dropout_body(meta):
    """Not a plain Dense stack: predicted by the backend, not by NumPy."""
    seed = meta["random_seed"]
    return [
        keras.layers.Dense(
            8, activation="relu", kernel_initializer=keras.initializers.HeUniform(seed)
        ),
        keras.layers.Dropout(0.1, seed=seed),
    ]


def run_python(code, backend, timeout=240):
    """Run ``code`` in a fresh interpreter under ``backend``; return its stdout."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_fits_of_one_configuration_share_one_program(moons):
    X, y = moons
    _training.PROGRAMS.clear()
    first = XentClassifier(**QUICK, random_state=0).fit(X, y)
    assert len(_training.PROGRAMS) == SHARED
    # Other weights, other rows, another learning rate: the same program.
    second = XentClassifier(**QUICK, random_state=1, learning_rate=0.01)
    second.fit(X[:150], y[:150])
    assert len(_training.PROGRAMS) == SHARED
    # Sharing a program never changes a model: a fit with a fresh program
    # and a fit with the shared one are the same, bitwise.
    shared = XentClassifier(**QUICK, random_state=0).fit(X, y)
    _training.PROGRAMS.clear()
    fresh = XentClassifier(**QUICK, random_state=0).fit(X, y)
    np.testing.assert_array_equal(shared.predict_proba(X), fresh.predict_proba(X))
    np.testing.assert_array_equal(first.predict_proba(X), fresh.predict_proba(X))
    assert shared.history_ == fresh.history_


def test_other_settings_get_their_own_program(moons):
    X, y = moons
    _training.PROGRAMS.clear()
    XentClassifier(**QUICK).fit(X, y)
    XentClassifier(**{**QUICK, "batch_size": 8}).fit(X, y)
    XentClassifier(**QUICK, loss="hinge").fit(X, y)
    assert len(_training.PROGRAMS) == 3 * SHARED


def test_a_custom_body_trains_with_a_program_of_its_own(moons):
    X, y = moons
    _training.PROGRAMS.clear()
    clf = XentClassifier(**QUICK, body=dropout_body, random_state=0).fit(X, y)
    assert len(_training.PROGRAMS) == 0  # programs of custom bodies are not kept
    again = XentClassifier(**QUICK, body=dropout_body, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))


def test_warm_start_and_partial_fit_continue_from_the_fitted_state(moons):
    X, y = moons
    clf = XentClassifier(**QUICK, random_state=0, warm_start=True).fit(X, y)
    first = clf.predict_proba(X)
    clf.fit(X, y)
    assert clf.n_iter_ == 6 and len(clf.history_["loss"]) == 6
    # It went on from where it was, not from a new network.
    assert clf.history_["loss"][3] < clf.history_["loss"][0]
    assert not np.array_equal(first, clf.predict_proba(X))
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 7


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="PyTorch's grad mode")
def test_torch_trains_where_a_no_grad_block_was_left_open(moons):
    # A Ctrl-C inside torch.no_grad().__enter__ leaves grad mode off.
    import torch

    X, y = moons
    torch.set_grad_enabled(False)
    try:
        clf = XentClassifier(**QUICK, random_state=0).fit(X, y)
    finally:
        torch.set_grad_enabled(True)
    assert clf.n_iter_ == QUICK["epochs"] and clf.score(X, y) > 0.5


@pytest.mark.parametrize("body", [None, dropout_body], ids=["dense", "custom_body"])
def test_a_rows_probabilities_do_not_depend_on_its_batch(moons, body):
    X, y = moons
    clf = XentClassifier(**QUICK, body=body, random_state=0).fit(X, y)
    together = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba(X[i : i + 1]) for i in range(20)])
    # The default network is evaluated in float64 NumPy: exact to rounding
    # whatever the BLAS.  A custom body runs in the backend's float32
    # kernels, whose blocking (and so a row's last bits) varies with the batch.
    tolerance = 1e-12 if body is None else 1e-6
    np.testing.assert_allclose(alone, together[:20], atol=tolerance, rtol=0)
    assert clf.predict_proba(X[:1]).shape == (1, 2)
    assert clf.decision_function(X[:1]).shape == (1,)


@pytest.mark.slow
@pytest.mark.parametrize("other", OTHER_BACKENDS)
@pytest.mark.timeout(300)
def test_a_model_saved_under_one_backend_loads_under_another(moons, other, tmp_path):
    X, y = moons
    for name, body in (("dense", None), ("body", dropout_body)):
        clf = XentClassifier(**QUICK, body=body, random_state=0).fit(X, y)
        clf.save(tmp_path / f"{name}.skxent")
        np.save(tmp_path / f"{name}.npy", clf.predict_proba(X))
    np.save(tmp_path / "X.npy", X)
    out = run_python(
        f"""
        import json, warnings, keras, numpy as np, skxent
        warnings.simplefilter("ignore")  # load warns that body was not saved
        X = np.load({str(tmp_path / "X.npy")!r})
        diffs = {{}}
        for name in ("dense", "body"):
            clf = skxent.load({str(tmp_path)!r} + f"/{{name}}.skxent")
            expected = np.load({str(tmp_path)!r} + f"/{{name}}.npy")
            diffs[name] = float(np.abs(clf.predict_proba(X) - expected).max())
        print(json.dumps([keras.backend.backend(), diffs]))
        """,
        other,
    )
    backend, diffs = json.loads(out.strip().splitlines()[-1])
    assert backend == other
    assert max(diffs.values()) <= 1e-5, diffs


@pytest.mark.parametrize(
    "other",
    [p for p in OTHER_BACKENDS if p.values[0] != "tensorflow"]
    + ([BACKEND] if BACKEND != "tensorflow" else []),
)
@pytest.mark.slow
@pytest.mark.backend_independent  # the same backends in every pass
@pytest.mark.timeout(300)
def test_jax_and_torch_never_import_tensorflow(other):
    out = run_python(
        """
        import sys
        import numpy as np
        import keras
        from sklearn.datasets import make_moons
        from skxent import XentClassifier

        def body(meta):
            return [keras.layers.Dense(4, activation="relu")]

        X, y = make_moons(60, random_state=0)
        for params in ({}, {"body": body}, {"loss": "hinge"}):
            clf = XentClassifier(epochs=2, random_state=0, **params).fit(X, y)
            clf.predict(X), clf.decision_function(X[:1]), clf.score(X, y)
        clf.partial_fit(X, y)
        print(keras.backend.backend(), "tensorflow" in sys.modules)
        """,
        other,
    )
    assert out.split()[-2:] == [other, "False"]


@pytest.mark.slow
@pytest.mark.backend_independent  # a subprocess under KERAS_BACKEND=numpy
def test_an_unsupported_backend_is_refused_with_what_to_do():
    out = run_python(
        """
        from sklearn.datasets import make_moons
        from skxent import XentClassifier
        try:
            XentClassifier(epochs=1).fit(*make_moons(20, random_state=0))
        except ImportError as exc:
            print(exc)
        """,
        "numpy",
    )
    assert "KERAS_BACKEND is 'numpy'" in out and "'jax'" in out
