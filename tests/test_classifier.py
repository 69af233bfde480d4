"""XentClassifier on the tutorial's problems and with scikit-learn's tools."""

import copy
import pickle
import random
import subprocess
import sys

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_blobs, make_moons
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    check_cv,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tensorflow.python.framework import config as tf_config

from skxent import XentClassifier, _plan
from skxent.demo import TUTORIAL_PARAMS as TUTORIAL
from skxent.demo import tutorial_blobs, tutorial_circles

# Quick settings for tests that check plumbing rather than accuracy.
QUICK = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def circles():
    X_train, X_test, y_train, y_test = tutorial_circles()
    clf = XentClassifier(**TUTORIAL).fit(X_train, y_train)
    return clf, X_test, y_test


@pytest.fixture(scope="module")
def blobs():
    X_train, X_test, y_train, y_test = tutorial_blobs()
    clf = XentClassifier(**TUTORIAL).fit(X_train, y_train)
    return clf, X_test, y_test


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(200, noise=0.1, random_state=0)
    return X.astype(np.float32), y


# -- the tutorial's problems ---------------------------------------------------


def test_circles_binary_crossentropy(circles):
    clf, X_test, y_test = circles
    assert clf.loss_ == "binary_crossentropy"
    assert clf.target_type_ == "binary"
    assert clf.model_.output_shape == (None, 1)
    assert clf.score(X_test, y_test) >= 0.99
    assert set(clf.history_) == {"loss", "val_loss"}
    assert len(clf.history_["loss"]) == clf.n_iter_ == 30
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]


def test_blobs_onehot_categorical_crossentropy(blobs):
    clf, X_test, y_test = blobs
    assert clf.loss_ == "categorical_crossentropy"
    assert clf.target_type_ == "multiclass"
    assert clf.classes_.tolist() == [0, 1, 2, 3]
    assert clf.model_.output_shape == (None, 4)
    pred = clf.predict(X_test)
    assert pred.shape == (250,) and pred.dtype.kind == "i"
    # score takes the one-hot y as fit did, and the integer labels too.
    assert clf.score(X_test, y_test) >= 0.97
    assert clf.score(X_test, y_test.argmax(axis=1)) == clf.score(X_test, y_test)


def test_categorical_crossentropy_runs_on_sparse_codes(blobs):
    # The n x k one-hot array is never built: the loss takes integer codes.
    clf, _, _ = blobs
    assert isinstance(clf.model_.loss, keras.losses.SparseCategoricalCrossentropy)


@pytest.mark.parametrize("problem", ["circles", "blobs"])
def test_plot_decision_regions_needs_no_adapter(problem, request):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mlxtend.plotting import plot_decision_regions

    clf, X_test, y_test = request.getfixturevalue(problem)
    y_plot = y_test.argmax(axis=1) if y_test.ndim == 2 else y_test
    ax = plot_decision_regions(X_test, y_plot.astype(int), clf=clf, legend=2)
    assert len(ax.collections) > 0
    plt.close("all")


def test_predict_proba_and_decision_function_shapes(circles, blobs):
    clf, X_test, _ = circles
    proba = clf.predict_proba(X_test)
    assert proba.shape == (250, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.predict_proba(X_test[:1]).shape == (1, 2)
    decision = clf.decision_function(X_test)
    assert decision.shape == (250,)
    np.testing.assert_array_equal(clf.predict(X_test), (decision > 0).astype(int))

    clf, X_test, _ = blobs
    assert clf.predict_proba(X_test).shape == (250, 4)
    assert clf.decision_function(X_test).shape == (250, 4)
    np.testing.assert_array_equal(
        clf.predict(X_test), clf.predict_proba(X_test).argmax(axis=1)
    )


# -- targets and losses -----------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [np.array(["no", "yes"]), np.array([False, True]), np.array([-1, 7])],
)
def test_predicts_original_labels(moons, labels):
    X, y = moons
    clf = XentClassifier(**QUICK).fit(X, labels[y])
    assert clf.classes_.tolist() == labels.tolist()
    assert clf.predict(X).dtype == labels.dtype
    assert set(clf.predict(X)) <= set(labels)


