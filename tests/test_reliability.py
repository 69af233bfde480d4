"""Reliability: clear errors, no leaks, safe persistence, threads and parallel search.

Reproducibility tests that predate this module (same seed, new process,
distinct ``RandomState`` objects, NumPy and Python RNG state, the
validation split) live in ``tests/test_classifier.py``.
"""

import copy
import json
import pickle
import random
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from keras.src.backend.common import global_state
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from tensorflow.python.eager import context as tf_context
from tensorflow.python.framework import config as tf_config

import skxent
from skxent import XentClassifier

QUICK = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=32, random_state=0)


def blobs(n=60, centers=2):
    X, y = make_blobs(n, centers=centers, random_state=0)
    return X.astype(np.float32), y


def fitted_state(clf):
    """Everything a fit sets, and the predictions it gives."""
    X, _ = blobs()
    attributes = {k: v for k, v in vars(clf).items() if k.endswith("_")}
    return attributes, clf.decision_function(X)


def assert_same_state(before, after):
    (attrs_a, decision_a), (attrs_b, decision_b) = before, after
    assert attrs_a.keys() == attrs_b.keys()
    for key, value in attrs_a.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, attrs_b[key], err_msg=key)
        else:
            assert value is attrs_b[key] or value == attrs_b[key], key
    np.testing.assert_array_equal(decision_a, decision_b)


# -- bad input ------------------------------------------------------------------

X2, Y2 = blobs()
X_NAN = X2.copy()
X_NAN[3, 1] = np.nan
X_INF = X2.copy()
X_INF[5, 0] = np.inf


def _fit(params=None, X=X2, y=Y2, **kw):
    return ("fit", params or {}, lambda clf: clf.fit(X, y, **kw))


def _on_fitted(method, X):
    return ("fitted", {}, lambda clf: getattr(clf, method)(X))


# (name, (kind, params, call), exception type, regex on the message).  "fit"
# rows run on an unfitted and on a fitted estimator; "fitted" rows on a
# fitted one.
BAD_INPUT = [
    ("nan_at_fit", _fit(X=X_NAN), ValueError, "Input X contains NaN"),
    ("inf_at_fit", _fit(X=X_INF), ValueError, "Input X contains infinity"),
    ("nan_at_predict", _on_fitted("predict", X_NAN), ValueError, "contains NaN"),
    (
        "inf_at_predict_proba",
        _on_fitted("predict_proba", X_INF),
        ValueError,
        "contains infinity",
    ),
    (
        "empty_X",
        _fit(X=np.empty((0, 2)), y=np.empty(0)),
        ValueError,
        r"0 sample\(s\) \(shape=\(0, 2\)\)",
    ),
    ("1d_X", _fit(X=X2[:, 0]), ValueError, "Expected 2D array, got 1D array"),
    (
        "X_y_lengths_differ",
        _fit(y=Y2[:-1]),
        ValueError,
        r"inconsistent numbers of samples: \[60, 59\]",
    ),
    ("single_class", _fit(y=np.zeros(60)), ValueError, "only one class"),
    (
        "continuous_y",
        _fit(y=np.linspace(0, 1, 60)),
        ValueError,
        "Unknown label type: continuous",
    ),
    (
        "multiclass_multioutput_y",
        _fit(y=np.tile([[1, 2], [2, 0], [0, 1]], (20, 1))),
        ValueError,
        "multiclass-multioutput",
    ),
    (
        "non_numeric_features",
        _fit(X=np.array([["a", "b"]] * 60)),
        ValueError,
        "could not convert string to float",
    ),
    (
        "wrong_number_of_features_at_predict",
        _on_fitted("predict", np.ones((4, 3))),
        ValueError,
        "X has 3 features, but XentClassifier is expecting 2 features",
    ),
    (
        "predict_before_fit",
        ("unfitted", {}, lambda clf: clf.predict(X2)),
        NotFittedError,
        "not fitted yet",
    ),
    (
        "predict_proba_before_fit",
        ("unfitted", {}, lambda clf: clf.predict_proba(X2)),
        NotFittedError,
        "not fitted yet",
    ),
    ("unknown_loss", _fit({"loss": "hinge_it"}), ValueError, "'loss' parameter"),
    (
        "zero_hidden_layer_size",
        _fit({"hidden_layer_sizes": (4, 0)}),
        ValueError,
        r"hidden_layer_sizes must be positive integers, got \(4, 0\)",
    ),
    (
        "negative_hidden_layer_size",
        _fit({"hidden_layer_sizes": -3}),
        ValueError,
        "'hidden_layer_sizes' parameter",
    ),
    (
        "negative_epochs",
        _fit({"epochs": -1}),
        ValueError,
        r"'epochs' parameter .* range \[1, inf\)\. Got -1",
    ),
    (
        "validation_split_1",
        _fit({"validation_split": 1.0}),
        ValueError,
        r"'validation_split' parameter .* \[0\.0, 1\.0\)\. Got 1\.0",
    ),
    (
        "negative_validation_split",
        _fit({"validation_split": -0.1}),
        ValueError,
        r"'validation_split' parameter .* Got -0\.1",
    ),
    (
        "unknown_activation",
        _fit({"activation": "relux"}),
        ValueError,
        "Unknown activation 'relux'",
    ),
    (
        "unknown_kernel_initializer",
        _fit({"kernel_initializer": "he_uniformm"}),
        ValueError,
        "Unknown kernel_initializer 'he_uniformm'",
    ),
    (
        "negative_sample_weight",
        _fit(sample_weight=-np.ones(60)),
        ValueError,
        "Negative values in data passed to `sample_weight`",
    ),
    (
        "nan_in_sparse_X_at_fit",
        _fit(X=sp.csr_matrix(np.where(X2 == X2[0, 0], np.nan, X2))),
        ValueError,
        "Input X contains NaN",
    ),
    (
        "inf_in_sparse_X_at_predict",
        _on_fitted("predict", sp.csc_matrix(np.where(X2 == X2[0, 0], np.inf, X2))),
        ValueError,
        "Input X contains infinity",
    ),
]


