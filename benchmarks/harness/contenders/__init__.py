"""One module per contender family, each written as its users write it.

Every module's ``classifier(net, ...)`` returns a new, unfitted estimator
for a :class:`~harness.spec.Net` (``net=None``: the library's defaults).
All are silent (``verbose=0``) and seeded with ``net.seed``.
"""

from . import keras, linear, mlp, scikeras, skxent

BY_FAMILY = {
    "skxent": skxent,
    "scikeras": scikeras,
    "keras": keras,
    "mlp": mlp,
    "linear": linear,
}


def classifier(family, net=None, **params):
    """A new estimator of ``family`` for ``net``."""
    return BY_FAMILY[family].classifier(net, **params)