def test_pandas_input(moons):
    X, y = moons
    frame = pd.DataFrame(X, columns=["x1", "x2"])
    target = pd.Series(np.array(["a", "b"])[y], dtype="category")
    clf = XentClassifier(**QUICK).fit(frame, target)
    assert clf.feature_names_in_.tolist() == ["x1", "x2"]
    assert clf.classes_.tolist() == ["a", "b"]
    assert clf.predict(frame).shape == (200,)


def test_multilabel_uses_one_sigmoid_per_label():
    X, _ = make_blobs(300, centers=3, random_state=0)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X.sum(axis=1) > 2]).astype(int)
    # A learning rate that learns it from any backend's initial weights.
    clf = XentClassifier(**{**QUICK, "epochs": 30}, learning_rate=0.01).fit(X, Y)
    assert clf.target_type_ == "multilabel-indicator"
    assert clf.loss_ == "binary_crossentropy"
    assert clf.predict(X).shape == (300, 3)
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 3) and ((proba >= 0) & (proba <= 1)).all()
    assert clf.score(X, Y) > 0.8


@pytest.mark.parametrize(
    "loss, n_classes, n_outputs",
    [
        ("categorical_crossentropy", 2, 2),
        ("sparse_categorical_crossentropy", 2, 2),
        ("binary_crossentropy", 3, 3),
        ("sparse_categorical_crossentropy", 3, 3),
    ],
)
def test_explicit_loss_gets_matching_output_layer(loss, n_classes, n_outputs):
    X, y = make_blobs(150, centers=n_classes, random_state=0)
    clf = XentClassifier(**{**QUICK, "epochs": 20}, learning_rate=0.01, loss=loss)
    clf.fit(X, y)
    assert clf.loss_ == loss
    assert clf.model_.output_shape == (None, n_outputs)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    expected_decision = (150,) if n_classes == 2 else (150, n_classes)
    assert clf.decision_function(X).shape == expected_decision
    assert clf.score(X, y) > 0.8


def test_label_smoothing_matches_keras_on_onehot_targets():
    from skxent._keras_losses import SparseCategoricalCrossentropy

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)).astype("float32")
    codes = np.array([0, 3, 1, 2, 2, 0])
    ours = SparseCategoricalCrossentropy(label_smoothing=0.2)(codes, logits)
    keras_cce = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=0.2
    )
    theirs = keras_cce(np.eye(4)[codes], logits)
    np.testing.assert_allclose(float(ours), float(theirs), rtol=1e-5)


def test_label_smoothing_trains(moons):
    X, y = moons
    clf = XentClassifier(**QUICK, label_smoothing=0.1, loss="categorical_crossentropy")
    clf.fit(X, y)
    assert clf.model_.loss.label_smoothing == pytest.approx(0.1)


# -- scikit-learn citizenship ----------------------------------------------------


