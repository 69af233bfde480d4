"""The whole fit in one compiled call makes the epoch-by-epoch loop's decisions."""

import keras
import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import make_moons

from skxent import XentClassifier, _one_call, _training
from skxent._backend import backend
from skxent._training import PlateauStop

from _assertions import assert_same_fit

BACKEND = keras.backend.backend()
pytestmark = pytest.mark.skipif(
    BACKEND == "torch", reason="PyTorch trains epoch by epoch: nothing to compile"
)


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(120, noise=0.2, random_state=0)
    return X.astype(np.float32), y


def fit_both(monkeypatch, X, y, **params):
    """The same fit through the epoch-by-epoch loop and in one call.

    Bitwise the same fit (``assert_same_fit``): the same graph ops on the
    same rows in the same order, and the stopping rule's arithmetic
    mirrored exactly (float64 comparison).
    """
    fits = []
    for one_call in (False, True):
        monkeypatch.setattr(_one_call, "ONE_CALL", one_call)
        fits.append(XentClassifier(random_state=0, **params).fit(X, y))
    return fits


SMALL = dict(hidden_layer_sizes=(8,), epochs=3)

CASES = {
    # The default network (hidden_layer_sizes=(100,), Adam, batches of 32).
    "no stopping rule": dict(epochs=12, n_iter_no_change=None),
    "loss plateau stops": dict(epochs=30, tol=100.0, n_iter_no_change=2),
    "loss plateau runs out": dict(epochs=15),
    "early stopping restores the best": dict(
        epochs=60, learning_rate=0.05, early_stopping=True, n_iter_no_change=3
    ),
    "validation without stopping": dict(epochs=8, validation_split=0.25),
    # inf, then NaN losses: inf counts as an improvement on inf, NaN never
    # does, and neither is ever the best, so no weights are restored.
    "diverging loss": dict(
        epochs=20, optimizer="sgd", learning_rate=1e4, n_iter_no_change=3
    ),
    "diverging with early stopping": dict(
        epochs=20,
        optimizer="sgd",
        learning_rate=1e4,
        early_stopping=True,
        n_iter_no_change=3,
    ),
}


@pytest.mark.parametrize("params", CASES.values(), ids=CASES.keys())
def test_one_call_makes_the_epoch_by_epoch_decisions(moons, monkeypatch, params):
    by_epoch, in_one_call = fit_both(monkeypatch, *moons, **params)
    assert_same_fit(by_epoch, in_one_call)


def test_one_call_on_sparse_input(moons, monkeypatch):
    X, y = moons
    X = sparse.csr_matrix(np.hstack([X, np.zeros_like(X)]))
    params = dict(SMALL, epochs=6, early_stopping=True, n_iter_no_change=2)
    assert_same_fit(*fit_both(monkeypatch, X, y, **params))


@pytest.mark.parametrize(
    "params",
    [dict(epochs=13), dict(epochs=40, tol=100.0, n_iter_no_change=6)],
    ids=["runs out", "stops in a later chunk"],
)
def test_chunks_of_epochs_carry_the_stopping_state(moons, monkeypatch, params):
    # Orders for 3 epochs per call: the stopping state crosses the calls.
    X, y = moons
    monkeypatch.setattr(_one_call, "ORDER_ELEMENTS", 3 * len(X))
    chunks = list(_one_call.order_chunks(len(X), 13, lambda e: np.arange(len(X))))
    assert [n for _, n in chunks] == [3, 3, 3, 3, 1]
    by_epoch, in_one_call = fit_both(monkeypatch, X, y, **params)
    assert_same_fit(by_epoch, in_one_call)


def test_plateau_step_is_plateau_stop_in_graph_ops():
    # Ties at best - tol, a loss a float32 rounding away from it, inf, NaN.
    tol = 1e-4
    best = np.float32(0.5)
    losses = [0.5, 0.4999, 0.4998999, np.inf, np.nan, 0.3, 0.2999, -np.inf]
    losses = [np.float32(v) for v in losses]
    losses.insert(2, np.float32(float(best) - tol))
    stop = PlateauStop("loss", tol=tol, patience=100, restore_best=False)
    stop.on_train_begin()
    graph_best, count = np.float32(np.inf), np.int32(0)
    for epoch, loss in enumerate(losses):
        stop.on_epoch_end(epoch, {"loss": float(loss)})
        graph_best, count, _ = backend().stop_step(
            keras.ops.convert_to_tensor(loss),
            keras.ops.convert_to_tensor(graph_best),
            keras.ops.convert_to_tensor(count),
            tol,
        )
        assert float(graph_best) == stop.best or np.isnan(loss)
        assert int(count) == stop.no_improvement, (epoch, loss)


