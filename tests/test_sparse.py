"""Sparse X and sparse targets: skxent._sparse's pieces, then the estimator."""

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy import sparse
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer, OneHotEncoder

import skxent
import skxent._inference
from skxent import XentClassifier, _sparse
from skxent._backend import backend

# The network takes sparse input where the backend has sparse tensors.
SPARSE_INPUT = keras.backend.backend() != "torch"

# These tests hold the sparse paths to the dense ones; input standardisation
# centres dense X but never sparse X, so they train on X as passed (its
# sparse case is tested in test_scaling.py).
QUICK = dict(
    hidden_layer_sizes=(8,), epochs=3, batch_size=16, random_state=0, input_scaling=None
)
QUICK["n_iter_no_change"] = None
ROOT = Path(__file__).resolve().parents[1]


def _problem(n=120, n_features=30, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_features)).astype(np.float32)
    X[X < 0.8] = 0.0
    X[3] = 0.0  # an empty row
    X[:, 5] = 0.0  # an empty column
    y = (X[:, :10].sum(axis=1) > X[:, 10:20].sum(axis=1)).astype(int)
    y += (X[:, 20:].sum(axis=1) > np.median(X[:, 20:].sum(axis=1))).astype(int)
    return X, y


def _state(X):
    """All of the caller's matrix that skxent must leave as it was."""
    names = ("data", "indices", "indptr", "row", "col")
    arrays = [getattr(X, name) for name in names if hasattr(X, name)]
    flags = getattr(X, "has_sorted_indices", None)
    return X.format, X.dtype, flags, [(a.dtype, a.tobytes()) for a in arrays]


def _awkward(X):
    """The same matrix as CSR with unsorted int64 indices and explicit zeros."""
    coo = sparse.coo_matrix(X)
    order = np.random.default_rng(1).permutation(coo.nnz)
    rows = np.concatenate([coo.row[order], [0, 7]])
    cols = np.concatenate([coo.col[order], [1, 2]])
    data = np.concatenate([coo.data[order], [0.0, 0.0]])
    indptr = np.searchsorted(np.sort(rows), np.arange(X.shape[0] + 1))
    by_row = np.argsort(rows, kind="stable")
    csr = sparse.csr_matrix(
        (data[by_row], cols[by_row].astype(np.int64), indptr.astype(np.int64)),
        shape=X.shape,
    )
    csr.has_sorted_indices = False
    return csr


VARIANTS = {
    "csr": sparse.csr_matrix,
    "csc": sparse.csc_matrix,
    "coo": sparse.coo_matrix,
    "csr_array": sparse.csr_array,
    "float64": lambda X: sparse.csr_matrix(X.astype(np.float64)),
    "unsorted int64 explicit zeros": _awkward,
}


# -- skxent._sparse, nothing trained ------------------------------------------


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_as_csr_is_canonical_and_leaves_the_callers_matrix(variant):
    X = _problem()[0]
    given = VARIANTS[variant](X)
    before = _state(given)
    csr = _sparse.as_csr(given)
    assert _state(given) == before
    assert csr.format == "csr" and csr.dtype == np.float32
    assert csr.indices.dtype == csr.indptr.dtype == np.int32
    assert csr.has_canonical_format
    np.testing.assert_array_equal(csr.toarray(), X)


def test_as_csr_shares_the_arrays_of_a_canonical_float32_csr():
    X = sparse.csr_matrix(_problem()[0])
    csr = _sparse.as_csr(X)
    assert csr is not X and np.shares_memory(csr.data, X.data)
    duplicates = sparse.coo_matrix(([1.0, 2.0], ([0, 0], [1, 1])), shape=(2, 3))
    assert _sparse.as_csr(duplicates).toarray().tolist() == [[0, 3, 0], [0, 0, 0]]
    assert duplicates.nnz == 2  # summed on a copy


