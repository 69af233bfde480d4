"""The few shims between skxent and the libraries it builds on.

* ``validate_data`` is a function from scikit-learn 1.6 on (the minimum
  skxent supports); earlier releases had only a private method.
* SciKeras's ``unflatten_params``, which builds optimizer and callback
  classes from routed parameters (``optimizer__*``, ``callbacks__*``), is
  reused as it is, but imported on first use: ``scikeras._utils`` imports
  Keras, and importing skxent must not import TensorFlow.

* ``single_threaded_executor`` reaches TensorFlow's
  ``function_executor_type``, which has no public name; without it (a
  future TensorFlow) skxent runs its functions on the default executor.

skxent does not subclass SciKeras's ``KerasClassifier``: importing it pulls
in TensorFlow, and its defects on scikit-learn >= 1.6 (listed in
``docs/scikeras.md``) sit in the very methods a subclass would inherit.
"""

import contextlib

from sklearn.utils.validation import validate_data

__all__ = ["single_threaded_executor", "unflatten_params", "validate_data"]


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
