"""calibration="temperature": the temperature's maths and the estimator's use of it."""

import pickle

import numpy as np
import pytest
from scipy.special import expit, softmax
from sklearn.datasets import make_blobs, make_multilabel_classification
from sklearn.utils._param_validation import InvalidParameterError

import skxent
from skxent import XentClassifier, _calibration

QUICK = dict(hidden_layer_sizes=(8,), epochs=5, random_state=0)


def _draw(p, rng):
    return (rng.random((len(p), 1)) > p.cumsum(axis=1)).sum(axis=1)


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_temperature_recovered_softmax(true_t):
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3, size=(20000, 4))
    codes = _draw(softmax(logits / true_t, axis=1), rng)
    t = _calibration.fit_temperature(logits, codes, "softmax", "multiclass")
    # 20000 rows pin the temperature to a few percent; the prior on log T
    # moves it by less than 0.1 %.
    assert t == pytest.approx(true_t, rel=0.05)


@pytest.mark.parametrize("target_type", ["binary", "multilabel-indicator"])
def test_temperature_recovered_sigmoid(target_type):
    rng = np.random.default_rng(1)
    n_outputs = 1 if target_type == "binary" else 3
    logits = rng.normal(scale=3, size=(20000, n_outputs))
    codes = (rng.random(logits.shape) < expit(logits / 2.0)).astype(int)
    if target_type == "binary":
        codes = codes[:, 0]
    t = _calibration.fit_temperature(logits, codes, "sigmoid", target_type)
    assert t == pytest.approx(2.0, rel=0.05)


def test_temperature_recovered_one_vs_rest():
    rng = np.random.default_rng(2)
    logits = rng.normal(scale=3, size=(20000, 3))
    p = expit(logits / 1.5)
    codes = _draw(p / p.sum(axis=1, keepdims=True), rng)
    t = _calibration.fit_temperature(logits, codes, "sigmoid", "multiclass")
    assert t == pytest.approx(1.5, rel=0.05)


def test_few_rows_without_errors_do_not_hit_the_bound():
    # Twelve rows all right with a wide margin: without the prior the
    # temperature would fall to T_MIN and sharpen every probability.
    logits = np.tile([[4.0, 0.0, -1.0]], (12, 1))
    codes = np.zeros(12, dtype=int)
    t = _calibration.fit_temperature(logits, codes, "softmax", "multiclass")
    assert _calibration.T_MIN < t <= 1.0
    assert t > 0.3


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(200, centers=3, cluster_std=3.0, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def calibrated(blobs):
    return XentClassifier(**QUICK, calibration="temperature").fit(*blobs)


def test_predict_unchanged_proba_calibrated(blobs, calibrated):
    X, _ = blobs
    t = calibrated.calibration_temperature_
    assert _calibration.T_MIN <= t <= _calibration.T_MAX and t != 1.0
    logits = calibrated.decision_function(X)
    np.testing.assert_allclose(
        calibrated.predict_proba(X), softmax(logits / t, axis=1), rtol=1e-5
    )
    np.testing.assert_array_equal(
        calibrated.predict(X), calibrated.predict_proba(X).argmax(axis=1)
    )


def test_same_network_as_uncalibrated_fit_on_the_same_rows(blobs, calibrated):
    # Calibration holds out validation_fraction as validation_split would,
    # trains the same network and only divides its logits: predict (hence
    # accuracy) is the uncalibrated fit's on the same held-out rows.
    X, y = blobs
    same_rows = XentClassifier(**QUICK, validation_split=0.1).fit(X, y)
    np.testing.assert_array_equal(
        calibrated.decision_function(X), same_rows.decision_function(X)
    )
    np.testing.assert_array_equal(calibrated.predict(X), same_rows.predict(X))
    assert calibrated.history_["val_loss"] == same_rows.history_["val_loss"]


def test_save_load_and_pickle_keep_it(blobs, calibrated, tmp_path):
    X, _ = blobs
    calibrated.save(tmp_path / "m.skxent")
    for loaded in (
        skxent.load(tmp_path / "m.skxent"),
        pickle.loads(pickle.dumps(calibrated)),
    ):
        assert loaded.calibration_temperature_ == calibrated.calibration_temperature_
        np.testing.assert_allclose(loaded.predict_proba(X), calibrated.predict_proba(X))


def test_partial_fit_and_warm_start_refit_it(blobs):
    X, y = blobs
    clf = XentClassifier(**QUICK, calibration="temperature")
    clf.partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    first = clf.calibration_temperature_
    clf.partial_fit(X[100:], y[100:])
    assert clf.calibration_temperature_ != first
    warm = XentClassifier(**QUICK, calibration="temperature", warm_start=True)
    first = warm.fit(X, y).calibration_temperature_
    assert warm.fit(X, y).calibration_temperature_ != first


def test_binary_and_multilabel(blobs):
    X, y = blobs
    binary = XentClassifier(**QUICK, calibration="temperature").fit(X, y == 0)
    assert binary.calibration_temperature_ > 0
    assert binary.predict_proba(X).shape == (200, 2)
    X, Y = make_multilabel_classification(200, n_classes=3, random_state=0)
    multi = XentClassifier(**QUICK, calibration="temperature").fit(X, Y)
    assert multi.calibration_temperature_ > 0
    np.testing.assert_array_equal(
        multi.predict(X), (multi.predict_proba(X) > 0.5).astype(int)
    )


def test_early_stopping_rows_are_used(blobs):
    clf = XentClassifier(**QUICK, calibration="temperature", early_stopping=True).fit(
        *blobs
    )
    assert "val_loss" in clf.history_ and clf.calibration_temperature_ > 0


def test_off_by_default(blobs):
    clf = XentClassifier(**QUICK).fit(*blobs)
    assert clf.calibration_temperature_ is None
    assert "val_loss" not in clf.history_


def test_margin_loss_is_refused_before_training(blobs):
    with pytest.raises(ValueError, match="margin loss"):
        XentClassifier(**QUICK, loss="hinge", calibration="temperature").fit(*blobs)


def test_unknown_value_is_refused(blobs):
    with pytest.raises(InvalidParameterError, match="calibration"):
        XentClassifier(calibration="isotonic").fit(*blobs)


def test_too_few_held_out_rows_of_a_class(blobs, calibrated):
    X, y = blobs
    # Three rows of class 2 in 200: a 5 % hold-out cannot stratify them.
    keep = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:1]]
    before = calibrated.predict_proba(X)
    calibrated.set_params(warm_start=False, validation_fraction=0.05)
    try:
        with pytest.raises(ValueError, match="held-out rows hold no row of 1 class"):
            calibrated.fit(X[keep], y[keep])
    finally:
        calibrated.set_params(validation_fraction=0.1)
    # Nothing half-fitted: the estimator predicts as before.
    np.testing.assert_array_equal(calibrated.predict_proba(X), before)
