"""JAX: a fit's arrays on the device, in the shapes its programs compile for.

XLA compiles a program per shape of its arguments, so a fit's rows are
padded (:func:`padded_rows`) where its network allows it: the training
rows to a whole number of minibatches, the validation rows to a multiple
of :data:`ROW_BUCKET`.  Folds of a cross-validation that differ by a few
rows then share one compilation, and an epoch is one step body looped
(no last, smaller batch of its own shape), which halves the compilation
of a fit over more than one batch.  The padding rows sit after the real
rows in every epoch's order, so they fill only the epoch's last
minibatch; they carry zero weight, and the program scales the real rows'
weights of a part-padded batch so that its loss is their mean, as an
unpadded batch's is (:func:`skxent._backend._jax._real_rows`).  Padding
copies X on the host, so an X over :data:`PAD_BYTES` goes as it is.
The data tuples end with the number of real rows, a 0-d array the
programs take as an argument.
"""

import dataclasses
import functools
import inspect

import jax
import jax.numpy as jnp
import numpy as np

from .. import _sparse
from .._one_call import run_chunks

__all__ = [
    "PAD",
    "PAD_BYTES",
    "ROW_BUCKET",
    "Session",
    "on_device",
    "padded_rows",
    "variable_values",
]

PAD = True
"""Whether fits that allow it pad their rows (False trains on the real rows
alone; the equivalence tests compare the two)."""

ROW_BUCKET = 32
"""Validation rows are padded to a multiple of this many (their batches, of
4096 rows or more, only evaluate the loss)."""

PAD_BYTES = 2**26
"""The largest X (64 MiB) padded: padding copies it, and a larger fit's own
compilation is small beside its training."""


