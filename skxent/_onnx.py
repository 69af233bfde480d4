"""ONNX through skl2onnx: a converter for ``XentClassifier``'s Dense network.

:func:`register_onnx_converter` registers a parser, a shape calculator and a
converter with skl2onnx, after which ``skl2onnx.to_onnx`` converts an
``XentClassifier``, or any pipeline holding one, as it converts an
``MLPClassifier``: outputs ``label`` and ``probabilities``, or, with the
``zipmap`` option on (skl2onnx's default), ``output_label`` and
``output_probability`` (a list of ``{class: probability}`` dicts).

The graph is the network skxent predicts with: one ``MatMul``, ``Add`` and
activation per ``Dense`` layer, in float32 (in float64 for a float64
input), then the loss's rule (:class:`skxent._loss_rules.LossRule`): a softmax,
one sigmoid per output, one-vs-rest sigmoids normalised to sum to 1, and
the label by the largest output or the sign of the logit.  A margin loss
(the hinges) has no probabilities: its second output holds the
``decision_function`` scores, two columns ``(-d, d)`` for a binary target,
as skl2onnx does for ``SGDClassifier(loss="hinge")``.

Only a stack of ``Dense`` layers with the activations of
:data:`skxent._model.ACTIVATIONS` is converted; for any other network (a
custom ``body``) the error points to Keras's own ONNX export.
"""

import numpy as np

__all__ = ["register_onnx_converter"]

ALIAS = "SkxentXentClassifier"
# The options skl2onnx's classifiers take; the parser handles the first two.
OPTIONS = {
    "zipmap": [True, False, "columns"],
    "output_class_labels": [False, True],
    "nocl": [True, False],
}
_ONNX_ACTIVATIONS = {
    "linear": None,
    "relu": "Relu",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "softplus": "Softplus",
    "elu": "Elu",  # alpha=1.0, as in Keras
}
"""ONNX twins of :data:`skxent._model.ACTIVATIONS`."""


def register_onnx_converter():
    """Teach skl2onnx to convert :class:`~skxent.XentClassifier`.

    Call it once per process, before ``skl2onnx.to_onnx`` (calling it again
    does no harm).  Then ``to_onnx(estimator_or_pipeline, X[:1])`` converts
    an estimator with the default network (any ``hidden_layer_sizes`` and
    activation, any loss and target) into a graph whose outputs are named
    and shaped as for ``MLPClassifier``; skl2onnx's ``zipmap``, ``nocl``
    and ``output_class_labels`` options apply.  onnxruntime predicts the
    labels ``predict`` does and the probabilities of ``predict_proba`` to
    float32 precision.  A multilabel target gives a dense 0/1 ``label``,
    even where ``predict`` returns a sparse matrix.

    Needs ``pip install "skxent[onnx]"`` (skl2onnx and onnxruntime).

    Raises
    ------
    ImportError
        If skl2onnx is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> from skl2onnx import to_onnx
    >>> from skxent import XentClassifier, register_onnx_converter
    >>> register_onnx_converter()
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 8, dtype=np.float32)
    >>> y = np.array(["left", "right"] * 8)
    >>> clf = XentClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X, y)
    >>> onx = to_onnx(clf, X[:1], options={"zipmap": False})
    >>> [output.name for output in onx.graph.output]
    ['label', 'probabilities']
    """
    try:
        from skl2onnx import update_registered_converter
    except ImportError:
        raise ImportError(
            'register_onnx_converter needs skl2onnx: pip install "skxent[onnx]" '
            "(skl2onnx and onnxruntime)."
        ) from None
    from ._classifier import XentClassifier

    update_registered_converter(
        XentClassifier,
        ALIAS,
        _shape_calculator,
        _converter,
        parser=_parser,
        options=OPTIONS,
    )


