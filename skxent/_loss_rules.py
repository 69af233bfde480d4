"""Loss name -> output layer, training-target encoding and prediction rule.

Pure NumPy: the Keras loss object itself is made in :mod:`skxent._keras_losses`,
so choosing a loss, encoding targets and turning logits into predictions
can be tested without TensorFlow.

Every loss is one of two kinds:

* *independent* outputs (binary crossentropy, binary focal crossentropy,
  hinge, squared hinge): one output for a binary target, one per class
  (one-vs-rest) for a multiclass target, one per label for a multilabel
  target.  The crossentropies read each output as a sigmoid probability;
  the hinges take targets of -1/+1 and predict by the sign of the margin.
* *exclusive* outputs (categorical, sparse categorical and categorical
  focal crossentropy, categorical hinge): one output per class, two for a
  binary target, and the largest output wins.  The crossentropies read the
  outputs as a softmax.  Categorical and sparse categorical crossentropy
  keep the targets as integer codes (the sparse formulation), so no
  ``(n, k)`` one-hot array is ever built for them.
"""

import difflib
from dataclasses import dataclass

import numpy as np
from scipy.special import expit
from sklearn.utils._param_validation import InvalidParameterError

__all__ = [
    "ALIASES",
    "KERAS_CLASSES",
    "LOSSES",
    "LossRule",
    "check_loss",
    "check_probabilities",
    "loss_kwargs",
    "loss_name",
    "resolve_loss",
]


@dataclass(frozen=True)
class LossRule:
    """How one loss wires the network's output to the target.

    Parameters
    ----------
    name : str
        Canonical Keras name of the loss, reported as ``loss_``.
    keras_class : str
        Name of the ``keras.losses`` class that computes it.
    exclusive : bool
        One output per class (two for binary) with an argmax rule, rather
        than independent one-vs-rest outputs.
    target : {"codes", "onehot", "binary", "sign"}
        Training target: integer codes, a one-hot matrix, 0/1 per output,
        or -1/+1 per output.
    probability : {"sigmoid", "softmax"} or None
        How outputs become probabilities; None for margin losses, which
        are not calibrated.
    """

    name: str
    keras_class: str
    exclusive: bool
    target: str
    probability: str | None

    @property
    def is_crossentropy(self):
        """Whether the loss takes ``from_logits`` and ``label_smoothing``."""
        return self.probability is not None

    def n_outputs(self, target_type, n_classes):
        """Number of outputs the last layer needs."""
        if target_type == "binary" and not self.exclusive:
            return 1
        return n_classes

    def encode(self, codes, target_type, n_classes):
        """Turn class codes into the training target for this loss.

        Returns int32 ``(n,)`` codes for the sparse formulation and float32
        ``(n, n_outputs)`` otherwise.
        """
        codes = np.asarray(codes)
        if self.exclusive:
            if target_type == "multilabel-indicator":
                raise ValueError(
                    f"loss={self.name!r} assumes exactly one class per sample, "
                    "but y is a multilabel indicator. Use an independent-output "
                    "loss for multilabel targets: 'binary_crossentropy' (the "
                    "'auto' choice), 'binary_focal_crossentropy', 'hinge' or "
                    "'squared_hinge'."
                )
            if self.target == "codes":
                return codes.astype(np.int32)
            return _onehot(codes, n_classes)
        if target_type == "binary":
            indicator = codes.astype(np.float32).reshape(-1, 1)
        elif target_type == "multiclass":
            indicator = _onehot(codes, n_classes)
        else:
            indicator = codes.astype(np.float32)
        return 2.0 * indicator - 1.0 if self.target == "sign" else indicator

    def proba(self, outputs, target_type):
        """Probabilities from the outputs: ``(n, n_classes)``.

        Binary targets give two columns; a one-vs-rest sigmoid over several
        classes is normalised so rows sum to 1; multilabel targets give each
        label's own probability.
        """
        if self.probability is None:
            raise AttributeError(f"loss={self.name!r} yields no probabilities.")
        outputs = np.asarray(outputs, dtype=np.float64)
        if self.probability == "softmax":
            shifted = outputs - outputs.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            return exp / exp.sum(axis=1, keepdims=True)
        p = expit(outputs)
        if target_type == "binary":
            return np.hstack([1.0 - p, p])
        if target_type == "multiclass":
            return p / np.maximum(p.sum(axis=1, keepdims=True), np.finfo(float).tiny)
        return p

    def decision(self, outputs, target_type):
        """scikit-learn's ``decision_function``: ``(n,)`` for binary targets."""
        outputs = np.asarray(outputs)
        if target_type == "binary":
            if self.exclusive:
                return outputs[:, 1] - outputs[:, 0]
            return outputs[:, 0]
        return outputs

    def predict_codes(self, outputs, target_type):
        """Class codes (or a multilabel indicator) predicted from the outputs."""
        if target_type == "multilabel-indicator":
            return (np.asarray(outputs) > 0).astype(np.int64)
        if target_type == "binary":
            return (self.decision(outputs, target_type) > 0).astype(np.int64)
        return np.asarray(outputs).argmax(axis=1)


