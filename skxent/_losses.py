"""Loss name -> output layer, training-target encoding and prediction rule.

Pure NumPy: the Keras loss object itself is made in :mod:`skxent._model`,
so choosing a loss, encoding targets and turning logits into predictions
can be tested without TensorFlow.

Two output rules cover the crossentropies:

* ``"sigmoid"`` (binary crossentropy): one logit for a binary target, one
  per class (one-vs-rest) for a multiclass target, one per label for a
  multilabel target.  Each logit is an independent probability.
* ``"softmax"`` (categorical and sparse categorical crossentropy): one
  logit per class, two for a binary target; the class probabilities are
  the softmax of the logits.  Targets stay integer codes: the loss uses
  the sparse formulation whatever the name, so no ``(n, k)`` one-hot
  array is ever built.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["LOSSES", "LossRule", "resolve_loss"]


@dataclass(frozen=True)
class LossRule:
    """How one loss wires the network's output to the target.

    Parameters
    ----------
    name : str
        Canonical Keras name of the loss, reported as ``loss_``.
    output : {"sigmoid", "softmax"}
        How logits become probabilities.
    """

    name: str
    output: str

    def n_outputs(self, target_type, n_classes):
        """Number of logits the output layer needs."""
        if self.output == "sigmoid" and target_type == "binary":
            return 1
        return n_classes

    def encode(self, codes, target_type, n_classes):
        """Turn class codes into the training target for this loss.

        Returns float32 ``(n, n_outputs)`` for the sigmoid rule and int32
        ``(n,)`` codes for the softmax rule.
        """
        codes = np.asarray(codes)
        if self.output == "softmax":
            if target_type == "multilabel-indicator":
                raise ValueError(
                    f"loss={self.name!r} assumes exactly one class per sample, "
                    "but y is a multilabel indicator. Use "
                    "loss='binary_crossentropy' (or 'auto') for multilabel targets."
                )
            return codes.astype(np.int32)
        if target_type == "binary":
            return codes.astype(np.float32).reshape(-1, 1)
        if target_type == "multiclass":
            return (codes[:, None] == np.arange(n_classes)).astype(np.float32)
        return codes.astype(np.float32)

    def proba(self, logits, target_type):
        """Probabilities from logits: ``(n, n_classes)``.

        Binary targets give two columns; a one-vs-rest sigmoid over several
        classes is normalised so rows sum to 1; multilabel targets give each
        label's own probability.
        """
        logits = np.asarray(logits, dtype=np.float64)
        if self.output == "softmax":
            shifted = logits - logits.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            return exp / exp.sum(axis=1, keepdims=True)
        p = _sigmoid(logits)
        if target_type == "binary":
            return np.hstack([1.0 - p, p])
        if target_type == "multiclass":
            return p / np.maximum(p.sum(axis=1, keepdims=True), np.finfo(float).tiny)
        return p

    def decision(self, logits, target_type):
        """scikit-learn's ``decision_function``: ``(n,)`` for binary targets."""
        logits = np.asarray(logits)
        if target_type == "binary":
            if logits.shape[1] == 1:
                return logits[:, 0]
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_codes(self, logits, target_type):
        """Class codes (or a multilabel indicator) predicted from logits."""
        if target_type == "multilabel-indicator":
            return (np.asarray(logits) > 0).astype(np.int64)
        if target_type == "binary":
            return (self.decision(logits, target_type) > 0).astype(np.int64)
        return np.asarray(logits).argmax(axis=1)


def _sigmoid(z):
    # Split by sign so exp never overflows.
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


LOSSES = {
    "binary_crossentropy": LossRule("binary_crossentropy", "sigmoid"),
    "categorical_crossentropy": LossRule("categorical_crossentropy", "softmax"),
    "sparse_categorical_crossentropy": LossRule(
        "sparse_categorical_crossentropy", "softmax"
    ),
}
"""Every loss name ``XentClassifier(loss=...)`` accepts, besides ``"auto"``."""


def resolve_loss(loss, target_type):
    """Return the :class:`LossRule` for ``loss`` on a target of ``target_type``.

    ``"auto"`` picks binary crossentropy for binary and multilabel targets
    and categorical crossentropy for multiclass targets.

    Examples
    --------
    >>> resolve_loss("auto", "multiclass").name
    'categorical_crossentropy'
    >>> resolve_loss("auto", "binary").n_outputs("binary", 2)
    1
    >>> resolve_loss("categorical_crossentropy", "binary").n_outputs("binary", 2)
    2
    """
    if loss == "auto":
        loss = (
            "categorical_crossentropy"
            if target_type == "multiclass"
            else ("binary_crossentropy")
        )
    try:
        return LOSSES[loss]
    except KeyError:
        raise ValueError(
            f"Unknown loss {loss!r}; valid losses are {sorted(['auto', *LOSSES])}."
        ) from None
