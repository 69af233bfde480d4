"""One Keras network per architecture, shared by fits: nothing leaks between them.

A fit of the default network trains a shared network re-initialised from
its seed (:mod:`skxent._networks`) and keeps the result as NumPy arrays
(:class:`skxent._fitted_network.FittedNetwork`), building its own
``model_`` on first use.  Every fit here is compared, bitwise, with the
same fit made the way a fit that cannot share is made: a network of its
own (``_networks.REUSE = False``).
"""

import copy
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.utils.validation import check_is_fitted

import skxent
from skxent import XentClassifier, _model, _networks
from skxent._inference import Inference
from skxent._initialisation import FLAT_DRAW, initialise
from skxent._loss_rules import LOSSES

BACKEND = keras.backend.backend()
pytestmark = pytest.mark.skipif(
    BACKEND == "torch", reason="PyTorch fits build a network of their own"
)

QUICK = dict(hidden_layer_sizes=(8,), epochs=4, batch_size=16)
# How long a test waits for its threads before calling it a hang.
HANG = 240


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(60, centers=3, n_features=4, random_state=0)
    return X.astype(np.float32), y


def fit(X, y, *, reuse=True, **params):
    """A fit through the shared network (``reuse``) or with a network of its own."""
    before = _networks.REUSE
    _networks.REUSE = reuse
    try:
        return XentClassifier(**{**QUICK, **params}).fit(X, y)
    finally:
        _networks.REUSE = before


def shared(clf):
    """Whether ``clf`` was fit on a shared network (its model_ not built yet)."""
    return "_network" in vars(clf) and "model_" not in vars(clf)


def state(clf, X):
    """Everything a fit leaves, as plain values (builds ``model_``)."""
    model = clf.model_
    return {
        "weights": model.get_weights(),
        "optimizer": [np.array(v.numpy()) for v in model.optimizer.variables],
        "history": clf.history_,
        "n_iter": clf.n_iter_,
        "best_loss": clf.best_loss_,
        "decision": clf.decision_function(X),
        "temperature": clf.calibration_temperature_,
    }


def assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], list):
            assert len(a[key]) == len(b[key]), key
            for x, y in zip(a[key], b[key], strict=True):
                np.testing.assert_array_equal(x, y, err_msg=key)
        elif isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        else:
            assert a[key] == b[key], key