@pytest.fixture(scope="module")
def fitted_binary():
    return XentClassifier(**QUICK).fit(X2, Y2)


def raise_from_skxent(call, clf, error, match):
    """Check the error's type, message and origin (never TensorFlow or Keras)."""
    with pytest.raises(error, match=match) as excinfo:
        call(clf)
    innermost = str(excinfo.traceback[-1].path)
    assert "tensorflow" not in innermost and "keras" not in innermost, innermost
    assert not type(excinfo.value).__module__.startswith(("tensorflow", "keras"))


@pytest.mark.parametrize(
    "case, error, match",
    [
        pytest.param(case, error, match, id=name)
        for name, case, error, match in BAD_INPUT
    ],
)
def test_bad_input_gets_a_clear_error_and_leaves_the_estimator_as_it_was(
    case, error, match, fitted_binary
):
    kind, params, call = case
    if kind in ("fit", "unfitted"):
        clf = XentClassifier(**QUICK).set_params(**params)
        raise_from_skxent(call, clf, error, match)
        assert not [k for k in vars(clf) if k.endswith("_")]
    if kind in ("fit", "fitted"):
        # A failed fit (or predict) leaves a fitted estimator predicting as before.
        clf = copy.deepcopy(fitted_binary).set_params(**params)
        before = fitted_state(clf)
        raise_from_skxent(call, clf, error, match)
        assert_same_state(before, fitted_state(clf))


def test_failed_fit_keeps_feature_names():
    frame = pd.DataFrame(X2, columns=["a", "b"])
    clf = XentClassifier(**QUICK).fit(frame, Y2)
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(np.ones((10, 5)), np.zeros(10))
    assert clf.n_features_in_ == 2
    assert clf.feature_names_in_.tolist() == ["a", "b"]
    assert clf.predict(frame).shape == (60,)


def test_fit_mutates_nothing_the_caller_passed():
    X, y = blobs(80, centers=3)
    X = np.ascontiguousarray(X)  # float32: validation could hand back the same array
    labels = np.array(["a", "b", "c"])[y]
    weights = np.linspace(0.5, 1.5, 80).astype(np.float32)
    class_weight = {"a": 2.0, "b": 1.0, "c": 0.5}
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1)
    callbacks = [stop]
    passed = (X, labels, weights, class_weight, callbacks)
    copies = copy.deepcopy(passed)
    stop_state = dict(vars(stop))
    clf = XentClassifier(
        **QUICK, class_weight=class_weight, callbacks=callbacks, validation_split=0.2
    )
    clf.fit(X, labels, sample_weight=weights)
    clf.partial_fit(X, labels, sample_weight=weights)
    for given, kept in zip(passed[:3], copies[:3], strict=True):
        np.testing.assert_array_equal(given, kept)
    assert class_weight == copies[3]
    assert callbacks == [stop]
    assert vars(stop).keys() == stop_state.keys()
    assert all(vars(stop)[k] is v for k, v in stop_state.items())
    assert clf.get_params()["class_weight"] is class_weight


