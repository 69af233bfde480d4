"""Target detection, encoding and the loss rules: NumPy only, nothing is trained."""

import numpy as np
import pandas as pd
import pytest

from skxent import TargetEncoder
from skxent._loss_rules import LOSSES, loss_kwargs, resolve_loss


@pytest.mark.parametrize(
    "y, target_type, classes",
    [
        ([0, 1, 1, 0], "binary", [0, 1]),
        (["b", "a", "c", "a"], "multiclass", ["a", "b", "c"]),
        ([True, False, True], "binary", [False, True]),
        (pd.Series(["x", "y", "z"], dtype="category"), "multiclass", ["x", "y", "z"]),
        (np.array([3, 7, 5, 7]), "multiclass", [3, 5, 7]),
        ([[0], [1], [1]], "binary", [0, 1]),
    ],
)
def test_labels_are_classes(y, target_type, classes):
    enc = TargetEncoder().fit(y)
    assert enc.target_type_ == target_type
    assert enc.input_format_ == "labels"
    assert enc.classes_.tolist() == classes
    codes = enc.transform(y)
    assert codes.dtype == np.int64 and codes.ndim == 1
    assert enc.inverse_transform(codes).tolist() == np.ravel(np.asarray(y)).tolist()


def test_onehot_is_multiclass_with_column_classes():
    y = np.eye(4)[[0, 3, 2, 1, 1]]
    enc = TargetEncoder().fit(y)
    assert (enc.target_type_, enc.input_format_) == ("multiclass", "onehot")
    assert enc.classes_.tolist() == [0, 1, 2, 3]
    assert enc.transform(y).tolist() == [0, 3, 2, 1, 1]
    # Predictions come back 1-D, as mlxtend needs.
    assert enc.inverse_transform(np.array([2, 0])).tolist() == [2, 0]


def test_two_column_onehot_is_binary():
    enc = TargetEncoder().fit(np.eye(2)[[0, 1, 1]])
    assert enc.target_type_ == "binary"


def test_multilabel_indicator():
    y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]])
    enc = TargetEncoder().fit(y)
    assert (enc.target_type_, enc.input_format_) == (
        "multilabel-indicator",
        "indicator",
    )
    assert enc.transform(y).shape == (3, 3)
    assert enc.inverse_transform(enc.transform(y)).tolist() == y.tolist()


@pytest.mark.parametrize(
    "y, message",
    [
        ([0.1, 0.5, 2.3], "Unknown label type: continuous"),
        ([[1, 2], [3, 1], [2, 2]], "Unknown label type: multiclass-multioutput"),
        ([1, 1, 1], "only one class"),
        (np.eye(3)[[1, 1, 1]], "only one class"),
    ],
)
def test_unsupported_targets_are_refused(y, message):
    with pytest.raises(ValueError, match=message):
        TargetEncoder().fit(y)


def test_declared_classes_cover_a_partial_batch():
    enc = TargetEncoder(classes=[0, 1, 2]).fit([0, 0])
    assert enc.classes_.tolist() == [0, 1, 2] and enc.target_type_ == "multiclass"
    with pytest.raises(ValueError, match=r"not in classes"):
        TargetEncoder(classes=[0, 1]).fit([0, 5])


def test_unseen_labels_and_wrong_onehot_width_are_refused():
    enc = TargetEncoder().fit(["a", "b"])
    with pytest.raises(ValueError, match=r"\['z'\] that were not seen"):
        enc.transform(["a", "z"])
    enc = TargetEncoder().fit(np.eye(3)[[0, 1, 2]])
    with pytest.raises(ValueError, match="one-hot with 3 columns"):
        enc.transform(np.eye(4)[[0, 1]])


def test_input_is_not_changed():
    y = np.eye(3)[[0, 1, 2]]
    before = y.copy()
    TargetEncoder().fit(y).transform(y)
    np.testing.assert_array_equal(y, before)


# -- loss rules ----------------------------------------------------------


@pytest.mark.parametrize(
    "loss, target_type, name, n_outputs",
    [
        ("auto", "binary", "binary_crossentropy", 1),
        ("auto", "multiclass", "categorical_crossentropy", 4),
        ("auto", "multilabel-indicator", "binary_crossentropy", 4),
        ("binary_crossentropy", "multiclass", "binary_crossentropy", 4),
        ("categorical_crossentropy", "binary", "categorical_crossentropy", 2),
        (
            "sparse_categorical_crossentropy",
            "binary",
            "sparse_categorical_crossentropy",
            2,
        ),
    ],
)
def test_resolve_loss(loss, target_type, name, n_outputs):
    rule, settings = resolve_loss(loss, target_type)
    assert settings == {}
    n_classes = 2 if target_type == "binary" else 4
    assert rule.name == name
    assert rule.n_outputs(target_type, n_classes) == n_outputs


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match="must be one of .*'categorical_hinge'"):
        resolve_loss("hinge_it", "binary")


def test_categorical_crossentropy_keeps_integer_codes():
    # The sparse formulation: (n,) int32, never an (n, k) one-hot array.
    codes = np.array([0, 999, 5])
    target = LOSSES["categorical_crossentropy"].encode(codes, "multiclass", 1000)
    assert target.shape == (3,) and target.dtype == np.int32


def test_binary_crossentropy_targets():
    rule = LOSSES["binary_crossentropy"]
    assert rule.encode(np.array([0, 1]), "binary", 2).tolist() == [[0.0], [1.0]]
    ovr = rule.encode(np.array([2, 0]), "multiclass", 3)
    assert ovr.tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match="multilabel"):
        LOSSES["categorical_crossentropy"].encode(np.eye(2), "multilabel-indicator", 2)


