"""ONNX through skl2onnx: onnxruntime predicts what ``XentClassifier`` predicts.

Labels exactly, probabilities (or a hinge's margins) to 1e-5, for every
activation of the default network, every kind of target and label and both
kinds of loss output; outputs named and typed as for ``MLPClassifier``.
"""

import re
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier, register_onnx_converter
from skxent._model import ACTIVATIONS

# The converter reads the fitted weights as NumPy arrays: no backend code
# runs in what these tests check.
pytestmark = pytest.mark.backend_independent

ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")

QUICK = dict(hidden_layer_sizes=(8, 5), epochs=3, batch_size=32, random_state=0)
ATOL = 1e-5  # float32 graph against predict_proba


@pytest.fixture(scope="module", autouse=True)
def registered():
    register_onnx_converter()


@pytest.fixture(scope="module")
def data():
    X, y = make_blobs(300, n_features=4, centers=3, random_state=0)
    multilabel = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X.sum(axis=1) > 2])
    return X.astype(np.float32), {
        "binary_ints": (y > 0).astype(int),
        "binary_strings": np.array(["no", "yes"])[(y > 0).astype(int)],
        "binary_bools": y > 0,
        "multiclass_ints": y + 10,
        "multiclass_strings": np.array(["a", "b", "c"])[y],
        "multilabel": multilabel.astype(int),
    }


CASES = {
    # every activation, on the default losses
    **{
        f"{name}_binary": (dict(activation=name), "binary_strings")
        for name in ACTIVATIONS
    },
    **{
        f"{name}_multiclass": (dict(activation=name), "multiclass_ints")
        for name in ACTIVATIONS
    },
    # sigmoid outputs: one, one-vs-rest normalised, one per label
    "bce_multiclass": (dict(loss="bce"), "multiclass_strings"),
    "focal_multilabel": (dict(loss="binary_focal_crossentropy"), "multilabel"),
    "bce_multilabel": (dict(loss="bce", activation="tanh"), "multilabel"),
    # softmax outputs
    "cce_binary": (dict(loss="cce"), "binary_ints"),
    "scce_multiclass": (dict(loss="scce"), "multiclass_strings"),
    "categorical_focal": (
        dict(loss="categorical_focal_crossentropy"),
        "multiclass_ints",
    ),
    # calibration: probabilities of the logits divided by the temperature
    "calibrated_binary": (dict(calibration="temperature"), "binary_ints"),
    "calibrated_multiclass": (dict(calibration="temperature"), "multiclass_strings"),
    "calibrated_ovr": (dict(calibration="temperature", loss="bce"), "multiclass_ints"),
    "calibrated_multilabel": (dict(calibration="temperature"), "multilabel"),
    # margins: decision_function in the second output
    "hinge_binary": (dict(loss="hinge"), "binary_bools"),
    "squared_hinge_multiclass": (dict(loss="squared_hinge"), "multiclass_strings"),
    "categorical_hinge_binary": (dict(loss="categorical_hinge"), "binary_strings"),
    "categorical_hinge_multiclass": (dict(loss="categorical_hinge"), "multiclass_ints"),
    "hinge_multilabel": (dict(loss="hinge"), "multilabel"),
}


@pytest.fixture(scope="module")
def pipelines(data):
    X, targets = data
    cache = {}

    def fitted(name):
        if name not in cache:
            params, target = CASES[name]
            clf = XentClassifier(**QUICK, **params)
            cache[name] = make_pipeline(StandardScaler(), clf).fit(X, targets[target])
        return cache[name]

    return fitted


def session(onx):
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def run(estimator, X, **options):
    sess = session(skl2onnx.to_onnx(estimator, X[:1], **options))
    return sess.run(None, {sess.get_inputs()[0].name: X})


def expected_scores(estimator, X):
    """predict_proba, or a margin loss's decision_function as skl2onnx gives it."""
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    scores = estimator.decision_function(X)
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


@pytest.mark.parametrize("name", CASES)
def test_onnxruntime_predicts_as_the_pipeline(name, pipelines, data):
    X, pipe = data[0], pipelines(name)
    label, scores = run(pipe, X, options={id(pipe[-1]): {"zipmap": False}})
    np.testing.assert_array_equal(label, pipe.predict(X))
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, expected_scores(pipe, X), rtol=1e-5, atol=ATOL)