# -- no leaks into global state --------------------------------------------------


@pytest.fixture
def user_set_global_seeds():
    """The user called ``keras.utils.set_random_seed``; undone afterwards."""
    py_state, np_state = random.getstate(), np.random.get_state()  # noqa: NPY002
    keras.utils.set_random_seed(1234)
    keras.random.normal((1,))  # creates Keras's global SeedGenerator
    yield
    random.setstate(py_state)
    np.random.set_state(np_state)  # noqa: NPY002
    tf_context.set_global_seed(None)
    global_state.set_global_attribute("global_random_seed", None)
    global_state.set_global_attribute("global_seed_generator", None)


def global_random_state():
    generator = global_state.get_global_attribute("global_seed_generator")
    return {
        "python": random.getstate(),
        "numpy": np.random.get_state()[1].tobytes(),  # noqa: NPY002
        "tf_global_seed": tf_context.global_seed(),
        "tf_op_determinism": tf_config.is_op_determinism_enabled(),
        "keras_seed": global_state.get_global_attribute("global_random_seed"),
        "keras_generator": None
        if generator is None
        else (id(generator), generator.state.numpy().tobytes()),
    }


def test_fits_leave_keras_and_tensorflow_global_seeds_alone():
    # Seeded, then unseeded, with no global seed set by the user.
    X, y = blobs()
    before = global_random_state()
    XentClassifier(**QUICK).fit(X, y)
    XentClassifier(**{**QUICK, "random_state": None}).fit(X, y)
    assert global_random_state() == before


def test_fits_leave_user_set_global_seeds_alone(user_set_global_seeds):
    X, y = blobs()
    before = global_random_state()
    XentClassifier(**QUICK).fit(X, y)
    XentClassifier(**{**QUICK, "random_state": None}).fit(X, y)
    assert global_random_state() == before


def test_global_seeds_do_not_steer_a_seeded_fit(user_set_global_seeds):
    X, y = blobs()
    under_1234 = XentClassifier(**QUICK).fit(X, y).predict_proba(X)
    keras.utils.set_random_seed(99)
    under_99 = XentClassifier(**QUICK).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(under_99, under_1234)


# -- persistence -----------------------------------------------------------------


def _binary_strings():
    X, y = blobs(80)
    frame = pd.DataFrame(X, columns=["width", "height"])
    return XentClassifier(**QUICK).fit(frame, np.array(["no", "yes"])[y]), frame


def _multiclass_onehot():
    X, y = blobs(90, centers=3)
    return XentClassifier(**QUICK).fit(X, keras.utils.to_categorical(y)), X


def _multilabel():
    X, _ = blobs(90, centers=3)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X.sum(axis=1) > 2]).astype(int)
    return XentClassifier(**QUICK).fit(X, Y), X


def _hinge_bools():
    X, y = blobs(90, centers=3)
    labels = y > 0
    return XentClassifier(**QUICK, loss="hinge").fit(X, labels), X


def _multiclass_ints_keras_objects():
    X, y = blobs(90, centers=3)
    clf = XentClassifier(
        **QUICK,
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
        optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.5),
        class_weight={10: 1.0, 11: 2.0, 12: 1.0},
    )
    return clf.fit(X, y + 10), X


PERSISTED = {
    "binary_strings_pandas": _binary_strings,
    "multiclass_onehot": _multiclass_onehot,
    "multilabel": _multilabel,
    "hinge_bools": _hinge_bools,
    "multiclass_ints_keras_objects": _multiclass_ints_keras_objects,
}


@pytest.fixture(scope="module")
def persisted():
    return {name: make() for name, make in PERSISTED.items()}


def assert_predicts_identically(restored, clf, X):
    np.testing.assert_array_equal(
        restored.decision_function(X), clf.decision_function(X)
    )
    predicted = restored.predict(X)
    np.testing.assert_array_equal(predicted, clf.predict(X))
    assert predicted.dtype == clf.predict(X).dtype
    if hasattr(clf, "predict_proba"):
        np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("name", list(PERSISTED)[:4])
def test_pickle_and_joblib_round_trips(name, persisted, tmp_path):
    clf, X = persisted[name]
    assert_predicts_identically(pickle.loads(pickle.dumps(clf)), clf, X)
    joblib.dump(clf, tmp_path / "clf.joblib")
    assert_predicts_identically(joblib.load(tmp_path / "clf.joblib"), clf, X)