def test_is_classifier_and_cv_is_stratified(moons):
    X, y = moons
    clf = XentClassifier(**QUICK)
    assert is_classifier(clf)
    assert isinstance(check_cv(3, y, classifier=is_classifier(clf)), StratifiedKFold)
    scores = cross_val_score(clf, X, y, cv=2, scoring="roc_auc")
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_grid_search_over_losses_in_pipeline(moons):
    X, y = moons
    pipe = make_pipeline(StandardScaler(), XentClassifier(**{**QUICK, "epochs": 10}))
    grid = GridSearchCV(
        pipe,
        {
            "xentclassifier__loss": [
                "auto",
                "binary_crossentropy",
                "categorical_crossentropy",
            ]
        },
        cv=2,
        scoring="neg_log_loss",
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 3
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert grid.predict(X).shape == (200,)


def test_routed_params_survive_clone_and_reach_the_optimizer(moons):
    X, y = moons
    clf = XentClassifier(**QUICK, optimizer="sgd", optimizer__momentum=0.9)
    cloned = clone(clf)
    assert cloned.get_params()["optimizer__momentum"] == 0.9
    cloned.set_params(optimizer__momentum=0.5)
    assert clf.get_params()["optimizer__momentum"] == 0.9
    cloned.fit(X, y)
    assert float(cloned.model_.optimizer.momentum) == pytest.approx(0.5)
    assert float(cloned.model_.optimizer.learning_rate) == pytest.approx(1e-3)


def test_fit_params_are_routed(moons):
    X, y = moons
    clf = XentClassifier(**QUICK, fit__initial_epoch=1).fit(X, y)
    assert clf.n_iter_ == QUICK["epochs"] - 1


def test_keras_2_lr_gets_a_clear_error(moons):
    X, y = moons
    with pytest.raises(TypeError, match="learning_rate, not lr"):
        XentClassifier(**QUICK, optimizer__lr=0.01).fit(X, y)


def test_unknown_parameter_is_refused_at_fit(moons):
    X, y = moons
    clf = XentClassifier(**QUICK, dropout=0.5)
    with pytest.raises(TypeError, match="unexpected parameter 'dropout'"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "misspelled, meant",
    [
        ("n_epochs", "epochs"),
        ("batchsize", "batch_size"),
        ("hidden_layers", "hidden_layer_sizes"),
        ("optimiser__momentum", "optimizer__momentum"),
        ("callback__patience", "callbacks__patience"),
    ],
)
def test_a_misspelled_parameter_gets_a_suggestion_before_training(
    misspelled, meant, moons
):
    X, y = moons
    clf = XentClassifier(**QUICK, **{misspelled: 5})
    with pytest.raises(TypeError, match=f"Did you mean '{meant}'\\?"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


def test_pickle_fitted_and_unfitted(circles):
    clf, X_test, _ = circles
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), clf.predict_proba(X_test)
    )
    unfitted = pickle.loads(pickle.dumps(XentClassifier(**QUICK)))
    assert unfitted.get_params() == XentClassifier(**QUICK).get_params()
    assert copy.deepcopy(clf).score(X_test, _) == clf.score(X_test, _)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_import_construct_and_clone_do_not_import_tensorflow():
    code = (
        "import sys, skxent\n"
        "from sklearn.base import clone\n"
        "c = clone(skxent.XentClassifier(optimizer__momentum=0.9))\n"
        "c.get_params(); c.set_params(epochs=3); skxent.load\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=240)


# -- SciKeras 0.13's defects, fixed -------------------------------------------------


def test_seeded_fit_leaves_no_global_state(moons):
    X, y = moons
    # The legacy global RNG is exactly the state a fit must leave alone.
    np_state = np.random.get_state()  # noqa: NPY002
    py_state = random.getstate()
    XentClassifier(**QUICK).fit(X, y)
    assert not tf_config.is_op_determinism_enabled()
    assert random.getstate() == py_state
    after = np.random.get_state()  # noqa: NPY002
    assert np_state[0] == after[0] and (np_state[1] == after[1]).all()
    # An unseeded fit after a seeded one works (SciKeras 0.13 raises here).
    XentClassifier(**{**QUICK, "random_state": None}).fit(X, y)


def test_same_seed_same_model_distinct_random_states_differ(moons):
    X, y = moons
    a = XentClassifier(**QUICK).fit(X, y).predict_proba(X)
    b = XentClassifier(**QUICK).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    params = {**QUICK}
    params.pop("random_state")
    c = XentClassifier(**params, random_state=np.random.RandomState(1)).fit(X, y)
    d = XentClassifier(**params, random_state=np.random.RandomState(2)).fit(X, y)
    assert not np.array_equal(c.predict_proba(X), d.predict_proba(X))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_same_seed_same_probabilities_in_a_new_process(moons):
    X, y = moons
    params = {**QUICK, "validation_split": 0.2}
    code = (
        "import sys\n"
        "from sklearn.datasets import make_moons\n"
        "from skxent import XentClassifier\n"
        "X, y = make_moons(200, noise=0.1, random_state=0)\n"
        f"clf = XentClassifier(**{params!r}).fit(X, y)\n"
        "sys.stdout.write(clf.predict_proba(X).tobytes().hex())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        timeout=240,
    ).stdout
    here = XentClassifier(**params).fit(X, y).predict_proba(X)
    assert out == here.tobytes().hex()


def test_class_weight_does_not_change_sample_weight(moons):
    X, y = moons
    weights = np.ones(len(y), dtype=np.float32)
    callback = keras.callbacks.EarlyStopping(monitor="loss", patience=1)
    XentClassifier(**QUICK, class_weight={0: 5.0, 1: 1.0}, callbacks=[callback]).fit(
        X, y, sample_weight=weights
    )
    np.testing.assert_array_equal(weights, 1.0)
    assert callback.model is None  # the caller's callback was copied, not used


def test_class_weight_shifts_predictions(moons):
    X, y = moons
    # A learning rate that learns it from any backend's initial weights.
    heavy = XentClassifier(
        **{**QUICK, "epochs": 10},
        learning_rate=0.01,
        class_weight={0: 100.0, 1: 0.01},
    ).fit(X, y)
    assert (heavy.predict(X) == 0).mean() > 0.8


def test_validation_split_is_shuffled_and_stratified():
    sorted_codes = np.repeat([0, 1, 2], 50)
    train, val = _plan.split(sorted_codes, 0.2, seed=0, target_type="multiclass")
    assert len(val) == 30 and len(train) == 120
    assert np.bincount(sorted_codes[val]).tolist() == [10, 10, 10]
    assert not np.array_equal(val, np.arange(120, 150))


def test_callbacks_work_and_history_records_them(moons):
    X, y = moons
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=0, min_delta=10.0)
    clf = XentClassifier(
        **{**QUICK, "epochs": 20}, validation_split=0.25, callbacks=[stop]
    ).fit(X, y)
    assert clf.n_iter_ < 20 and len(clf.history_["val_loss"]) == clf.n_iter_