@pytest.mark.parametrize(
    "initializer",
    [
        "glorot_uniform",
        "he_uniform",
        "lecun_uniform",
        "glorot_normal",
        {"class_name": "RandomUniform", "config": {"minval": -2.0}},
        keras.initializers.VarianceScaling(2.0, "fan_out", "uniform"),
        keras.initializers.Orthogonal(gain=2.0),
        "zeros",
    ],
)
@pytest.mark.parametrize("widths", [(7, 6), (FLAT_DRAW // 5 + 1,)])
def test_initialise_gives_the_weights_of_a_new_network(initializer, widths):
    # A kernel over FLAT_DRAW entries (5 x widths[0]) draws its own shape.
    meta = {"n_features_in_": 5, "n_outputs_": 3, "random_seed": 0}

    def build(seed, draw=True):
        return _model.build_model(
            meta,
            body=None,
            body_params={},
            hidden_layer_sizes=widths,
            activation="relu",
            kernel_initializer=initializer,
            seed=seed,
            draw=draw,
        )

    new, other, undrawn = build(3), build(11), build(3, draw=False)
    assert not any(w.any() for w in undrawn.get_weights())
    differed = not np.array_equal(other.get_weights()[0], new.get_weights()[0])
    assert differed == (initializer != "zeros")
    for model in (other, undrawn):
        initialise(model, initializer, 3)
        for mine, theirs in zip(model.get_weights(), new.get_weights(), strict=True):
            np.testing.assert_array_equal(mine, theirs, err_msg=str(initializer))


CASES = {
    "binary, defaults": dict(random_state=1, centers=2),
    "multiclass, early stopping restores the best": dict(
        random_state=2, early_stopping=True, n_iter_no_change=1, epochs=8
    ),
    "two layers, tanh, calibrated": dict(
        random_state=3,
        hidden_layer_sizes=(7, 5),
        activation="tanh",
        calibration="temperature",
    ),  # fmt: skip
    "hinge, SGD with momentum": dict(
        random_state=4, loss="hinge", optimizer="sgd", optimizer__momentum=0.9
    ),
    "an optimizer instance, no scaling": dict(
        random_state=5, optimizer=keras.optimizers.RMSprop(0.01), input_scaling=None
    ),
    "sparse X": dict(random_state=6, sparse=True),
}


@pytest.mark.parametrize("params", CASES.values(), ids=CASES.keys())
def test_a_fit_on_the_shared_network_is_a_fit_on_its_own(blobs, params):
    X, y = blobs
    params = dict(params)
    if params.pop("sparse", False):
        X = sparse.csr_matrix(np.where(X > 0, X, 0))
    if params.pop("centers", 3) == 2:
        y = y % 2
    own = fit(X, y, reuse=False, **params)
    first = fit(X, y, **params)
    other_seed = fit(X, y, **{**params, "random_state": 99})
    again = fit(X, y, **params)
    assert not shared(own) and shared(first) and shared(again)
    expected = state(own, X)
    assert_same(state(first, X), expected)
    assert_same(state(again, X), expected)
    assert not np.array_equal(other_seed.decision_function(X), expected["decision"])


def test_a_fit_leaves_nothing_in_the_shared_network(blobs):
    # A fit after others of the same architecture, and a fit in a fresh
    # state (no shared network yet), are the same, bitwise; and each
    # estimator keeps its own weights whatever fits come after it.
    X, y = blobs
    _networks.NETWORKS.clear()
    fresh = fit(X, y, random_state=0)
    assert len(_networks.NETWORKS) == 1
    fresh_decision = fresh.decision_function(X)
    for seed in (1, 2, 3):
        fit(X, y, random_state=seed, learning_rate=0.01 * seed)
    after = fit(X, y, random_state=0)
    assert len(_networks.NETWORKS) == 4  # one per learning rate, each reused
    np.testing.assert_array_equal(fresh.decision_function(X), fresh_decision)
    assert_same(state(after, X), state(fresh, X))


def fit_decision(X, y, seed, barrier=None):
    clf = XentClassifier(**QUICK, random_state=seed)
    if barrier is not None:
        barrier.wait(timeout=HANG)  # every thread starts its fit at once
    clf.fit(X, y)
    return clf, clf.decision_function(X)


@pytest.mark.timeout(2 * HANG)
def test_concurrent_fits_of_different_seeds_give_the_sequential_results(blobs):
    X, y = blobs
    seeds = [0, 1, 2, 3, 0, 1]
    sequential = {seed: fit_decision(X, y, seed)[1] for seed in set(seeds)}
    barrier = threading.Barrier(len(seeds))
    with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
        futures = [pool.submit(fit_decision, X, y, s, barrier) for s in seeds]
        results = [future.result(timeout=HANG) for future in futures]
    for seed, (clf, decision) in zip(seeds, results, strict=True):
        assert shared(clf)
        np.testing.assert_array_equal(decision, sequential[seed], err_msg=seed)
    # Each estimator's model_ is its own, built from its own weights.
    models = [clf.model_ for clf, _ in results]
    assert len({id(m) for m in models}) == len(models)
    for (clf, decision), model in zip(results, models, strict=True):
        rebuilt = Inference(model, LOSSES[clf.loss_], clf.target_type_)
        np.testing.assert_array_equal(rebuilt.decision(X), decision)


def test_model_is_built_on_first_use_and_is_the_estimators_own(blobs):
    X, y = blobs
    a, b = fit(X, y, random_state=0), fit(X, y, random_state=0)
    assert shared(a)
    check_is_fitted(a)
    a.predict(X), a.predict_proba(X)
    assert shared(a)  # predicting, checking, needs no model_
    assert hasattr(a, "model_") and not shared(a)
    model = a.model_
    assert a.model_ is model and vars(a)["model_"] is model
    assert isinstance(model, keras.Model) and model.optimizer.built
    # It predicts as the estimator does: its weights are the estimator's.
    rebuilt = Inference(model, LOSSES[a.loss_], a.target_type_)
    np.testing.assert_array_equal(rebuilt.logits(X), a._inference.logits(X))
    np.testing.assert_allclose(
        np.asarray(model(X)), a._inference.logits(X), rtol=1e-5, atol=1e-5
    )
    # Not shared: neither with another estimator nor with the shared network.
    idle = [s.model for held in _networks.NETWORKS._idle.values() for s in held]
    assert b.model_ is not model and all(m is not model for m in idle)
    model.layers[-1].bias.assign(np.full(model.layers[-1].bias.shape, 5.0))
    np.testing.assert_array_equal(b.decision_function(X), a.decision_function(X))
    assert not np.array_equal(b.model_.get_weights()[-1], model.get_weights()[-1])


def test_an_unfitted_estimator_has_no_model(blobs):
    clf = XentClassifier(**QUICK)
    assert not hasattr(clf, "model_")
    with pytest.raises(AttributeError, match="'model_'"):
        clf.model_  # noqa: B018
    with pytest.raises(AttributeError, match="'no_such_thing'"):
        clf.no_such_thing  # noqa: B018
    # The reason available_if gives is kept, not replaced by __getattr__'s.
    with pytest.raises(AttributeError, match="margin loss"):
        XentClassifier(**QUICK, loss="hinge").fit(*blobs).predict_proba  # noqa: B018


def save_and_load(clf, path):
    clf.save(path)
    return skxent.load(path)


def test_pickle_save_and_copy_of_a_model_never_built(blobs, tmp_path):
    X, y = blobs
    expected = fit(X, y, random_state=0).predict_proba(X)
    for copied in (
        lambda clf: pickle.loads(pickle.dumps(clf)),
        copy.deepcopy,
        lambda clf: save_and_load(clf, tmp_path / "m.skxent"),
    ):
        clf = fit(X, y, random_state=0)
        assert shared(clf)
        other = copied(clf)
        assert "model_" in vars(other) and "_network" not in vars(other)
        np.testing.assert_array_equal(other.predict_proba(X), expected)
        np.testing.assert_array_equal(clf.predict_proba(X), expected)
        assert other.model_ is not clf.model_
    assert not hasattr(clone(fit(X, y, random_state=0)), "model_")


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_continued_fits_continue_exactly(blobs, how):
    # The optimizer's state travels with the weights: continuing from the
    # shared network's arrays is continuing from a network of its own.
    X, y = blobs
    results = []
    for reuse in (False, True):
        _networks.REUSE = reuse
        try:
            clf = XentClassifier(**QUICK, random_state=0, warm_start=True)
            for _ in range(2):
                if how == "warm_start":
                    clf.fit(X, y)
                else:
                    clf.partial_fit(X, y, classes=[0, 1, 2])
            results.append(state(clf, X))
        finally:
            _networks.REUSE = True
    assert_same(*results)
