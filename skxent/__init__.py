"""skxent: a scikit-learn classifier on Keras that picks its own crossentropy.

``import skxent`` is cheap: the public names are imported on first use
(scikit-learn with the estimator, TensorFlow only with the first ``fit``).
"""

import importlib

from ._version import __version__

__all__ = [
    "TargetEncoder",
    "XentClassifier",
    "__version__",
    "load",
    "register_onnx_converter",
]

# Public name -> the private module that defines it.
_MODULES = {
    "TargetEncoder": "._targets",
    "XentClassifier": "._classifier",
    "load": "._loading",
    "register_onnx_converter": "._onnx",
}


def __getattr__(name):
    if name not in _MODULES:
        raise AttributeError(f"module 'skxent' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULES[name], __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__():
    return sorted({*globals(), *__all__})