@pytest.mark.parametrize("bad, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_as_csr_refuses_non_finite_entries(bad, message):
    X = sparse.csr_matrix(np.eye(3))
    X.data[1] = bad
    with pytest.raises(ValueError, match=f"Input X contains {message}"):
        _sparse.as_csr(X)


def test_nnz_bound_is_the_largest_rows_lengths():
    indptr = [0, 3, 3, 4, 9]  # lengths 3, 0, 1, 5
    assert [_sparse.nnz_bound(indptr, b) for b in (1, 2, 3, 4, 10)] == [5, 8, 9, 9, 9]
    assert _sparse.nnz_bound([0], 5) == 0


def test_predict_chunks_bound_rows_entries_and_dense_chunks(monkeypatch):
    from skxent import _inference

    X = _sparse.as_csr(sparse.random(50, 40, density=0.2, random_state=0))
    monkeypatch.setattr(_inference, "SPARSE_CHUNK_ENTRIES", 30)
    monkeypatch.setattr(_inference, "DENSE_CHUNK_ELEMENTS", 400)
    for feed, most in (("sparse", None), ("dense", 10), ("numpy", 20)):
        chunks = list(_inference.predict_chunks(X, 3, 60, feed))
        assert chunks[0][0] == 0 and chunks[-1][1] == 50
        assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:], strict=False))
        assert max(stop - start for start, stop in chunks) == most or not most
        for start, stop in chunks:
            assert stop - start <= 20
            if feed == "sparse":
                assert X[start:stop].nnz <= 30 or stop - start == 1


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="a TensorFlow graph; test_batch_and_sparse_forward_run_under_jax is JAX's",
)
@pytest.mark.parametrize("compiled", [False, True])
def test_gather_rows_gives_the_rows_padded_with_zeros(compiled):
    X = _sparse.as_csr(_problem()[0])
    parts = [tf.constant(a) for a in (X.indptr, X.indices, X.data)]
    rows = np.array([3, 7, 0, 119, 7], np.int32)  # an empty row, a repeat
    bound = _sparse.nnz_bound(X.indptr, 8)  # more than these rows hold

    def batch(rows):
        entries = _sparse.gather_rows(*parts, rows, bound)
        dense = _sparse.densify(*entries, tf.shape(rows)[0], X.shape[1])
        st = backend().sparse_batch(*entries, tf.shape(rows)[0], X.shape[1])
        return entries, dense, tf.sparse.sparse_dense_matmul(st, tf.eye(X.shape[1]))

    if compiled:
        batch = tf.function(batch, autograph=False)
    (row, col, val), dense, product = batch(tf.constant(rows))
    assert row.shape == col.shape == val.shape == (bound,)
    expected = X[rows].toarray()
    np.testing.assert_array_equal(dense.numpy(), expected)
    np.testing.assert_array_equal(product.numpy(), expected)
    n = X[rows].nnz
    assert (val.numpy()[n:] == 0).all() and (row.numpy()[n:] == 0).all()


@pytest.mark.slow
def test_batch_and_sparse_forward_run_under_jax():
    pytest.importorskip("jax")
    script = textwrap.dedent(
        """
        import sys
        import jax, keras, numpy as np
        from scipy import sparse
        from jax.experimental.sparse import BCOO
        from skxent import _sparse
        from skxent._backend import backend

        X = _sparse.as_csr(sparse.random(40, 12, density=0.3, random_state=0))
        inputs = keras.Input(shape=(12,), sparse=True)
        hidden = keras.layers.Dense(5, activation="relu")(inputs)
        model = keras.Model(inputs, keras.layers.Dense(3)(hidden))
        *parts, bound = _sparse.feature_parts(X, 8)
        parts = (*parts, None)
        bound = int(bound)

        def batch(rows, as_sparse):
            make = backend().sparse_batch if as_sparse else None
            return _sparse.batch_features(parts, rows, 12, make, bound)

        rows = np.array([5, 1, 39, 0, 5, 7, 2, 3], np.int32)
        assert isinstance(batch(rows, True), BCOO)
        out = np.asarray(jax.jit(lambda r: model(batch(r, True)))(rows))
        np.testing.assert_allclose(out, model(X[rows].toarray()), atol=1e-5)
        dense = jax.jit(lambda r: batch(r, False))(rows)
        np.testing.assert_array_equal(dense, X[rows].toarray())
        assert "tensorflow" not in sys.modules
        print("ok")
        """
    )
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


