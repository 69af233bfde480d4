"""The Keras loss objects: the :class:`~skxent._loss_rules.LossRule` made real.

:func:`make_loss` turns a loss rule and its settings into the Keras loss a
network is compiled with.  Two are skxent's own, registered with Keras's
serialization under the ``skxent`` package so that saved files load with
``safe_mode=True``: a sparse categorical crossentropy that smooths labels,
and a hinge on targets that are already -1/+1.
"""

from ._keras import import_keras

keras = import_keras()  # quietly, whichever skxent module is first

from keras import ops  # noqa: E402

__all__ = ["SignedHinge", "SparseCategoricalCrossentropy", "make_loss"]


@keras.saving.register_keras_serializable(package="skxent")
class SparseCategoricalCrossentropy(keras.losses.Loss):
    """Categorical crossentropy on integer targets and logits, with label smoothing.

    Equal to ``keras.losses.CategoricalCrossentropy(from_logits=True,
    label_smoothing=s)`` on the one-hot encoding of the targets, but never
    builds that encoding: with smoothed targets ``(1 - s) * onehot + s / k``
    the loss is ``(1 - s) * (-log p_y) + s * mean_j(-log p_j)``.
    """

    def __init__(
        self,
        label_smoothing=0.0,
        name="sparse_categorical_crossentropy",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        log_p = ops.log_softmax(y_pred, axis=-1)
        codes = ops.cast(ops.reshape(y_true, (-1, 1)), "int32")
        nll = -ops.squeeze(ops.take_along_axis(log_p, codes, axis=-1), axis=-1)
        if self.label_smoothing == 0.0:
            return nll
        smooth = -ops.mean(log_p, axis=-1)
        return (1.0 - self.label_smoothing) * nll + self.label_smoothing * smooth

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


@keras.saving.register_keras_serializable(package="skxent")
class SignedHinge(keras.losses.Loss):
    """Keras's hinge (or squared hinge) on targets that are already -1/+1.

    skxent encodes the hinges' targets as -1/+1 itself, so Keras's check for
    0/1 labels (an ``ops.cond`` on every batch) has nothing to convert; this
    loss computes the same values without it.  A conditional in the compiled
    epoch would also keep it off TensorFlow's faster single-threaded
    executor (see :mod:`skxent._backend._tensorflow`).
    """

    def __init__(
        self,
        squared=False,
        name=None,
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        name = name or ("squared_hinge" if squared else "hinge")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.squared = bool(squared)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        margin = ops.maximum(1.0 - ops.cast(y_true, y_pred.dtype) * y_pred, 0.0)
        return ops.mean(ops.square(margin) if self.squared else margin, axis=-1)

    def get_config(self):
        return {**super().get_config(), "squared": self.squared}


def make_loss(rule, kwargs):
    """The Keras loss object for a :class:`~skxent._loss_rules.LossRule`.

    ``kwargs`` come from :func:`skxent._loss_rules.loss_kwargs`.  Categorical
    crossentropy on integer codes uses Keras's sparse loss, or skxent's own
    when labels are smoothed (Keras's sparse loss cannot smooth).
    """
    kwargs = dict(kwargs)
    if rule.target == "codes":
        smoothing = kwargs.pop("label_smoothing")
        if smoothing == 0.0:
            return keras.losses.SparseCategoricalCrossentropy(**kwargs)
        kwargs.pop("from_logits")
        if kwargs.pop("ignore_class", None) is not None:
            raise ValueError("ignore_class cannot be combined with label_smoothing.")
        return SparseCategoricalCrossentropy(label_smoothing=smoothing, **kwargs)
    if rule.target == "sign":
        return SignedHinge(squared=rule.name == "squared_hinge", **kwargs)
    return getattr(keras.losses, rule.keras_class)(**kwargs)
