"""The whole fit in one compiled call, where nothing needs the epochs' ends.

The epoch-by-epoch loop of :func:`skxent._training.train` calls the
backend once per epoch and runs the callbacks between calls.  When the
only callback is skxent's own :class:`~skxent._training.PlateauStop` (or
there is none) and nothing is printed, the host has nothing to do between
epochs: the epochs, MLPClassifier's stopping rule and the loss history
then run inside one compiled program (``session.run_fit``, a
``tf.while_loop`` or ``lax.while_loop`` over the epochs).

The decisions are the epoch-by-epoch path's, bitwise:

* the rows are visited in the orders :func:`~skxent._training.epoch_order`
  draws on the host, handed to the program as one ``(epochs, rows)``
  array (in chunks of at most :data:`ORDER_ELEMENTS` entries, the stopping
  state carried from one call to the next);
* :func:`plateau_step` is :meth:`PlateauStop.on_epoch_end
  <skxent._training.PlateauStop.on_epoch_end>` in graph ops, with the
  comparison against ``best - tol`` in float64 as the host makes it (the
  two are a pair: change one, change the other);
* the best weights are carried through the loop and set on the model as
  :meth:`PlateauStop.on_train_end <skxent._training.PlateauStop.on_train_end>`
  sets them.
"""

from dataclasses import dataclass

import numpy as np

from ._plan import Stopping

__all__ = [
    "ONE_CALL",
    "FitResult",
    "NO_STOPPING",
    "fit_in_one_call",
    "order_chunks",
    "run_chunks",
    "stop_rule",
]

ONE_CALL = True
"""Whether fits that allow it run in one compiled call (False forces the
epoch-by-epoch loop; the equivalence tests compare the two)."""

ORDER_ELEMENTS = 2**24
"""Most row indices (int32, 64 MiB) handed to one compiled call."""

STEPS_PER_CALL = 2**11
"""Most minibatch steps in one compiled call.  Ctrl-C is raised when the
call returns (a compiled call cannot be interrupted), so a long fit runs
as calls of a fraction of a second each for the default network on a CPU;
the default fits of small data sets still take one call."""

NEVER = np.iinfo(np.int32).max
"""The patience of a fit without a stopping rule."""


NO_STOPPING = Stopping("loss", 0.0, NEVER, False)
"""The rule of a fit that runs all its epochs (``n_iter_no_change=None``)."""


def stop_rule(callbacks, verbose, plateau_stop):
    """The :class:`~skxent._plan.Stopping` of a fit that can run in one call.

    None when something needs the epochs' ends on the host: a callback
    other than one ``plateau_stop`` instance, or progress output.
    """
    if not ONE_CALL or verbose:
        return None
    if not callbacks:
        return NO_STOPPING
    if len(callbacks) > 1 or type(callbacks[0]) is not plateau_stop:
        return None
    stop = callbacks[0]
    return Stopping(
        stop.monitor, float(stop.tol), int(stop.patience), stop.restore_best
    )


def plateau_step(loss, best, count, *, tol, where, to64):
    """One epoch of ``PlateauStop.on_epoch_end`` in a backend's graph ops.

    ``loss`` and ``best`` are float32 scalars (``best`` starts at inf),
    ``count`` the int32 count of epochs without improvement; ``to64``
    casts to float64, so that ``best - tol`` rounds as the host's Python
    floats do.  A NaN loss is no improvement and never the best.  Returns
    the new ``best`` and ``count`` and whether this epoch's weights are
    the best so far.
    """
    improved = to64(loss) <= to64(best) - tol
    count = where(improved, count * 0, count + 1)
    save = loss < best
    best = where(save, loss, best)
    return best, count, save


def order_chunks(n_rows, epochs, order, steps_per_epoch=1):
    """``(orders, n_epochs)`` chunks covering ``epochs`` epochs.

    ``orders`` is an int32 ``(K, n_rows)`` array whose first ``n_epochs``
    rows are the epochs' orders (``order(epoch)``, epochs numbered from 0
    in this fit); the rest are padding, so that every chunk of a fit, and
    fits of nearby ``epochs``, have one shape: ``K`` is the power of two
    at or above ``epochs``, capped to hold at most :data:`ORDER_ELEMENTS`
    row indices and :data:`STEPS_PER_CALL` steps of ``steps_per_epoch``.
    """
    size = 1 << max(0, int(epochs) - 1).bit_length()
    size = min(
        size,
        ORDER_ELEMENTS // max(1, n_rows),
        STEPS_PER_CALL // max(1, steps_per_epoch),
    )
    size = max(1, size)
    for start in range(0, epochs, size):
        n_epochs = min(size, epochs - start)
        orders = np.zeros((size, n_rows), np.int32)
        for i in range(n_epochs):
            orders[i] = order(start + i)
        yield orders, n_epochs


@dataclass
class FitResult:
    """What ``session.run_fit`` returns.

    ``history`` maps ``loss`` (and ``val_loss``) to float32 arrays of the
    epochs run; ``best_weights``, for a rule that restores them, is the
    model's ``get_weights()`` at the best epoch (None if no epoch was).
    """

    history: dict
    best: float
    no_improvement: int
    stopped: bool
    best_weights: list | None


def run_chunks(chunks, rule, call, kept):
    """Drive a backend's compiled fit through ``chunks``; a :class:`FitResult`.

    ``call(orders, n_epochs, best, count, kept)`` runs one chunk from the
    stopping state given (``kept``: the best weights so far, or the current
    ones before any) and returns the program's outputs: ``n_epochs`` run,
    ``stopped``, the new ``best``, ``count`` and ``kept``, and the chunk's
    ``history`` buffers.
    """
    best, count = np.float32(np.inf), np.int32(0)
    history, stopped = {}, False
    for orders, n_epochs in chunks:
        out = call(orders, n_epochs, best, count, kept)
        best, count, kept = out["best"], out["count"], out["kept"]
        done = int(out["n_epochs"])
        for key, values in out["history"].items():
            history.setdefault(key, []).extend(np.asarray(values)[:done])
        stopped = bool(out["stopped"])
        if stopped:
            break
    best = np.float32(best)
    restored = rule.restore_best and best < np.inf
    return FitResult(
        history=history,
        best=float(best),
        no_improvement=int(count),
        stopped=stopped,
        best_weights=[np.asarray(k) for k in kept] if restored else None,
    )


def fit_in_one_call(session, model, order, epochs, n_rows, rule, stop_callbacks):
    """Train in one call per chunk of epochs; return Keras's history dict.

    Leaves ``model`` (and the ``PlateauStop`` in ``stop_callbacks``, and
    ``model.history``) as the epoch-by-epoch loop leaves them.
    """
    import keras

    steps = -(-n_rows // session.program.batch_size)
    result = session.run_fit(order_chunks(n_rows, epochs, order, steps), rule)
    session.store(model)
    model.stop_training = result.stopped
    model.optimizer.finalize_variable_values(model.trainable_weights)
    if result.best_weights is not None:
        model.set_weights(result.best_weights)
    for stop in stop_callbacks:
        stop.best = result.best
        stop.no_improvement = result.no_improvement
        stop.best_weights = result.best_weights
    history = keras.callbacks.History()
    history.set_model(model)
    history.on_train_begin()
    n_iter = len(result.history["loss"])
    for epoch in range(n_iter):
        history.on_epoch_end(
            epoch, {k: float(v[epoch]) for k, v in result.history.items()}
        )
    return history.history
