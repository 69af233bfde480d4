"""A fitted default network as NumPy arrays: its weights and optimizer state.

A fit that trained a shared network (:mod:`skxent._networks`) leaves the
estimator a :class:`FittedNetwork` instead of a Keras model: the arrays
the estimator predicts from (:class:`skxent._inference.Inference` reads
them as it reads a default network's variables) and all it takes to
build its own Keras network, ``model_``, the first time it is asked for
(:class:`skxent._fitted_state.FittedStateMixin`).
"""

from dataclasses import dataclass

import numpy as np

from . import _model
from ._keras import import_keras

keras = import_keras()

__all__ = ["FittedNetwork", "arrays"]


def arrays(variables):
    """The variables' values, copied into NumPy arrays of their own dtype."""
    return [np.array(v.numpy()) for v in variables]


@dataclass(frozen=True, eq=False)
class FittedNetwork:
    """A fitted default network as NumPy arrays, and how to build it.

    ``layers`` holds each ``Dense`` layer's ``(kernel, bias, activation
    name)``, float32; ``optimizer`` the optimizer's variables' values.
    :meth:`build` makes the Keras network they describe, with the
    architecture, loss and optimizer the fit's parameters gave.
    """

    layers: list
    optimizer: list
    meta: dict
    rule: object
    loss_settings: dict
    params: dict
    hidden_layer_sizes: tuple
    sparse_input: bool

    @classmethod
    def of(cls, model, plan, params, hidden_layer_sizes):
        """The trained shared ``model``'s state, for the fit of ``plan``."""
        optimizer = params["optimizer"]
        if isinstance(optimizer, keras.optimizers.Optimizer):
            # A copy, as the fit's: later changes to the instance do not count.
            optimizer = type(optimizer).from_config(optimizer.get_config())
        return cls(
            layers=[
                (*arrays([layer.kernel, layer.bias]), activation)
                for layer, activation in _model.dense_stack(model)
            ],
            optimizer=arrays(model.optimizer.variables),
            meta=plan.meta,
            rule=plan.rule,
            loss_settings=plan.loss_settings,
            params={**params, "optimizer": optimizer},
            hidden_layer_sizes=tuple(hidden_layer_sizes),
            sparse_input=_model.sparse_input(plan.X),
        )

    def build(self):
        """A new Keras network holding these weights and optimizer state."""
        model = _model.new_model(
            self.meta,
            self.rule,
            self.loss_settings,
            self.params,
            list(self.hidden_layer_sizes),
            sparse_input=self.sparse_input,
        )
        model.optimizer.build(model.trainable_variables)
        for (layer, _), (kernel, bias, _) in zip(
            _model.dense_stack(model), self.layers, strict=True
        ):
            layer.kernel.assign(kernel)
            layer.bias.assign(bias)
        for variable, value in zip(
            model.optimizer.variables, self.optimizer, strict=True
        ):
            variable.assign(value)
        return model
