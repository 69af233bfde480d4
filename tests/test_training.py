"""The training loop: compiled epochs, the Model.fit fallback, early stopping."""

import csv

import keras
import numpy as np
import pytest
from sklearn.datasets import make_moons

from skxent import XentClassifier
from skxent._training import model_fit_reason

QUICK = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(200, noise=0.2, random_state=0)
    return X.astype(np.float32), y


def batch_hook():
    """A callback with a per-batch hook: training must go through Model.fit."""
    return keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: None)


def test_which_path_trains():
    assert model_fit_reason([keras.callbacks.EarlyStopping()], {}, {}) is None
    assert (
        model_fit_reason([keras.callbacks.ModelCheckpoint("m.keras")], {}, {}) is None
    )
    assert "per-batch" in model_fit_reason([batch_hook()], {}, {})
    assert "per-batch" in model_fit_reason([keras.callbacks.TerminateOnNaN()], {}, {})
    assert "fit__initial_epoch" in model_fit_reason([], {"initial_epoch": 1}, {})
    assert "compile__metrics" in model_fit_reason([], {}, {"metrics": ["accuracy"]})


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_compiled_loop_and_model_fit_train_the_same_model(moons, optimizer):
    # Same batches, same step: the choice of path does not change the model
    # (to float rounding; Adam's fused kernel may round differently).
    X, y = moons
    params = dict(**QUICK, optimizer=optimizer, validation_split=0.25)
    fast = XentClassifier(**params).fit(X, y)
    slow = XentClassifier(**params, callbacks=[batch_hook()]).fit(X, y)
    np.testing.assert_allclose(fast.predict_proba(X), slow.predict_proba(X), atol=1e-5)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(fast.history_[key], slow.history_[key], rtol=1e-4)


def test_epoch_loss_is_the_mean_over_the_training_rows(moons):
    # Keras reports an epoch's loss as the batch-size-weighted mean of its
    # batch losses; with a learning rate of 0 that is the loss of the model.
    X, y = moons
    clf = XentClassifier(**QUICK, learning_rate=1e-12, validation_split=0.25).fit(X, y)
    logits = clf.decision_function(X)
    per_row = np.logaddexp(0, logits) - y * logits
    assert clf.history_["loss"][0] == pytest.approx(per_row.mean(), rel=0.05)
    assert clf.history_["val_loss"][-1] == pytest.approx(per_row.mean(), rel=0.2)


def test_epoch_level_callbacks_run_in_the_compiled_loop(moons, tmp_path):
    X, y = moons
    log = tmp_path / "log.csv"
    clf = XentClassifier(
        **{**QUICK, "epochs": 4},
        callbacks=[
            keras.callbacks.CSVLogger(str(log)),
            keras.callbacks.ModelCheckpoint(str(tmp_path / "m.keras")),
        ],
    ).fit(X, y)
    with open(log) as f:
        rows = list(csv.DictReader(f))
    assert [float(r["loss"]) for r in rows] == pytest.approx(clf.history_["loss"])
    assert (tmp_path / "m.keras").exists()


def test_learning_rate_schedule_reaches_the_compiled_loop(moons):
    # A learning rate set to 0 by a callback after the first epoch freezes
    # the network, so 1 and 3 epochs give the same model.
    X, y = moons
    freeze = keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: 1e-2 if epoch == 0 else 0.0
    )
    one = XentClassifier(**{**QUICK, "epochs": 1}, callbacks=[freeze]).fit(X, y)
    three = XentClassifier(**QUICK, callbacks=[freeze]).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), three.predict_proba(X))


