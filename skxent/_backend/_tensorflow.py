"""TensorFlow: one compiled call per epoch, on the program's own variables.

The epoch is a ``tf.while_loop`` over minibatches gathered from in-memory
tensors in the order given, each step the one ``Model.train_step`` takes
(the compiled loss plus the model's regularisation losses, the optimizer's
loss scaling and update), then the validation loss.  It is traced once per
:class:`Program` with the data, the row order and their lengths as
arguments, so every fit of the same architecture and settings reuses it.

A program trains its own copy of the network (the *template*): a session
copies the fitted model's weights and optimizer state into the template's
variables, runs epochs, and copies them back.  A plain float32 Adam takes
TensorFlow's fused ``ResourceApplyAdam`` (Keras's formula, one op per
variable instead of some fifteen).  On the CPU the epoch runs on
TensorFlow's single-threaded executor unless its graph calls nested
functions (a ``tf.cond`` in a custom loss, say), which deadlock that
executor when two threads train at once.
"""

import contextlib

import keras
import numpy as np
import tensorflow as tf

from .. import _sparse
from .._compat import single_threaded_executor
from .._one_call import plateau_step, run_chunks

__all__ = [
    "SPARSE_INPUT",
    "Program",
    "inference_function",
    "model_fit_reason",
    "sparse_tensor",
]

SPARSE_INPUT = True
"""Keras's layers take a ``tf.SparseTensor``: a network fit on sparse ``X``
gets sparse minibatches."""

# Ops that run a nested function.  TensorFlow's single-threaded executor
# deadlocks when two threads run graphs holding them at once (Keras's own
# hinge losses hold a StatelessIf); such graphs run on the default executor.
# The epoch's own ``While`` is safe, and measured so.
_NESTED_CALL_OPS = frozenset(
    {"If", "StatelessIf", "Case", "StatelessCase", "PartitionedCall"}
    | {"StatefulPartitionedCall"}
)


def model_fit_reason():
    """Why training must go through ``Model.fit`` here, or None."""
    if tf.distribute.has_strategy():
        return "a tf.distribute strategy is in scope"
    return None


def runs_nested_functions(concrete_function):
    """Whether a traced function holds ops that call nested functions."""
    graph_def = concrete_function.graph.as_graph_def()
    ops = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        ops.update(node.op for node in function.node_def)
    return not ops.isdisjoint(_NESTED_CALL_OPS)


