"""Training: a compiled epoch program where the backend has one, else ``Model.fit``.

On small tabular data nearly all of ``Model.fit``'s time is per-step
overhead (its data adapter, iterator and per-batch callback calls), not
arithmetic.  Each backend (:mod:`skxent._backend`) offers instead a
``Program``: one compiled call per epoch over in-memory arrays, shared by
every fit of the same configuration (:mod:`skxent._programs`).

Every path visits the rows in the same order: epoch ``e`` of a fit seeded
with ``seed`` takes the permutation ``default_rng([seed, e])`` draws, on
every backend.  Keras callbacks run at epoch granularity; a fit with no
callback but skxent's own stopping rule, and no progress output, runs all
its epochs in one compiled call instead (:mod:`skxent._one_call`); with
``verbose=1`` each epoch runs in slices, for a progress bar that moves
(:mod:`skxent._progress`).  What a program cannot serve (a callback with
per-batch hooks, routed ``fit__*`` or ``compile__*`` parameters, a backend
without a program) goes to ``Model.fit``, fed the very same batches.
"""

import itertools

import numpy as np

from . import _one_call, _progress, _sparse
from ._backend import backend, backend_name
from ._keras import import_keras
from ._keras_losses import loss_as_data
from ._programs import PROGRAMS, program_key, template, with_column

keras = import_keras()  # quietly, whichever skxent module is first

__all__ = ["PROGRAMS", "PlateauStop", "epoch_order", "train"]

# Validation data goes through the network in batches of at least this many
# rows: the validation loss does not depend on the batching, the speed does.
VALIDATION_BATCH = 4096

_BATCH_HOOKS = (
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
)


def _needs_batch_hooks(callback):
    """Whether ``callback`` does anything between the epochs' ends."""
    if (
        isinstance(callback, keras.callbacks.ModelCheckpoint)
        and callback.save_freq == "epoch"
    ):
        return False  # its per-batch hook only saves for an integer save_freq
    base = keras.callbacks.Callback
    return any(
        name in vars(callback)  # e.g. LambdaCallback(on_train_batch_end=...)
        or getattr(type(callback), name) is not getattr(base, name)
        for name in _BATCH_HOOKS
    )


def model_fit_reason(callbacks, fit_params, compile_params):
    """Why training must go through ``keras.Model.fit``, or None."""
    if fit_params:
        return f"routed fit__{next(iter(fit_params))}"
    if compile_params:
        return f"routed compile__{next(iter(compile_params))}"
    for callback in callbacks:
        if _needs_batch_hooks(callback):
            return f"{type(callback).__name__} has per-batch hooks"
    return backend().model_fit_reason()


def epoch_order(n_rows, seed, epoch, shuffle=True):
    """The order in which epoch ``epoch`` of a fit seeded ``seed`` visits rows.

    Examples
    --------
    >>> epoch_order(5, seed=0, epoch=0).tolist() == epoch_order(5, 0, 0).tolist()
    True
    >>> epoch_order(5, seed=0, epoch=0, shuffle=False).tolist()
    [0, 1, 2, 3, 4]
    """
    if not shuffle:
        return np.arange(n_rows, dtype=np.int32)
    return np.random.default_rng([seed, epoch]).permutation(n_rows).astype(np.int32)