def _onehot(codes, n_classes):
    return (codes[:, None] == np.arange(n_classes)).astype(np.float32)


_RULES = [
    LossRule("binary_crossentropy", "BinaryCrossentropy", False, "binary", "sigmoid"),
    LossRule(
        "binary_focal_crossentropy",
        "BinaryFocalCrossentropy",
        False,
        "binary",
        "sigmoid",
    ),
    LossRule(
        "categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        True,
        "codes",
        "softmax",
    ),
    LossRule(
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        True,
        "codes",
        "softmax",
    ),
    LossRule(
        "categorical_focal_crossentropy",
        "CategoricalFocalCrossentropy",
        True,
        "onehot",
        "softmax",
    ),
    LossRule("hinge", "Hinge", False, "sign", None),
    LossRule("squared_hinge", "SquaredHinge", False, "sign", None),
    LossRule("categorical_hinge", "CategoricalHinge", True, "onehot", None),
]

LOSSES = {rule.name: rule for rule in _RULES}
"""Every canonical loss name ``XentClassifier(loss=...)`` accepts."""

ALIASES = {
    "bce": "binary_crossentropy",
    "BCE": "binary_crossentropy",
    "cce": "categorical_crossentropy",
    "CCE": "categorical_crossentropy",
    "scce": "sparse_categorical_crossentropy",
    "SCCE": "sparse_categorical_crossentropy",
}
"""Short names, as Keras spells ``"bce"``."""

KERAS_CLASSES = {
    "BinaryCrossentropy": "binary_crossentropy",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
}
"""``keras.losses`` classes whose instances ``loss`` accepts, by class name."""

# Keras loss settings skxent sets itself: the network always outputs logits,
# and the name and dtype belong to the loss skxent builds.
_OWN_SETTINGS = ("from_logits", "name", "dtype", "axis")


def loss_name(loss):
    """Canonical name of a loss name, alias or Keras loss instance, or None.

    Examples
    --------
    >>> loss_name("bce"), loss_name("hinge"), loss_name("auto"), loss_name("mse")
    ('binary_crossentropy', 'hinge', 'auto', None)
    """
    if isinstance(loss, str):
        if loss == "auto":
            return loss
        loss = ALIASES.get(loss, loss)
        return loss if loss in LOSSES else None
    return KERAS_CLASSES.get(type(loss).__name__)


