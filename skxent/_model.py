"""The Keras side: default network body, output head, loss and optimizer.

Backend-neutral Keras code: what depends on the backend is in
:mod:`skxent._backend`.  :mod:`skxent._classifier` imports this module
inside ``fit``, so that importing, constructing and cloning an estimator
stay free of Keras and its backend.
"""

import copy
import functools

from ._compat import import_keras, unflatten_params

keras = import_keras()  # first: TensorFlow's start-up lines kept off the terminal

from keras import ops  # noqa: E402

__all__ = [
    "ACTIVATIONS",
    "build_model",
    "dense_stack",
    "dense_stack_model",
    "make_callbacks",
    "make_loss",
    "make_optimizer",
]


def _seeded(initializer, seed):
    """A new ``initializer`` with its own explicit seed.

    Seeding each initializer keeps fits reproducible without touching
    Keras's or TensorFlow's global seed, and building it with its seed
    avoids Keras drawing a default seed from Python's global ``random``.
    """
    if isinstance(initializer, keras.initializers.Initializer):
        config = initializer.get_config()
        if "seed" in config:
            config["seed"] = int(seed)
        return type(initializer).from_config(config)
    if isinstance(initializer, str):
        initializer = {"class_name": initializer, "config": {}}
    config = {**initializer.get("config", {}), "seed": int(seed)}
    seeded = {**initializer, "config": config}
    try:
        made = keras.initializers.deserialize(seeded)
    except TypeError:  # not a random initializer: it takes no seed
        made = keras.initializers.deserialize(initializer)
    if not callable(made):  # Keras hands an unknown name back unchanged
        raise ValueError(
            f"Unknown kernel_initializer {initializer.get('class_name')!r}; use a "
            "Keras initializer name such as 'he_uniform' or 'glorot_uniform', a "
            "config dict or an instance."
        )
    return made


def _activation(activation):
    """The Keras activation function, with a clear error for an unknown name."""
    try:
        return keras.activations.get(activation)
    except ValueError:
        raise ValueError(
            f"Unknown activation {activation!r}; use a Keras activation name such "
            "as 'relu' or 'tanh', or a callable."
        ) from None


def _body_layers(
    body, meta, body_params, hidden_layer_sizes, activation, kernel_initializer, seed
):
    if body is None:
        return [
            keras.layers.Dense(
                units,
                activation=_activation(activation),
                kernel_initializer=_seeded(kernel_initializer, seed + i),
                name=f"hidden_{i}",
            )
            for i, units in enumerate(hidden_layer_sizes)
        ]
    layers = body(meta, **body_params)
    if isinstance(layers, keras.layers.Layer):
        return [layers]
    if isinstance(layers, (list, tuple)) and all(
        isinstance(layer, keras.layers.Layer) for layer in layers
    ):
        return list(layers)
    raise TypeError(
        "body must return a Keras layer (a keras.Sequential counts) or a list of "
        f"layers; {getattr(body, '__name__', body)!r} returned {type(layers).__name__}."
    )


