"""JAX: one ``jax.jit``-compiled, stateless call per epoch (or per fit).

The epoch takes the network's weights and the optimizer's state as
arguments and returns their new values, Keras's own stateless step inside
a ``lax.fori_loop`` over the minibatches: ``compute_loss_and_updates``
(the forward pass, the compiled loss and regularisation, loss scaling)
under ``jax.value_and_grad``, then ``optimizer.stateless_apply``.  Being a
pure function of its inputs it is compiled once per data shape and shared
by every fit, and every thread, of the same architecture and settings; a
fit's rows are padded to a bucket, so that folds that differ by a few rows
share a data shape (:mod:`._jax_session`).
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import sparse as jax_sparse

from .. import _sparse
from .._model import dense_stack
from .._one_call import plateau_step
from . import _base
from ._jax_session import Session, variable_values

__all__ = ["Program"]


try:
    _enable_x64 = jax.enable_x64
except AttributeError:  # JAX releases before the top-level name
    from jax.experimental import enable_x64 as _enable_x64


def _real_rows(weights, start, n_real):
    """A batch's weights, for a loss that averages over its real rows.

    The batch is the rows at ``start`` onwards of an epoch's order, those
    from ``n_real`` on padding (weight 0, :mod:`._jax_session`).  Keras's
    loss divides a batch's weighted sum by the batch's length, so the
    real rows' weights are scaled by length / real rows (by exactly 1 in
    a batch without padding).  Returns the weights and the real rows, as
    floats.
    """
    size = weights.shape[0]
    real = jnp.clip(n_real - start, 1, size).astype(weights.dtype)
    return weights * (size / real), real


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
        self._metrics = variable_values(template.metrics_variables)
        # Each row's loss depends on that row alone (a plain Dense stack, no
        # batch statistics): its fits' rows may be padded (._jax_session).
        self.rows_independent = dense_stack(template) is not None
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
        trainable = variable_values(model.trainable_variables)
        non_trainable = variable_values(model.non_trainable_variables)

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
        return Session(self, model, train, val)

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
        parts, y, sample_weight, n_real = val
        n_rows, total = y.shape[0], 0.0
        for start in range(0, n_rows, self.validation_batch):  # static shapes
            rows = jnp.arange(start, min(n_rows, start + self.validation_batch))
            weights, real = _real_rows(sample_weight[rows], start, n_real)
            loss, _ = self.template.compute_loss_and_updates(
                trainable,
                non_trainable,
                self._metrics,
                self._features(parts, rows, bound),
                y[rows],
                weights,
                training=False,
            )
            total = total + loss * real
        return total / n_real.astype(total.dtype)

    def _batch_step(self, train, bounds, start, rows, state, total):
        """One training step on the batch ``rows``, at ``start`` in the order.

        Returns the new state and ``total`` plus the batch's loss times its
        real rows.
        """
        parts, targets, weights, n_real = train
        x = self._features(parts, rows, bounds[0])
        weights, real = _real_rows(jnp.take(weights, rows, axis=0), start, n_real)
        state, loss = self._step(state, x, jnp.take(targets, rows, axis=0), weights)
        return state, total + loss * real

    def _batches(self, n_rows):
        """``(size, n_full, remainder)``: static, a batch of all rows at most."""
        size = min(self.batch_size, n_rows)
        return size, *divmod(n_rows, size)

    def _minibatches(self, state, order, first, stop, total, train, bounds):
        """The full minibatches ``first`` to ``stop`` of the epoch ``order``."""
        size = self._batches(order.shape[0])[0]

        def body(i, carry):
            rows = jax.lax.dynamic_slice(order, (i * size,), (size,))
            return self._batch_step(train, bounds, i * size, rows, *carry)

        return jax.lax.fori_loop(first, stop, body, (state, total))

    def _epoch_end(self, state, total, order, train, val, bounds):
        """The last, smaller batch (its shape is static too), then the logs."""
        size, n_full, remainder = self._batches(order.shape[0])
        if remainder:
            start = n_full * size
            rows = order[start:]
            state, total = self._batch_step(train, bounds, start, rows, state, total)
        logs = {"loss": total / train[-1].astype(total.dtype)}
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
