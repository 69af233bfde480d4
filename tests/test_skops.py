"""skops, scikit-learn's secure format: a fitted estimator, pipeline included.

The Keras network travels as its ``.keras`` archive, loaded in safe mode;
the types a user must trust are skxent's own, and pickle is unchanged.
"""

import pickle
import re
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier

sio = pytest.importorskip("skops.io")
UntrustedTypesFoundException = pytest.importorskip(
    "skops.io.exceptions"
).UntrustedTypesFoundException

QUICK = dict(hidden_layer_sizes=(8,), epochs=2, batch_size=32, random_state=0)
OWN_TYPES = {
    "skxent._classifier.XentClassifier",
    "skxent._skops.KerasModelArchive",
    "skxent._targets.TargetEncoder",
}


def lambda_body(meta):
    """A body safe mode refuses to load: a Lambda layer is code."""
    return [keras.layers.Dense(4), keras.layers.Lambda(lambda t: 2.0 * t)]


@pytest.fixture(scope="module")
def data():
    X, y = make_blobs(90, centers=3, random_state=0)
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    multilabel = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    return {
        "string_labels": XentClassifier(**QUICK).fit(X, np.array(["a", "b", "c"])[y]),
        "pipeline": make_pipeline(StandardScaler(), XentClassifier(**QUICK)).fit(X, y),
        "multilabel": XentClassifier(**QUICK).fit(X, multilabel),
        "keras_objects": XentClassifier(
            **QUICK,
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
            optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.5),
        ).fit(X, y),
    }


def dumped(estimator, tmp_path):
    path = tmp_path / "estimator.skops"
    sio.dump(estimator, path)
    return path


@pytest.mark.parametrize(
    "name", ["string_labels", "pipeline", "multilabel", "keras_objects"]
)
def test_round_trip_predicts_identically(name, fitted, data, tmp_path):
    estimator, (X, _) = fitted[name], data
    path = dumped(estimator, tmp_path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))
    np.testing.assert_array_equal(
        loaded.decision_function(X), estimator.decision_function(X)
    )
    if name == "pipeline":
        loaded, estimator = loaded[-1], estimator[-1]
    assert isinstance(loaded.model_, keras.Model)
    # Keras objects given as parameters come back as objects of their class.
    assert type(loaded.loss) is type(estimator.loss)
    assert type(loaded.optimizer) is type(estimator.optimizer)


def test_types_to_trust_are_skxent_own(fitted, tmp_path):
    path = dumped(fitted["pipeline"], tmp_path)
    assert set(sio.get_untrusted_types(file=path)) == OWN_TYPES
    path = dumped(fitted["keras_objects"], tmp_path)
    assert set(sio.get_untrusted_types(file=path)) == OWN_TYPES | {
        "skxent._skops.KerasObjectConfig"
    }


def test_an_unfitted_estimator_is_one_type(tmp_path):
    path = dumped(XentClassifier(**QUICK), tmp_path)
    assert sio.get_untrusted_types(file=path) == ["skxent._classifier.XentClassifier"]
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    assert loaded.get_params() == XentClassifier(**QUICK).get_params()


def test_load_refuses_types_not_trusted(fitted, tmp_path):
    path = dumped(fitted["pipeline"], tmp_path)
    with pytest.raises(UntrustedTypesFoundException, match="KerasModelArchive"):
        sio.load(path)
    with pytest.raises(UntrustedTypesFoundException):
        sio.load(path, trusted=["skxent._classifier.XentClassifier"])


def test_a_network_with_code_is_refused_in_safe_mode(data, tmp_path):
    X, y = data
    clf = XentClassifier(**QUICK, body=lambda_body).fit(X, y)
    path = dumped(clf, tmp_path)
    with pytest.raises(ValueError, match="safe mode"):
        sio.load(path, trusted=sio.get_untrusted_types(file=path))


def test_pickle_holds_the_keras_objects_themselves(fitted, data):
    X, _ = data
    clf = fitted["keras_objects"]
    state = pickle.loads(pickle.dumps(clf)).__dict__
    assert isinstance(state["model_"], keras.Model)
    assert isinstance(state["loss"], keras.losses.CategoricalCrossentropy)
    assert isinstance(state["optimizer"], keras.optimizers.SGD)
    # The fitted optimizer's state travels too, as it always has.
    assert int(state["model_"].optimizer.iterations) == int(
        clf.model_.optimizer.iterations
    )


def user_guide_snippet(marker):
    """The Python code block of docs/user_guide.md that mentions ``marker``."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "user_guide.md").read_text()
    (block,) = [
        b for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL) if marker in b
    ]
    return block


def test_the_user_guides_skops_round_trip_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(user_guide_snippet("sio.dump(pipe"), {})  # noqa: S102
    assert eval(capsys.readouterr().out) == sorted(OWN_TYPES)  # noqa: S307
    assert {p.name for p in tmp_path.iterdir()} == {"moons.skops", "moons.skxent"}
