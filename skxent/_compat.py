"""The few shims between skxent and the libraries it builds on.

* ``validate_data`` is a function from scikit-learn 1.6 on (the minimum
  skxent supports); earlier releases had only a private method.
* SciKeras's ``unflatten_params``, which builds optimizer and callback
  classes from routed parameters (``optimizer__*``, ``callbacks__*``), is
  reused as it is, but imported on first use: ``scikeras._utils`` imports
  Keras, and importing skxent must not import TensorFlow.

skxent does not subclass SciKeras's ``KerasClassifier``: importing it pulls
in TensorFlow, and its defects on scikit-learn >= 1.6 (listed in
``docs/scikeras.md``) sit in the very methods a subclass would inherit.
"""

from sklearn.utils.validation import validate_data

__all__ = ["unflatten_params", "validate_data"]


def unflatten_params(items, params):
    """SciKeras's ``unflatten_params``: build classes with routed parameters."""
    from scikeras._utils import unflatten_params as _unflatten_params

    return _unflatten_params(items, params)