def _plain_adam_update(optimizer, variables):
    """Keras's Adam update as one fused kernel per variable, or None.

    Anything but a plain float32 Adam (AMSGrad, clipping, weight decay, EMA,
    gradient accumulation, loss scaling) keeps Keras's own ``apply``.
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


def stop_step(loss, best, count, tol):
    """:func:`skxent._one_call.plateau_step` in TensorFlow ops."""
    return plateau_step(
        loss,
        best,
        count,
        tol=tol,
        where=tf.where,
        to64=lambda t: tf.cast(t, tf.float64),
    )


def _state(model):
    """The variables a session copies: weights, then optimizer state."""
    return [*model.variables, *model.optimizer.variables]


def _spec(tensor):
    """Any number of rows (a sparse X's entries bound is a scalar)."""
    if tensor.shape.rank == 0:
        return tf.TensorSpec([], tensor.dtype)
    return tf.TensorSpec([None, *tensor.shape[1:]], tensor.dtype)


def _tensors(data, batch_size):
    """``(X parts, targets, weights)`` as tensors (see _sparse.feature_parts)."""
    X, *rest = data
    parts = _sparse.feature_parts(X, batch_size)
    return tuple(tf.constant(a) for a in parts), *(tf.constant(a) for a in rest)


def sparse_tensor(csr):
    """A SciPy CSR chunk as the tensor a network with sparse input takes."""
    coo = csr.tocoo()
    return tf.SparseTensor(
        np.stack([coo.row, coo.col], axis=1).astype(np.int64),
        coo.data,
        np.array(coo.shape, np.int64),
    )


class Program:
    """A compiled epoch over ``template``'s variables (see the module doc)."""

    exclusive = True
    one_call = True  # sessions have run_fit

    def __init__(self, template, *, batch_size, validation, validation_batch):
        self.template = template
        self.batch_size = batch_size
        self.validation = validation
        self.validation_batch = validation_batch
        self.update = _plain_adam_update(
            template.optimizer, template.trainable_variables
        )
        self.runs = {}  # data signature -> traced epoch
        self.fits = {}  # (data signature, stop rule) -> traced whole fit

    def start(self, model, train, val):
        """A session training ``model`` on ``train`` (and ``val``) arrays."""
        tensors = (
            _tensors(train, self.batch_size),
            () if val is None else _tensors(val, self.validation_batch),
        )
        signature = tuple(
            (t.dtype.name, t.shape.rank) for t in tf.nest.flatten(tensors)
        )
        if signature not in self.runs:  # dense X, or a CSR's arrays
            self.runs[signature] = self._trace(tensors)
        if model is not self.template:
            for mine, theirs in zip(_state(self.template), _state(model), strict=True):
                mine.assign(theirs.value)
        return _Session(self, *self.runs[signature], tensors, signature)

    def _trace(self, tensors):
        specs = [
            tf.TensorSpec([None], tf.int32),
            *tf.nest.map_structure(_spec, tensors),
        ]
        # Graph code needs no autograph, and Keras's own train function does
        # not convert the step either; called as a concrete function, so that
        # TensorFlow counts no retracing across fits.
        with single_threaded_executor():
            run = tf.function(self._epoch, autograph=False).get_concrete_function(
                *specs
            )
        return run, not runs_nested_functions(run)

    def _loss(self, x, y, sample_weight, training):
        model = self.template
        y_pred = model(x, training=training)
        return model.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training
        )

    def _train_step(self, x, y, sample_weight):
        model = self.template
        with tf.GradientTape() as tape:
            loss = self._loss(x, y, sample_weight, training=True)
            scaled = model.optimizer.scale_loss(loss)
        variables = model.trainable_variables
        gradients = tape.gradient(scaled, variables)
        if self.update is not None:
            self.update(gradients)
        else:
            model.optimizer.apply(gradients, variables)
        return loss

    def _mean_loss(self, order, data, batch_size, step):
        """The batch-size-weighted mean of ``step``'s losses, as Keras reports."""
        n_rows = tf.shape(order)[0]
        n_batches = (n_rows + batch_size - 1) // batch_size
        parts, *rest = data
        n_features = self.template.input_shape[-1]
        sparse_input = bool(self.template.inputs[0].sparse)

        def body(i, total):
            rows = order[i * batch_size : (i + 1) * batch_size]
            x = _sparse.batch_features(parts, rows, n_features, sparse_input)
            batch = [x, *(tf.gather(t, rows) for t in rest)]
            size = tf.cast(tf.shape(rows)[0], tf.float32)
            return i + 1, total + step(*batch) * size

        _, total = tf.while_loop(
            lambda i, total: i < n_batches, body, (tf.constant(0), tf.constant(0.0))
        )
        return total / tf.cast(n_rows, tf.float32)

    def _epoch(self, order, train, val):
        logs = {
            "loss": self._mean_loss(order, train, self.batch_size, self._train_step)
        }
        if self.validation:
            logs["val_loss"] = self._mean_loss(
                tf.range(tf.shape(val[1])[0]),
                val,
                self.validation_batch,
                lambda x, y, w: self._loss(x, y, w, training=False),
            )
        return logs

    # -- the whole fit in one call (see skxent._one_call) ---------------------

    def fit_function(self, signature, tensors, rule):
        """The traced whole fit for this data and stopping rule."""
        key = (signature, rule.monitor, rule.tol, rule.restore_best)
        if key not in self.fits:
            weights = [tf.TensorSpec(w.shape, w.dtype) for w in self.template.weights]
            scalar = tf.TensorSpec([], tf.int32)
            specs = [
                tf.TensorSpec([None, None], tf.int32),
                scalar,
                scalar,
                tf.TensorSpec([], tf.float32),
                scalar,
                weights if rule.restore_best else [],
                *tf.nest.map_structure(_spec, tensors),
            ]

            def fit(*args):
                return self._fit(*args, rule=rule)

            with single_threaded_executor():
                run = tf.function(fit, autograph=False).get_concrete_function(*specs)
            self.fits[key] = run, not runs_nested_functions(run)
        return self.fits[key]

    def _fit(self, orders, n_epochs, patience, best, count, kept, train, val, *, rule):
        """Epochs until ``n_epochs`` or the stopping rule, in one graph."""
        weights = self.template.weights
        keys = ("loss", "val_loss") if self.validation else ("loss",)
        buffers = {k: tf.zeros(tf.shape(orders)[:1], tf.float32) for k in keys}

        def cond(epoch, stopped, *_):
            return tf.logical_and(epoch < n_epochs, tf.logical_not(stopped))

        def body(epoch, stopped, best, count, kept, buffers):
            logs = self._epoch(orders[epoch], train, val)
            best, count, save = stop_step(logs[rule.monitor], best, count, rule.tol)
            if rule.restore_best:
                kept = [
                    tf.where(save, w.value, k)
                    for w, k in zip(weights, kept, strict=True)
                ]
            buffers = {
                k: tf.tensor_scatter_nd_update(b, [[epoch]], [logs[k]])
                for k, b in buffers.items()
            }
            return epoch + 1, count > patience, best, count, kept, buffers

        epoch, stopped, best, count, kept, buffers = tf.while_loop(
            cond, body, (tf.constant(0), tf.constant(False), best, count, kept, buffers)
        )
        return {
            "n_epochs": epoch,
            "stopped": stopped,
            "best": best,
            "count": count,
            "kept": kept,
            "history": buffers,
        }