class PlateauStop(keras.callbacks.Callback):
    """MLPClassifier's stopping rule, as an epoch-level Keras callback.

    Counts the epochs in which ``monitor`` fails to improve on the best
    value so far by more than ``tol``, and stops training once that count
    exceeds ``patience`` (``n_iter_no_change``).  With ``restore_best`` the
    weights of the best epoch are put back when training ends.

    :func:`skxent._one_call.plateau_step` is this rule in graph ops, for
    fits run in one compiled call: the two are a pair, changed together.
    """

    def __init__(self, monitor, tol, patience, restore_best):
        super().__init__()
        self.monitor = monitor
        self.tol = tol
        self.patience = patience
        self.restore_best = restore_best

    def on_train_begin(self, logs=None):
        self.best = float("inf")
        self.no_improvement = 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        loss = logs[self.monitor]
        # Written so that a NaN loss counts as no improvement.
        improved = loss <= self.best - self.tol
        self.no_improvement = 0 if improved else self.no_improvement + 1
        if loss < self.best:
            self.best = loss
            if self.restore_best:
                self.best_weights = self.model.get_weights()
        if self.no_improvement > self.patience:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def train(model, plan, *, callbacks, verbose, fit_params, compile_params):
    """Train ``model`` as ``plan`` (a :class:`~skxent._plan.FitPlan`) says.

    Returns this call's history dict.  ``callbacks`` are fresh Keras
    callbacks for this fit (the plan's stopping rule is added here);
    ``fit_params`` and ``compile_params`` are the routed ``fit__*`` and
    ``compile__*`` parameters.  Epochs are numbered from
    ``plan.first_epoch`` for shuffling, so that ``warm_start`` and
    ``partial_fit`` continue the sequence of a fit instead of repeating it.
    """
    data = (plan.X, plan.targets, plan.weights)
    train_data = (
        data if plan.val_rows is None else tuple(a[plan.train_rows] for a in data)
    )
    val_data = None if plan.val_rows is None else tuple(a[plan.val_rows] for a in data)
    n_rows = train_data[0].shape[0]
    batch_size, epochs = plan.batch_size, plan.epochs
    callbacks = list(callbacks)
    if plan.stopping is not None:
        callbacks.append(PlateauStop(**vars(plan.stopping)))

    def order(epoch):
        return epoch_order(
            n_rows, plan.shuffle_seed, plan.first_epoch + epoch, plan.shuffle
        )

    if model_fit_reason(callbacks, fit_params, compile_params) is not None:
        return _fit_with_keras(
            model, train_data, val_data, order, epochs, batch_size, verbose,
            callbacks, fit_params,
        )  # fmt: skip

    program_class = backend()
    # A program loads the optimizer's state from the model (or trains the
    # model itself, for a network whose programs are not shared); the
    # shared programs' templates are built with theirs (_programs.template).
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    settings = {
        "batch_size": batch_size,
        "validation": val_data is not None,
        "validation_batch": max(batch_size, VALIDATION_BATCH),
    }
    key, loss = None, model.loss
    if program_class.shareable:
        # A loss of a family may train in the family's program, its index as data.
        family = loss_as_data(model.loss) if program_class.loss_as_data else None
        if family is not None:
            loss, index = family
            train_data, val_data = (
                with_column(d, index) for d in (train_data, val_data)
            )
        key = program_key(model, loss, batch_size, val_data is not None)

    def build():
        return program_class(
            model if key is None else template(model, loss), **settings
        )

    # -- the whole fit in one compiled call, when nothing needs the epochs'
    # ends on the host (see skxent._one_call; PlateauStop is mirrored there).
    rule = _one_call.stop_rule(callbacks, verbose, PlateauStop)
    if rule is not None and program_class.one_call:
        with PROGRAMS.checkout(key, build) as program:
            session = program.start(model, train_data, val_data)
            return _one_call.fit_in_one_call(
                session, model, order, epochs, n_rows, rule, callbacks
            )

    # Callbacks that may read the weights or set the learning rate between
    # epochs get the program's state each epoch; otherwise once, at the end.
    sync = any(not isinstance(cb, PlateauStop) or cb.restore_best for cb in callbacks)
    callbacks = keras.callbacks.CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        verbose=verbose,
        epochs=epochs,
        steps=-(-n_rows // batch_size),
        model=model,
    )
    with PROGRAMS.checkout(key, build) as program:
        session = program.start(model, train_data, val_data)
        # With verbose=1, epochs in slices: the progress bar moves within them.
        run_epoch = _progress.epoch_runner(session, verbose, batch_size, callbacks)
        model.stop_training = False
        callbacks.on_train_begin()
        logs = None
        for epoch in range(epochs):
            callbacks.on_epoch_begin(epoch)
            if verbose and epoch == 0:
                _progress.announce_compiling(session, verbose == 1, backend_name())
            if sync:
                session.sync_learning_rate(model)
            logs = run_epoch(order(epoch))
            if sync:
                session.store(model)
            callbacks.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        if not sync:
            session.store(model)
    model.optimizer.finalize_variable_values(model.trainable_weights)
    callbacks.on_train_end(logs)
    return model.history.history


def _fit_with_keras(
    model, train_data, val_data, order, epochs, batch_size, verbose, callbacks,
    fit_params,
):  # fmt: skip
    """``Model.fit`` on the batches a program would have taken."""
    to_tensor = backend().sparse_tensor if model.inputs[0].sparse else None

    def batch(data, rows):
        X, *rest = (a[rows] for a in data)
        if _sparse.is_sparse(X):
            X = X.toarray() if to_tensor is None else to_tensor(X)
        return X, *rest

    def batches(data, size, orders):
        for rows in orders:
            for start in range(0, len(rows), size):
                yield batch(data, rows[start : start + size])

    def steps(data, size):
        return -(-data[0].shape[0] // size)

    validation = {}
    if val_data is not None:
        size = max(batch_size, VALIDATION_BATCH)
        rows = np.arange(val_data[0].shape[0])
        validation = {
            "validation_data": batches(val_data, size, itertools.repeat(rows)),
            "validation_steps": steps(val_data, size),
        }
    history = model.fit(
        batches(train_data, batch_size, map(order, range(epochs))),
        steps_per_epoch=steps(train_data, batch_size),
        epochs=epochs,
        verbose=verbose,
        callbacks=callbacks,
        shuffle=False,  # the batches are shuffled, seeded, already
        **validation,
        **fit_params,
    )
    return history.history