# -- the estimator on sparse X -------------------------------------------------


@pytest.fixture(scope="module")
def problem():
    return _problem()


@pytest.fixture(scope="module")
def fitted(problem):
    X, y = problem
    dense = XentClassifier(**QUICK).fit(X, y)
    csr = XentClassifier(**QUICK).fit(sparse.csr_matrix(X), y)
    return dense, csr


def test_csr_gives_the_dense_model(problem, fitted):
    X, _ = problem
    dense, csr = fitted
    assert csr.model_.inputs[0].sparse == SPARSE_INPUT
    assert not dense.model_.inputs[0].sparse
    np.testing.assert_allclose(
        csr.predict_proba(sparse.csr_matrix(X)), dense.predict_proba(X), atol=1e-5
    )
    np.testing.assert_allclose(csr.loss_curve_, dense.loss_curve_, rtol=1e-5)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_sparse_form_predicts_alike(problem, fitted, variant):
    X, y = problem
    dense, csr = fitted
    given = VARIANTS[variant](X)
    before = _state(given)
    expected = dense.predict_proba(X)
    for clf in (dense, csr):  # dense clf: chunks densified; csr: sparse
        np.testing.assert_allclose(clf.predict_proba(given), expected, atol=1e-5)
        assert clf.decision_function(given).shape == expected.shape
        assert clf.predict(given).shape == (len(y),)
        assert 0 <= clf.score(given, y) <= 1
    assert _state(given) == before
    np.testing.assert_allclose(csr.predict_proba(X), expected, atol=1e-5)


def test_fit_and_predict_never_densify_the_matrix(problem, monkeypatch):
    X, y = problem

    def refusing(method):
        def refuse(matrix, *args, **kwargs):
            # PyTorch has no sparse tensors: minibatches (never the whole
            # matrix) are densified there.
            if SPARSE_INPUT or matrix.shape[0] >= len(X):
                raise AssertionError("sparse X was densified")
            return method(matrix, *args, **kwargs)

        return refuse

    for cls in (sparse.csr_matrix, sparse.coo_matrix, sparse.csc_matrix):
        monkeypatch.setattr(cls, "toarray", refusing(cls.toarray))
        monkeypatch.setattr(cls, "todense", refusing(cls.todense))
    monkeypatch.setattr(skxent._inference, "PREDICT_CHUNK_OUTPUTS", 30)
    monkeypatch.setattr(skxent._inference, "NUMPY_CHUNK_VALUES", 80)
    clf = XentClassifier(**QUICK).fit(sparse.coo_matrix(X), y)
    assert clf.predict(sparse.csr_matrix(X)).shape == (len(y),)


def test_a_dense_network_predicts_sparse_x_in_bounded_chunks(
    problem, fitted, monkeypatch
):
    X, y = problem
    dense, _ = fitted
    seen = []
    toarray = sparse.csr_matrix.toarray

    def record(self, *args, **kwargs):
        seen.append(self.shape[0])
        return toarray(self, *args, **kwargs)

    monkeypatch.setattr(sparse.csr_matrix, "toarray", record)
    monkeypatch.setattr(skxent._inference, "DENSE_CHUNK_ELEMENTS", 25 * X.shape[1])
    # The default network multiplies the CSR by its first kernel: no chunk
    # is densified at all.
    proba = dense.predict_proba(sparse.csr_matrix(X))
    np.testing.assert_allclose(proba, dense.predict_proba(X), atol=1e-6)
    assert seen == []

    # A network the backend runs, fit on dense X, densifies bounded chunks.
    def body(meta):
        return [keras.layers.Dense(8, activation="relu"), keras.layers.Dropout(0.1)]

    other = XentClassifier(**QUICK, body=body).fit(X, y)
    proba = other.predict_proba(sparse.csr_matrix(X))
    np.testing.assert_allclose(proba, other.predict_proba(X), atol=1e-6)
    assert max(seen) == 25 and sum(seen) == len(X)


