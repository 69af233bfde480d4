"""Input standardisation, folded into the network's first ``Dense`` layer.

``XentClassifier(input_scaling="standard")`` trains the default network on
standardised features, ``(x - offset_) / scale_``, with statistics computed
from the rows of the first fit.  After training, the affine map is folded
into the first layer (``W' = W / scale``, ``b' = b - (offset / scale) W``),
so the fitted ``model_`` takes the raw features and stays a plain stack of
``Dense`` layers: NumPy inference, shared compiled programs, the torch
path, ``save``/``load``, pickling and export see an ordinary network.  To
continue training (``warm_start``, ``partial_fit``) the map is unfolded
again first, so the optimizer keeps working on the well-conditioned
weights it trained.

Sparse ``X`` is only scaled, never centred (centring would densify it),
and by default (``"auto"``) not scaled at all.  Dense ``X`` is
standardised by default only where its scale is off (:data:`UNIT_SCALE`):
features already on about a unit scale train as MLPClassifier trains on
them, whose accuracy standardising would cost on some data sets (iris and a
noisy ``make_classification``: docs/benchmarks.md, issue 19).

Pure NumPy and SciPy: the statistics and the (un)folding take plain arrays.
"""

from contextlib import contextmanager

import numpy as np

from . import _sparse

__all__ = [
    "INPUT_SCALINGS",
    "UNIT_SCALE",
    "fold",
    "folded_after",
    "scale_inputs",
    "statistics",
    "unfold",
]

INPUT_SCALINGS = ("auto", "standard")
"""Values of ``input_scaling`` besides None."""

UNIT_SCALE = (0.1, 10.0)
"""``input_scaling="auto"`` leaves dense ``X`` as passed when its largest
column root mean square, ``sqrt(mean(x ** 2))``, lies in this range; it
standardises ``X`` otherwise (wine's and breast_cancer's areas and counts in
the hundreds, digits' pixels up to 16, values all far below 1)."""


def statistics(X, method):
    """``(offset, scale)``, float64 arrays of shape ``(n_features,)``, or None.

    ``method`` is ``"standard"`` (mean and standard deviation of each
    column, as ``StandardScaler``; for a sparse ``X`` the offset is 0 and
    the standard deviation still the scale, as
    ``StandardScaler(with_mean=False)``), ``"auto"`` (``"standard"`` for
    dense ``X`` whose scale is off, see :data:`UNIT_SCALE`; None for dense
    ``X`` on a unit scale and for sparse ``X``) or None (no scaling).  A
    constant column gets scale 1.

    Examples
    --------
    >>> import numpy as np
    >>> offset, scale = statistics(np.array([[0.0, 5.0], [2.0, 5.0]]), "standard")
    >>> offset.tolist(), scale.tolist()
    ([1.0, 5.0], [1.0, 1.0])
    >>> statistics(np.array([[0.0, 5.0], [2.0, 5.0]]), "auto") is None
    True
    >>> statistics(np.array([[0.0, 500.0], [2.0, 500.0]]), "auto")[0].tolist()
    [1.0, 500.0]
    """
    if method is None:
        return None
    if method not in INPUT_SCALINGS:
        raise ValueError(
            f"Unknown input_scaling {method!r}; use 'auto', 'standard' or None."
        )
    n_features = X.shape[1]
    if _sparse.is_sparse(X):
        # "auto": sparse features such as TF-IDF are on one scale already,
        # and dividing rare columns by their small deviation hurts: 0.867
        # test accuracy against 0.906 unscaled on the text example's corpus.
        if method == "auto":
            return None
        from sklearn.utils.sparsefuncs import mean_variance_axis

        # As StandardScaler(with_mean=False): divided, never centred.
        _, variance = mean_variance_axis(_sparse.as_csr(X).astype(np.float64), 0)
        offset = np.zeros(n_features)
        scale = np.sqrt(np.asarray(variance, dtype=np.float64))
        scale[~(scale > 10 * np.finfo(np.float64).eps)] = 1.0
        return offset, scale
    X64 = np.asarray(X, dtype=np.float64)  # once: the scale check, the statistics
    if method == "auto":
        rms = np.sqrt(np.square(X64).mean(axis=0))
        if UNIT_SCALE[0] <= rms.max(initial=0.0) <= UNIT_SCALE[1]:
            return None
    offset = X64.mean(axis=0)
    scale = X64.std(axis=0)
    # As scikit-learn's StandardScaler: a (near-)constant column is not scaled.
    scale[~(scale > 10 * np.finfo(np.float64).eps * np.maximum(1.0, abs(offset)))] = 1.0
    return offset, scale


def scale_inputs(X, stats):
    """A new float32 ``X`` with ``stats`` applied; ``X`` itself when None.

    A sparse ``X`` stays sparse (its stored values are scaled, the offset is
    not applied: it is 0 for statistics of sparse data).
    """
    if stats is None:
        return X
    offset, scale = stats
    if _sparse.is_sparse(X):
        if np.any(offset):
            raise ValueError(
                "This model was first fit on dense X, whose standardisation "
                "centres the features, which sparse X cannot be without "
                "densifying it. Continue training on dense X (X.toarray()), or "
                "fit with input_scaling=None to mix dense and sparse X."
            )
        csr = _sparse.as_csr(X).copy()
        csr.data = (csr.data / scale[csr.indices]).astype(np.float32)
        return csr
    return ((np.asarray(X, dtype=np.float64) - offset) / scale).astype(np.float32)


def fold(kernel, bias, stats):
    """First-layer weights on raw inputs from those on scaled inputs.

    ``kernel`` has shape ``(n_features, units)``; returns float32 arrays.
    """
    offset, scale = stats
    kernel = np.asarray(kernel, dtype=np.float64)
    folded = kernel / scale[:, None]
    return (
        folded.astype(np.float32),
        (np.asarray(bias, dtype=np.float64) - offset @ folded).astype(np.float32),
    )


def unfold(kernel, bias, stats):
    """Invert :func:`fold`: weights on scaled inputs from those on raw inputs."""
    offset, scale = stats
    kernel = np.asarray(kernel, dtype=np.float64)
    return (
        (kernel * scale[:, None]).astype(np.float32),
        (np.asarray(bias, dtype=np.float64) + offset @ kernel).astype(np.float32),
    )


@contextmanager
def folded_after(model, stats, unfold_first):
    """Train ``model`` inside: on exit its first layer takes raw inputs.

    With ``unfold_first`` (a fitted network, whose first layer takes raw
    inputs) the layer is first turned back to scaled inputs.  The fold is
    applied however the block exits, so a failed training leaves a network
    consistent with ``stats``.  Nothing happens when ``stats`` is None.
    """
    if stats is None:
        yield
        return
    from ._model import numpy_value

    layer = next(
        layer for layer in model.layers if getattr(layer, "kernel", None) is not None
    )

    def move(function):
        kernel, bias = function(
            numpy_value(layer.kernel), numpy_value(layer.bias), stats
        )
        layer.kernel.assign(kernel)
        layer.bias.assign(bias)

    if unfold_first:
        move(unfold)
    try:
        yield
    finally:
        move(fold)
