"""Keras's serialization without importing TensorFlow under JAX or PyTorch.

Keras serializes every object through
``keras.src.saving.serialization_lib.serialize_keras_object``, which asks
``tf.available and isinstance(obj, tf.TensorShape)`` (and ``tf.DType``,
``tf.TypeSpec``) of it, ``tf`` being a lazy module: asking whether it is
available imports TensorFlow, about 3 s and 300 MB, under any backend.

An object can be an instance of a TensorFlow class only once TensorFlow
has been imported, so where it has not been, each of those questions has
the answer False without importing it.  :func:`install` hands
``serialization_lib`` a stand-in for its ``tf`` that says so: ``available``
is False while ``tensorflow`` is not in ``sys.modules`` and asks the real
lazy module otherwise; any other attribute is the real lazy module's.
Every answer Keras gets is the one it would have got, so the stand-in
stays installed for the process (it changes nothing for the user's own
saving either).  Under the TensorFlow backend nothing is installed.

If a future Keras no longer has that module or that name, nothing is
installed and saving works as that Keras does.
"""

import sys
import threading

__all__ = ["install"]

_LOCK = threading.Lock()


class _ImportedTensorflowOnly:
    """A lazy ``tensorflow`` module that is not available until imported."""

    def __init__(self, lazy):
        self._lazy = lazy

    @property
    def available(self):
        return "tensorflow" in sys.modules and self._lazy.available

    def __getattr__(self, name):
        return getattr(self._lazy, name)

    def __repr__(self):
        return f"{type(self).__name__}({self._lazy!r})"


def install():
    """Let Keras's serialization skip TensorFlow while it is not imported.

    Call with Keras imported.  Idempotent and thread-safe; does nothing
    under the TensorFlow backend.
    """
    import keras

    if keras.backend.backend() == "tensorflow":
        return
    try:
        from keras.src.saving import serialization_lib
    except ImportError:  # a Keras laid out otherwise
        return
    with _LOCK:
        lazy = getattr(serialization_lib, "tf", None)
        if lazy is None or isinstance(lazy, _ImportedTensorflowOnly):
            return
        if not hasattr(type(lazy), "available"):  # not the lazy module we know
            return
        serialization_lib.tf = _ImportedTensorflowOnly(lazy)