def _dense_stack(estimator):
    """The fitted network's :func:`~skxent._model.dense_stack`, or a clear error."""
    from sklearn.utils.validation import check_is_fitted

    from ._model import dense_stack

    check_is_fitted(estimator)
    stack = dense_stack(estimator.model_)
    if stack is None:
        raise ValueError(
            "skl2onnx converts an XentClassifier whose network is a stack of "
            "Dense layers with activations among "
            f"{', '.join(_ONNX_ACTIVATIONS)}; this one is not (a custom body?). "
            "Export the Keras network itself with "
            'clf.model_.export("model.onnx", format="onnx"): it outputs the '
            "logits, to which you apply the preprocessing before it and the "
            "sigmoid or softmax of its loss after it."
        )
    return stack


def _classes(scope, estimator):
    """The labels as the graph holds them: int64, or UTF-8 strings."""
    from skl2onnx.common.utils_classifier import get_label_classes

    classes = np.asarray(get_label_classes(scope, estimator))
    # Float labels are whole numbers (scikit-learn refuses others as
    # continuous targets) and bools are 0/1: int64, as for MLPClassifier.
    if classes.dtype.kind in "biuf":
        return classes.astype(np.int64)
    return np.array([str(c).encode("utf-8") for c in classes])


def _parser(scope, model, inputs, custom_parsers=None):
    from skl2onnx._parse import _parse_sklearn_classifier
    from skl2onnx.common.data_types import Int64TensorType

    _dense_stack(model)  # a network that cannot be converted fails here
    _classes(scope, model)
    outputs = _parse_sklearn_classifier(
        scope, model, inputs, custom_parsers=custom_parsers
    )
    if model.target_type_ == "multilabel-indicator" and outputs[0].type.shape == [None]:
        # ZipMap passes the label through: one 0/1 column per label.
        outputs[0].set_type(Int64TensorType([None, len(model.classes_)]))
    return outputs


def _shape_calculator(operator):
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
        guess_tensor_type,
    )
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )

    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=2)
    check_input_and_output_types(
        operator,
        good_input_types=[FloatTensorType, DoubleTensorType, Int64TensorType],
    )
    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    n_classes = len(model.classes_)
    classes = _classes(operator.scope_inst, model)
    label_type = StringTensorType if classes.dtype.kind == "S" else Int64TensorType
    if model.target_type_ == "multilabel-indicator":
        operator.outputs[0].set_type(Int64TensorType([n_rows, n_classes]))
    else:
        operator.outputs[0].set_type(label_type([n_rows]))
    scores = guess_tensor_type(operator.inputs[0].type)
    scores.shape = [n_rows, n_classes]
    operator.outputs[1].set_type(scores)


class _Graph:
    """Adds nodes and constants to skl2onnx's container under unique names."""

    def __init__(self, scope, container, dtype):
        self.scope, self.container, self.dtype = scope, container, dtype

    def constant(self, name, value, dtype=None):
        from skl2onnx.proto import onnx_proto

        value = np.asarray(value, dtype=dtype or self.dtype)
        proto = {
            np.dtype(np.float32): onnx_proto.TensorProto.FLOAT,
            np.dtype(np.float64): onnx_proto.TensorProto.DOUBLE,
            np.dtype(np.int64): onnx_proto.TensorProto.INT64,
        }.get(value.dtype, onnx_proto.TensorProto.STRING)
        unique = self.scope.get_unique_variable_name(name)
        self.container.add_initializer(
            unique, proto, list(value.shape), value.ravel().tolist()
        )
        return unique

    def activation(self, name, z):
        """``z`` through a Keras activation, in float64 too.

        onnxruntime has ``Elu`` and ``Softplus`` in float32 only.
        """
        if self.dtype == np.float32 or name not in ("elu", "softplus"):
            return self.node(_ONNX_ACTIVATIONS[name], [z])
        zero = self.constant("zero", 0.0)
        if name == "elu":  # z > 0 ? z : exp(min(z, 0)) - 1
            negative = self.node("Exp", [self.node("Min", [z, zero])])
            below = self.node("Sub", [negative, self.constant("one", 1.0)])
            return self.node("Where", [self.node("Greater", [z, zero]), z, below])
        # softplus: max(z, 0) + log(1 + exp(-|z|)), which never overflows
        tail = self.node("Exp", [self.node("Neg", [self.node("Abs", [z])])])
        log1p = self.node("Log", [self.node("Add", [tail, self.constant("one", 1.0)])])
        return self.node("Add", [self.node("Max", [z, zero]), log1p])

    def node(self, op_type, inputs, output=None, **attrs):
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            inputs,
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output