def test_warm_start_and_partial_fit_continue_training(moons):
    X, y = moons
    clf = XentClassifier(**QUICK, warm_start=True).fit(X, y)
    model = clf.model_
    clf.fit(X, y)
    assert clf.model_ is model and clf.n_iter_ == 2 * QUICK["epochs"]

    online = XentClassifier(**QUICK)
    online.partial_fit(X[y == 0][:10], y[y == 0][:10], classes=[0, 1])
    online.partial_fit(X, y)
    assert online.classes_.tolist() == [0, 1] and online.n_iter_ == 2
    with pytest.raises(ValueError, match="not seen during fit"):
        online.partial_fit(X[:4], np.array([0, 1, 2, 1]))


def test_custom_body_gets_output_layer_and_loss():
    X, y = make_blobs(200, centers=3, n_features=16, random_state=0)

    def conv_body(meta, filters=4):
        side = int(np.sqrt(meta["n_features_in_"]))
        return [
            keras.layers.Reshape((side, side, 1)),
            keras.layers.Conv2D(filters, 3, activation="relu"),
            keras.layers.Flatten(),
        ]

    clf = XentClassifier(
        body=conv_body, body__filters=6, epochs=20, batch_size=32, random_state=0
    )
    clf.fit(X, y)
    conv = next(x for x in clf.model_.layers if isinstance(x, keras.layers.Conv2D))
    assert conv.filters == 6
    assert clf.model_.output_shape == (None, 3)
    assert clf.loss_ == "categorical_crossentropy"
    assert clf.score(X, y) > 0.9


def test_body_must_end_flat():
    X, y = make_blobs(60, centers=2, n_features=4, random_state=0)
    clf = XentClassifier(body=lambda meta: keras.layers.Reshape((2, 2)), epochs=1)
    with pytest.raises(ValueError, match="Flatten"):
        clf.fit(X, y)
    clf = XentClassifier(body=lambda meta: "dense", epochs=1)
    with pytest.raises(TypeError, match="must return a Keras layer"):
        clf.fit(X, y)


def test_inference_in_chunks_matches_one_call(blobs, monkeypatch):
    import skxent._inference

    clf, X_test, _ = blobs
    full = clf.predict_proba(X_test)
    # Chunks of three rows: the tutorial's widest layer has 12 units.
    monkeypatch.setattr(skxent._inference, "NUMPY_CHUNK_VALUES", 36)
    np.testing.assert_allclose(clf.predict_proba(X_test), full, rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X_test), full.argmax(axis=1))
    assert clf.decision_function(X_test).shape == (len(X_test), 4)
