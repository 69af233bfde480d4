"""Ctrl-C during a fit or a save: a prompt ``KeyboardInterrupt``, no broken state.

Python turns ``SIGINT`` into a ``KeyboardInterrupt`` raised wherever the
main thread happens to be.  Two places make that harmful:

* **Inside an import.**  TensorFlow registers names in global registries
  while it is imported; interrupted half-way, it is left half-imported,
  and the next import registers the same names again and fails
  (``ValueError: Name tf.RaggedTensorSpec has already been registered``)
  for the rest of the process.  :func:`deferred` holds a ``SIGINT`` back
  for the length of such a section and raises ``KeyboardInterrupt`` as the
  section ends.  skxent defers around the import of Keras and its backend,
  the restoring of an estimator's state and the creation of a save's
  temporary file.
* **Inside a garbage-collector callback or a ``__del__`` method**, where
  Python prints an exception ("Exception ignored in: <function
  _xla_gc_callback ...>") and drops it.  JAX registers such a callback
  (``jax._src.lib._xla_gc_callback``), and Keras imports JAX wherever it
  is installed, so a Ctrl-C that lands during a collection was lost and
  training ran on.  While :func:`interruptible` is active, a ``SIGINT``
  that arrives in such a place is kept and sent again a few milliseconds
  later, when the callback has returned; and should a
  ``KeyboardInterrupt`` still have been swallowed somewhere, the section
  raises it as it ends.

Both act in the main thread only (the only one Python runs signal
handlers in, and the only one that may install them), and only where
``SIGINT`` has Python's default handler: a handler of the user's own, or
``SIG_IGN``, is left alone.  In any other thread they do nothing.
"""

import gc
import signal
import threading
from contextlib import contextmanager

__all__ = ["assign", "deferred", "interruptible", "variables_of"]

# Seconds after which a SIGINT that arrived inside a garbage-collector
# callback or a __del__ is sent again.
RETRY_AFTER = 0.01


class _State:
    depth = 0  # sections that use _handler, nested
    deferring = 0  # of which deferred ones
    pending = False  # a SIGINT not yet raised as KeyboardInterrupt
    delivered = False  # a KeyboardInterrupt raised inside an interruptible()
    timer = None


_STATE = _State()


def _in_ignored_context(frame):
    """Whether an exception raised in ``frame`` would be printed and dropped."""
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _send_again():
    if _STATE.pending and _STATE.depth and not _STATE.deferring:
        signal.raise_signal(signal.SIGINT)


def _handler(signum, frame):
    if _STATE.deferring:
        _STATE.pending = True
        return
    if _in_ignored_context(frame):
        _STATE.pending = True
        if _STATE.timer is None or not _STATE.timer.is_alive():
            _STATE.timer = threading.Timer(RETRY_AFTER, _send_again)
            _STATE.timer.daemon = True
            _STATE.timer.start()
        return
    _STATE.pending = False
    _STATE.delivered = True
    raise KeyboardInterrupt


@contextmanager
def _handling():
    """Install :func:`_handler` for the section; yield whether it is ours."""
    if threading.current_thread() is not threading.main_thread():
        yield False
        return
    current = signal.getsignal(signal.SIGINT)
    if current is _handler:
        _STATE.depth += 1
        try:
            yield True
        finally:
            _STATE.depth -= 1
        return
    if current is not signal.default_int_handler:
        yield False  # the user's own handler, SIG_IGN or SIG_DFL
        return
    try:
        signal.signal(signal.SIGINT, _handler)
    except ValueError:  # not the main interpreter
        yield False
        return
    _STATE.depth += 1
    try:
        yield True
    finally:
        _STATE.depth -= 1
        if not _STATE.depth:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if _STATE.timer is not None:
                _STATE.timer.cancel()
            _STATE.timer = None
            _STATE.delivered = False
            if _STATE.pending:
                _STATE.pending = False
                raise KeyboardInterrupt


@contextmanager
def deferred():
    """Hold a ``SIGINT`` back during the section; raise it as the section ends.

    ``KeyboardInterrupt`` is raised after the section (even one that
    raised an exception of its own), never inside it.  Nested sections
    raise it as the outermost one ends.
    """
    with _handling() as ours:
        if not ours:
            yield
            return
        _STATE.deferring += 1
        try:
            yield
        finally:
            _STATE.deferring -= 1
            if not _STATE.deferring and _STATE.pending:
                _STATE.pending = False
                _STATE.delivered = True
                raise KeyboardInterrupt


@contextmanager
def interruptible():
    """A section that a ``SIGINT`` ends with ``KeyboardInterrupt``, always.

    One arriving in a garbage-collector callback or a ``__del__`` (where
    it would be dropped) is raised a few milliseconds later; if a
    ``KeyboardInterrupt`` was swallowed in the section anyway, it is
    raised again as the section ends.  Wrap it in whatever restores state
    on error, so that state is restored then too.
    """
    with _handling() as ours:
        try:
            yield
        except BaseException:
            _STATE.pending = False
            raise
        if ours and _STATE.delivered and _STATE.depth == 1:
            _STATE.pending = False
            raise KeyboardInterrupt


def variables_of(model):
    """``(variable, value)`` pairs: a copy of ``model``'s and its optimizer's state.

    Taken before training continues a fitted network, so that an
    interrupted or failed fit can put them back with :func:`assign`.
    """
    import keras

    optimizer = getattr(model, "optimizer", None)
    variables = [*model.weights, *(optimizer.variables if optimizer else [])]
    return [(v, keras.ops.convert_to_numpy(v.value).copy()) for v in variables]


def assign(pairs):
    """Give each variable of :func:`variables_of`'s pairs its saved value."""
    for variable, value in pairs:
        variable.assign(value)
