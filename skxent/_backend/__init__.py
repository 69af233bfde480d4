"""Keras 3's backends behind one class: TensorFlow, JAX, PyTorch.

:func:`backend` returns the :class:`~skxent._backend._base.Program`
subclass of the backend Keras runs on; the contract every backend fulfils
is written once, in :mod:`skxent._backend._base`.  Importing a backend's
module imports that backend and no other.
"""

import importlib

__all__ = ["backend", "backend_name"]


def backend_name():
    """The name of Keras's backend: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    from .._keras import import_keras

    return import_keras().backend.backend()


def backend():
    """The :class:`~skxent._backend._base.Program` class of Keras's backend.

    Raises
    ------
    ImportError
        For a backend skxent does not run on (``numpy``, ``openvino``).
    """
    name = backend_name()
    if name not in ("tensorflow", "jax", "torch"):
        raise ImportError(
            f"skxent trains on Keras's TensorFlow, JAX or PyTorch backend, but "
            f"KERAS_BACKEND is {name!r}; set KERAS_BACKEND to 'tensorflow' (the "
            "default), 'jax' or 'torch'."
        )
    return importlib.import_module(f"._{name}", __name__).Program
