"""Every loss in the family learns, and a grid search over losses is sound."""

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_circles
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier, _keras_losses
from skxent._backend import backend
from skxent._keras_losses import FAMILIES, loss_as_data
from skxent._loss_rules import LOSSES
from skxent._programs import PROGRAMS

# One small configuration shared by every loss.
SHARED = dict(
    hidden_layer_sizes=(16,),
    epochs=20,
    batch_size=32,
    learning_rate=0.01,
    random_state=0,
)
CROSSENTROPIES = [name for name, rule in LOSSES.items() if rule.is_crossentropy]


def circles():
    X, y = make_circles(400, factor=0.1, noise=0.05, random_state=0)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def blobs():
    centers = [(15, 0), (15, 15), (0, 15), (30, 15)]
    X, y = make_blobs(400, centers=centers, cluster_std=1.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


@pytest.mark.parametrize("problem", [circles, blobs], ids=["circles", "blobs"])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_every_loss_learns_with_one_shared_configuration(loss, problem):
    X_train, X_test, y_train, y_test = problem()
    clf = XentClassifier(loss=loss, **SHARED).fit(X_train, y_train)
    assert clf.loss_ == loss
    assert clf.score(X_test, y_test) >= 0.9
    n_classes = len(np.unique(y_train))
    expected = (len(X_test),) if n_classes == 2 else (len(X_test), n_classes)
    assert clf.decision_function(X_test).shape == expected
    assert hasattr(clf, "predict_proba") == LOSSES[loss].is_crossentropy
    if LOSSES[loss].is_crossentropy:
        proba = clf.predict_proba(X_test)
        assert proba.shape == (len(X_test), n_classes)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_predict_proba_only_for_crossentropies_before_fit_too():
    assert hasattr(XentClassifier(), "predict_proba")
    assert hasattr(XentClassifier(loss="bce"), "predict_proba")
    for margin in ["hinge", "squared_hinge", "categorical_hinge"]:
        assert not hasattr(XentClassifier(loss=margin), "predict_proba")
        assert hasattr(XentClassifier(loss=margin), "decision_function")
    assert not hasattr(XentClassifier(loss=keras.losses.Hinge()), "predict_proba")


def test_grid_search_over_every_loss_with_accuracy_and_roc_auc():
    X_train, _, y_train, _ = circles()
    grid = GridSearchCV(
        XentClassifier(**SHARED),
        {"loss": list(LOSSES)},
        scoring=["accuracy", "roc_auc"],
        refit="accuracy",
        cv=2,
    ).fit(X_train, y_train)
    assert np.isfinite(grid.cv_results_["mean_test_roc_auc"]).all()
    assert (grid.cv_results_["mean_test_accuracy"] >= 0.9).all()


def test_grid_search_over_crossentropies_with_log_loss():
    X_train, _, y_train, _ = blobs()
    grid = GridSearchCV(
        XentClassifier(**SHARED),
        {"loss": CROSSENTROPIES},
        scoring="neg_log_loss",
        cv=2,
    ).fit(X_train, y_train)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert grid.best_estimator_.loss_ in CROSSENTROPIES


def test_keras_loss_instance_keeps_its_settings_but_takes_logits():
    X_train, X_test, y_train, y_test = blobs()
    given = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
    clf = XentClassifier(loss=given, **SHARED).fit(X_train, y_train)
    assert clf.loss_ == "categorical_crossentropy"
    assert clf.model_.loss.label_smoothing == pytest.approx(0.1)
    assert clf.score(X_test, y_test) >= 0.9
    assert given.get_config()["from_logits"] is False  # the caller's is unchanged

    binary = XentClassifier(loss=keras.losses.BinaryCrossentropy(), **SHARED)
    binary.fit(*circles()[::2])
    assert binary.model_.loss.from_logits is True
    assert clone(binary).loss is not binary.loss


def test_focal_settings_are_routed():
    X_train, _, y_train, _ = circles()
    clf = XentClassifier(loss="binary_focal_crossentropy", loss__gamma=3.0, **SHARED)
    clf.fit(X_train, y_train)
    assert clf.model_.loss.get_config()["gamma"] == 3.0


def test_label_smoothing_on_a_margin_loss_is_refused():
    X_train, _, y_train, _ = circles()
    clf = XentClassifier(loss="hinge", label_smoothing=0.1, **SHARED)
    with pytest.raises(ValueError, match="crossentropies only"):
        clf.fit(X_train, y_train)


def test_loss_is_validated_at_fit_and_aliases_are_resolved():
    X_train, _, y_train, _ = circles()
    clf = XentClassifier(loss="hinge_it", **SHARED)
    with pytest.raises(ValueError, match=r"'loss' parameter.*categorical_hinge"):
        clf.fit(X_train, y_train)
    clf.set_params(loss="bce").fit(X_train, y_train)
    assert clf.loss_ == "binary_crossentropy"
    with pytest.raises(ValueError, match=r"Got MeanSquaredError\(\) instead"):
        clf.set_params(loss=keras.losses.MeanSquaredError()).fit(X_train, y_train)


@pytest.mark.parametrize(
    "family, problem",
    [(FAMILIES[0], circles), (FAMILIES[1], blobs)],
    ids=["independent outputs", "one-hot targets"],
)
def test_a_familys_losses_share_one_program_and_fit_as_on_their_own(
    family, problem, monkeypatch
):
    """A search over a family's losses compiles its program once (JAX).

    Each loss then trains as in a program of its own: the members'
    per-sample values are computed by the same ops, inside a switch on the
    targets' last column, and reduced as the loss alone reduces them.  To
    1e-6, not bitwise: XLA compiles a branch of the switch apart from the
    network's ops and may fuse its arithmetic otherwise (last-bit
    differences, seen in one case of the two).
    """
    X, _, y, _ = problem()
    params = dict(SHARED, epochs=4, early_stopping=True)
    PROGRAMS.clear()
    shared = {loss: XentClassifier(**params, loss=loss).fit(X, y) for loss in family}
    # TensorFlow keeps a program per loss: a switch would take it off its
    # faster single-threaded executor (see skxent._backend._tensorflow).
    assert len(PROGRAMS) == (1 if backend().loss_as_data else len(family))
    monkeypatch.setattr(_keras_losses, "FAMILIES", ())
    for loss, clf in shared.items():
        alone = XentClassifier(**params, loss=loss).fit(X, y)
        assert clf.n_iter_ == alone.n_iter_
        for key, values in alone.history_.items():
            np.testing.assert_allclose(clf.history_[key], values, rtol=1e-6)
        for mine, theirs in zip(
            clf.model_.get_weights(), alone.model_.get_weights(), strict=True
        ):
            np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-6)
    PROGRAMS.clear()


def test_only_a_members_default_settings_train_as_data():
    for names in FAMILIES:
        for index, name in enumerate(names):
            family, found = loss_as_data(_keras_losses._default_loss(name))
            assert family.names == names and found == index
    assert loss_as_data(keras.losses.CategoricalFocalCrossentropy(gamma=3.0)) is None
    assert loss_as_data(_keras_losses._default_loss("binary_crossentropy")) is None