def test_prediction_rules_from_logits():
    logits = np.array([[-2.0], [0.5], [800.0], [-800.0]])
    rule = LOSSES["binary_crossentropy"]
    proba = rule.proba(logits, "binary")
    assert proba.shape == (4, 2) and np.allclose(proba.sum(axis=1), 1)
    assert np.isfinite(proba).all()
    assert rule.predict_codes(logits, "binary").tolist() == [0, 1, 1, 0]
    assert rule.decision(logits, "binary").shape == (4,)

    softmax = LOSSES["categorical_crossentropy"]
    two = np.array([[1.0, 3.0], [2.0, -1.0]])
    assert softmax.decision(two, "binary").tolist() == [2.0, -3.0]
    assert softmax.predict_codes(two, "binary").tolist() == [1, 0]
    many = np.array([[1.0, 5.0, 2.0], [900.0, 0.0, 0.0]])
    proba = softmax.proba(many, "multiclass")
    assert np.allclose(proba.sum(axis=1), 1) and np.isfinite(proba).all()
    assert softmax.predict_codes(many, "multiclass").tolist() == [1, 0]

    ovr = rule.proba(np.array([[0.0, 2.0, -1.0]]), "multiclass")
    assert np.allclose(ovr.sum(axis=1), 1)
    multilabel = rule.proba(np.array([[0.0, 2.0]]), "multilabel-indicator")
    assert np.allclose(multilabel, [[0.5, 1 / (1 + np.exp(-2))]])


@pytest.mark.parametrize(
    "loss, binary, multiclass, multilabel",
    [
        # (target, n_outputs) for a binary, a 3-class and a 3-label target.
        ("hinge", ([[-1.0], [1.0]], 1), ([[-1, -1, 1], [1, -1, -1]], 3), 3),
        ("squared_hinge", ([[-1.0], [1.0]], 1), ([[-1, -1, 1], [1, -1, -1]], 3), 3),
        (
            "binary_focal_crossentropy",
            ([[0.0], [1.0]], 1),
            ([[0, 0, 1], [1, 0, 0]], 3),
            3,
        ),
        ("categorical_hinge", ([[1, 0], [0, 1]], 2), ([[0, 0, 1], [1, 0, 0]], 3), None),
        (
            "categorical_focal_crossentropy",
            ([[1, 0], [0, 1]], 2),
            ([[0, 0, 1], [1, 0, 0]], 3),
            None,
        ),
    ],
)
def test_every_loss_encodes_targets_for_its_outputs(
    loss, binary, multiclass, multilabel
):
    rule = LOSSES[loss]
    target, n_outputs = binary
    assert rule.encode(np.array([0, 1]), "binary", 2).tolist() == target
    assert rule.n_outputs("binary", 2) == n_outputs
    target, n_outputs = multiclass
    assert rule.encode(np.array([2, 0]), "multiclass", 3).tolist() == target
    assert rule.n_outputs("multiclass", 3) == n_outputs
    indicator = np.array([[1, 0, 1]])
    if multilabel is None:
        with pytest.raises(ValueError, match="one class per sample"):
            rule.encode(indicator, "multilabel-indicator", 3)
    else:
        assert rule.encode(indicator, "multilabel-indicator", 3).shape == (1, 3)


def test_margin_losses_predict_by_sign_and_have_no_probabilities():
    hinge = LOSSES["hinge"]
    margins = np.array([[-0.3], [0.2]])
    assert hinge.predict_codes(margins, "binary").tolist() == [0, 1]
    assert hinge.decision(margins, "binary").tolist() == [-0.3, 0.2]
    with pytest.raises(AttributeError, match="no probabilities"):
        hinge.proba(margins, "binary")
    categorical = LOSSES["categorical_hinge"]
    assert categorical.predict_codes(np.array([[0.1, 0.4]]), "binary").tolist() == [1]
    assert categorical.probability is None


@pytest.mark.parametrize(
    "alias, name",
    [
        ("bce", "binary_crossentropy"),
        ("cce", "categorical_crossentropy"),
        ("scce", "sparse_categorical_crossentropy"),
    ],
)
def test_aliases_resolve_to_canonical_names(alias, name):
    assert resolve_loss(alias, "multiclass")[0].name == name


def test_keras_loss_instance_maps_onto_its_row_and_keeps_its_settings():
    keras = pytest.importorskip("keras")
    rule, settings = resolve_loss(
        keras.losses.CategoricalFocalCrossentropy(gamma=3.0, label_smoothing=0.1),
        "multiclass",
    )
    assert rule.name == "categorical_focal_crossentropy"
    assert settings["gamma"] == 3.0 and settings["label_smoothing"] == 0.1
    assert "from_logits" not in settings
    kwargs = loss_kwargs(rule, settings, label_smoothing=0.0)
    assert kwargs["from_logits"] is True and kwargs["label_smoothing"] == 0.1
    with pytest.raises(ValueError, match=r"Got MeanSquaredError\(\) instead"):
        resolve_loss(keras.losses.MeanSquaredError(), "binary")


def test_label_smoothing_is_for_crossentropies_and_set_in_one_place():
    with pytest.raises(ValueError, match="crossentropies only"):
        loss_kwargs(LOSSES["hinge"], {}, label_smoothing=0.1)
    with pytest.raises(ValueError, match="set it in one place"):
        loss_kwargs(LOSSES["binary_crossentropy"], {"label_smoothing": 0.2}, 0.1)
    assert loss_kwargs(LOSSES["hinge"], {}, 0.0) == {}
