"""The estimator's parameters: their constraints, routed ones, the check at fit.

:data:`PARAMETER_CONSTRAINTS` are scikit-learn's constraints of the
declared parameters.  Routed parameters are spelled as in SciKeras:
``prefix__name`` goes to the object ``prefix`` names (see :data:`ROUTES`),
e.g. ``optimizer__momentum=0.9``, and :func:`unflatten_params` builds the
optimizer's and callbacks' classes with theirs.  :class:`RoutedParamsMixin`
keeps them through ``get_params``, ``set_params`` and ``clone`` and checks
every parameter at ``fit``, as scikit-learn estimators do not raise in
``__init__`` or ``set_params``.
"""

import difflib
import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ._loss_rules import ALIASES, LOSSES, check_loss

__all__ = [
    "PARAMETER_CONSTRAINTS",
    "ROUTES",
    "RoutedParamsMixin",
    "close_match",
    "route",
    "unflatten_params",
]

PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "activation": [str, callable],
    "kernel_initializer": [str, dict, HasMethods(["get_config"])],
    "body": [callable, None],
    "loss": [
        StrOptions({"auto", *LOSSES, *ALIASES}),
        HasMethods(["get_config", "call"]),
    ],
    "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    "optimizer": [str, type, HasMethods(["apply_gradients"])],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "validation_split": [Interval(Real, 0, 1, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
    "tol": [Interval(Real, 0, None, closed="left")],
    "shuffle": ["boolean"],
    "class_weight": [dict, StrOptions({"balanced"}), None],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "callbacks": [list, tuple, None],
    "warm_start": ["boolean"],
    "input_scaling": [StrOptions({"auto", "standard"}), None],
    "calibration": [StrOptions({"temperature"}), None],
}
"""scikit-learn's ``_parameter_constraints`` of :class:`skxent.XentClassifier`."""

ROUTES = ("optimizer", "loss", "fit", "compile", "callbacks", "body")
"""Prefixes of routed parameters, as in SciKeras: ``optimizer__momentum=0.9``
is passed to the optimizer, ``fit__*`` to ``keras.Model.fit``,
``compile__*`` to ``keras.Model.compile``, ``loss__*`` to the Keras loss,
``callbacks__*`` to callback classes and ``body__*`` to the ``body``
callable."""


def route(params, prefix):
    """The parameters routed to ``prefix``, without the prefix.

    Examples
    --------
    >>> route({"optimizer__momentum": 0.9, "fit__shuffle": False}, "optimizer")
    {'momentum': 0.9}
    """
    start = prefix + "__"
    return {k[len(start) :]: v for k, v in params.items() if k.startswith(start)}


def unflatten_params(items, params, name="", inherited=None):
    """Build the classes in ``items`` with their routed parameters, as SciKeras does.

    A class is called with the parameters whose names hold no ``__`` (a
    name of digits is a positional argument, in the order of its number),
    each value built in turn with the parameters routed to it:
    ``{"schedule": Step, "schedule__size": 2}`` gives ``schedule=Step(size=2)``.
    A list, tuple or dict is built item by item, its items' parameters
    routed by index or key (``{"0__size": 2}``); its own plain parameters
    go to every item, below the item's own.  Anything else is kept as it
    is, and must receive no parameter.

    Parameters
    ----------
    items : class, list, tuple, dict or object
        What to build: ``optimizer`` or ``callbacks``, say.
    params : dict
        The parameters routed to ``items``, their prefix removed.
    name : str, default=""
        The parameter ``items`` came from, to name parameters in errors.
    inherited : dict, optional
        The plain parameters of the list or dict holding ``items``.

    Returns
    -------
    object
        ``items`` with every class built.

    Raises
    ------
    TypeError
        Where an item that is not a class (an instance, say) receives
        parameters.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Step:
    ...     size: float
    ...     schedule: object = None
    >>> unflatten_params(Step, {"size": 0.1, "schedule": Step, "schedule__size": 2})
    Step(size=0.1, schedule=Step(size=2, schedule=None))
    >>> unflatten_params([Step, Step], {"size": 1, "1__size": 2})
    [Step(size=1, schedule=None), Step(size=2, schedule=None)]
    >>> unflatten_params(Step, {"0": 3})
    Step(size=3, schedule=None)
    """
    own = {k: v for k, v in params.items() if "__" not in k}
    if isinstance(items, (list, tuple, dict)):
        keyed = items.items() if isinstance(items, dict) else enumerate(items)
        built = {
            key: unflatten_params(item, route(params, str(key)), _join(name, key), own)
            for key, item in keyed
        }
        return built if isinstance(items, dict) else type(items)(built.values())
    kwargs = {**(inherited or {}), **own}
    if not inspect.isclass(items):
        if kwargs:
            parent = name.rpartition("__")[0]
            given = [_join(name, k) for k in own] + [
                _join(parent, k) for k in inherited or {} if k not in own
            ]
            raise TypeError(
                f"{name or 'An item'} is an instance of {type(items).__name__}, "
                f"not a class, so it cannot take {', '.join(given)}. Pass the class "
                f"instead of an instance ({type(items).__name__}, not "
                f"{type(items).__name__}(...)) for them to reach it, or leave them "
                "out."
            )
        return items
    kwargs = {
        k: unflatten_params(v, route(params, k), _join(name, k))
        for k, v in kwargs.items()
    }
    positional = sorted((k for k in kwargs if k.isdecimal()), key=int)
    args = [kwargs.pop(k) for k in positional]
    return items(*args, **kwargs)