class _Session:
    def __init__(self, program, run, single_threaded, tensors, signature):
        self.program = program
        self.run_epoch = run
        self.tensors = tensors
        self.signature = signature
        # Single-threaded where that cannot deadlock, else the default.
        self.executor = (
            single_threaded_executor if single_threaded else contextlib.nullcontext
        )

    def run(self, order):
        with self.executor():
            logs = self.run_epoch(tf.constant(order, tf.int32), *self.tensors)
        return {k: float(v) for k, v in logs.items()}

    def run_fit(self, chunks, rule):
        """Train through ``chunks`` of epoch orders, one call each (a FitResult)."""
        run, single_threaded = self.program.fit_function(
            self.signature, self.tensors, rule
        )
        executor = (
            single_threaded_executor if single_threaded else contextlib.nullcontext
        )

        def call(orders, n_epochs, best, count, kept):
            with executor():
                return run(
                    tf.constant(orders),
                    tf.constant(n_epochs, tf.int32),
                    tf.constant(rule.patience, tf.int32),
                    tf.constant(best),
                    tf.constant(count),
                    kept,
                    *self.tensors,
                )

        weights = self.program.template.weights
        kept = [w.value for w in weights] if rule.restore_best else []
        return run_chunks(chunks, rule, call, kept)

    def sync_learning_rate(self, model):
        template = self.program.template
        if model is not template:
            rate = model.optimizer._learning_rate
            if isinstance(rate, keras.Variable):
                template.optimizer._learning_rate.assign(rate.value)

    def store(self, model):
        template = self.program.template
        if model is not template:
            for theirs, mine in zip(_state(model), _state(template), strict=True):
                theirs.assign(mine.value)


def inference_function(model):
    """A compiled ``X -> logits`` function over float32 batches of any size.

    One trace serves every batch size.  The concrete function is called
    directly: the polymorphic ``tf.function`` would re-bind its arguments
    on every call, which doubles the cost of predicting one row.
    """
    n_features = model.input_shape[-1]
    takes_sparse = bool(model.inputs[0].sparse)
    spec = (tf.SparseTensorSpec if takes_sparse else tf.TensorSpec)(
        [None, n_features], tf.float32
    )
    logits = tf.function(
        lambda x: model(x, training=False), input_signature=[spec]
    ).get_concrete_function()

    def predict_logits(X):
        if _sparse.is_sparse(X):
            X = sparse_tensor(X) if takes_sparse else X.toarray()
        elif takes_sparse:
            X = tf.sparse.from_dense(X)
        return logits(X if takes_sparse else tf.constant(X)).numpy()

    predict_logits.takes_sparse = takes_sparse
    return predict_logits
