"""skxent: a scikit-learn classifier on Keras that picks its own crossentropy.

Importing skxent does not import TensorFlow; the first ``fit`` does.
"""

from ._classifier import XentClassifier
from ._persistence import load
from ._targets import TargetEncoder

__all__ = ["TargetEncoder", "XentClassifier", "__version__", "load"]

__version__ = "0.1.0"
