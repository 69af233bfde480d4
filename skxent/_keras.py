"""Keras, imported quietly: every skxent module that needs Keras gets it here.

Importing TensorFlow prints C++ start-up lines to the terminal that
``TF_CPP_MIN_LOG_LEVEL`` does not all silence; :func:`import_keras` keeps
them off it.  :data:`KERAS_FIRST` makes an unpickled estimator import
Keras the same way (in a loky worker, say).
"""

import contextlib
import os
import re
import sys
import tempfile
import threading

from . import _tensorflow_probe
from ._interrupts import deferred

__all__ = ["KERAS_FIRST", "import_keras"]


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

    A Ctrl-C during the import is held until it ends (a half-imported
    TensorFlow cannot be imported again), and under JAX or PyTorch Keras's
    serialization is kept from importing TensorFlow
    (:mod:`skxent._tensorflow_probe`).
    """
    if "keras" not in sys.modules:  # else, with it, its backend is imported
        with deferred():
            _import_keras()
    import keras

    _tensorflow_probe.install()
    return keras


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


class _KerasFirst(str):
    """Pickled as a call of :func:`import_keras`: unpickled, it imports Keras.

    A ``str`` (empty) so that skops, which ignores ``__reduce__``, stores it
    as plain JSON rather than as one more type for the user to trust.
    """

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