def padded_rows(n_rows, batch_size, bucket):
    """``n_rows`` padded: the last batch rounded up to ``bucket`` rows' multiple.

    Examples
    --------
    >>> padded_rows(142, 200, 200), padded_rows(455, 200, 200)
    (200, 600)
    >>> padded_rows(142, 4096, 32), padded_rows(4097, 4096, 32)
    (160, 4128)
    """
    full, rest = divmod(n_rows, batch_size)
    if not rest:
        return n_rows
    return full * batch_size + min(batch_size, -(-rest // bucket) * bucket)


def variable_values(variables):
    """The arrays of Keras variables."""
    return [v.value for v in variables]


# device_put copies a NumPy array only when told to (it may alias it).
_COPY = {"may_alias": False}
if "may_alias" not in inspect.signature(jax.device_put).parameters:
    _COPY = None  # JAX releases before the argument: jnp.asarray


def on_device(a):
    """A copy of the host array ``a`` as a JAX array, compiling nothing.

    ``jnp.asarray`` of a NumPy array compiles a copy program for each new
    shape (about 10 ms apiece, eight of them in a fresh process's first fit).
    """
    if _COPY is None:
        return jnp.asarray(a)
    return jax.device_put(a, **_COPY)


def _pad(data, n_rows):
    """``(X, targets, weights)`` grown to ``n_rows``: zero rows of weight 0.

    The targets' padding repeats their last row, a valid target for every
    loss (and the loss index of a family's column).
    """
    X, targets, weights = data
    extra = n_rows - len(targets)
    if not extra:
        return data
    return (
        np.concatenate([X, np.zeros((extra, *X.shape[1:]), X.dtype)]),
        np.concatenate([targets, np.repeat(targets[-1:], extra, axis=0)]),
        np.concatenate([weights, np.zeros(extra, weights.dtype)]),
    )


def _arrays(data, batch_size, bucket):
    """``(X parts, targets, weights, n real rows)`` on the device, the X bound.

    The bound sizes the padded minibatch of a sparse X: under ``jax.jit``
    it must be a Python int, so it is a static argument of the epoch.  A
    dense X of at most :data:`PAD_BYTES` is padded to ``bucket`` (None:
    not padded).
    """
    if data is None:
        return (), None
    n_rows = len(data[1])
    X = data[0]
    if bucket and not _sparse.is_sparse(X) and X.nbytes <= PAD_BYTES:
        data = _pad(data, padded_rows(n_rows, batch_size, bucket))
    X, *rest = data
    parts = _sparse.feature_parts(X, batch_size)
    bound = int(parts[3]) if len(parts) == 4 else None
    arrays = tuple(on_device(a) for a in parts)
    n_rows = on_device(np.asarray(n_rows, np.int32))
    return (arrays, *(on_device(a) for a in rest), n_rows), bound


def _padded_orders(orders, n_rows):
    """Epoch orders (the last axis) followed by the padding rows' indices."""
    extra = n_rows - orders.shape[-1]
    if not extra:
        return orders
    tail = np.arange(orders.shape[-1], n_rows, dtype=np.int32)
    tail = np.broadcast_to(tail, (*orders.shape[:-1], extra))
    return np.concatenate([np.asarray(orders, np.int32), tail], axis=-1)


class Session:
    """A fit's state and arrays, trained by one :class:`~._jax.Program`."""

    def __init__(self, program, model, train, val):
        pad = PAD and program.rows_independent
        train, train_bound = _arrays(
            train, program.batch_size, pad and program.batch_size
        )
        val, val_bound = _arrays(val, program.validation_batch, pad and ROW_BUCKET)
        self.program = program
        self.data = (train, val, (train_bound, val_bound))
        self._rows = train[1].shape[0]  # the targets', padding included
        self.state = (
            variable_values(model.trainable_variables),
            variable_values(model.non_trainable_variables),
            variable_values(model.optimizer.variables),
        )
        self._order = (None, None)  # the host order last taken, on the device

    @functools.cached_property
    def shapes(self):
        """What XLA compiles for: the arrays' shapes and dtypes, the bounds."""
        train, val, bounds = self.data
        shapes = jax.tree_util.tree_map(lambda a: (a.shape, a.dtype.name), (train, val))
        return repr(shapes), bounds

    def compiled(self, sliced):
        """Whether the calls of an epoch (``run_steps`` if ``sliced``) are compiled."""
        return ("steps" if sliced else "run", self.shapes) in self.program.compiled

    def _on_device(self, order):
        return on_device(_padded_orders(order, self._rows))

    def _device_order(self, order):
        if self._order[0] is not order:
            self._order = (order, self._on_device(order))
        return self._order[1]

    def run(self, order):
        train, val, bounds = self.data
        self.state, logs = self.program.run(
            self.state, self._on_device(order), train, val, bounds
        )
        self.program.compiled.add(("run", self.shapes))
        return {k: float(v) for k, v in logs.items()}

    def run_steps(self, order, start, stop, total):
        """Steps ``start`` to ``stop`` of ``run(order)``: ``(total, logs)``."""
        train, val, bounds = self.data
        self.state, total, logs = self.program.steps(
            self.state,
            self._device_order(order),
            jnp.int32(start),
            jnp.int32(stop),
            jnp.float32(0.0) if total is None else total,
            train,
            val,
            bounds,
        )
        self.program.compiled.add(("steps", self.shapes))
        if stop * self.program.batch_size < len(order):
            return total, None
        return total, {k: float(v) for k, v in logs.items()}

    def run_fit(self, chunks, rule):
        """Train through ``chunks`` of epoch orders, one call each (a FitResult)."""
        train, val, bounds = self.data
        # The patience is an argument: one compilation serves them all.
        static_rule = dataclasses.replace(rule, patience=0)

        def call(orders, n_epochs, best, count, kept):
            self.state, out = self.program.fit(
                self.state,
                kept,
                jnp.float32(best),
                jnp.int32(count),
                self._on_device(orders),
                jnp.int32(n_epochs),
                jnp.int32(rule.patience),
                train,
                val,
                bounds=bounds,
                rule=static_rule,
            )
            return out

        kept = self.program.weights(self.state) if rule.restore_best else []
        return run_chunks(chunks, rule, call, kept)

    def sync_learning_rate(self, model):
        optimizer = model.optimizer
        index = next(
            (
                i
                for i, v in enumerate(optimizer.variables)
                if v is optimizer._learning_rate
            ),
            None,
        )
        if index is not None:
            trainable, non_trainable, optimizer_variables = self.state
            optimizer_variables = list(optimizer_variables)
            optimizer_variables[index] = optimizer._learning_rate.value
            self.state = (trainable, non_trainable, optimizer_variables)

    def store(self, model):
        trainable, non_trainable, optimizer_variables = self.state
        for variables, values in (
            (model.trainable_variables, trainable),
            (model.non_trainable_variables, non_trainable),
            (model.optimizer.variables, optimizer_variables),
        ):
            for variable, value in zip(variables, values, strict=True):
                variable.assign(value)