def _converter(scope, operator, container):
    from skl2onnx.common.data_types import DoubleTensorType
    from skl2onnx.proto import onnx_proto

    from ._loss_rules import LOSSES
    from ._model import numpy_value

    model = operator.raw_operator
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    dtype = np.float64 if double else np.float32
    to = onnx_proto.TensorProto.DOUBLE if double else onnx_proto.TensorProto.FLOAT
    graph = _Graph(scope, container, dtype)

    z = graph.node("Cast", [operator.inputs[0].full_name], to=to)
    for layer, activation in _dense_stack(model):
        kernel = graph.constant("kernel", numpy_value(layer.kernel))
        bias = graph.constant("bias", numpy_value(layer.bias))
        z = graph.node("Add", [graph.node("MatMul", [z, kernel]), bias])
        if _ONNX_ACTIVATIONS[activation] is not None:
            z = graph.activation(activation, z)

    rule, target_type = LOSSES[model.loss_], model.target_type_
    label, scores = (output.full_name for output in operator.outputs)
    _label(graph, z, rule, target_type, _classes(scope, model), label)
    temperature = getattr(model, "calibration_temperature_", None)
    if temperature is not None:  # calibrated probabilities: of the logits / T
        z = graph.node("Div", [z, graph.constant("temperature", temperature)])
    _scores(graph, z, rule, target_type, scores)


def _label(graph, z, rule, target_type, classes, label):
    """:meth:`~skxent._loss_rules.LossRule.predict_codes`, then the labels."""
    from skl2onnx.proto import onnx_proto

    int64 = onnx_proto.TensorProto.INT64
    if target_type == "multilabel-indicator":
        positive = graph.node("Greater", [z, graph.constant("zero", 0.0)])
        graph.node("Cast", [positive], label, to=int64)
        return
    if target_type == "binary" and not rule.exclusive:
        positive = graph.node("Greater", [z, graph.constant("zero", 0.0)])
        codes = graph.node(
            "Reshape",
            [
                graph.node("Cast", [positive], to=int64),
                graph.constant("flat", [-1], np.int64),
            ],
        )
    else:  # the largest output; for two, the sign of their difference
        codes = graph.node("ArgMax", [z], axis=1, keepdims=0)
    classes = graph.constant("classes", classes, classes.dtype)
    graph.node("Gather", [classes, codes], label, axis=0)


def _scores(graph, z, rule, target_type, scores):
    """:meth:`~skxent._loss_rules.LossRule.proba`, or the margins of a hinge."""
    if target_type == "binary" and not (rule.exclusive and rule.probability):
        # Two columns from one product: (-z, z) for one output, and for two
        # (o0 - o1, o1 - o0), which is (-d, d) for decision_function's d.
        signs = [[1.0, -1.0], [-1.0, 1.0]] if rule.exclusive else [[-1.0, 1.0]]
        z = graph.node("MatMul", [z, graph.constant("signs", signs)])
    if rule.probability is None:
        graph.node("Identity", [z], scores)
    elif rule.probability == "softmax":
        graph.node("Softmax", [z], scores, axis=1)
    elif target_type == "multiclass":
        # One-vs-rest sigmoids normalised to sum 1, as Softmax(log sigmoid z):
        # a row of very negative logits keeps its proportions in float32.
        log_sigmoid = graph.node(
            "Neg", [graph.activation("softplus", graph.node("Neg", [z]))]
        )
        graph.node("Softmax", [log_sigmoid], scores, axis=1)
    else:  # binary (-z, z) or multilabel: each output's own sigmoid
        graph.node("Sigmoid", [z], scores)
