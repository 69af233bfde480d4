"""TensorFlow: the epochs, or the whole fit, in compiled calls on its own variables.

The epoch is a ``tf.while_loop`` over minibatches gathered from in-memory
tensors in the order given, each step the one ``Model.train_step`` takes
(the compiled loss plus the model's regularisation losses, the optimizer's
loss scaling and update), then the validation loss.  Where nothing needs
the epochs' ends on the host, a second ``tf.while_loop`` runs the epochs
and the stopping rule too, one call per fit (:mod:`skxent._one_call`).
Both are traced once per :class:`Program` with the data, the row orders
and their lengths as arguments, so every fit of the same architecture and
settings reuses them.

A program trains its own copy of the network (the *template*): a session
copies the fitted model's weights and optimizer state into the template's
variables, runs epochs, and copies them back.  A plain float32 Adam takes
TensorFlow's fused ``ResourceApplyAdam`` (Keras's formula, one op per
variable instead of some fifteen).  On the CPU the epoch runs on
TensorFlow's single-threaded executor unless its graph calls nested
functions (a ``tf.cond`` in a custom loss, say), which deadlock that
executor when two threads train at once.
"""

import keras
import numpy as np
import tensorflow as tf

from .. import _sparse
from .._one_call import plateau_step, run_chunks
from . import _base
from ._tensorflow_execution import (
    executor,
    plain_adam_update,
    runs_nested_functions,
    single_threaded_executor,
)

__all__ = ["Program"]


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


