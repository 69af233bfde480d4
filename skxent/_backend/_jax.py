"""JAX: one ``jax.jit``-compiled, stateless call per epoch.

The epoch takes the network's weights and the optimizer's state as
arguments and returns their new values, Keras's own stateless step inside
a ``lax.fori_loop`` over the minibatches: ``compute_loss_and_updates``
(the forward pass, the compiled loss and regularisation, loss scaling)
under ``jax.value_and_grad``, then ``optimizer.stateless_apply``.  Being a
pure function of its inputs it is compiled once per data shape and shared
by every fit, and every thread, of the same architecture and settings.
"""

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["Program", "inference_function", "model_fit_reason"]


def model_fit_reason():
    """Why training must go through ``Model.fit`` here, or None."""
    return None


def _values(variables):
    return [v.value for v in variables]


class Program:
    """A compiled stateless epoch for ``template``'s architecture."""

    exclusive = False

    def __init__(self, template, *, batch_size, validation, validation_batch):
        self.template = template
        self.batch_size = batch_size
        self.validation = validation
        self.validation_batch = validation_batch
        if not template.optimizer.built:
            template.optimizer.build(template.trainable_variables)
        self._metrics = _values(template.metrics_variables)
        self.run = jax.jit(self._epoch)

    def start(self, model, train, val):
        """A session training ``model`` on ``train`` (and ``val``) arrays."""
        return _Session(self, model, [jnp.asarray(a) for a in (*train, *(val or ()))])

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

    def _mean_val_loss(self, state, x, y, sample_weight):
        trainable, non_trainable, _ = state
        n_rows, total = x.shape[0], 0.0
        for start in range(0, n_rows, self.validation_batch):  # static shapes
            rows = slice(start, start + self.validation_batch)
            loss, _ = self.template.compute_loss_and_updates(
                trainable,
                non_trainable,
                self._metrics,
                x[rows],
                y[rows],
                sample_weight[rows],
                training=False,
            )
            total = total + loss * x[rows].shape[0]
        return total / n_rows

    def _epoch(self, state, order, x, y, sample_weight, *val):
        data = (x, y, sample_weight)
        size = self.batch_size
        n_rows = order.shape[0]
        n_full, rest = divmod(n_rows, size)

        def batch_step(rows, state, total):
            batch = [jnp.take(a, rows, axis=0) for a in data]
            state, loss = self._step(state, *batch)
            return state, total + loss * rows.shape[0]

        def body(i, carry):
            rows = jax.lax.dynamic_slice(order, (i * size,), (size,))
            return batch_step(rows, *carry)

        state, total = jax.lax.fori_loop(0, n_full, body, (state, 0.0))
        if rest:  # the last, smaller batch: its shape is static too
            state, total = batch_step(order[n_full * size :], state, total)
        logs = {"loss": total / n_rows}
        if self.validation:
            logs["val_loss"] = self._mean_val_loss(state, *val)
        return state, logs


class _Session:
    def __init__(self, program, model, arrays):
        self.program = program
        self.arrays = arrays
        self.state = (
            _values(model.trainable_variables),
            _values(model.non_trainable_variables),
            _values(model.optimizer.variables),
        )

    def run(self, order):
        self.state, logs = self.program.run(
            self.state, jnp.asarray(order, jnp.int32), *self.arrays
        )
        return {k: float(v) for k, v in logs.items()}

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


def inference_function(model):
    """A compiled ``X -> logits`` function over float32 batches.

    The weights are read once, when the function is made (after a fit or a
    load); JAX compiles once per batch shape.
    """
    trainable = _values(model.trainable_variables)
    non_trainable = _values(model.non_trainable_variables)

    @jax.jit
    def logits(trainable, non_trainable, x):
        return model.stateless_call(trainable, non_trainable, x, training=False)[0]

    def predict_logits(X):
        return np.asarray(logits(trainable, non_trainable, jnp.asarray(X)))

    return predict_logits
