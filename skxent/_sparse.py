"""Sparse ``X``: a canonical CSR on the host, minibatches of it in a graph.

Two halves, so that any training loop (TensorFlow, JAX or PyTorch) can use
them:

* host side, NumPy and SciPy only: :func:`as_csr` turns whatever scipy
  sparse matrix or array the caller passed into the one form training
  needs, without touching the caller's object; :func:`nnz_bound` sizes the
  static buffers of a minibatch; :func:`feature_parts` hands out the
  arrays an epoch takes;
* graph side, written with ``keras.ops`` (so it traces into a
  ``tf.function`` and under ``jax.jit``, every output of a static shape):
  :func:`gather_rows` pulls the entries of a minibatch's rows out of the
  CSR arrays, padded to ``nnz_bound`` entries; :func:`densify` scatters
  them into a dense batch.  The backend's own sparse tensor of them
  (``tf.SparseTensor``, a JAX ``BCOO``) is its program's ``sparse_batch``
  (:mod:`skxent._backend._base`).

Keras is imported inside the graph-side functions only, so importing this
module (and skxent) stays free of TensorFlow.
"""

import numpy as np
from scipy import sparse
from sklearn.utils import assert_all_finite

__all__ = [
    "as_csr",
    "batch_features",
    "densify",
    "feature_parts",
    "gather_rows",
    "is_sparse",
    "nnz_bound",
]

_INT32_MAX = np.iinfo(np.int32).max


def is_sparse(X):
    """Whether ``X`` is a scipy sparse matrix or array."""
    return sparse.issparse(X)


def as_csr(X):
    """``X`` as a canonical float32 CSR matrix, never changing the caller's.

    Canonical: duplicate entries summed and column indices sorted in every
    row; indices and row pointers are int32 wherever they fit.  Explicit
    zeros and empty rows or columns are kept (they change nothing).  When
    ``X`` already is such a CSR the result shares its arrays (a view);
    otherwise the result is a copy, so sorting, summing and casting never
    reach the caller's matrix.

    Parameters
    ----------
    X : scipy sparse matrix or array, or array-like
        Any format (CSR, CSC, COO, ...).

    Returns
    -------
    csr : scipy.sparse.csr_matrix of float32

    Raises
    ------
    ValueError
        If an entry is NaN or infinite (also after duplicates are summed),
        with scikit-learn's message.

    Examples
    --------
    >>> from scipy import sparse
    >>> X = sparse.coo_matrix(([1.0, 2.0, 3.0], ([0, 0, 1], [2, 2, 0])), (2, 3))
    >>> csr = as_csr(X)
    >>> csr.dtype, csr.indices.dtype, csr.toarray().tolist()
    (dtype('float32'), dtype('int32'), [[0.0, 0.0, 3.0], [3.0, 0.0, 0.0]])
    >>> X.nnz  # the caller's COO still has its duplicate
    3
    """
    if not sparse.issparse(X):
        X = sparse.csr_matrix(np.asarray(X, dtype=np.float32))
    if X.format != "csr":
        # A conversion always makes new arrays; for COO it sums duplicates.
        X = X.tocsr()
        owned = True
    else:
        owned = False
    fits = max(X.nnz, *X.shape) <= _INT32_MAX
    index_dtype = np.int32 if fits else np.int64
    canonical = X.has_canonical_format
    if (
        not owned
        and canonical
        and X.dtype == np.float32
        and X.indices.dtype == index_dtype
        and X.indptr.dtype == index_dtype
    ):
        # Already what training needs: a new object over the same arrays.
        return sparse.csr_matrix(
            (X.data, X.indices, X.indptr), shape=X.shape, copy=False
        )
    csr = sparse.csr_matrix(
        (
            np.array(X.data, dtype=np.float32, copy=None if owned else True),
            np.array(X.indices, dtype=index_dtype, copy=None if owned else True),
            np.array(X.indptr, dtype=index_dtype, copy=None if owned else True),
        ),
        shape=X.shape,
        copy=False,
    )
    if not canonical or owned:
        csr.sum_duplicates()  # sorts indices too; on our own arrays only
    # SciPy may widen the index dtype while summing; narrow it back.
    if csr.indices.dtype != index_dtype:
        csr.indices = csr.indices.astype(index_dtype)
        csr.indptr = csr.indptr.astype(index_dtype)
    assert_all_finite(csr.data, input_name="X")
    return csr