def check_loss(loss, owner="XentClassifier"):
    """Raise if ``loss`` names no loss; the message suggests a close match.

    Raises
    ------
    InvalidParameterError
        A ``ValueError`` (and ``TypeError``), as scikit-learn's parameter
        validation raises, listing the valid names in order.

    Examples
    --------
    >>> check_loss("binary_crossentopy")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'loss' parameter \
of XentClassifier must be ... Got 'binary_crossentopy' instead. Did you mean \
'binary_crossentropy'?
    """
    if loss_name(loss) is not None:
        return
    names = sorted(["auto", *LOSSES])
    short = sorted({alias.lower() for alias in ALIASES})
    shown = repr(loss) if isinstance(loss, str) else f"{type(loss).__name__}()"
    message = (
        f"The 'loss' parameter of {owner} must be one of "
        f"{', '.join(map(repr, names))}, a short name ({', '.join(map(repr, short))})"
        f" or an instance of keras.losses.{{{', '.join(KERAS_CLASSES)}}}. "
        f"Got {shown} instead."
    )
    if isinstance(loss, str):
        close = difflib.get_close_matches(loss.lower(), [*names, *short], n=1)
        if close:
            message += f" Did you mean {close[0]!r}?"
    raise InvalidParameterError(message)


def check_probabilities(loss):
    """Raise ``AttributeError`` where ``loss`` (a name or instance) has none.

    As ``SGDClassifier`` says it: ``hasattr(clf, "predict_proba")`` is then
    False.  ``"auto"`` always picks a crossentropy; an unknown loss passes
    here and fails in ``fit``.
    """
    name = loss_name(loss)
    if name in LOSSES and not LOSSES[name].is_crossentropy:
        raise AttributeError(
            f"probability estimates are not available for loss={name!r}: a "
            "margin loss is not calibrated. Use decision_function for its "
            "margins, or a crossentropy loss for probabilities (to score a "
            "search over losses by log-loss, use "
            "skxent.comparison.neg_log_loss_where_defined)."
        )


def resolve_loss(loss, target_type):
    """The :class:`LossRule` for ``loss`` on a target, and the loss's settings.

    ``"auto"`` picks binary crossentropy for binary and multilabel targets
    and categorical crossentropy for multiclass targets.  A Keras loss
    instance maps onto the rule of its class; its settings (such as
    ``label_smoothing``, ``gamma`` or ``reduction``) are returned to build
    skxent's own copy, which always takes logits.

    Examples
    --------
    >>> rule, settings = resolve_loss("auto", "multiclass")
    >>> rule.name, settings
    ('categorical_crossentropy', {})
    >>> resolve_loss("auto", "binary")[0].n_outputs("binary", 2)
    1
    >>> resolve_loss("cce", "binary")[0].n_outputs("binary", 2)
    2
    """
    check_loss(loss)
    name = loss_name(loss)
    if name == "auto":
        name = (
            "categorical_crossentropy"
            if target_type == "multiclass"
            else "binary_crossentropy"
        )
    settings = {}
    if not isinstance(loss, str):
        settings = {
            k: v for k, v in loss.get_config().items() if k not in _OWN_SETTINGS
        }
    return LOSSES[name], settings


def loss_kwargs(rule, settings, label_smoothing):
    """Keyword arguments of the Keras loss for ``rule``.

    ``settings`` come from a Keras loss instance and routed ``loss__*``
    parameters.  Crossentropies always take logits; ``label_smoothing`` may
    be set by the estimator or by the loss instance, not to two values.
    """
    settings = dict(settings)
    own = settings.pop("label_smoothing", 0.0)
    if label_smoothing and own and label_smoothing != own:
        raise ValueError(
            f"label_smoothing={label_smoothing} disagrees with the loss "
            f"instance's label_smoothing={own}; set it in one place."
        )
    smoothing = float(label_smoothing or own)
    if rule.is_crossentropy:
        return {**settings, "from_logits": True, "label_smoothing": smoothing}
    if smoothing:
        raise ValueError(
            f"label_smoothing applies to crossentropies only; loss={rule.name!r} "
            "is a margin loss. Set label_smoothing=0.0."
        )
    return settings
