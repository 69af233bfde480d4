"""``skxent.load``: the one module that joins the file format and the class.

:mod:`skxent._persistence` reads and writes the format without importing
the estimator's module, and :mod:`skxent._classifier` reaches the writer
only, so the two import each other in no direction but one.
"""

from ._classifier import XentClassifier
from ._persistence import read

__all__ = ["load"]


def load(path):
    """Load an estimator written by :meth:`skxent.XentClassifier.save`.

    No code from the file is run: the network is loaded with Keras's
    ``safe_mode=True`` and everything else is plain data.

    Parameters
    ----------
    path : str or path-like
        A file written by ``XentClassifier.save``.

    Returns
    -------
    estimator : XentClassifier
        Fitted, predicting exactly as the saved one did.

    Raises
    ------
    ValueError
        If the file is not an skxent file, is truncated or inconsistent, or
        holds a network that would need to run code to load (a ``Lambda``
        layer, an unregistered custom layer).
    """
    return read(path, XentClassifier, stacklevel=3)
