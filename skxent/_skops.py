"""Keras objects in an estimator's state: safe for skops, unchanged for pickle.

`skops <https://skops.readthedocs.io>`_ stores an object as the state its
``__getstate__`` returns, walked down to types it knows, and loads only the
types the user trusts.  A Keras model's state is a deep graph of Keras
internals (skops gives up with a ``RecursionError``), and loading it would
mean trusting them all.  So ``XentClassifier.__getstate__`` hands out its
Keras objects in skxent's own holders:

* :class:`KerasModelArchive`, the fitted network: its skops state is the
  bytes of the network's ``.keras`` archive, loaded with
  ``keras.saving.load_model(..., safe_mode=True)``, as :func:`skxent.load`
  loads it;
* :class:`KerasObjectConfig`, a Keras loss, optimizer or initializer given as
  a parameter: its skops state is its Keras config (JSON), rebuilt in safe
  mode.

``XentClassifier.__setstate__`` opens the holders again.  Pickle (joblib,
loky, ``copy.deepcopy``) never sees them: a holder's ``__reduce__``, which
pickle and copy call, gives the object it holds, pickled as it always was;
skops, finding no call of the holder's own class in it, stores the
holder's ``__getstate__``, the archive or config, instead.

Nothing here imports Keras until a holder is opened.
"""

import json
import sys

__all__ = ["KerasModelArchive", "KerasObjectConfig", "hold", "release"]


def _same(value):
    """``value``: a holder pickles as a call of this on the object it holds."""
    return value


class _Holder:
    """A Keras object, or its skops state until :meth:`release` rebuilds it."""

    def __init__(self, value):
        self._value = value
        self._state = None

    def __reduce__(self):  # for pickle and copy: the object itself
        return _same, (self.release(),)

    def __getstate__(self):
        if self._state is None:
            self._state = self._dump(self._value)
        return {"state": self._state}

    def __setstate__(self, state):
        self._value = None
        self._state = state["state"]

    def release(self):
        """The Keras object, rebuilt from the skops state if need be."""
        if self._value is None:
            self._value = self._load(self._state)
        return self._value


class KerasModelArchive(_Holder):
    """A Keras model; skops stores the bytes of its ``.keras`` archive."""

    @staticmethod
    def _dump(model):
        from ._persistence import model_to_bytes

        return model_to_bytes(model)

    @staticmethod
    def _load(archive):
        from ._persistence import model_from_bytes

        if not isinstance(archive, bytes):
            raise ValueError("The model's .keras archive is not bytes.")
        try:
            return model_from_bytes(archive)
        except ValueError as exc:
            raise ValueError(f"Cannot load the estimator: {exc}") from None


class KerasObjectConfig(_Holder):
    """A Keras loss, optimizer or initializer; skops stores its config (JSON)."""

    @staticmethod
    def _dump(value):
        from ._persistence import _encode

        return json.dumps(_encode(value))

    @staticmethod
    def _load(config):
        from . import _keras_losses  # noqa: F401 (registers skxent's Keras losses)
        from ._persistence import _decode

        value = json.loads(config)
        if not (isinstance(value, dict) and value.get("type") == "keras"):
            raise ValueError("A Keras object's config is malformed.")
        return _decode(value)


def _keras_object_types():
    keras = sys.modules["keras"]
    return (
        keras.losses.Loss,
        keras.optimizers.Optimizer,
        keras.initializers.Initializer,
    )


def hold(state):
    """``state`` with ``model_`` and Keras-object parameters in holders.

    A new dict; ``state`` is not changed.  Without Keras imported there is
    no Keras object to hold.
    """
    if "keras" not in sys.modules:
        return state
    keras_objects = _keras_object_types()
    held = dict(state)
    for name, value in state.items():
        if name == "model_":
            held[name] = KerasModelArchive(value)
        elif isinstance(value, keras_objects):
            held[name] = KerasObjectConfig(value)
    return held


def release(state):
    """``state`` with every holder replaced by the Keras object it holds."""
    return {
        name: value.release() if isinstance(value, _Holder) else value
        for name, value in state.items()
    }
