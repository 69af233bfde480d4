"""The few shims between skxent and the libraries it builds on.

* ``validate_data`` is a function from scikit-learn 1.6 on (the minimum
  skxent supports); earlier releases had only a private method.
* SciKeras's ``unflatten_params``, which builds optimizer and callback
  classes from routed parameters (``optimizer__*``, ``callbacks__*``), is
  reused as it is, but imported on first use: ``scikeras._utils`` imports
  Keras, and importing skxent must not import TensorFlow.

* ``available_if`` is scikit-learn's decorator of that name, except that
  the ``AttributeError`` says why the method is missing (scikit-learn's
  says only that it is, the reason hidden in its ``__cause__``).
* ``single_threaded_executor`` reaches TensorFlow's
  ``function_executor_type``, which has no public name; without it (a
  future TensorFlow) skxent runs its functions on the default executor.

skxent does not subclass SciKeras's ``KerasClassifier``: importing it pulls
in TensorFlow, and its defects on scikit-learn >= 1.6 (listed in
``docs/scikeras.md``) sit in the very methods a subclass would inherit.
"""

import contextlib
import functools
from types import MethodType

from sklearn.utils.validation import validate_data

__all__ = [
    "available_if",
    "single_threaded_executor",
    "unflatten_params",
    "validate_data",
]


class _AvailableIf:
    """A method that exists only where ``check(obj)`` does not raise."""

    def __init__(self, fn, check):
        self.fn = fn
        self.check = check
        functools.update_wrapper(self, fn)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn  # on the class: the function, for documentation
        self.check(obj)  # raises AttributeError(why), so hasattr is False
        return MethodType(self.fn, obj)


def available_if(check):
    """Make a method available only where ``check(obj)`` raises no error.

    ``check`` raises ``AttributeError`` with the reason; ``hasattr`` is
    then False and calling the method gives that message.

    Examples
    --------
    >>> def _check(obj):
    ...     if not obj.ok:
    ...         raise AttributeError("not ok")
    >>> class A:
    ...     ok = False
    ...     @available_if(_check)
    ...     def f(self):
    ...         return 1
    >>> hasattr(A(), "f")
    False
    >>> A().f()
    Traceback (most recent call last):
    ...
    AttributeError: not ok
    """
    return lambda fn: _AvailableIf(fn, check)


def unflatten_params(items, params):
    """SciKeras's ``unflatten_params``: build classes with routed parameters."""
    from scikeras._utils import unflatten_params as _unflatten_params

    return _unflatten_params(items, params)


def single_threaded_executor():
    """A context in which TensorFlow functions run on the calling thread.

    TensorFlow's default executor hands every op of a function to its
    inter-op thread pool; for a small network's hundreds of tiny ops per
    step that hand-off costs more than the ops (measured: the tutorial's
    30-epoch fit took 0.81 s on the default executor, 0.51 s on this one,
    to the same weights).  The setting is thread-local and restored on
    exit.  Not used with a GPU, which this executor does not drive.
    """
    import tensorflow as tf

    try:
        from tensorflow.python.eager.context import function_executor_type
    except ImportError:
        return contextlib.nullcontext()
    if tf.config.list_logical_devices("GPU"):
        return contextlib.nullcontext()
    return function_executor_type("SINGLE_THREADED_EXECUTOR")
