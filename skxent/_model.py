"""The network and what trains it: body, logits head, optimizer, callbacks.

Backend-neutral Keras code (what depends on the backend is in
:mod:`skxent._backend`; the loss objects are in :mod:`skxent._keras_losses`).
Imported on the first ``fit`` or ``load``, so that importing, constructing
and cloning an estimator stay free of Keras and its backend.
"""

import copy
import functools

import numpy as np

from . import _sparse
from ._backend import backend
from ._keras import import_keras
from ._keras_losses import make_loss
from ._params import route, unflatten_params

keras = import_keras()  # first: TensorFlow's start-up lines kept off the terminal

__all__ = [
    "ACTIVATIONS",
    "build_model",
    "compiled_model",
    "dense_stack",
    "dense_stack_model",
    "host_zeros",
    "make_callbacks",
    "make_optimizer",
    "new_model",
    "numpy_value",
    "seeded",
    "sparse_input",
]

LOGITS_INITIALIZER, LOGITS_SEED = "glorot_uniform", 1000
"""The output layer's kernel initializer, seeded ``seed + LOGITS_SEED``
(hidden layer ``i``'s is ``kernel_initializer`` seeded ``seed + i``)."""


def seeded(initializer, seed):
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


def host_zeros(shape, dtype=None):
    """An initializer of NumPy zeros: a build that draws nothing, compiles nothing."""
    return np.zeros(shape, dtype or keras.config.floatx())


def _kernel(initializer, seed, draw):
    """The seeded kernel initializer (checked); :func:`host_zeros` if not ``draw``."""
    made = seeded(initializer, seed)
    return made if draw else host_zeros


def _body_layers(
    body, meta, body_params, hidden_layer_sizes, activation, kernel_initializer, seed,
    draw,
):  # fmt: skip
    if body is None:
        return [
            keras.layers.Dense(
                units,
                activation=_activation(activation),
                kernel_initializer=_kernel(kernel_initializer, seed + i, draw),
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
    draw=True,
):
    """Stack the body on an input layer and end in a linear output layer.

    The output layer has ``meta["n_outputs_"]`` units and no activation:
    the network always ends in logits and the loss applies
    ``from_logits=True``.  With ``sparse_input`` the input is
    ``keras.Input(sparse=True)``: the first layer receives a sparse tensor.
    ``draw=False`` gives the default body's and the output layer's kernels
    zeros, for a network :func:`skxent._initialisation.initialise` will
    initialise.
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
        draw,
    ):
        x = layer(x)
    if len(x.shape) != 2:
        raise ValueError(
            f"The network body must output a 2-D tensor (batch, units), got shape "
            f"{tuple(x.shape)}; end the body with keras.layers.Flatten()."
        )
    logits = keras.layers.Dense(
        meta["n_outputs_"],
        kernel_initializer=_kernel(LOGITS_INITIALIZER, seed + LOGITS_SEED, draw),
        name="logits",
    )(x)
    return keras.Model(inputs, logits, name="xent_classifier")


def sparse_input(X):
    """Whether a network fit on ``X`` takes sparse minibatches.

    The one place that decides it: on sparse ``X`` where the backend's
    layers multiply a sparse tensor.
    """
    return _sparse.is_sparse(X) and backend().sparse_input


def compiled_model(plan, params, hidden_layer_sizes, *, draw=True):
    """A new network for a :class:`~skxent._plan.FitPlan`, compiled to train.

    ``params`` are the estimator's parameters, routed ones included;
    ``draw`` as for :func:`build_model`.
    """
    return new_model(
        plan.meta,
        plan.rule,
        plan.loss_settings,
        params,
        hidden_layer_sizes,
        sparse_input=sparse_input(plan.X),
        draw=draw,
    )


def new_model(
    meta, rule, loss_settings, params, hidden_layer_sizes, *, sparse_input, draw=True
):
    """A new network, compiled: :func:`build_model` seeded ``meta["random_seed"]``.

    ``rule`` and ``loss_settings`` give the loss (:func:`make_loss`),
    ``params`` (routed ones included) the rest.
    """
    model = build_model(
        meta,
        body=params["body"],
        body_params=route(params, "body"),
        hidden_layer_sizes=hidden_layer_sizes,
        activation=params["activation"],
        kernel_initializer=params["kernel_initializer"],
        seed=meta["random_seed"],
        sparse_input=sparse_input,
        draw=draw,
    )
    model.compile(
        optimizer=make_optimizer(
            params["optimizer"], params["learning_rate"], route(params, "optimizer")
        ),
        loss=make_loss(rule, loss_settings),
        **route(params, "compile"),
    )
    return model


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
    return unflatten_params(
        optimizer, {"learning_rate": learning_rate, **params}, name="optimizer"
    )


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
    return list(unflatten_params(callbacks, params, name="callbacks"))


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


def numpy_value(variable):
    """A variable's value as a float64 NumPy array, on every backend.

    Read through an op on TensorFlow and PyTorch: NumPy 2 warns on a
    TensorFlow variable's ``__array__``, and a PyTorch parameter requires
    grad.  JAX's value is an array NumPy reads directly, where an op would
    compile a program for each new shape (about 25 ms apiece in a fresh
    process: six for the default network's first fit).
    """
    if keras.backend.backend() == "jax":
        value = np.asarray(variable.value)
    else:
        value = keras.ops.convert_to_numpy(keras.ops.multiply(variable, 1))
    return value.astype(np.float64)


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
            layer.units, activation=activation, kernel_initializer=host_zeros
        )(x)
    return keras.Model(inputs, x)