def test_verbose_shows_progress(moons, capsys):
    X, y = moons
    XentClassifier(**QUICK).fit(X, y)
    assert capsys.readouterr().out == ""
    XentClassifier(**QUICK, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "Epoch 3/3" in out and "loss:" in out


def test_compile_metrics_are_reported(moons):
    X, y = moons
    clf = XentClassifier(**QUICK, compile__metrics=["accuracy"]).fit(X, y)
    assert len(clf.history_["accuracy"]) == QUICK["epochs"]


# -- early stopping and n_iter_no_change, as in MLPClassifier -----------------


def test_training_loss_plateau_stops_fit(moons):
    # MLPClassifier's rule: stop once the loss has failed to improve by tol
    # in more than n_iter_no_change epochs (the first epoch always improves).
    X, y = moons
    params = dict(**{**QUICK, "epochs": 20}, tol=100.0)
    clf = XentClassifier(**params, n_iter_no_change=2).fit(X, y)
    assert clf.n_iter_ == 4 and "val_loss" not in clf.history_
    assert (
        clf.best_loss_ == min(clf.loss_curve_)
        and clf.loss_curve_ is clf.history_["loss"]
    )
    assert not hasattr(XentClassifier(), "loss_curve_")
    assert XentClassifier(**params, n_iter_no_change=None).fit(X, y).n_iter_ == 20


def test_early_stopping_keeps_the_best_epoch(moons):
    X, y = moons
    params = dict(**{**QUICK, "epochs": 60}, learning_rate=0.05, early_stopping=True)
    clf = XentClassifier(**params, n_iter_no_change=3).fit(X, y)
    val_loss = clf.history_["val_loss"]
    assert clf.n_iter_ < 60 and len(val_loss) == clf.n_iter_
    assert clf.best_loss_ == min(val_loss)
    # The same seed retraces the same epochs: stopping after the best one
    # gives the model early stopping kept.
    best_epoch = int(np.argmin(val_loss)) + 1
    at_best = XentClassifier(
        **{**params, "epochs": best_epoch}, n_iter_no_change=None
    ).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), at_best.predict_proba(X))


def test_validation_fraction_is_held_out_only_for_early_stopping(moons):
    X, y = moons
    params = dict(**QUICK, validation_fraction=0.5)
    assert "val_loss" not in XentClassifier(**params).fit(X, y).history_
    stopped = XentClassifier(**params, early_stopping=True).fit(X, y)
    split = XentClassifier(**QUICK, validation_split=0.5).fit(X, y)
    # Both hold out half the rows, with the same seeded, stratified split.
    np.testing.assert_array_equal(
        stopped.history_["val_loss"], split.history_["val_loss"]
    )


def test_partial_fit_neither_holds_out_nor_stops(moons):
    X, y = moons
    clf = XentClassifier(**QUICK, early_stopping=True, tol=100.0, n_iter_no_change=1)
    for _ in range(4):
        clf.partial_fit(X, y, classes=[0, 1])
    assert clf.n_iter_ == 4 and "val_loss" not in clf.history_


@pytest.mark.parametrize(
    "params, match",
    [
        ({"tol": -1.0}, "'tol' parameter"),
        ({"validation_fraction": 0.0}, "'validation_fraction' parameter"),
        ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
        ({"n_iter_no_change": 0}, "'n_iter_no_change' parameter"),
        ({"early_stopping": "yes"}, "'early_stopping' parameter"),
    ],
)
def test_stopping_parameters_are_validated(moons, params, match):
    X, y = moons
    with pytest.raises(ValueError, match=match):
        XentClassifier(**QUICK, **params).fit(X, y)


@pytest.mark.parametrize(
    "optimizer",
    [{"optimizer": "adam"}, {"optimizer": "sgd", "optimizer__momentum": 0.9}],
)
def test_warm_start_keeps_the_optimizer_state(moons, optimizer):
    X, y = moons
    clf = XentClassifier(**QUICK, **optimizer, warm_start=True).fit(X, y)
    state = [id(v) for v in clf.model_.optimizer.variables]
    steps = int(clf.model_.optimizer.iterations)
    clf.fit(X, y)
    assert [id(v) for v in clf.model_.optimizer.variables] == state
    assert int(clf.model_.optimizer.iterations) == 2 * steps


def test_fit_leaves_the_function_executor_alone(moons):
    # The compiled loop runs on TensorFlow's single-threaded executor, set
    # thread-locally for the loop only.
    from tensorflow.python.eager import context

    before = context.context().function_call_options.executor_type
    XentClassifier(**QUICK).fit(*moons)
    assert context.context().function_call_options.executor_type == before


def test_program_cache_evicts_with_programs_checked_out():
    # A key whose only program is checked out has no idle one; evicting the
    # least recently used must skip it, not pop from an empty list (16
    # threads of 8 losses once did, with 8 idle networks at most).
    from skxent._programs import ProgramCache

    class Exclusive:
        exclusive = True

    cache = ProgramCache(max_programs=2)
    with cache.checkout("a", Exclusive):
        pass  # one idle program for "a"
    with cache.checkout("a", Exclusive):  # taken: none idle for "a" now
        for key in "bcd":
            with cache.checkout(key, Exclusive):
                pass
    assert len(cache) == 2
    with (
        cache.checkout("a", Exclusive) as first,
        cache.checkout("a", Exclusive) as second,
    ):
        assert first is not second  # an exclusive program serves one at a time