def build_model(
    meta,
    *,
    body,
    body_params,
    hidden_layer_sizes,
    activation,
    kernel_initializer,
    seed,
    sparse_input=False,
):
    """Stack the body on an input layer and end in a linear output layer.

    The output layer has ``meta["n_outputs_"]`` units and no activation:
    the network always ends in logits and the loss applies
    ``from_logits=True``.  With ``sparse_input`` the input is
    ``keras.Input(sparse=True)``: the first layer receives a sparse tensor.
    """
    inputs = keras.Input(
        shape=(meta["n_features_in_"],), name="features", sparse=sparse_input
    )
    x = inputs
    for layer in _body_layers(
        body,
        meta,
        body_params,
        hidden_layer_sizes,
        activation,
        kernel_initializer,
        seed,
    ):
        x = layer(x)
    if len(x.shape) != 2:
        raise ValueError(
            f"The network body must output a 2-D tensor (batch, units), got shape "
            f"{tuple(x.shape)}; end the body with keras.layers.Flatten()."
        )
    logits = keras.layers.Dense(
        meta["n_outputs_"],
        kernel_initializer=_seeded("glorot_uniform", seed + 1000),
        name="logits",
    )(x)
    return keras.Model(inputs, logits, name="xent_classifier")


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
    executor (see :mod:`skxent._training`).
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
    """The Keras loss object for a :class:`~skxent._losses.LossRule`.

    ``kwargs`` come from :func:`skxent._losses.loss_kwargs`.  Categorical
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


@functools.cache
def _optimizer_class(name):
    """The optimizer class Keras names ``name`` (an instance made once)."""
    return type(keras.optimizers.get(name))


def make_optimizer(optimizer, learning_rate, params):
    """A new optimizer from a name, a class or an instance.

    ``learning_rate`` and the routed ``optimizer__*`` parameters configure a
    name or a class; an instance is copied, so fits never share its state.
    """
    if "lr" in params:
        raise TypeError(
            "Keras 3 optimizers take learning_rate, not lr: use "
            "XentClassifier(learning_rate=...) instead of optimizer__lr=...."
        )
    if isinstance(optimizer, keras.optimizers.Optimizer):
        if params:
            raise TypeError(
                f"optimizer__{next(iter(params))} cannot configure an optimizer "
                "instance; pass the optimizer's name or class instead."
            )
        return type(optimizer).from_config(optimizer.get_config())
    if isinstance(optimizer, str):
        try:
            optimizer = _optimizer_class(optimizer)
        except ValueError:
            raise ValueError(
                f"Unknown optimizer {optimizer!r}; use a Keras optimizer name such as "
                "'adam', 'sgd' or 'rmsprop', a class or an instance."
            ) from None
    return unflatten_params(optimizer, {"learning_rate": learning_rate, **params})


def make_callbacks(callbacks, params):
    """Fresh callbacks for one fit: instances are deep-copied, classes built.

    Copying keeps the caller's callbacks (and clones of the estimator) from
    sharing state such as ``EarlyStopping``'s best weights across fits.
    """
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    callbacks = [
        copy.deepcopy(cb) if isinstance(cb, keras.callbacks.Callback) else cb
        for cb in callbacks
    ]
    return list(unflatten_params(callbacks, params))


ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "softplus", "elu")
"""Activations of a network :func:`dense_stack` describes."""


def dense_stack(model):
    """``[(layer, activation), ...]`` for a plain float32 stack of Dense layers.

    ``activation`` is the name, in :data:`ACTIVATIONS`, of the layer's
    activation.  None for any other network: a layer of another kind, an
    activation not in :data:`ACTIVATIONS`, a regulariser or constraint, no
    bias.  Such a network (skxent's default one, among others) is fully
    described by its layers' units and activations, so fits can share its
    compiled programs, and NumPy or torch ops can run it from the layers'
    variables.
    """
    known = {keras.activations.get(name): name for name in ACTIVATIONS}
    stack = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if (
            type(layer) is not keras.layers.Dense
            or layer.compute_dtype != "float32"
            or layer.variable_dtype != "float32"
            or not layer.use_bias
            or layer.activation not in known
            or any(
                getattr(layer, name) is not None
                for name in (
                    "kernel_regularizer",
                    "bias_regularizer",
                    "activity_regularizer",
                    "kernel_constraint",
                    "bias_constraint",
                )
            )
        ):
            return None
        stack.append((layer, known[layer.activation]))
    return stack


def dense_stack_model(n_features, stack, sparse=False):
    """A network of the :func:`dense_stack` ``stack``'s shape, weights all zero.

    Built without serialising anything (Keras's ``clone_model`` does, and
    that imports TensorFlow whatever the backend) and without drawing a
    seed from Python's ``random``.
    """
    inputs = keras.Input(shape=(n_features,), sparse=sparse)
    x = inputs
    for layer, activation in stack:
        x = keras.layers.Dense(
            layer.units, activation=activation, kernel_initializer="zeros"
        )(x)
    return keras.Model(inputs, x)
