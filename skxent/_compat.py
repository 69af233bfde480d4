"""The few shims between skxent and the libraries it builds on.

* scikit-learn >= 1.6 moved ``validate_data`` to a function; older
  releases have only the private method.
* SciKeras's parameter routing (``optimizer__*``, ``callbacks__*``) is
  reused as it is, but imported on first use: ``scikeras._utils`` imports
  Keras, and importing skxent must not import TensorFlow.

skxent does not subclass SciKeras's ``KerasClassifier``: importing it pulls
in TensorFlow, and its defects on scikit-learn >= 1.6 (listed in
``docs/scikeras.md``) sit in the very methods a subclass would inherit.
"""

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6

    def validate_data(estimator, X="no_validation", y="no_validation", **kwargs):
        return estimator._validate_data(X, y, **kwargs)


__all__ = ["route_params", "unflatten_params", "validate_data"]


def route_params(params, destination, pass_filter=(), strict=False):
    """SciKeras's ``route_params``: keep ``destination__*`` keys, prefix removed."""
    from scikeras._utils import route_params as _route_params

    return _route_params(params, destination, pass_filter, strict=strict)


def unflatten_params(items, params):
    """SciKeras's ``unflatten_params``: build classes with routed parameters."""
    from scikeras._utils import unflatten_params as _unflatten_params

    return _unflatten_params(items, params)
