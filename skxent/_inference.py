"""Inference: ``X -> logits`` for a fitted network.

The default network, a stack of ``Dense`` layers, is evaluated in NumPy
from weights read once after the fit: no backend call, so a one-row
prediction costs what scikit-learn's own MLP costs, and the outputs are
the same whichever backend trained the network.  Any other network (a
custom ``body``, an activation NumPy does not know here) goes through the
backend's compiled inference function.
"""

import numpy as np
from scipy.special import expit

from ._backend import backend
from ._compat import import_keras
from ._model import dense_stack

keras = import_keras()  # quietly, whichever skxent module is first

__all__ = ["logits_function"]

_NUMPY = {
    "linear": None,
    "relu": lambda z: np.maximum(z, 0, out=z),
    "tanh": lambda z: np.tanh(z, out=z),
    "sigmoid": lambda z: expit(z, out=z),
    "softplus": lambda z: np.logaddexp(z, 0, out=z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
}
"""NumPy twins of :data:`skxent._model.ACTIVATIONS`."""


def _numpy(variable):
    # Read through an op, on every backend: NumPy 2 warns on a TensorFlow
    # variable's ``__array__``, and a PyTorch parameter requires grad.
    return keras.ops.convert_to_numpy(keras.ops.multiply(variable, 1))


def logits_function(model):
    """A function ``X -> logits`` (a float32 NumPy array) for ``model``.

    ``X`` is a float32 array or a SciPy sparse matrix (its product with the
    first layer's kernel is taken sparse).
    """
    stack = dense_stack(model)
    if stack is None:
        return backend().inference_function(model)
    layers = [
        (_numpy(layer.kernel), _numpy(layer.bias), _NUMPY[activation])
        for layer, activation in stack
    ]

    def predict_logits(X):
        out = X
        for kernel, bias, activation in layers:
            out = np.asarray(out @ kernel)
            out += bias
            if activation is not None:
                out = activation(out)
        return out

    predict_logits.takes_sparse = True  # a CSR times the first kernel
    return predict_logits
