"""Reliability: clear errors for bad input, and no leaks into global state.

Persistence is tested in ``tests/test_persistence.py``; threads, processes
and a cluster in ``tests/test_concurrency.py``.  Reproducibility tests that
predate this module (same seed, new process, distinct ``RandomState``
objects, NumPy and Python RNG state, the validation split) live in
``tests/test_classifier.py``.
"""

import copy
import random
import re

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from keras.src.backend.common import global_state
from sklearn.datasets import make_blobs
from sklearn.exceptions import DataConversionWarning, NotFittedError
from tensorflow.python.eager import context as tf_context
from tensorflow.python.framework import config as tf_config

from skxent import XentClassifier
from skxent._loss_rules import LOSSES

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
        "misspelt_loss",
        _fit({"loss": "binary_crossentopy"}),
        ValueError,
        r"Got 'binary_crossentopy' instead\. Did you mean 'binary_crossentropy'\?",
    ),
    (
        "predict_proba_of_a_margin_loss",
        ("unfitted", {"loss": "hinge"}, lambda clf: clf.predict_proba(X2)),
        AttributeError,
        "probability estimates are not available for loss='hinge'",
    ),
    (
        "new_label_in_a_later_partial_fit",
        ("fitted", {}, lambda clf: clf.partial_fit(X2, Y2 + 1)),
        ValueError,
        r"labels \[2\] that were not seen during fit.* classes=",
    ),
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


def test_unknown_loss_lists_the_canonical_names_in_order():
    with pytest.raises(ValueError) as excinfo:
        XentClassifier(**QUICK, loss="Hinge_it").fit(X2, Y2)
    message = str(excinfo.value)
    listed = message.split("must be one of ")[1].split(", a short name")[0]
    listed = re.findall(r"'(\w+)'", listed)
    assert listed == sorted(["auto", *LOSSES])
    assert "BCE" not in message and "'bce'" in message
    assert message.endswith("Did you mean 'hinge'?")


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge", "categorical_hinge"])
def test_predict_proba_of_a_margin_loss_says_why(loss):
    clf = XentClassifier(**QUICK, loss=loss).fit(X2, Y2)
    assert not hasattr(clf, "predict_proba")
    with pytest.raises(AttributeError, match=f"not available for loss='{loss}'") as e:
        clf.predict_proba(X2)
    assert "decision_function" in str(e.value)
    assert "neg_log_loss_where_defined" in str(e.value)


def test_partial_fit_with_a_new_label_names_classes():
    X, y = blobs(90, centers=3)
    clf = XentClassifier(**QUICK).partial_fit(X[y < 2], y[y < 2])
    with pytest.raises(ValueError, match=r"\[2\] that were not seen") as excinfo:
        clf.partial_fit(X, y)
    assert "pass every label the stream can hold to it as classes=" in str(
        excinfo.value
    )
    # As it says: the classes up front, and every chunk is welcome.
    clf = XentClassifier(**QUICK).partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert clf.partial_fit(X, y).classes_.tolist() == [0, 1, 2]


def test_a_column_vector_y_warns_and_is_raveled():
    X, y = blobs(90, centers=3)
    column = y.reshape(-1, 1)
    message = "A column-vector y was passed when a 1d array was expected"
    with pytest.warns(DataConversionWarning, match=message):
        clf = XentClassifier(**QUICK).fit(X, column)
    reference = XentClassifier(**QUICK).fit(X, y)
    assert clf.target_type_ == "multiclass" and clf.predict(X).shape == (90,)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))
    with pytest.warns(DataConversionWarning, match=message):
        assert clf.score(X, column) == reference.score(X, y)
    with pytest.warns(DataConversionWarning, match=message):
        clf.partial_fit(X, column)
    with pytest.warns(DataConversionWarning, match=message):
        XentClassifier(**QUICK).partial_fit(X, column)
    assert column.shape == (90, 1)  # the caller's array is left as it was


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