@pytest.mark.parametrize(
    "name", ["elu_binary", "softplus_multiclass", "bce_multiclass"]
)
def test_float64_input_gives_a_float64_graph(name, pipelines, data):
    X, pipe = data[0].astype(np.float64), pipelines(name)
    label, scores = run(pipe, X, options={"zipmap": False})
    np.testing.assert_array_equal(label, pipe.predict(X))
    assert scores.dtype == np.float64
    np.testing.assert_allclose(scores, pipe.predict_proba(X), atol=ATOL)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("target", ["binary_strings", "multiclass_ints", "multilabel"])
@pytest.mark.parametrize("zipmap", [True, False, "columns"])
def test_outputs_are_named_and_typed_as_for_mlp(target, zipmap, data):
    X, targets = data
    y = targets[target]

    def outputs(clf):
        pipe = make_pipeline(StandardScaler(), clf).fit(X, y)
        onx = skl2onnx.to_onnx(pipe, X[:1], options={id(clf): {"zipmap": zipmap}})
        return [(out.name, out.type, out.shape) for out in session(onx).get_outputs()]

    mlp = outputs(MLPClassifier((8,), max_iter=3, random_state=0))
    ours = outputs(XentClassifier(**QUICK))
    assert [(n, t) for n, t, _ in ours] == [(n, t) for n, t, _ in mlp]
    if target != "multilabel":
        assert ours == mlp
    else:  # skl2onnx declares an MLP's multilabel label 1-D, wrongly
        assert ours[0][2] == [None, y.shape[1]]


def test_zipmap_maps_each_class_to_its_probability(pipelines, data):
    X, pipe = data[0], pipelines("scce_multiclass")
    label, probabilities = run(pipe, X)
    np.testing.assert_array_equal(label, pipe.predict(X))
    assert all(list(row) == ["a", "b", "c"] for row in probabilities)
    np.testing.assert_allclose(
        [[row[c] for c in "abc"] for row in probabilities],
        pipe.predict_proba(X),
        atol=ATOL,
    )


def test_an_estimator_converts_without_a_pipeline(pipelines, data):
    X, clf = data[0], pipelines("relu_binary")[-1]
    X = StandardScaler().fit(X).transform(X).astype(np.float32)
    label, scores = run(clf, X, options={"zipmap": False})
    np.testing.assert_array_equal(label, clf.predict(X))
    np.testing.assert_allclose(scores, clf.predict_proba(X), atol=ATOL)


def test_nocl_gives_class_indices(pipelines, data):
    X, pipe = data[0], pipelines("scce_multiclass")
    label, _ = run(pipe, X, options={id(pipe[-1]): {"zipmap": False, "nocl": True}})
    np.testing.assert_array_equal(
        label, pipe[-1].target_encoder_.transform(pipe.predict(X))
    )


def dropout_body(meta):
    return [keras.layers.Dense(4, activation="relu"), keras.layers.Dropout(0.1)]


@pytest.mark.parametrize(
    "params", [dict(body=dropout_body), dict(activation="gelu")], ids=["body", "gelu"]
)
def test_another_network_points_to_keras_export(params, data):
    X, targets = data
    pipe = make_pipeline(StandardScaler(), XentClassifier(**QUICK, **params))
    pipe.fit(X, targets["binary_ints"])
    with pytest.raises(ValueError, match=r'model_\.export\(.*format="onnx"\)'):
        skl2onnx.to_onnx(pipe, X[:1])


def test_an_unfitted_estimator_is_refused(data):
    with pytest.raises(NotFittedError):
        skl2onnx.to_onnx(clone(XentClassifier()), data[0][:1])


def test_registration_without_skl2onnx_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # as if not installed
    with pytest.raises(ImportError, match=r"skxent\[onnx\]"):
        register_onnx_converter()


def test_the_user_guides_onnx_conversion_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (Path(__file__).resolve().parents[1] / "docs" / "user_guide.md").read_text()
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL)
        if "to_onnx(pipe" in b
    ]
    exec(block, {})  # noqa: S102 (its own asserts compare with predict)
    assert (tmp_path / "moons.onnx").is_file()
