"""Prediction: one :class:`Inference` per fitted network, from ``X`` to answers.

An :class:`Inference` is built once per fitted or loaded model.  It runs
the network chunk by chunk, so that neither the full ``(n, n_outputs)``
logits (when the answer is smaller, as ``predict``'s is) nor a dense copy
of a sparse ``X`` is ever held whole, and hands each chunk's logits to
the loss rule's ``decision``, ``proba`` or ``predict_codes``.

The default network, a stack of ``Dense`` layers, is evaluated in NumPy
from weights read once: no backend call, so a one-row prediction costs
what scikit-learn's own MLP costs, and the outputs are the same whichever
backend trained the network.  It computes in float64: a float32 product's
last bits depend on how the BLAS blocks the batch a row sits in, so a
row's probabilities would depend on its batch; in float64 they agree to
about 1e-16, whatever the batch, chunk or BLAS.  A sparse ``X`` is
multiplied as a CSR, never densified.  Any other network (a custom
``body``) goes through the backend's compiled function
(:meth:`skxent._backend._base.Program.logits_function`).
"""

import numpy as np
from scipy.special import expit

from . import _sparse
from ._backend import backend
from ._fitted_network import FittedNetwork
from ._model import dense_stack, numpy_value

__all__ = ["Inference", "predict_chunks"]

# Outputs (rows x units of the last layer) per chunk: few calls for a big
# predict, yet bounded memory when there are many classes.
PREDICT_CHUNK_OUTPUTS = 2**20

# Values of the widest layer's output in one chunk evaluated in NumPy:
# 512 KiB of float64, so that a chunk's intermediate arrays stay in the
# CPU's caches (predicting 250,000 rows of the tutorial's network took
# half the time in chunks of this size than in one).
NUMPY_CHUNK_VALUES = 2**16

# Elements (rows x features) of a dense chunk made from sparse X, for a
# network that takes dense input: 64 MiB of float32.
DENSE_CHUNK_ELEMENTS = 2**24

# Stored entries of a sparse chunk fed to the backend as a sparse tensor:
# Keras's Dense gathers a kernel row per entry, so a chunk costs about
# entries x units x 4 bytes (50 MiB for 100 units).
SPARSE_CHUNK_ENTRIES = 2**17

_NUMPY = {
    "linear": None,
    "relu": lambda z: np.maximum(z, 0, out=z),
    "tanh": lambda z: np.tanh(z, out=z),
    "sigmoid": lambda z: expit(z, out=z),
    "softplus": lambda z: np.logaddexp(z, 0, out=z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
}
"""NumPy twins of :data:`skxent._model.ACTIVATIONS`."""


def predict_chunks(X, n_outputs, budget, feed="numpy"):
    """``(start, stop)`` row ranges for predicting ``X`` chunk by chunk.

    At most ``budget // n_outputs`` rows each (``n_outputs``: the widest
    layer's, for the NumPy evaluation).  For sparse ``X``, ``feed``
    says how a chunk reaches the network: ``"numpy"`` as a CSR (no other
    bound), ``"sparse"`` as the backend's sparse tensor (at most
    :data:`SPARSE_CHUNK_ENTRIES` stored entries, but always one row),
    ``"dense"`` densified (at most :data:`DENSE_CHUNK_ELEMENTS` values).

    Examples
    --------
    >>> list(predict_chunks(np.zeros((5, 2)), n_outputs=3, budget=6))
    [(0, 2), (2, 4), (4, 5)]
    """
    n_rows = X.shape[0]
    rows = max(1, budget // max(1, n_outputs))
    if _sparse.is_sparse(X) and feed == "dense":
        rows = min(rows, max(1, DENSE_CHUNK_ELEMENTS // max(1, X.shape[1])))
    elif _sparse.is_sparse(X) and feed == "sparse":
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


class Inference:
    """Predictions of one fitted network under its loss rule.

    Parameters
    ----------
    model : keras.Model or skxent._fitted_network.FittedNetwork
        The fitted network, ending in logits, or the NumPy weights of a
        default one.  Its weights are read once, here: build a new
        :class:`Inference` after the weights change.
    rule : skxent._loss_rules.LossRule
        The loss's prediction rule.
    target_type : str
        The target type seen in fit.
    temperature : float, default=None
        Of ``calibration="temperature"``: probabilities are those of the
        logits divided by it.  Predictions and decisions do not change.
    """

    def __init__(self, model, rule, target_type, temperature=None):
        self.rule = rule
        self.target_type = target_type
        self.temperature = temperature
        if isinstance(model, FittedNetwork):  # its weights are NumPy arrays
            layers = model.layers
        else:
            stack = dense_stack(model)
            layers = stack and [
                (numpy_value(layer.kernel), numpy_value(layer.bias), activation)
                for layer, activation in stack
            ]
        if not layers:
            self.n_outputs = model.outputs[0].shape[-1]
            self._logits = backend().logits_function(model)
            self._feed = "sparse" if self._logits.takes_sparse else "dense"
        else:
            self._layers = [
                (
                    np.asarray(kernel, np.float64),
                    np.asarray(bias, np.float64),
                    _NUMPY[activation],
                )
                for kernel, bias, activation in layers
            ]
            self.n_outputs = self._layers[-1][0].shape[1]
            self._logits = self._numpy_logits
            self._feed = "numpy"
            self._widest = max(kernel.shape[1] for kernel, _, _ in self._layers)

    def _numpy_logits(self, X):
        out = X
        for kernel, bias, activation in self._layers:
            out = np.asarray(out @ kernel)  # float64: X is cast, a CSR stays sparse
            out += bias
            if activation is not None:
                out = activation(out)
        return out

    def _apply(self, X, method):
        """``method(logits of each chunk, target_type)``, concatenated."""
        if self._feed == "numpy":
            width, budget = self._widest, NUMPY_CHUNK_VALUES
        else:
            width, budget = self.n_outputs, PREDICT_CHUNK_OUTPUTS
        chunks = list(predict_chunks(X, width, budget, self._feed))
        if len(chunks) == 1:
            return method(self._logits(X), self.target_type)
        return np.concatenate(
            [method(self._logits(X[a:b]), self.target_type) for a, b in chunks]
        )

    def logits(self, X):
        """The network's outputs on ``X``, shape ``(n, n_outputs)``."""
        return self._apply(X, lambda logits, target_type: np.asarray(logits))

    def decision(self, X):
        """The loss rule's decision function (see ``LossRule.decision``)."""
        return self._apply(X, self.rule.decision)

    def proba(self, X):
        """Class probabilities (see ``LossRule.proba``), calibrated where set."""
        if self.temperature is None:
            return self._apply(X, self.rule.proba)
        return self._apply(
            X, lambda logits, target_type: self.rule.proba(
                np.asarray(logits, np.float64) / self.temperature, target_type
            )
        )  # fmt: skip

    def predict_codes(self, X):
        """Predicted class codes, or a 0/1 indicator for multilabel targets."""
        return self._apply(X, self.rule.predict_codes)
