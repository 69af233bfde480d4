"""Sparse ``X``: a canonical CSR on the host, minibatches of it in a graph.

Two halves, so that any training loop (TensorFlow, JAX or PyTorch) can use
them:

* host side, NumPy and SciPy only: :func:`as_csr` turns whatever scipy
  sparse matrix or array the caller passed into the one form training
  needs, without touching the caller's object; :func:`nnz_bound` sizes the
  static buffers of a minibatch; :func:`csr_parts` hands out the three CSR
  arrays;
* graph side, ``keras.ops`` only (so it traces into a ``tf.function`` and
  under ``jax.jit``, every output of a static shape): :func:`gather_rows`
  pulls the entries of a minibatch's rows out of the CSR arrays, padded to
  ``nnz_bound`` entries; :func:`densify` scatters them into a dense batch
  and :func:`to_backend_sparse` makes the backend's sparse tensor of them
  (``tf.SparseTensor``, ``jax.experimental.sparse.BCOO``; a dense batch on
  a backend without sparse support, such as PyTorch).

Keras is imported inside the graph-side functions only, so importing this
module (and skxent) stays free of TensorFlow.
"""

import numpy as np
from scipy import sparse
from sklearn.utils import assert_all_finite

__all__ = [
    "SPARSE_FIRST_LAYER",
    "as_csr",
    "batch_features",
    "csr_parts",
    "densify",
    "feature_parts",
    "gather_rows",
    "is_sparse",
    "nnz_bound",
    "predict_chunks",
    "to_backend_sparse",
]

SPARSE_FIRST_LAYER = True
"""Whether a network fit on sparse ``X`` takes sparse minibatches.

True: the network's input is ``keras.Input(sparse=True)`` and its first
layer multiplies the sparse batch (Keras's ``Dense`` does), which measured
much faster than densifying each minibatch (see ``docs/user_guide.md``,
"Sparse input").  False densifies each minibatch instead; kept for that
measurement."""

_INT32_MAX = np.iinfo(np.int32).max

# Elements (rows x features) of a dense chunk made from sparse X at predict
# time, for a network that takes dense input: 64 MiB of float32.
DENSE_CHUNK_ELEMENTS = 2**24

# Stored entries of a sparse chunk at predict time: Keras's Dense gathers a
# kernel row per entry, 50 MiB for 100 units (a 52,000-row chunk of 30
# entries a row took 870 MB above the fit's peak).
SPARSE_CHUNK_ENTRIES = 2**17


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


def csr_parts(csr):
    """The ``(indptr, indices, data)`` arrays of a CSR from :func:`as_csr`."""
    return csr.indptr, csr.indices, csr.data


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


def to_backend_sparse(batch_rows, columns, values, n_rows, n_features):
    """The batch as the backend's sparse tensor, or dense where it has none.

    ``tf.SparseTensor`` on TensorFlow and ``jax.experimental.sparse.BCOO``
    on JAX (Keras's ``Dense`` multiplies both without densifying); on any
    other backend (PyTorch) the dense batch of :func:`densify`.  The
    ``tf.SparseTensor`` is canonical (the padding is dropped: TensorFlow
    graphs need no static sizes); the BCOO keeps its static size, padding
    included (zeros at ``(0, 0)``, which BCOO sums away).
    """
    import keras
    from keras import ops

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        # TensorFlow's sparse ops want ordered coordinates without repeats,
        # which the rows' own entries are (a canonical CSR's, row by row):
        # drop the padding, and explicit zeros with it.
        keep = tf.not_equal(values, 0)
        coordinates = tf.cast(tf.stack([batch_rows, columns], axis=1), tf.int64)
        shape = tf.cast(tf.stack([n_rows, n_features]), tf.int64)
        batch = tf.SparseTensor(
            tf.boolean_mask(coordinates, keep), tf.boolean_mask(values, keep), shape
        )
        # The feature count is static: Keras's layers read it from the shape.
        batch.set_shape([None, n_features])
        return batch
    if backend == "jax":
        from jax.experimental import sparse as jax_sparse

        coordinates = ops.stack([batch_rows, columns], axis=1)
        return jax_sparse.BCOO((values, coordinates), shape=(n_rows, n_features))
    return densify(batch_rows, columns, values, n_rows, n_features)


def feature_parts(X, batch_size):
    """The arrays an epoch takes for ``X``: ``(X,)``, or a CSR's and a bound.

    For a CSR (from :func:`as_csr`): ``(indptr, indices, data, bound)``,
    ``bound`` being :func:`nnz_bound` for ``batch_size`` rows as a 0-d
    array.  :func:`batch_features` reads a minibatch back from them.
    """
    if not is_sparse(X):
        return (X,)
    bound = nnz_bound(X.indptr, batch_size)
    return (*csr_parts(X), np.asarray(bound, dtype=X.indptr.dtype))


def batch_features(parts, rows, n_features, as_sparse, bound=None):
    """The minibatch of rows ``rows`` from :func:`feature_parts`' arrays.

    A dense batch from dense parts; from a CSR's, the backend's sparse
    tensor when ``as_sparse`` (:func:`to_backend_sparse`), else a dense
    batch (:func:`densify`).  ``keras.ops`` only, for any backend's loop;
    under ``jax.jit`` pass the bound as a Python int in ``bound``.
    """
    from keras import ops

    if len(parts) == 1:
        return ops.take(parts[0], rows, axis=0)
    indptr, indices, data, traced_bound = parts
    entries = gather_rows(
        indptr, indices, data, rows, traced_bound if bound is None else bound
    )
    make = to_backend_sparse if as_sparse else densify
    return make(*entries, ops.shape(rows)[0], n_features)


def predict_chunks(X, n_outputs, budget, densified=False):
    """``(start, stop)`` row ranges for predicting ``X`` chunk by chunk.

    At most ``budget // n_outputs`` rows each.  A chunk of sparse ``X`` fed
    as a sparse tensor holds at most :data:`SPARSE_CHUNK_ENTRIES` stored
    entries (Keras's ``Dense`` gathers one row of its kernel per entry); a
    chunk densified for a network with dense input
    (``densified=True``) at most :data:`DENSE_CHUNK_ELEMENTS` values.

    Examples
    --------
    >>> list(predict_chunks(np.zeros((5, 2)), n_outputs=3, budget=6))
    [(0, 2), (2, 4), (4, 5)]
    """
    n_rows = X.shape[0]
    rows = max(1, budget // max(1, n_outputs))
    if is_sparse(X) and densified:
        rows = min(rows, max(1, DENSE_CHUNK_ELEMENTS // max(1, X.shape[1])))
    elif is_sparse(X):
        indptr = X.indptr
        start = 0
        while start < n_rows:
            # The most rows from ``start`` whose entries fit the budget.
            fit = np.searchsorted(indptr, indptr[start] + SPARSE_CHUNK_ENTRIES, "right")
            stop = min(n_rows, start + rows, max(start + 1, int(fit) - 1))
            yield start, stop
            start = stop
        return
    for start in range(0, n_rows, rows):
        yield start, min(n_rows, start + rows)
