"""Training: a compiled loop with one call per epoch, or ``keras.Model.fit``.

On small tabular data nearly all of ``Model.fit``'s time is per-step
overhead (its data adapter, iterator and per-batch callback calls), not
arithmetic.  :class:`EpochLoop` runs each epoch as one ``tf.function``
call over in-memory tensors: it gathers the rows of each minibatch from a
seeded permutation and takes the step ``Model.train_step`` takes (the
compiled loss plus the model's regularisation losses, the optimizer's loss
scaling and update), then computes the validation loss.  Keras callbacks
run at epoch granularity.

What the loop cannot serve — a callback with per-batch hooks, routed
``fit__*`` or ``compile__*`` parameters (metrics among them), a
distribution strategy — goes to
``Model.fit``, fed the very same batches, so the choice of path never
changes the model.
"""

import contextlib

import keras
import tensorflow as tf

from . import _sparse
from ._compat import single_threaded_executor

__all__ = ["PlateauStop", "train"]

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
    if tf.distribute.has_strategy():
        return "a tf.distribute strategy is in scope"
    return None


class PlateauStop(keras.callbacks.Callback):
    """MLPClassifier's stopping rule, as an epoch-level Keras callback.

    Counts the epochs in which ``monitor`` fails to improve on the best
    value so far by more than ``tol``, and stops training once that count
    exceeds ``patience`` (``n_iter_no_change``).  With ``restore_best`` the
    weights of the best epoch are put back when training ends.
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


class Batches:
    """Seeded minibatches of in-memory tensors, epoch by epoch.

    Epoch ``e`` visits the rows in the order of a stateless shuffle seeded
    with ``(seed, e)``: reproducible without any global seed, and the same
    whether read by :class:`EpochLoop` or as a ``tf.data`` dataset.

    A scipy sparse ``X`` (the first array, a CSR from
    :func:`skxent._sparse.as_csr`) stays sparse: each minibatch is gathered
    from its CSR arrays, as a ``tf.SparseTensor`` when ``sparse_input``
    (the network takes sparse input) and as a dense batch otherwise.
    """

    def __init__(self, arrays, *, batch_size, shuffle, seed, sparse_input=False):
        X, *rest = arrays
        self.n_rows = X.shape[0]
        self.batch_size = min(batch_size, self.n_rows)
        # -- sparse glue: the features are gathered from CSR tensors.
        if _sparse.is_sparse(X):
            self.features = _sparse.CSRBatches(X, self.batch_size, sparse_input)
        else:
            features = tf.constant(X)
            self.features = lambda rows: tf.gather(features, rows)
        self.tensors = tuple(tf.constant(a) for a in rest)
        self.n_batches = -(-self.n_rows // self.batch_size)
        self.shuffle = shuffle
        self.seed = tf.constant(seed, tf.int64)

    def order(self, epoch):
        rows = tf.range(self.n_rows)
        if not self.shuffle:
            return rows
        seed = tf.stack([self.seed, tf.cast(epoch, tf.int64)])
        return tf.random.experimental.stateless_shuffle(rows, seed=seed)

    def gather(self, rows):
        return (self.features(rows), *(tf.gather(t, rows) for t in self.tensors))

    def batch(self, order, i):
        return self.gather(order[i * self.batch_size : (i + 1) * self.batch_size])

    def dataset(self, first_epoch, epochs):
        """The same batches as a ``tf.data`` dataset, for ``Model.fit``."""
        epoch_ids = tf.data.Dataset.range(first_epoch, first_epoch + epochs)
        batches = epoch_ids.flat_map(
            lambda e: tf.data.Dataset.from_tensor_slices(self.order(e)).batch(
                self.batch_size
            )
        ).map(self.gather)
        # A known length, or Keras warns that the data "ran out".
        cardinality = tf.data.experimental.assert_cardinality(epochs * self.n_batches)
        return batches.apply(cardinality)


def _plain_adam_update(optimizer, variables):
    """Keras's Adam update as one fused kernel per variable, or None.

    ``Adam.update_step`` is some fifteen small ops per variable; on a small
    network their dispatch is most of a training step.  TensorFlow's
    ``ResourceApplyAdam`` computes the same update (same formula, on
    Keras's own slot variables and step counter) in one op.  Anything but
    a plain float32 Adam (AMSGrad, clipping, weight decay, EMA, gradient
    accumulation, loss scaling) keeps Keras's own ``apply``.
    """
    config = optimizer.get_config()
    extras = (
        "amsgrad",
        "weight_decay",
        "clipnorm",
        "clipvalue",
        "global_clipnorm",
        "use_ema",
        "loss_scale_factor",
        "gradient_accumulation_steps",
    )
    if (
        type(optimizer) is not keras.optimizers.Adam
        or any(config.get(key) for key in extras)
        or any(v.dtype != "float32" for v in variables)
        or not hasattr(optimizer, "_momentums")
    ):
        return None
    slots = [
        (
            optimizer._momentums[optimizer._get_variable_index(v)],
            optimizer._velocities[optimizer._get_variable_index(v)],
        )
        for v in variables
    ]

    def update(gradients):
        step = tf.cast(optimizer.iterations + 1, tf.float32)
        beta_1 = tf.constant(optimizer.beta_1, tf.float32)
        beta_2 = tf.constant(optimizer.beta_2, tf.float32)
        learning_rate = tf.cast(optimizer.learning_rate, tf.float32)
        for variable, (m, v), gradient in zip(variables, slots, gradients, strict=True):
            if gradient is None:  # a weight the loss does not depend on
                continue
            tf.raw_ops.ResourceApplyAdam(
                var=variable.value.handle,
                m=m.value.handle,
                v=v.value.handle,
                beta1_power=tf.pow(beta_1, step),
                beta2_power=tf.pow(beta_2, step),
                lr=learning_rate,
                beta1=beta_1,
                beta2=beta_2,
                epsilon=tf.constant(optimizer.epsilon, tf.float32),
                grad=tf.convert_to_tensor(gradient),
            )
        optimizer.iterations.assign_add(1)

    return update


# Ops that run a nested function.  TensorFlow's single-threaded executor
# deadlocks when two threads run graphs holding them at once (Keras's hinge
# losses hold a StatelessIf: ``ops.cond`` on the labels); such graphs run on
# the default executor.  Our own ``While`` is safe and measured so.
_NESTED_CALL_OPS = frozenset(
    {"If", "StatelessIf", "Case", "StatelessCase", "PartitionedCall"}
    | {"StatefulPartitionedCall"}
)


def runs_nested_functions(concrete_function):
    """Whether a traced function holds ops that call nested functions."""
    graph_def = concrete_function.graph.as_graph_def()
    ops = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        ops.update(node.op for node in function.node_def)
    return not ops.isdisjoint(_NESTED_CALL_OPS)


class EpochLoop:
    """One compiled call per epoch: training steps, then validation.

    A step is ``Model.train_step`` without the metric trackers (routed
    ``compile__metrics`` go to ``Model.fit``): the compiled loss plus the
    model's regularisation losses, the optimizer's loss scaling, and the
    epoch's loss as the batch-size-weighted mean of the batch losses, as
    Keras reports it.
    """

    def __init__(self, model, train, val):
        self.model = model
        self.train = train
        self.val = val
        if not model.optimizer.built:  # built already when training goes on
            model.optimizer.build(model.trainable_variables)
        self.update = _plain_adam_update(model.optimizer, model.trainable_variables)
        # Graph code (tf.while_loop) needs no autograph, and Keras's own
        # train function does not convert the step either; skipping the
        # conversion took a quarter off a one-epoch tutorial fit, which is
        # mostly tracing.  Traced once, here, and called as a concrete
        # function: through the tf.function TensorFlow would count one trace
        # per fit against the same Python code and warn of "retracing".
        self.run = tf.function(self._epoch, autograph=False).get_concrete_function(
            tf.TensorSpec([], tf.int64)
        )
        self.single_threaded = not runs_nested_functions(self.run)

    def executor(self):
        """The executor to run on: single-threaded when that cannot deadlock."""
        if self.single_threaded:
            return single_threaded_executor()
        return contextlib.nullcontext()

    def _loss(self, batch, training):
        x, y, sample_weight = batch
        y_pred = self.model(x, training=training)
        return self.model.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training
        )

    def _train_step(self, batch):
        model = self.model
        with tf.GradientTape() as tape:
            loss = self._loss(batch, training=True)
            scaled = model.optimizer.scale_loss(loss)
        variables = model.trainable_variables
        gradients = tape.gradient(scaled, variables)
        if self.update is not None:
            self.update(gradients)
        else:
            model.optimizer.apply(gradients, variables)
        return loss

    def _mean_loss(self, batches, order, step):
        def body(i, total):
            batch = batches.batch(order, i)
            size = tf.cast(tf.shape(batch[1])[0], tf.float32)  # y: never sparse
            return i + 1, total + step(batch) * size

        _, total = tf.while_loop(
            lambda i, total: i < batches.n_batches,
            body,
            (tf.constant(0), tf.constant(0.0)),
        )
        return total / batches.n_rows

    def _epoch(self, epoch):
        logs = {
            "loss": self._mean_loss(
                self.train, self.train.order(epoch), self._train_step
            )
        }
        if self.val is not None:
            logs["val_loss"] = self._mean_loss(
                self.val,
                self.val.order(epoch),
                lambda batch: self._loss(batch, training=False),
            )
        return logs


def train(
    model,
    X,
    targets,
    weights,
    *,
    train,
    val,
    epochs,
    first_epoch,
    batch_size,
    shuffle,
    seed,
    verbose,
    callbacks,
    fit_params,
    compile_params,
):
    """Train ``model`` for ``epochs`` epochs; return the history dict.

    ``train`` and ``val`` are row indices (``val`` may be None).  Epochs are
    numbered from ``first_epoch`` for shuffling, so that ``warm_start`` and
    ``partial_fit`` continue the sequence of a fit instead of repeating it.
    """
    data = (X, targets, weights)
    sparse_input = bool(model.inputs[0].sparse)  # sparse glue
    batches = Batches(
        data if val is None else tuple(a[train] for a in data),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        sparse_input=sparse_input,
    )
    val_batches = None
    if val is not None:
        val_batches = Batches(
            tuple(a[val] for a in data),
            batch_size=max(batch_size, VALIDATION_BATCH),
            shuffle=False,
            seed=seed,
            sparse_input=sparse_input,
        )
    if model_fit_reason(callbacks, fit_params, compile_params) is not None:
        history = model.fit(
            batches.dataset(first_epoch, epochs),
            steps_per_epoch=batches.n_batches,
            validation_data=None if val_batches is None else val_batches.dataset(0, 1),
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            shuffle=False,  # the dataset is shuffled, seeded, already
            **fit_params,
        )
        return history.history

    with single_threaded_executor():
        loop = EpochLoop(model, batches, val_batches)
    callbacks = keras.callbacks.CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        verbose=verbose,
        epochs=epochs,
        steps=batches.n_batches,
        model=model,
    )
    model.stop_training = False
    callbacks.on_train_begin()
    logs = None
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        with loop.executor():
            logs = loop.run(tf.constant(first_epoch + epoch, tf.int64))
        logs = {k: float(v) for k, v in logs.items()}
        callbacks.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    model.optimizer.finalize_variable_values(model.trainable_weights)
    callbacks.on_train_end(logs)
    return model.history.history