@pytest.mark.parametrize("name", list(PERSISTED))
def test_save_and_load_round_trip(name, persisted, tmp_path):
    clf, X = persisted[name]
    path = tmp_path / "clf.skxent"
    clf.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # every parameter is data
        restored = skxent.load(path)
    assert_predicts_identically(restored, clf, X)
    assert restored.classes_.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(restored.classes_, clf.classes_)
    for attribute in ("n_features_in_", "target_type_", "loss_", "n_iter_"):
        assert getattr(restored, attribute) == getattr(clf, attribute)
    assert restored.history_ == clf.history_
    if hasattr(clf, "feature_names_in_"):
        np.testing.assert_array_equal(restored.feature_names_in_, clf.feature_names_in_)
    params, restored_params = clf.get_params(), restored.get_params()
    assert params.keys() == restored_params.keys()
    for key, value in params.items():
        if isinstance(value, (keras.losses.Loss, keras.optimizers.Optimizer)):
            assert type(restored_params[key]) is type(value)
            assert restored_params[key].get_config() == value.get_config()
        else:
            assert restored_params[key] == value, key


def test_loaded_estimator_keeps_training(persisted, tmp_path):
    clf, X = persisted["multiclass_ints_keras_objects"]
    y = clf.predict(X)
    clf.save(tmp_path / "clf.skxent")
    restored = skxent.load(tmp_path / "clf.skxent")
    steps = int(clf.model_.optimizer.iterations)
    assert steps > 0 and int(restored.model_.optimizer.iterations) == steps
    assert int(pickle.loads(pickle.dumps(clf)).model_.optimizer.iterations) == steps
    # The optimizer state travelled too: both continue the same way.
    online, reference = restored.partial_fit(X, y), copy.deepcopy(clf).partial_fit(X, y)
    assert online.n_iter_ == clf.n_iter_ + 1
    np.testing.assert_array_equal(online.predict_proba(X), reference.predict_proba(X))
    restored.set_params(warm_start=True).fit(X, y)
    assert restored.n_iter_ == clf.n_iter_ + 1 + QUICK["epochs"]
    assert clone(restored).fit(X, y).score(X, y) > 0.5


def dense_body(meta, units=6):
    return keras.layers.Dense(units, activation="relu", name="custom")


def test_code_parameters_are_not_saved_and_load_warns(tmp_path):
    X, y = blobs()
    clf = XentClassifier(
        **QUICK,
        body=dense_body,
        body__units=5,
        callbacks=[keras.callbacks.TerminateOnNaN()],
    ).fit(X, y)
    clf.save(tmp_path / "clf.skxent")
    with pytest.warns(
        UserWarning, match=r"body=\S*\.dense_body, callbacks=\[<keras\."
    ) as record:
        restored = skxent.load(tmp_path / "clf.skxent")
    assert "set_params" in str(record[0].message)
    assert restored.body is None and restored.callbacks is None
    assert restored.get_params()["body__units"] == 5
    assert_predicts_identically(restored, clf, X)


def test_load_refuses_a_model_that_would_run_code(tmp_path):
    X, y = blobs()
    clf = XentClassifier(
        **QUICK, body=lambda meta: keras.layers.Lambda(lambda x: 2 * x)
    ).fit(X, y)
    clf.save(tmp_path / "lambda.skxent")
    with pytest.raises(ValueError, match="cannot be loaded in safe mode.*Lambda"):
        skxent.load(tmp_path / "lambda.skxent")