@pytest.mark.skipif(
    keras.backend.backend() == "torch", reason="PyTorch has no sparse tensors"
)
def test_a_custom_body_gets_the_sparse_batch_and_trains(problem):
    X, y = problem

    class Probe(keras.layers.Layer):
        """Records the kind of tensor it is called with while training."""

        def call(self, x, training=None):
            if training:  # tf.SparseTensor, or JAX's BCOO
                seen.add(type(x).__name__ in ("SparseTensor", "BCOO"))
            return x

    def dense(meta):
        return keras.layers.Dense(8, activation="relu")

    bodies = {
        # A list of layers (or a Sequential opened with a sparse Input)
        # receives the tf.SparseTensor itself ...
        "list": (True, lambda meta: [Probe(), dense(meta)]),
        "sparse Sequential": (
            True,
            lambda meta: keras.Sequential(
                [keras.Input((X.shape[1],), sparse=True), Probe(), dense(meta)]
            ),
        ),
        # ... which a plain Sequential (a dense Input of its own) densifies.
        "Sequential": (False, lambda meta: keras.Sequential([Probe(), dense(meta)])),
    }
    for is_sparse, body in bodies.values():
        seen = set()
        clf = XentClassifier(body=body, **QUICK).fit(sparse.csr_matrix(X), y)
        assert seen == {is_sparse}
        assert clf.predict_proba(sparse.csr_matrix(X)).shape == (len(y), 3)
        assert np.isfinite(clf.loss_curve_).all()


def test_sparse_pipelines(problem):
    X, y = problem
    labels = np.array(["a", "b", "c", "d"])[X[:, :2].argmax(axis=1) * 2 + (y > 0)]
    clf = make_pipeline(OneHotEncoder(), XentClassifier(**QUICK))
    assert clf.fit(labels[:, None], y).predict(labels[:, None]).shape == (len(y),)


# -- training options with sparse X --------------------------------------------


def test_weights_validation_and_model_fit_path_match_dense(problem):
    X, y = problem
    w = np.linspace(0.5, 2.0, len(y))
    for extra in (
        dict(class_weight="balanced"),
        dict(early_stopping=True),
        dict(validation_split=0.2),
        dict(compile__metrics=["accuracy"]),  # Model.fit, fed SparseTensors
    ):
        params = {**QUICK, **extra}
        dense = XentClassifier(**params).fit(X, y, sample_weight=w)
        csr = XentClassifier(**params).fit(sparse.csr_matrix(X), y, sample_weight=w)
        assert csr.history_.keys() == dense.history_.keys()
        np.testing.assert_allclose(
            csr.predict_proba(X), dense.predict_proba(X), atol=1e-5
        )


def test_warm_start_and_partial_fit_on_sparse(problem):
    X, y = problem
    Xs = sparse.csr_matrix(X)
    clf = XentClassifier(warm_start=True, **QUICK).fit(Xs, y)
    clf.fit(Xs, y).fit(X, y)  # dense X into a sparse-input network
    assert clf.n_iter_ == 9
    dense_first = XentClassifier(warm_start=True, **QUICK).fit(X, y).fit(Xs, y)
    assert dense_first.n_iter_ == 6 and not dense_first.model_.inputs[0].sparse
    online = XentClassifier(**QUICK)
    for chunk in np.array_split(np.arange(len(y)), 3):
        online.partial_fit(Xs[chunk], y[chunk], classes=[0, 1, 2])
    assert online.n_iter_ == 3 and online.model_.inputs[0].sparse == SPARSE_INPUT


def _saved_and_loaded(clf, folder):
    clf.save(folder / "model.skxent")
    return skxent.load(folder / "model.skxent")


