"""The Keras loss objects: the :class:`~skxent._loss_rules.LossRule` made real.

:func:`make_loss` turns a loss rule and its settings into the Keras loss a
network is compiled with.  Two are skxent's own, registered with Keras's
serialization under the ``skxent`` package so that saved files load with
``safe_mode=True``: a sparse categorical crossentropy that smooths labels,
and a hinge on targets that are already -1/+1.
"""

import functools

from ._keras import import_keras
from ._loss_rules import LOSSES, loss_kwargs

keras = import_keras()  # quietly, whichever skxent module is first

from keras import ops  # noqa: E402

__all__ = [
    "FAMILIES",
    "LossFamily",
    "SignedHinge",
    "SparseCategoricalCrossentropy",
    "loss_as_data",
    "make_loss",
]


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


FAMILIES = (
    ("binary_focal_crossentropy", "hinge", "squared_hinge"),
    ("categorical_focal_crossentropy", "categorical_hinge"),
)
"""Losses that train in one compiled program, the loss chosen by data.

The members of a family take targets of one shape and dtype (0/1 or -1/+1
floats per output; one-hot rows), so one program can serve them all: where
the backend's ``Program.loss_as_data`` is true (JAX), a search over losses
compiles one program per family instead of one per loss.  The
losses ``loss="auto"`` picks (binary and categorical crossentropy) keep a
program of their own, so that the default fit compiles and runs nothing
more than itself."""


@keras.saving.register_keras_serializable(package="skxent")
class LossFamily(keras.losses.Loss):
    """The losses ``names``, with their defaults, the one to apply given as data.

    The targets carry one more column than the outputs, the loss's index in
    ``names`` on every row (a float: 0.0, 1.0, ...); :func:`loss_as_data`
    says which.  Each member computes its per-sample values as on its own,
    inside ``keras.ops.switch``, and they are reduced and weighted as any
    Keras loss.
    """

    def __init__(
        self, names, name="loss_family", reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.names = tuple(names)
        self.members = [_default_loss(n) for n in self.names]

    def call(self, y_true, y_pred):
        index = ops.cast(y_true[0, -1], "int32")
        branches = [functools.partial(_per_sample, m) for m in self.members]
        return ops.switch(index, branches, y_true[:, :-1], y_pred)

    def get_config(self):
        return {**super().get_config(), "names": list(self.names)}


def _per_sample(loss, y_true, y_pred):
    return loss.call(y_true, y_pred)


def _default_loss(name):
    rule = LOSSES[name]
    return make_loss(rule, loss_kwargs(rule, {}, 0.0))


@functools.cache
def _default_config(name):
    return _config(_default_loss(name))


def _config(loss):
    config = loss.get_config()
    config.pop("name", None)
    return type(loss), repr(sorted(config.items()))


def loss_as_data(loss):
    """``(LossFamily, index)`` where ``loss`` trains in a family's program, else None.

    A loss qualifies when it is a member of a :data:`FAMILIES` family with
    its default settings (no ``loss__*`` parameter, no label smoothing).

    Examples
    --------
    >>> family, index = loss_as_data(_default_loss("squared_hinge"))
    >>> family.names[index]
    'squared_hinge'
    >>> loss_as_data(_default_loss("binary_crossentropy")) is None
    True
    """
    config = _config(loss)
    for names in FAMILIES:
        for index, name in enumerate(names):
            if config == _default_config(name):
                return _family(names), index
    return None


@functools.cache
def _family(names):
    """One :class:`LossFamily` per family: its members are built once."""
    return LossFamily(names)
