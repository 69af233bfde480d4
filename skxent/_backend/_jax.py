"""JAX: one ``jax.jit``-compiled, stateless call per epoch.

The epoch takes the network's weights and the optimizer's state as
arguments and returns their new values, Keras's own stateless step inside
a ``lax.fori_loop`` over the minibatches: ``compute_loss_and_updates``
(the forward pass, the compiled loss and regularisation, loss scaling)
under ``jax.value_and_grad``, then ``optimizer.stateless_apply``.  Being a
pure function of its inputs it is compiled once per data shape and shared
by every fit, and every thread, of the same architecture and settings.
"""

import dataclasses
import functools
import inspect

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import sparse as jax_sparse

from .. import _sparse
from .._one_call import plateau_step, run_chunks
from . import _base

__all__ = ["Program"]


def _arrays(data, batch_size):
    """``(X parts, targets, weights)`` and the X entries bound, or None.

    The bound sizes the padded minibatch of a sparse X: under ``jax.jit``
    it must be a Python int, so it is a static argument of the epoch.
    """
    if data is None:
        return (), None
    X, *rest = data
    parts = _sparse.feature_parts(X, batch_size)
    bound = int(parts[3]) if len(parts) == 4 else None
    arrays = tuple(_on_device(a) for a in parts)
    return (arrays, *(_on_device(a) for a in rest)), bound


# device_put copies a NumPy array only when told to (it may alias it).
_COPY = {"may_alias": False}
if "may_alias" not in inspect.signature(jax.device_put).parameters:
    _COPY = None  # JAX releases before the argument: jnp.asarray


def _on_device(a):
    """A copy of the host array ``a`` as a JAX array, compiling nothing.

    ``jnp.asarray`` of a NumPy array compiles a copy program for each new
    shape (about 10 ms apiece, eight of them in a fresh process's first fit).
    """
    if _COPY is None:
        return jnp.asarray(a)
    return jax.device_put(a, **_COPY)


try:
    _enable_x64 = jax.enable_x64
except AttributeError:  # JAX releases before the top-level name
    from jax.experimental import enable_x64 as _enable_x64


def _values(variables):
    return [v.value for v in variables]