def test_only_fits_without_epoch_end_work_run_in_one_call(monkeypatch):
    stop = PlateauStop("val_loss", tol=1e-3, patience=4, restore_best=True)
    assert _one_call.stop_rule([], 0, PlateauStop) == _one_call.NO_STOPPING
    assert _one_call.stop_rule([stop], 0, PlateauStop) == _one_call.Stopping(
        "val_loss", 1e-3, 4, True
    )
    assert _one_call.stop_rule([stop], 1, PlateauStop) is None  # progress bar
    assert _one_call.stop_rule([keras.callbacks.History()], 0, PlateauStop) is None
    assert _one_call.stop_rule([stop, stop], 0, PlateauStop) is None
    monkeypatch.setattr(_one_call, "ONE_CALL", False)
    assert _one_call.stop_rule([], 0, PlateauStop) is None


def test_a_long_fit_runs_as_calls_of_bounded_steps(monkeypatch):
    # Ctrl-C waits for the compiled call to return: no call runs long.
    monkeypatch.setattr(_one_call, "STEPS_PER_CALL", 40)
    chunks = list(_one_call.order_chunks(30, 25, lambda e: np.arange(30), 4))
    assert [n for _, n in chunks] == [10, 10, 5]
    assert all(orders.shape == (10, 30) for orders, _ in chunks)


def test_order_chunks_hold_the_epochs_orders():
    def order(epoch):
        return np.full(4, epoch, np.int32)

    (orders, n_epochs), *rest = _one_call.order_chunks(4, 5, order)
    assert not rest and n_epochs == 5 and orders.shape == (8, 4)
    np.testing.assert_array_equal(orders[:5, 0], range(5))


def only_program():
    (programs,) = _training.PROGRAMS._idle.values()
    (program,) = programs
    return program


def test_fits_of_other_row_counts_share_the_compiled_fit(moons):
    X, y = moons
    small = dict(SMALL, batch_size=32)
    _training.PROGRAMS.clear()
    XentClassifier(**small, random_state=0).fit(X, y)
    XentClassifier(**small, random_state=1).fit(X[:100], y[:100])
    XentClassifier(**small, random_state=2, n_iter_no_change=3).fit(X, y)
    XentClassifier(**small, random_state=3).fit(X[:90], y[:90])
    program = only_program()
    if BACKEND == "tensorflow":
        # Traced once, for any number of rows and any patience.
        assert len(program.fits) == 1
    else:
        # XLA compiles per shape, so the rows are padded to whole batches:
        # 120 and 100 rows train as 128, 90 as 96; none per patience.
        assert program.fit._cache_size() == 2


@pytest.mark.skipif(BACKEND != "jax", reason="JAX alone pads the rows")
@pytest.mark.parametrize("params", [{}, {"early_stopping": True, "batch_size": 16}])
def test_padded_rows_train_the_model_of_the_rows_alone(moons, monkeypatch, params):
    # Padding rows weigh nothing and a part-padded batch's loss is its real
    # rows' mean: the model is the unpadded fit's, to float rounding (the
    # padded batch's sums run over more terms, and its weights are scaled).
    from skxent._backend import _jax_session

    X, y = moons[0][:101], moons[1][:101]
    params = dict(SMALL, epochs=10, random_state=0, **params)
    padded = XentClassifier(**params).fit(X, y)
    with monkeypatch.context() as patch:
        patch.setattr(_jax_session, "PAD_BYTES", 0)  # too big to copy
        as_is = XentClassifier(**params).fit(X, y)
    monkeypatch.setattr(_jax_session, "PAD", False)
    alone = XentClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(as_is.predict_proba(X), alone.predict_proba(X))
    np.testing.assert_allclose(
        padded.predict_proba(X), alone.predict_proba(X), rtol=1e-5, atol=1e-6
    )
    for key, curve in alone.history_.items():
        np.testing.assert_allclose(padded.history_[key], curve, rtol=1e-5)
