"""A new network's weights, given in place to a shared one.

:func:`initialise` gives a network of :func:`skxent._model.dense_stack`'s
kind the weights :func:`skxent._model.build_model` would give a new one,
bitwise: the same seeded initializers, on the same shapes.

Under JAX every random draw is a program XLA compiles for its shape, about
0.2 s apiece on a CPU: a cross-validation over four data sets compiled six
of them.  JAX's counter-based generator makes a draw of ``n`` values the
first ``n`` of any longer draw with the same key, so the uniform
initializers (Keras's ``glorot_uniform``, the default, ``he_uniform``,
``lecun_uniform``, ``RandomUniform``) draw :data:`FLAT_DRAW` values, one
compilation for every kernel up to that size, and take what the shape
needs.  Zeros are NumPy's.  The shared networks are built without drawing
(``build_model(draw=False)``), so a new architecture compiles no draw.
"""

import math

import numpy as np

from ._backend import backend_name
from ._keras import import_keras
from ._model import LOGITS_INITIALIZER, LOGITS_SEED, dense_stack, seeded

keras = import_keras()

__all__ = ["FLAT_DRAW", "draw", "initialise"]

FLAT_DRAW = 2**16
"""The values a flat draw makes: kernels of up to this many entries share
one compiled draw (256 KiB of float32); a larger one draws its own size."""


def initialise(model, kernel_initializer, seed):
    """Give the default network ``model``, in place, the weights of a new one.

    Bitwise the weights :func:`~skxent._model.build_model` gives a network
    of ``model``'s architecture built with ``kernel_initializer`` and
    ``seed``.  ``model`` is one :func:`~skxent._model.dense_stack`
    describes.
    """
    *hidden, (logits, _) = dense_stack(model)
    initializers = [
        *(
            (layer, seeded(kernel_initializer, seed + i))
            for i, (layer, _) in enumerate(hidden)
        ),
        (logits, seeded(LOGITS_INITIALIZER, seed + LOGITS_SEED)),
    ]
    for layer, initializer in initializers:
        for variable, make in (
            (layer.kernel, initializer),
            (layer.bias, layer.bias_initializer),
        ):
            variable.assign(draw(make, tuple(variable.shape), variable.dtype))


def draw(initializer, shape, dtype):
    """``initializer(shape, dtype=dtype)``, bitwise, compiling as little as it can.

    Examples
    --------
    >>> import numpy as np
    >>> glorot = keras.initializers.GlorotUniform(seed=3)
    >>> bool(np.array_equal(draw(glorot, (4, 5), "float32"), glorot((4, 5))))
    True
    """
    if type(initializer) is keras.initializers.Zeros:
        return np.zeros(shape, dtype)
    bounds = _uniform_bounds(initializer, shape)
    size = math.prod(shape)
    if bounds is None or size > FLAT_DRAW or not _draws_flat():
        return initializer(shape, dtype=dtype)
    values = keras.random.uniform(
        (FLAT_DRAW,), *bounds, dtype=dtype, seed=initializer.seed
    )
    return np.asarray(values)[:size].reshape(shape)


def _draws_flat():
    """Whether a draw's values begin every longer draw's (JAX's, partitionable)."""
    if backend_name() != "jax":
        return False  # TensorFlow and PyTorch draw without compiling
    import jax

    return bool(jax.config.jax_threefry_partitionable)


def _uniform_bounds(initializer, shape):
    """``(minval, maxval)`` of a uniform initializer's draw on ``shape``, or None.

    As Keras's ``RandomUniform`` and ``VarianceScaling`` compute them (the
    latter's fans of a 2-D kernel are its two dimensions); None for any
    other initializer, a subclass that draws its own way, or a seed that
    is not an int.
    """
    if not isinstance(getattr(initializer, "seed", None), int):
        return None
    kind = type(initializer)
    if kind is keras.initializers.RandomUniform:
        return initializer.minval, initializer.maxval
    variance_scaling = keras.initializers.VarianceScaling
    if (
        not isinstance(initializer, variance_scaling)
        or kind.__call__ is not variance_scaling.__call__
        or initializer.distribution != "uniform"
        or getattr(initializer, "input_axes", None) is not None
        or getattr(initializer, "output_axes", None) is not None
        or len(shape) != 2
    ):
        return None
    fan_in, fan_out = shape
    scale = initializer.scale
    if initializer.mode == "fan_in":
        scale /= max(1.0, fan_in)
    elif initializer.mode == "fan_out":
        scale /= max(1.0, fan_out)
    else:
        scale /= max(1.0, (fan_in + fan_out) / 2.0)
    limit = math.sqrt(3.0 * scale)
    return -limit, limit