def nnz_bound(indptr, batch_size):
    """The most stored entries any ``batch_size`` rows can hold.

    The sum of the ``batch_size`` largest row lengths: a static size for
    the buffers :func:`gather_rows` fills, whichever rows a batch gets.

    Examples
    --------
    >>> nnz_bound([0, 3, 3, 4, 9], batch_size=2)  # row lengths 3, 0, 1, 5
    8
    """
    lengths = np.diff(np.asarray(indptr, dtype=np.int64))
    k = min(int(batch_size), lengths.size)
    if k == 0:
        return 0
    return int(np.partition(lengths, lengths.size - k)[lengths.size - k :].sum())


def gather_rows(indptr, indices, data, rows, nnz_bound):
    """The entries of CSR rows ``rows``, padded to ``nnz_bound`` entries.

    Written with ``keras.ops`` only: it traces into a ``tf.function`` and
    runs under ``jax.jit``, where every output has the static shape
    ``(nnz_bound,)`` (``rows`` must have a static length there).

    Parameters
    ----------
    indptr, indices, data : tensors
        The arrays of a canonical CSR (:func:`as_csr`).
    rows : 1-D integer tensor
        Row ids of the minibatch, in batch order (any order, repeats allowed).
    nnz_bound : int
        At least the number of entries of the rows (:func:`nnz_bound`).

    Returns
    -------
    batch_rows, columns, values : tensors of shape (nnz_bound,)
        Entry ``k`` is ``values[k]`` at ``(batch_rows[k], columns[k])`` of
        the ``(len(rows), n_features)`` batch.  Entries past the rows' own
        are padding: value 0 at ``(0, 0)``, so adding them up changes
        nothing (a batch may hold ``(0, 0)`` more than once).
    """
    from keras import ops

    index_dtype = indptr.dtype
    rows = ops.cast(rows, index_dtype)
    starts = ops.take(indptr, rows)
    lengths = ops.take(indptr, rows + 1) - starts
    ends = ops.cumsum(lengths)  # end of each row's entries within the batch
    k = ops.arange(nnz_bound, dtype=index_dtype)
    row = ops.cast(ops.searchsorted(ends, k, side="right"), index_dtype)
    valid = row < ops.cast(ops.shape(rows)[0], index_dtype)
    row = ops.where(valid, row, 0)
    offset = k - (ops.take(ends, row) - ops.take(lengths, row))
    source = ops.where(valid, ops.take(starts, row) + offset, 0)
    columns = ops.where(valid, ops.take(indices, source), 0)
    values = ops.where(valid, ops.take(data, source), ops.zeros((), data.dtype))
    return row, columns, values


def densify(batch_rows, columns, values, n_rows, n_features):
    """The dense ``(n_rows, n_features)`` batch of :func:`gather_rows`' entries.

    A scatter that adds, so padding (value 0) and repeats change nothing.
    ``keras.ops`` only.
    """
    from keras import ops

    coordinates = ops.stack([batch_rows, columns], axis=1)
    dense = ops.scatter(coordinates, values, (n_rows, n_features))
    return ops.reshape(dense, (-1, n_features))  # a static feature count


def feature_parts(X, batch_size):
    """The arrays an epoch takes for ``X``: ``(X,)``, or a CSR's and a bound.

    For a CSR (from :func:`as_csr`): ``(indptr, indices, data, bound)``,
    ``bound`` being :func:`nnz_bound` for ``batch_size`` rows as a 0-d
    array.  :func:`batch_features` reads a minibatch back from them.
    """
    if not is_sparse(X):
        return (X,)
    bound = nnz_bound(X.indptr, batch_size)
    return (X.indptr, X.indices, X.data, np.asarray(bound, dtype=X.indptr.dtype))


def batch_features(parts, rows, n_features, as_sparse=None, bound=None):
    """The minibatch of rows ``rows`` from :func:`feature_parts`' arrays.

    A dense batch from dense parts; from a CSR's, ``as_sparse(entries...)``
    (a program's ``sparse_batch``) where given, else a dense batch
    (:func:`densify`).  ``keras.ops`` only, for any backend's loop; under
    ``jax.jit`` pass the bound as a Python int in ``bound``.
    """
    from keras import ops

    if len(parts) == 1:
        return ops.take(parts[0], rows, axis=0)
    indptr, indices, data, traced_bound = parts
    entries = gather_rows(
        indptr, indices, data, rows, traced_bound if bound is None else bound
    )
    return (as_sparse or densify)(*entries, ops.shape(rows)[0], n_features)