class Program(_base.Program):
    """A compiled stateless epoch for ``template``'s architecture."""

    exclusive = False
    sparse_input = True  # Keras's layers take a BCOO
    one_call = True  # sessions have run_fit
    loss_as_data = True  # one XLA compilation per loss family (lax.switch)

    @staticmethod
    def stop_step(loss, best, count, tol):
        """:func:`skxent._one_call.plateau_step` in JAX ops.

        float64 for the rule only (``enable_x64`` while it is traced): the
        training step keeps its dtypes.
        """
        with _enable_x64(True):
            return plateau_step(
                loss,
                best,
                count,
                tol=tol,
                where=jnp.where,
                to64=lambda t: t.astype(jnp.float64),
            )

    def __init__(self, template, **settings):
        super().__init__(template, **settings)
        self._metrics = _values(template.metrics_variables)
        self._n_features = template.input_shape[-1]
        self._as_sparse = self.sparse_batch if template.inputs[0].sparse else None
        self.run = jax.jit(self._epoch, static_argnums=(4,))
        self.steps = jax.jit(self._steps, static_argnums=(7,))
        self.compiled = set()  # (function, data shapes) run at least once
        self.fit = jax.jit(self._fit, static_argnames=("bounds", "rule"))
        # Where each of model.weights sits in (trainable, non_trainable).
        lists = (template.trainable_variables, template.non_trainable_variables)
        where = {id(v): (i, j) for i, vs in enumerate(lists) for j, v in enumerate(vs)}
        self._weights = [where[id(w)] for w in template.weights]

    @staticmethod
    def sparse_tensor(csr):
        return jax_sparse.BCOO.from_scipy_sparse(csr)

    @staticmethod
    def sparse_batch(batch_rows, columns, values, n_rows, n_features):
        """A ``BCOO`` of the batch's entries, padding included.

        The padding (zeros at ``(0, 0)``, which BCOO sums away) keeps the
        static size ``jax.jit`` needs.
        """
        coordinates = jnp.stack([batch_rows, columns], axis=1)
        return jax_sparse.BCOO((values, coordinates), shape=(n_rows, n_features))

    @classmethod
    def compile_logits(cls, model):
        """Weights read once, when the function is made; compiled per batch shape."""
        trainable = _values(model.trainable_variables)
        non_trainable = _values(model.non_trainable_variables)

        @jax.jit
        def logits(trainable, non_trainable, x):
            return model.stateless_call(trainable, non_trainable, x, training=False)[0]

        def predict_logits(x):
            if not isinstance(x, jax_sparse.BCOO):
                x = jnp.asarray(x)
            return np.asarray(logits(trainable, non_trainable, x))

        return predict_logits

    def start(self, model, train, val):
        """A session training ``model`` on ``train`` (and ``val``) arrays."""
        train, train_bound = _arrays(train, self.batch_size)
        val, val_bound = _arrays(val, self.validation_batch)
        return _Session(self, model, train, val, (train_bound, val_bound))

    def _features(self, parts, rows, bound):
        return _sparse.batch_features(
            parts, rows, self._n_features, self._as_sparse, bound
        )

    def _step(self, state, x, y, sample_weight):
        trainable, non_trainable, optimizer_variables = state
        (_, aux), grads = jax.value_and_grad(
            self.template.compute_loss_and_updates, has_aux=True
        )(
            trainable,
            non_trainable,
            self._metrics,
            x,
            y,
            sample_weight,
            training=True,
            optimizer_variables=optimizer_variables,
        )
        loss, _, non_trainable, _ = aux
        trainable, optimizer_variables = self.template.optimizer.stateless_apply(
            optimizer_variables, grads, trainable
        )
        return (trainable, non_trainable, optimizer_variables), loss

    def _mean_val_loss(self, state, val, bound):
        trainable, non_trainable, _ = state
        parts, y, sample_weight = val
        n_rows, total = y.shape[0], 0.0
        for start in range(0, n_rows, self.validation_batch):  # static shapes
            rows = jnp.arange(start, min(n_rows, start + self.validation_batch))
            loss, _ = self.template.compute_loss_and_updates(
                trainable,
                non_trainable,
                self._metrics,
                self._features(parts, rows, bound),
                y[rows],
                sample_weight[rows],
                training=False,
            )
            total = total + loss * rows.shape[0]
        return total / n_rows

    def _batch_step(self, train, bounds, rows, state, total):
        """One training step on ``rows``; ``total`` plus its loss times its size."""
        parts, *rest = train
        x = self._features(parts, rows, bounds[0])
        batch = [x, *(jnp.take(a, rows, axis=0) for a in rest)]
        state, loss = self._step(state, *batch)
        return state, total + loss * rows.shape[0]

    def _batches(self, n_rows):
        """``(size, n_full, remainder)``: static, a batch of all rows at most."""
        size = min(self.batch_size, n_rows)
        return size, *divmod(n_rows, size)

    def _minibatches(self, state, order, first, stop, total, train, bounds):
        """The full minibatches ``first`` to ``stop`` of the epoch ``order``."""
        size = self._batches(order.shape[0])[0]

        def body(i, carry):
            rows = jax.lax.dynamic_slice(order, (i * size,), (size,))
            return self._batch_step(train, bounds, rows, *carry)

        return jax.lax.fori_loop(first, stop, body, (state, total))

    def _epoch_end(self, state, total, order, train, val, bounds):
        """The last, smaller batch (its shape is static too), then the logs."""
        n_rows = order.shape[0]
        size, n_full, remainder = self._batches(n_rows)
        if remainder:
            rows = order[n_full * size :]
            state, total = self._batch_step(train, bounds, rows, state, total)
        logs = {"loss": total / n_rows}
        if self.validation:
            logs["val_loss"] = self._mean_val_loss(state, val, bounds[1])
        return state, total, logs

    def _epoch(self, state, order, train, val, bounds):
        n_full = self._batches(order.shape[0])[1]
        state, total = self._minibatches(state, order, 0, n_full, 0.0, train, bounds)
        state, _, logs = self._epoch_end(state, total, order, train, val, bounds)
        return state, logs

    def _steps(self, state, order, first, stop, total, train, val, bounds):
        """Steps ``first`` to ``stop`` of ``_epoch``, the same ops in the same order.

        One compilation serves every slice of an epoch (the bounds are
        arguments); the epoch's end comes under a ``lax.cond`` (zeros as
        the logs before it).
        """
        _, n_full, remainder = self._batches(order.shape[0])
        state, total = self._minibatches(
            state, order, first, jnp.minimum(stop, n_full), total, train, bounds
        )

        def end(state, total):
            return self._epoch_end(state, total, order, train, val, bounds)

        def under_way(state, total):
            logs = jax.eval_shape(end, state, total)[2]
            return state, total, {k: jnp.zeros((), v.dtype) for k, v in logs.items()}

        ended = stop == n_full + (remainder > 0)
        return jax.lax.cond(ended, end, under_way, state, total)

    # -- the whole fit in one call (see skxent._one_call) ---------------------

    def weights(self, state):
        """``model.weights``'s values in ``state``."""
        return [state[i][j] for i, j in self._weights]

    def _fit(self, state, kept, best, count, orders, n_epochs, patience, train, val,
             *, bounds, rule):  # fmt: skip
        """Epochs until ``n_epochs`` or the stopping rule, in one program."""
        keys = ("loss", "val_loss") if self.validation else ("loss",)
        buffers = {k: jnp.zeros(orders.shape[:1], jnp.float32) for k in keys}

        def cond(carry):
            epoch, stopped = carry[:2]
            return (epoch < n_epochs) & ~stopped

        def body(carry):
            epoch, _, state, kept, best, count, buffers = carry
            order = jax.lax.dynamic_index_in_dim(orders, epoch, keepdims=False)
            state, logs = self._epoch(state, order, train, val, bounds)
            best, count, save = self.stop_step(
                logs[rule.monitor], best, count, rule.tol
            )
            if rule.restore_best:
                kept = [
                    jnp.where(save, w, k)
                    for w, k in zip(self.weights(state), kept, strict=True)
                ]
            buffers = {k: b.at[epoch].set(logs[k]) for k, b in buffers.items()}
            return epoch + 1, count > patience, state, kept, best, count, buffers

        carry = (jnp.int32(0), jnp.bool_(False), state, kept, best, count, buffers)
        epoch, stopped, state, kept, best, count, buffers = jax.lax.while_loop(
            cond, body, carry
        )
        return state, {
            "n_epochs": epoch,
            "stopped": stopped,
            "best": best,
            "count": count,
            "kept": kept,
            "history": buffers,
        }


class _Session:
    def __init__(self, program, model, train, val, bounds):
        self.program = program
        self.data = (train, val, bounds)
        self.state = (
            _values(model.trainable_variables),
            _values(model.non_trainable_variables),
            _values(model.optimizer.variables),
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

    def _device_order(self, order):
        if self._order[0] is not order:
            self._order = (order, _on_device(np.asarray(order, np.int32)))
        return self._order[1]

    def run(self, order):
        train, val, bounds = self.data
        self.state, logs = self.program.run(
            self.state, _on_device(np.asarray(order, np.int32)), train, val, bounds
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
                _on_device(orders),
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
