"""The network a fit trains: its own, the one it continues, or a shared one.

Building a Keras network (its layers and variables, its optimizer's slot
variables) costs more than training it on small data: most of the fixed
cost of a fit.  So a fit of the default network (a plain stack of
``Dense`` layers, :func:`skxent._model.dense_stack`) that starts anew,
and that no callback could hold on to, builds none: it checks out a
network of its architecture from :data:`NETWORKS`, shared by all such
fits in the process, whose variables are re-initialised in place from the
fit's seed to bitwise the weights (:func:`skxent._initialisation.initialise`) and
optimizer state a new network would have.  Once trained, the weights and
optimizer state are copied out as NumPy arrays, the estimator's own
(:class:`~skxent._fitted_network.FittedNetwork`), from which it predicts
and builds its ``model_`` when first asked for it.

A network serves one fit at a time: concurrent fits of one architecture
each check out their own.  Any other fit (a custom ``body``, callbacks,
progress output, routed ``fit__*`` or ``compile__*`` parameters, PyTorch,
a continued fit) trains a network of its own, which becomes ``model_``.
"""

from contextlib import contextmanager

import numpy as np

from . import _initialisation, _model, _programs, _training
from ._backend import backend, backend_name
from ._fitted_network import FittedNetwork, arrays
from ._keras import import_keras
from ._params import route

keras = import_keras()

__all__ = ["NETWORKS", "REUSE", "Network", "checkout"]

REUSE = True
"""Whether fits that allow it train a shared network (False builds one per
fit, as a fit that cannot share does; the equivalence tests compare)."""

NETWORKS = _programs.ProgramCache(max_programs=8)
"""The process's idle shared networks, by architecture and training settings."""


class _NotPlain(Exception):
    """A parameter that is not plain data cannot be part of a key."""


def _frozen(value):
    """``value``, plain data, as a hashable key part (types kept: 1 is not 1.0)."""
    if isinstance(value, np.generic):
        return type(value), value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return type(value), value
    if isinstance(value, type):
        return value
    if isinstance(value, (list, tuple)):
        return type(value), tuple(map(_frozen, value))
    if isinstance(value, dict):
        return dict, tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    raise _NotPlain


def _key(plan, params, hidden_layer_sizes, callbacks, verbose):
    """What a shared network depends on, or None where the fit trains its own.

    The architecture, the loss, the optimizer and its settings, the
    learning rate included (the optimizer's state is re-initialised to a
    new one's, and a new one's learning rate is its own), the dtypes and
    the backend.  Not the kernel initializer: the fit's own initialises
    the weights.
    """
    if (
        not REUSE
        or callbacks
        or verbose
        or params["body"] is not None
        or params["activation"] not in _model.ACTIVATIONS
        or keras.config.dtype_policy().name != "float32"
        or not backend().shareable
        or _training.model_fit_reason(
            [], route(params, "fit"), route(params, "compile")
        )
    ):
        return None
    optimizer = params["optimizer"]
    try:
        if isinstance(optimizer, keras.optimizers.Optimizer):
            config = optimizer.get_config()
            del config["name"]  # numbered by Keras: adam, adam_1, ...
            if not isinstance(config["learning_rate"], float):
                return None  # a schedule or a function: no key says which
            optimizer = type(optimizer), _frozen(config)
        else:
            optimizer = (
                _frozen(optimizer),
                _frozen(params["learning_rate"]),
                _frozen(route(params, "optimizer")),
            )
        loss = plan.rule.name, _frozen(plan.loss_settings)
    except _NotPlain:
        return None
    meta = plan.meta
    return (
        backend_name(),
        keras.config.floatx(),
        meta["n_features_in_"],
        _model.sparse_input(plan.X),
        tuple(hidden_layer_sizes),
        params["activation"],
        meta["n_outputs_"],
        loss,
        optimizer,
    )


class _Shared:
    """A shared network and its optimizer's state when new."""

    exclusive = True  # one fit at a time (see ProgramCache)

    def __init__(self, plan, params, hidden_layer_sizes):
        # Built without drawing: initialise draws each fit's weights.
        model = _model.compiled_model(plan, params, hidden_layer_sizes, draw=False)
        if _model.dense_stack(model) is None:
            raise RuntimeError("a shared network must be a plain Dense stack")
        model.optimizer.build(model.trainable_variables)
        self.model = model
        self.new_optimizer = arrays(model.optimizer.variables)

    def initialise(self, kernel_initializer, seed):
        """Weights and optimizer state as a new network's, seeded ``seed``."""
        _initialisation.initialise(self.model, kernel_initializer, seed)
        for variable, value in zip(
            self.model.optimizer.variables, self.new_optimizer, strict=True
        ):
            variable.assign(value)


class Network:
    """The network one fit trains (``model``), and what the estimator keeps."""

    def __init__(self, model, shared_by=None):
        self.model = model
        self._shared_by = shared_by  # (plan, params, hidden_layer_sizes)

    def fitted(self):
        """``model`` itself, or a shared one's state (a ``FittedNetwork``)."""
        if self._shared_by is None:
            return self.model
        return FittedNetwork.of(self.model, *self._shared_by)


@contextmanager
def checkout(plan, params, hidden_layer_sizes, *, continued, callbacks, verbose):
    """The :class:`Network` a fit of ``plan`` trains, for the block's length.

    ``continued``: the fitted network a fit continues, or None.  A fit that
    can share a network gets one of :data:`NETWORKS`, initialised from
    ``plan.init_seed``; any other a new network, or ``continued``.
    """
    if continued is not None:
        yield Network(continued)
        return
    key = _key(plan, params, hidden_layer_sizes, callbacks, verbose)
    if key is None:
        yield Network(_model.compiled_model(plan, params, hidden_layer_sizes))
        return

    def build():
        return _Shared(plan, params, hidden_layer_sizes)

    with NETWORKS.checkout(key, build) as shared:
        shared.initialise(params["kernel_initializer"], plan.init_seed)
        yield Network(shared.model, shared_by=(plan, params, hidden_layer_sizes))
