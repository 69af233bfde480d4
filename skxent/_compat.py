"""The few shims between skxent and the libraries it builds on.

* ``validate_data`` is a function from scikit-learn 1.6 on (the minimum
  skxent supports); earlier releases had only a private method.
* SciKeras's ``unflatten_params``, which builds optimizer and callback
  classes from routed parameters (``optimizer__*``, ``callbacks__*``), is
  reused as it is, but imported on first use: ``scikeras._utils`` imports
  Keras, and importing skxent must not import TensorFlow.

* ``import_keras`` imports Keras (and TensorFlow) without TensorFlow's C++
  start-up lines on the terminal, unless the user set
  ``TF_CPP_MIN_LOG_LEVEL``; every skxent module that needs Keras gets it
  from there.
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
import os
import re
import sys
import tempfile
import threading
from types import MethodType

from sklearn.utils.validation import validate_data

from ._interrupts import deferred

__all__ = [
    "KERAS_FIRST",
    "available_if",
    "import_keras",
    "single_threaded_executor",
    "unflatten_params",
    "validate_data",
]


# One quiet import at a time: fd 2 is the whole process's.
_IMPORT_LOCK = threading.Lock()
# TensorFlow's C++ start-up lines: absl's notice before its log is set up,
# and glog-style records ("I0000 00:00:1795459404.653047    5172 port.cc:153]
# oneDNN custom operations are on ...", "E0000 ... failed call to cuInit"),
# one of which goes on over a second line.
_ABSL_NOTICE = "WARNING: All log messages before absl::InitializeLog() is called"
_LOG_RECORD = re.compile(r"[IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ \S+:\d+\] ")
_SECOND_LINES = ("To enable the following instructions:",)


def _without_start_up_lines(text):
    """``text`` less TensorFlow's start-up log lines; other lines are kept."""
    kept, after_record = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith(_ABSL_NOTICE) or _LOG_RECORD.match(line):
            after_record = True
        elif not (after_record and line.startswith(_SECOND_LINES)):
            after_record = False
            kept.append(line)
    return "".join(kept)


def _import_keras_and_find_devices():
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # Finding the devices is when TensorFlow tries CUDA ("failed call to
        # cuInit" without a GPU); it happens at the first fit anyway.
        tf.config.list_physical_devices()
    return keras


def import_keras():
    """Import and return ``keras``, without TensorFlow's start-up noise.

    Importing TensorFlow prints C++ log lines to the terminal (file
    descriptor 2) that ``TF_CPP_MIN_LOG_LEVEL`` does not all silence: absl's
    "WARNING: All log messages before absl::InitializeLog() ..." notice, the
    "oneDNN custom operations are on" and "cudart_stub" lines, and, on a
    machine without a GPU, "E0000 ... failed call to cuInit".  When skxent
    is what imports TensorFlow and ``TF_CPP_MIN_LOG_LEVEL`` is not set,
    file descriptor 2 is sent to a temporary file during the import and
    the first look for devices; what was written there, less TensorFlow's
    start-up records, is then written to ``sys.stderr``, all of it if the
    import fails.  A user who set ``TF_CPP_MIN_LOG_LEVEL`` (to any value,
    ``0`` for every line) gets TensorFlow's own behaviour.  The variable
    is left unset, as it was, even where a library imported along sets it
    (JAX does): so loky workers, which import TensorFlow anew, are quiet
    too.

    Other threads' output to file descriptor 2 during those seconds goes
    the same way: it is written out afterwards, less any line in
    TensorFlow's log format.
    """
    if "keras" in sys.modules:  # and with it, its backend
        import keras

        return keras
    # Ctrl-C half-way through would leave TensorFlow half-imported for good.
    with deferred():
        return _import_keras()


def _import_keras():
    if "TF_CPP_MIN_LOG_LEVEL" not in os.environ and "tensorflow" not in sys.modules:
        with _IMPORT_LOCK:
            if "tensorflow" not in sys.modules:  # no other thread was first
                try:
                    return _quietly(_import_keras_and_find_devices)
                finally:
                    # JAX, which Keras imports where it is installed, sets
                    # it to "1"; child processes (loky workers) would take
                    # that for the user's choice.
                    os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
    import keras

    return keras


class _KerasFirst:
    """Pickled as a call of :func:`import_keras`: unpickled, it imports Keras."""

    def __reduce__(self):
        return import_keras, ()


KERAS_FIRST = _KerasFirst()
"""Put first in a pickled state that holds Keras objects, so that unpickling
it in a new process (a loky worker) imports Keras through skxent."""


def _quietly(fn):
    """``fn()`` with fd 2 captured; the captured text, filtered, to stderr."""
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (e.g. pythonw): nothing to hide
        return fn()
    with tempfile.TemporaryFile() as captured:
        succeeded = False
        try:
            os.dup2(captured.fileno(), 2)
            result = fn()
            succeeded = True
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode(errors="replace")
            if succeeded:
                text = _without_start_up_lines(text)
            if text:
                sys.stderr.write(text)
                sys.stderr.flush()
    return result


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