def test_pickle_and_save_load_on_sparse(problem, fitted, tmp_path):
    X, _ = problem
    _, csr = fitted
    Xs = sparse.csr_matrix(X)
    expected = csr.predict_proba(Xs)
    restored = pickle.loads(pickle.dumps(csr))
    np.testing.assert_array_equal(restored.predict_proba(Xs), expected)
    loaded = _saved_and_loaded(csr, tmp_path)
    assert loaded.model_.inputs[0].sparse == SPARSE_INPUT
    np.testing.assert_allclose(loaded.predict_proba(Xs), expected, atol=1e-7)


# -- bad sparse input ----------------------------------------------------------


@pytest.mark.parametrize("bad, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_sparse_x_gets_scikit_learns_error(problem, fitted, bad, message):
    X, y = problem
    Xs = sparse.csr_matrix(X)
    Xs.data[0] = bad
    before = _state(Xs)
    with pytest.raises(ValueError, match=f"Input X contains {message}"):
        XentClassifier(**QUICK).fit(Xs, y)
    for clf in fitted:
        with pytest.raises(ValueError, match=f"Input X contains {message}"):
            clf.predict(Xs)
    assert _state(Xs) == before


def test_awkward_sparse_x_trains_the_dense_model(problem, fitted):
    X, y = problem
    dense, _ = fitted
    awkward = _awkward(X)  # unsorted, int64 indices, explicit zeros, empty rows
    before = _state(awkward)
    clf = XentClassifier(**QUICK).fit(awkward, y)
    assert _state(awkward) == before
    np.testing.assert_allclose(clf.predict_proba(X), dense.predict_proba(X), atol=1e-5)


# -- sparse targets ------------------------------------------------------------


def test_sparse_onehot_y_is_multiclass_with_1d_predictions(problem, fitted):
    X, y = problem
    dense, _ = fitted
    onehot = OneHotEncoder().fit_transform(y[:, None])
    assert sparse.issparse(onehot)
    clf = XentClassifier(**QUICK).fit(X, onehot)
    assert (clf.target_type_, clf.loss_) == ("multiclass", "categorical_crossentropy")
    assert clf.predict(X).shape == (len(y),)
    np.testing.assert_allclose(clf.predict_proba(X), dense.predict_proba(X), atol=1e-6)
    assert clf.score(X, onehot) == clf.score(X, y) == dense.score(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_multilabel_y_predicts_sparse_as_scikit_learn_does(problem, tmp_path):
    X, y = problem
    sets = [{a, b} for a, b in zip(y, (X[:, :3].argmax(axis=1) + 1) % 4, strict=True)]
    Y = MultiLabelBinarizer(sparse_output=True).fit_transform(sets)
    clf = XentClassifier(**QUICK).fit(sparse.csr_matrix(X), Y)
    assert clf.target_type_ == "multilabel-indicator"
    predicted = clf.predict(X)
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5).fit(X, Y).predict(X)
    ovr = OneVsRestClassifier(MLPClassifier(max_iter=5)).fit(X, Y).predict(X)
    for theirs in (mlp, ovr):
        assert type(predicted) is type(theirs) and predicted.format == theirs.format
        assert predicted.dtype == theirs.dtype and predicted.shape == theirs.shape
    dense = XentClassifier(**QUICK).fit(X, Y.toarray())
    np.testing.assert_array_equal(predicted.toarray(), dense.predict(X))
    for copy in (pickle.loads(pickle.dumps(clf)), _saved_and_loaded(clf, tmp_path)):
        assert (copy.predict(X) != predicted).nnz == 0
    assert clf.score(X, Y) == clf.score(X, Y.toarray()) == dense.score(X, Y)


def test_no_unknown_label_type_for_sparse_targets():
    y = sparse.csr_matrix(np.array([[0.5, 1.0], [1.0, 0.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="label type: continuous-multioutput"):
        XentClassifier(**QUICK).fit(np.eye(3), y)