def _rewrite(path, edit):
    """Rewrite the JSON of a saved file with ``edit(meta)``."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(entries["skxent.json"])
    edit(meta)
    entries["skxent.json"] = json.dumps(meta)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _foreign_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")


def _extra_class(meta):
    classes = meta["fitted"]["classes_"]
    classes["values"].append("zzz")
    classes["shape"] = [len(classes["values"])]


def _set(section, key, value):
    return lambda meta: meta[section].__setitem__(key, value)


@pytest.mark.parametrize(
    "tamper, match",
    [
        pytest.param(_truncate, "truncated or corrupt", id="truncated"),
        pytest.param(
            lambda p: p.write_text("not a zip"), "truncated or corrupt", id="not_zip"
        ),
        pytest.param(_foreign_zip, "not an skxent file", id="other_zip"),
        pytest.param(
            lambda p: _rewrite(p, _extra_class),
            "n_classes_=2 does not match the 3 classes_",
            id="extra_class",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("fitted", "n_features_in_", 5)),
            r"input of shape \(None, 2\), but n_features_in_=5",
            id="n_features",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("fitted", "loss_", "categorical_hinge")),
            "needs 2",
            id="loss_vs_output_layer",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("params", "__class__", "x")),
            "unknown parameter '__class__'",
            id="unknown_param",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("params", "epochs", -5)),
            r"'epochs' parameter of XentClassifier must be an int in the range",
            id="invalid_param",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("fitted", "_logits_fn", 1)),
            "not a fitted attribute",
            id="private_attribute",
        ),
        pytest.param(
            lambda p: _rewrite(p, _set("fitted", "classes_", [1, 2])),
            "bare JSON list",
            id="untagged_value",
        ),
        pytest.param(
            lambda p: _rewrite(p, lambda m: m["fitted"].pop("target_type_")),
            r"missing",
            id="missing_attribute",
        ),
        pytest.param(
            lambda p: _rewrite(p, lambda m: m.__setitem__("format_version", 99)),
            "format version 99",
            id="newer_format",
        ),
    ],
)
def test_load_refuses_broken_or_tampered_files(tamper, match, persisted, tmp_path):
    clf, _ = persisted["binary_strings_pandas"]
    path = tmp_path / "clf.skxent"
    clf.save(path)
    tamper(path)
    with pytest.raises(ValueError, match=match):
        skxent.load(path)


# -- threads, processes, a cluster -------------------------------------------------


def test_predict_from_many_threads_at_once(persisted):
    # The first predict of a new or unpickled estimator traces its compiled
    # function; eight threads race for it here.
    X, y = blobs(800, centers=3)
    clf = XentClassifier(**QUICK).fit(X, y)
    reference = pickle.loads(pickle.dumps(clf))
    unpickled = pickle.loads(pickle.dumps(clf))
    chunks = np.array_split(np.arange(len(X)), 8)
    expected = [
        (reference.predict(X[rows]), reference.predict_proba(X[rows]))
        for rows in chunks
    ]
    for estimator in (clf, unpickled):
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(
                pool.map(
                    lambda rows, est=estimator: (
                        est.predict(X[rows]),
                        est.predict_proba(X[rows]),
                    ),
                    chunks,
                )
            )
        for (labels, proba), (want_labels, want_proba) in zip(
            results, expected, strict=True
        ):
            np.testing.assert_array_equal(labels, want_labels)
            np.testing.assert_array_equal(proba, want_proba)


SEARCH_GRID = {"hidden_layer_sizes": [(4,), (8,)]}


def search(n_jobs):
    X, y = blobs(80)
    grid = GridSearchCV(
        XentClassifier(**{**QUICK, "epochs": 2}), SEARCH_GRID, cv=2, n_jobs=n_jobs
    )
    return grid.fit(X, y)


@pytest.fixture(scope="module")
def sequential_search():
    return search(n_jobs=1)


def assert_same_search(grid, sequential):
    for key in ("params", "mean_test_score", "split0_test_score"):
        assert list(grid.cv_results_[key]) == list(sequential.cv_results_[key]), key
    X, _ = blobs(80)
    np.testing.assert_array_equal(grid.predict_proba(X), sequential.predict_proba(X))


def test_grid_search_in_two_processes(sequential_search):
    # Seeded fits are bitwise reproducible across processes, so the loky
    # workers' scores equal the sequential ones exactly.
    assert_same_search(search(n_jobs=2), sequential_search)


def test_grid_search_on_a_dask_cluster(sequential_search):
    distributed = pytest.importorskip("dask.distributed")
    # Worker threads in this process, but speaking TCP on 127.0.0.1: the
    # estimator and the data travel serialised through the scheduler as to a
    # remote worker, without each worker process importing TensorFlow anew
    # (seconds per worker on a 2-core CI machine).  The two fits running at
    # once in one process must also not disturb each other.
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            protocol="tcp://",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
        joblib.parallel_config(backend="dask"),
    ):
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        grid = search(n_jobs=-1)
        tasks_per_worker = client.run(
            lambda dask_worker: len(dask_worker.data) + dask_worker.state.executed_count
        )
    assert len(tasks_per_worker) == 2 and sum(tasks_per_worker.values()) > 0
    assert_same_search(grid, sequential_search)
