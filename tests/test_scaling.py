"""input_scaling: statistics, folding into the first layer, invariance to scale."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs

import skxent
from skxent import XentClassifier, _scaling

QUICK = dict(hidden_layer_sizes=(8,), epochs=5, random_state=0)


def data(n=90, centers=3):
    X, y = make_blobs(n, centers=centers, n_features=4, random_state=0)
    # Columns on very different scales, one constant.
    X = X * np.array([1.0, 1e3, 1e-3, 0.0]) + np.array([0.0, 5e3, 0.0, 7.0])
    return X, y


def test_statistics_dense():
    X, _ = data()
    offset, scale = _scaling.statistics(X, "auto")
    np.testing.assert_allclose(offset, X.mean(axis=0))
    np.testing.assert_allclose(scale[:3], X[:, :3].std(axis=0))
    assert scale[3] == 1.0  # a constant column is not scaled
    scaled = _scaling.scale_inputs(X, (offset, scale))
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled[:, :3].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(scaled[:, :3].std(axis=0), 1, rtol=1e-5)
    assert _scaling.statistics(X, None) is None
    assert _scaling.scale_inputs(X, None) is X


@pytest.mark.parametrize("factor", [0.1, -3.0, 10.0])
def test_auto_leaves_unit_scale_features_as_passed(factor):
    # Features whose largest root mean square is in [0.1, 10] train as
    # passed, as MLPClassifier's do; a scaler in front changes nothing.
    X = np.random.default_rng(0).normal(size=(60, 3)) * 0.01
    X[:, 1] = factor  # the largest column's root mean square is |factor|
    assert _scaling.statistics(X, "auto") is None
    assert _scaling.statistics(X, "standard") is not None


@pytest.mark.parametrize("factor", [10.5, 0.09, -1e4])
def test_auto_standardises_features_whose_scale_is_off(factor):
    X = np.random.default_rng(0).normal(size=(60, 3)) * [0.01, 0.01, factor]
    X[:, 0] += factor  # an offset alone puts a column off the unit scale
    offset, scale = _scaling.statistics(X, "auto")
    np.testing.assert_allclose(offset, X.mean(axis=0))
    np.testing.assert_allclose(scale, X.std(axis=0))


def test_statistics_sparse_scale_only_never_dense():
    X = sp.random(50, 6, density=0.3, random_state=0, format="csr") * 100
    assert _scaling.statistics(X, "auto") is None
    offset, scale = _scaling.statistics(X, "standard")
    assert not offset.any()
    np.testing.assert_allclose(scale, X.toarray().std(axis=0))
    scaled = _scaling.scale_inputs(X, (offset, scale))
    assert sp.issparse(scaled) and scaled.nnz == X.nnz
    np.testing.assert_allclose(scaled.toarray(), X.toarray() / scale, rtol=1e-6)
    with pytest.raises(ValueError, match="without densifying"):
        _scaling.scale_inputs(X, (np.ones(6), scale))


def test_fold_then_unfold_is_identity_and_exact_on_raw_inputs():
    rng = np.random.default_rng(0)
    X, _ = data()
    stats = _scaling.statistics(X, "standard")
    kernel, bias = rng.normal(size=(4, 5)), rng.normal(size=5)
    folded = _scaling.fold(kernel, bias, stats)
    on_raw = X @ folded[0].astype(float) + folded[1]
    on_scaled = ((X - stats[0]) / stats[1]) @ kernel + bias
    np.testing.assert_allclose(on_raw, on_scaled, rtol=1e-4, atol=1e-3)
    back = _scaling.unfold(*folded, stats)
    np.testing.assert_allclose(back[0], kernel, rtol=1e-6)
    np.testing.assert_allclose(back[1], bias, rtol=1e-5, atol=1e-5)


def test_fit_is_invariant_to_feature_scale():
    X, y = data()
    a = XentClassifier(**QUICK).fit(X, y)
    b = XentClassifier(**QUICK).fit(X * 1000, y)
    # Standardised, X and X * 1000 are the same rows up to float32 rounding,
    # which five epochs of training amplify to about 1e-4.
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X * 1000), atol=2e-3)
    np.testing.assert_allclose(a.input_scale_[:3] * 1000, b.input_scale_[:3])


def test_model_alone_takes_raw_features_and_persists(tmp_path):
    X, y = data()
    clf = XentClassifier(**QUICK).fit(X, y)
    logits = clf.model_.predict(X.astype(np.float32), verbose=0)
    np.testing.assert_allclose(logits, clf.decision_function(X), rtol=1e-4, atol=1e-4)
    clf.save(tmp_path / "m.skxent")
    for loaded in (skxent.load(tmp_path / "m.skxent"), pickle.loads(pickle.dumps(clf))):
        np.testing.assert_array_equal(loaded.input_offset_, clf.input_offset_)
        np.testing.assert_array_equal(loaded.input_scale_, clf.input_scale_)
        np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))


def test_later_fits_keep_the_first_statistics():
    X, y = data()
    warm = XentClassifier(**QUICK, warm_start=True).fit(X, y)
    offset, scale = warm.input_offset_.copy(), warm.input_scale_.copy()
    warm.fit(X[:30] * 5 + 3, y[:30])
    np.testing.assert_array_equal(warm.input_offset_, offset)
    np.testing.assert_array_equal(warm.input_scale_, scale)
    stream = XentClassifier(**QUICK).partial_fit(X[:45], y[:45], classes=[0, 1, 2])
    offset = stream.input_offset_.copy()
    stream.partial_fit(X[45:] * 2, y[45:])
    np.testing.assert_array_equal(stream.input_offset_, offset)
    assert np.isfinite(stream.predict_proba(X)).all()


def test_warm_start_continues_from_the_same_function():
    # Zero epochs are not allowed, so continue with a zero learning rate
    # under SGD: unfolding and folding again must give back the network.
    X, y = data()
    clf = XentClassifier(**QUICK, optimizer="sgd", warm_start=True).fit(X, y)
    before = clf.predict_proba(X)
    clf.model_.optimizer.learning_rate.assign(0.0)
    clf.set_params(epochs=1).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), before, atol=1e-5)


def test_off_and_custom_body_train_on_x_as_passed():
    import keras

    X, y = data()
    off = XentClassifier(**QUICK, input_scaling=None).fit(X, y)
    assert off.input_offset_ is None and off.input_scale_ is None

    def body(meta):
        return [keras.layers.Dense(4, activation="relu")]

    custom = XentClassifier(**QUICK, body=body).fit(X, y)
    assert custom.input_offset_ is None


def test_unknown_value_is_refused():
    X, y = data()
    with pytest.raises(ValueError, match="input_scaling"):
        XentClassifier(input_scaling="minmax").fit(X, y)


def test_sparse_x_is_scaled_not_centred():
    X, y = data()
    X = np.abs(X)
    auto = XentClassifier(**QUICK).fit(sp.csr_matrix(X), y)
    assert auto.input_offset_ is None  # "auto" leaves sparse X as passed
    csr = XentClassifier(**QUICK, input_scaling="standard").fit(sp.csr_matrix(X), y)
    assert not csr.input_offset_.any()
    np.testing.assert_allclose(csr.input_scale_[:3], X[:, :3].std(axis=0))
    by_hand = XentClassifier(**QUICK, input_scaling=None).fit(X / csr.input_scale_, y)
    np.testing.assert_allclose(
        csr.predict_proba(sp.csr_matrix(X)),
        by_hand.predict_proba(X / csr.input_scale_),
        atol=1e-4,
    )
    dense_first = XentClassifier(**QUICK, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="Continue training on dense X"):
        dense_first.fit(sp.csr_matrix(X), y)