class Program(_base.Program):
    """A compiled epoch over ``template``'s variables (see the module doc)."""

    exclusive = True
    sparse_input = True  # Keras's layers take a tf.SparseTensor
    one_call = True  # sessions have run_fit
    # Not here: a family's tf.switch_case keeps the program off the faster
    # single-threaded executor (a warm loss search 25-38 % slower), and saves
    # no cold time: a trace is cheap (benchmarks/loss_families.py).
    loss_as_data = False

    @staticmethod
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

    def __init__(self, template, **settings):
        super().__init__(template, **settings)
        self.update = plain_adam_update(
            template.optimizer, template.trainable_variables
        )
        self.runs = {}  # data signature -> traced epoch
        self.slices = {}  # data signature -> traced slice, validation loss
        self.fits = {}  # (data signature, stop rule) -> traced whole fit

    @classmethod
    def model_fit_reason(cls):
        if tf.distribute.has_strategy():
            return "a tf.distribute strategy is in scope"
        return None

    @staticmethod
    def sparse_tensor(csr):
        coo = csr.tocoo()
        return tf.SparseTensor(
            np.stack([coo.row, coo.col], axis=1).astype(np.int64),
            coo.data,
            np.array(coo.shape, np.int64),
        )

    @staticmethod
    def sparse_batch(batch_rows, columns, values, n_rows, n_features):
        """A canonical ``tf.SparseTensor`` of the batch's entries.

        TensorFlow's sparse ops want ordered coordinates without repeats,
        which the rows' own entries are (a canonical CSR's, row by row):
        the padding is dropped, and explicit zeros with it.
        """
        keep = tf.not_equal(values, 0)
        coordinates = tf.cast(tf.stack([batch_rows, columns], axis=1), tf.int64)
        shape = tf.cast(tf.stack([n_rows, n_features]), tf.int64)
        batch = tf.SparseTensor(
            tf.boolean_mask(coordinates, keep), tf.boolean_mask(values, keep), shape
        )
        # The feature count is static: Keras's layers read it from the shape.
        batch.set_shape([None, n_features])
        return batch

    @classmethod
    def compile_logits(cls, model):
        """One trace for every batch size, called as a concrete function.

        The polymorphic ``tf.function`` would re-bind its arguments on every
        call, which doubles the cost of predicting one row.
        """
        takes_sparse = bool(model.inputs[0].sparse)
        spec = (tf.SparseTensorSpec if takes_sparse else tf.TensorSpec)(
            [None, model.input_shape[-1]], tf.float32
        )
        logits = tf.function(
            lambda x: model(x, training=False), input_signature=[spec]
        ).get_concrete_function()

        def predict_logits(x):
            if not isinstance(x, tf.SparseTensor):
                x = tf.sparse.from_dense(x) if takes_sparse else tf.constant(x)
            return logits(x).numpy()

        return predict_logits

    def start(self, model, train, val):
        """A session training ``model`` on ``train`` (and ``val``) arrays."""
        tensors = (
            _tensors(train, self.batch_size),
            () if val is None else _tensors(val, self.validation_batch),
        )
        signature = tuple(
            (t.dtype.name, t.shape.rank) for t in tf.nest.flatten(tensors)
        )
        if model is not self.template:
            for mine, theirs in zip(_state(self.template), _state(model), strict=True):
                mine.assign(theirs.value)
        return _Session(self, tensors, signature)

    def _trace(self, function, *specs):
        """``function`` traced for ``specs``, and whether it may run single-threaded.

        Graph code needs no autograph, and Keras's own train function does
        not convert the step either; called as a concrete function, so that
        TensorFlow counts no retracing across fits.
        """
        with single_threaded_executor():
            run = tf.function(function, autograph=False).get_concrete_function(*specs)
        return run, not runs_nested_functions(run)

    def epoch_function(self, signature, tensors):
        """The traced epoch for this data (dense X, or a CSR's arrays)."""
        if signature not in self.runs:
            specs = tf.nest.map_structure(_spec, tensors)
            self.runs[signature] = self._trace(
                self._epoch, tf.TensorSpec([None], tf.int32), *specs
            )
        return self.runs[signature]

    def slice_functions(self, signature, tensors):
        """The traced steps of an epoch's slice and the validation loss."""
        if signature not in self.slices:
            train, val = tf.nest.map_structure(_spec, tensors)
            order, step = tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.int32)
            total = tf.TensorSpec([], tf.float32)
            steps = self._trace(self._slice, order, step, step, total, train)
            validate = self._trace(self._val_loss, val) if self.validation else None
            self.slices[signature] = steps, validate
        return self.slices[signature]

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

    def _sum_losses(self, order, data, batch_size, step, first, stop, total):
        """``total`` plus ``step``'s losses, times their batches' sizes, in turn."""
        parts, *rest = data
        n_features = self.template.input_shape[-1]
        as_sparse = self.sparse_batch if self.template.inputs[0].sparse else None

        def body(i, total):
            rows = order[i * batch_size : (i + 1) * batch_size]
            x = _sparse.batch_features(parts, rows, n_features, as_sparse)
            batch = [x, *(tf.gather(t, rows) for t in rest)]
            size = tf.cast(tf.shape(rows)[0], tf.float32)
            return i + 1, total + step(*batch) * size

        _, total = tf.while_loop(lambda i, total: i < stop, body, (first, total))
        return total

    def _mean_loss(self, order, data, batch_size, step):
        """The batch-size-weighted mean of ``step``'s losses, as Keras reports."""
        n_rows = tf.shape(order)[0]
        n_batches = (n_rows + batch_size - 1) // batch_size
        total = self._sum_losses(
            order, data, batch_size, step, tf.constant(0), n_batches, tf.constant(0.0)
        )
        return total / tf.cast(n_rows, tf.float32)

    def _val_loss(self, val):
        return self._mean_loss(
            tf.range(tf.shape(val[1])[0]),
            val,
            self.validation_batch,
            lambda x, y, w: self._loss(x, y, w, training=False),
        )

    def _epoch(self, order, train, val):
        logs = {
            "loss": self._mean_loss(order, train, self.batch_size, self._train_step)
        }
        if self.validation:
            logs["val_loss"] = self._val_loss(val)
        return logs

    def _slice(self, order, first, stop, total, train):
        """Steps ``first`` to ``stop`` of ``_epoch``: the running ``total``."""
        return self._sum_losses(
            order, train, self.batch_size, self._train_step, first, stop, total
        )

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

            self.fits[key] = self._trace(fit, *specs)
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
            best, count, save = self.stop_step(
                logs[rule.monitor], best, count, rule.tol
            )
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
    def __init__(self, program, tensors, signature):
        self.program = program
        self.tensors = tensors
        self.signature = signature
        self._order = (None, None)  # the host order last taken, as a tensor

    def compiled(self, sliced):
        """Whether the calls of an epoch (``run_steps`` if ``sliced``) are traced."""
        program = self.program
        return self.signature in (program.slices if sliced else program.runs)

    def run(self, order):
        run, single_threaded = self.program.epoch_function(self.signature, self.tensors)
        with executor(single_threaded):
            logs = run(tf.constant(order, tf.int32), *self.tensors)
        return {k: float(v) for k, v in logs.items()}

    def run_steps(self, order, start, stop, total):
        """Steps ``start`` to ``stop`` of ``run(order)``: ``(total, logs)``."""
        (steps, single_threaded), validate = self.program.slice_functions(
            self.signature, self.tensors
        )
        if self._order[0] is not order:
            self._order = (order, tf.constant(order, tf.int32))
        train, val = self.tensors
        with executor(single_threaded):
            total = steps(
                self._order[1],
                tf.constant(start, tf.int32),
                tf.constant(stop, tf.int32),
                tf.constant(0.0) if total is None else total,
                train,
            )
        if stop * self.program.batch_size < len(order):
            return total, None
        # _mean_loss's float32 division, on the host: IEEE rounds it alike.
        logs = {"loss": float(np.float32(total) / np.float32(len(order)))}
        if validate is not None:
            run, single_threaded = validate
            with executor(single_threaded):
                logs["val_loss"] = float(run(val))
        return total, logs

    def run_fit(self, chunks, rule):
        """Train through ``chunks`` of epoch orders, one call each (a FitResult)."""
        run, single_threaded = self.program.fit_function(
            self.signature, self.tensors, rule
        )

        def call(orders, n_epochs, best, count, kept):
            with executor(single_threaded):
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