def _join(name, key):
    return f"{name}__{key}" if name else str(key)


class RoutedParamsMixin:
    """``get_params``/``set_params`` for an estimator with routed parameters."""

    def _set_routed_params(self, params):
        # Stored as given and checked in fit: scikit-learn estimators do not
        # raise in __init__ or set_params.
        for key, value in params.items():
            setattr(self, key, value)

    def _routed_params(self):
        named = self._get_param_names()
        return {
            k: v
            for k, v in vars(self).items()
            if k not in named and not k.startswith("_") and not k.endswith("_")
        }

    def get_params(self, deep=True):
        """Get parameters, routed ``prefix__name`` parameters included."""
        return {**super().get_params(deep=deep), **self._routed_params()}

    def set_params(self, **params):
        """Set parameters; ``optimizer__momentum=...`` and the like are routed."""
        routed = {
            k: params.pop(k)
            for k in list(params)
            if "__" in k and k.split("__", 1)[0] in ROUTES
        }
        self._set_routed_params(routed)
        return super().set_params(**params)

    def _check_params(self):
        """Check every parameter; return ``hidden_layer_sizes`` as a list of ints."""
        if isinstance(self.loss, str):
            check_loss(self.loss, type(self).__name__)  # lists names, suggests one
        self._validate_params()
        self._check_routed_params()
        sizes = np.atleast_1d(np.asarray(self.hidden_layer_sizes))
        if sizes.ndim != 1 or sizes.dtype.kind not in "iu" or (sizes <= 0).any():
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    def _check_routed_params(self):
        """Refuse a parameter that is neither declared nor routed."""
        for key in self._routed_params():
            if "__" not in key or key.split("__", 1)[0] not in ROUTES:
                close = close_match(key, self._get_param_names())
                raise TypeError(
                    f"{type(self).__name__} got an unexpected parameter {key!r}."
                    + (f" Did you mean {close!r}?" if close else "")
                    + " Routed parameters start with one of "
                    f"{', '.join(r + '__' for r in ROUTES)}."
                )


def close_match(key, declared):
    """The declared or routed name ``key`` most likely misspells, or None.

    A ``prefix__name`` key is matched by its prefix against :data:`ROUTES`,
    anything else against the ``declared`` parameter names.

    Examples
    --------
    >>> close_match("n_epochs", ["epochs", "batch_size"])
    'epochs'
    >>> close_match("optimiser__momentum", ["epochs"])
    'optimizer__momentum'
    >>> close_match("colour", ["epochs"]) is None
    True
    """
    if "__" in key:
        prefix, rest = key.split("__", 1)
        close = difflib.get_close_matches(prefix.lower(), ROUTES, n=1)
        return f"{close[0]}__{rest}" if close else None
    close = difflib.get_close_matches(key.lower(), list(declared), n=1)
    return close[0] if close else None
