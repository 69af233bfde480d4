"""Progress that moves: an epoch in as many compiled calls as its display needs.

With ``verbose=1`` Keras's progress bar shows the epoch under way: the
steps done, the loss so far and the time left.  A compiled epoch
(``session.run``) returns only at the epoch's end, so :class:`EpochSlices`
runs each epoch as consecutive slices of its minibatches instead, one
compiled call each (``session.run_steps``), and redraws the bar between
them.

How many slices: as few as keep the bar moving, the pace measured rather
than guessed.  A call made before the pace is known takes one step: the
fit's first (the one that compiles, if the program is new, after the one
line :func:`announce_compiling` prints; Keras's ``Progbar`` leaves a first
step out of its time estimates, as ``Model.fit``'s first step compiles
too) and the one after a call that compiled.  Every later call takes as
many steps as the last call's pace fits in :data:`SLICE_SECONDS`, the rest
of the epoch split evenly: an epoch that takes less than that is one
call, as without progress output, and a call's fixed cost (a fraction of
a millisecond) stays a fraction of a percent of a sliced epoch's time.
``verbose=0`` runs none of this, and ``verbose=2`` (a line per epoch)
needs no slices.

The decisions are those of an epoch in one call, bitwise: the slices carry
the running sum of the batch losses (each times its batch's size) from one
call to the next in the backend's float32, and the epoch's last slice
divides it as ``session.run`` does (``tests/test_progress.py``).
"""

import math
import time

__all__ = ["SLICE_SECONDS", "EpochSlices", "announce_compiling", "epoch_runner"]

SLICE_SECONDS = 0.2
"""Seconds of training between two redraws of the progress bar: five a
second move it smoothly (Keras's ``Progbar`` redraws at most twenty), and
keep a call's fixed cost well under 1% of the epoch."""


def announce_compiling(session, sliced, backend_name):
    """Print one line if the session's next call compiles its program.

    Tracing and compiling take a second or more, in which the progress bar
    cannot move; called only with ``verbose>=1``.  ``sliced``: whether the
    epochs run as :class:`EpochSlices` (else ``session.run``).
    """
    if not session.compiled(sliced):
        print(f"skxent: compiling the training program ({backend_name})...", flush=True)


def epoch_runner(session, verbose, batch_size, callbacks):
    """``session.run``, or for ``verbose=1`` an :class:`EpochSlices`' ``run``.

    ``callbacks`` is the fit's ``keras.callbacks.CallbackList``, which
    holds Keras's ``ProgbarLogger`` when ``verbose`` is not 0.
    """
    if verbose != 1:
        return session.run
    import keras

    (progbar,) = (
        c for c in callbacks.callbacks if isinstance(c, keras.callbacks.ProgbarLogger)
    )
    return EpochSlices(session, batch_size, progbar).run


class EpochSlices:
    """Epochs of ``session`` in slices of minibatches, the bar redrawn between.

    ``progbar`` is Keras's ``ProgbarLogger`` of the fit's callbacks; it is
    given the steps done and the epoch's loss so far after each slice but
    the last, and the epoch's end stays the callbacks' (``on_epoch_end``).
    The pace (seconds per step) is kept from epoch to epoch of the fit.
    """

    def __init__(self, session, batch_size, progbar):
        self.session = session
        self.batch_size = batch_size
        self.progbar = progbar
        self.seconds_per_step = None

    def steps(self, done, n_steps):
        """How many of the epoch's ``n_steps`` the call after step ``done`` takes."""
        if self.seconds_per_step is None:
            return 1
        remaining = n_steps - done
        calls = math.ceil(remaining * self.seconds_per_step / SLICE_SECONDS)
        return -(-remaining // max(1, calls))

    def run(self, order):
        """Train an epoch over the rows in ``order``; its logs, as ``session.run``'s."""
        n_rows = len(order)
        n_steps = -(-n_rows // self.batch_size)
        done, total, logs = 0, None, None
        while logs is None:
            stop = min(n_steps, done + self.steps(done, n_steps))
            compiles = not self.session.compiled(sliced=True)
            started = time.perf_counter()
            total, logs = self.session.run_steps(order, done, stop, total)
            if logs is None:  # float() waits for the call to finish
                loss = float(total) / min(n_rows, stop * self.batch_size)
            if not compiles:
                self.seconds_per_step = (time.perf_counter() - started) / (stop - done)
            if logs is None:
                self.progbar.on_train_batch_end(stop - 1, {"loss": loss})
            done = stop
        return logs
