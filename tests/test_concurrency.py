"""Threads, processes and a cluster: the same results as one thread, and no hang.

Every test here runs its concurrent work in worker threads and waits for it
with ``Future.result(timeout=...)``, so a deadlock fails the test with a
``TimeoutError`` instead of stalling the suite; ``pytest.mark.timeout``
(pytest-timeout) is the backstop.  The worker threads are daemons: a hung
one cannot keep the interpreter from exiting either.
"""

import pickle
import threading
import time
from concurrent.futures import Future

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.model_selection import GridSearchCV

from skxent import XentClassifier
from skxent._loss_rules import LOSSES

QUICK = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=32, random_state=0)
# How long the main thread waits for concurrent work before calling it a hang.
# Generous: these fits take seconds even on a busy 2-core machine.
HANG = 240
# Threads fitting each loss at once in test_threads_fit_every_loss_at_once.
THREADS_PER_LOSS = 2


def blobs(n=60, centers=2, n_features=2):
    X, y = make_blobs(n, centers=centers, n_features=n_features, random_state=0)
    return X.astype(np.float32), y


def _run(fn, args, future):
    try:
        future.set_result(fn(*args))
    except BaseException as exc:  # noqa: B036  handed to the waiting thread
        future.set_exception(exc)


def start(fn, *args):
    """Run ``fn(*args)`` in a new daemon thread; return its Future."""
    future = Future()
    threading.Thread(target=_run, args=(fn, args, future), daemon=True).start()
    return future


def wait_all(futures, timeout=HANG):
    """The futures' results; ``TimeoutError`` if they are not all done in time."""
    deadline = time.monotonic() + timeout
    return [f.result(timeout=max(0.0, deadline - time.monotonic())) for f in futures]


def in_a_thread(fn, *args, timeout=HANG):
    """``fn(*args)`` run in a worker thread, waited for at most ``timeout`` s."""
    return start(fn, *args).result(timeout=timeout)


# -- threads ----------------------------------------------------------------------

THREE_CLASSES = blobs(300, centers=3, n_features=10)


def fit_and_predict(loss, barrier=None):
    """Fit ``loss`` on three classes; its probabilities (if any) and margins."""
    X, y = THREE_CLASSES
    clf = XentClassifier(**QUICK, loss=loss)
    if barrier is not None:
        barrier.wait(timeout=HANG)  # every thread starts its fit at once
    clf.fit(X, y)
    proba = clf.predict_proba(X) if hasattr(clf, "predict_proba") else None
    return proba, clf.decision_function(X), clf.predict(X)


@pytest.fixture(scope="module")
def sequential_losses():
    return {loss: fit_and_predict(loss) for loss in LOSSES}


@pytest.mark.slow
@pytest.mark.timeout(2 * HANG)
def test_threads_fit_every_loss_at_once(sequential_losses):
    # Keras's hinges once deadlocked TensorFlow's single-threaded executor
    # when two threads trained at once.  Here every loss is fit by
    # THREADS_PER_LOSS threads, all started together.
    jobs = [loss for loss in LOSSES for _ in range(THREADS_PER_LOSS)]
    barrier = threading.Barrier(len(jobs))
    results = wait_all([start(fit_and_predict, loss, barrier) for loss in jobs])
    for loss, (proba, decision, labels) in zip(jobs, results, strict=True):
        want_proba, want_decision, want_labels = sequential_losses[loss]
        if want_proba is None:
            assert proba is None, loss
        else:
            np.testing.assert_array_equal(proba, want_proba, err_msg=loss)
        np.testing.assert_array_equal(decision, want_decision, err_msg=loss)
        np.testing.assert_array_equal(labels, want_labels, err_msg=loss)


@pytest.mark.timeout(2 * HANG)
def test_predict_from_many_threads_at_once():
    # The first predict of a new or unpickled estimator traces its compiled
    # function; eight threads race for it here.
    X, y = blobs(800, centers=3)
    clf = XentClassifier(**QUICK).fit(X, y)
    reference = pickle.loads(pickle.dumps(clf))
    unpickled = pickle.loads(pickle.dumps(clf))
    chunks = np.array_split(np.arange(len(X)), 8)
    expected = [
        (reference.predict(X[rows]), reference.predict_proba(X[rows]))
        for rows in chunks
    ]
    for estimator in (clf, unpickled):
        results = wait_all(
            [
                start(
                    lambda r, e=estimator: (e.predict(X[r]), e.predict_proba(X[r])),
                    rows,
                )
                for rows in chunks
            ]
        )
        for (labels, proba), (want_labels, want_proba) in zip(
            results, expected, strict=True
        ):
            np.testing.assert_array_equal(labels, want_labels)
            np.testing.assert_array_equal(proba, want_proba)


# -- searches: threads, processes, a cluster ----------------------------------------

SEARCH_GRID = {"hidden_layer_sizes": [(4,), (8,)]}
# Hinges first: their folds start together, before joblib batches tasks.
LOSS_GRID = {"loss": sorted(LOSSES, key=lambda name: "hinge" not in name)}


def search(n_jobs, grid=SEARCH_GRID, backend=None):
    X, y = blobs(80) if grid is SEARCH_GRID else THREE_CLASSES
    search = GridSearchCV(
        XentClassifier(**{**QUICK, "epochs": 2}), grid, cv=2, n_jobs=n_jobs
    )
    if backend is None:
        return search.fit(X, y)
    with joblib.parallel_backend(backend):
        return search.fit(X, y)


@pytest.fixture(scope="module")
def sequential_search():
    return search(n_jobs=1)


@pytest.fixture(scope="module")
def sequential_loss_search():
    return search(n_jobs=1, grid=LOSS_GRID)


def assert_same_search(grid, sequential):
    for key in ("params", "mean_test_score", "split0_test_score", "split1_test_score"):
        assert list(grid.cv_results_[key]) == list(sequential.cv_results_[key]), key
    X = THREE_CLASSES[0] if grid.n_features_in_ == 10 else blobs(80)[0]
    np.testing.assert_array_equal(
        grid.decision_function(X), sequential.decision_function(X)
    )


@pytest.mark.timeout(2 * HANG)
def test_grid_search_over_losses_in_two_threads(sequential_loss_search):
    # joblib's threading backend: two fits of the loss family at once in
    # one process, the hang.
    grid = in_a_thread(search, 2, LOSS_GRID, "threading")
    assert_same_search(grid, sequential_loss_search)


@pytest.mark.slow
@pytest.mark.timeout(2 * HANG)
def test_grid_search_in_two_processes(sequential_search):
    # Seeded fits are bitwise reproducible across processes, so the loky
    # workers' scores equal the sequential ones exactly.
    assert_same_search(in_a_thread(search, 2), sequential_search)


def search_on_a_local_cluster(grid, n_workers, threads_per_worker):
    distributed = pytest.importorskip("dask.distributed")
    # Worker threads in this process, but speaking TCP on 127.0.0.1: the
    # estimator and the data travel serialised through the scheduler as to a
    # remote worker, without each worker process importing TensorFlow anew
    # (seconds per worker on a 2-core CI machine).  The fits running at
    # once in one process must also not disturb each other.
    with (
        distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=False,
            protocol="tcp://",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
        joblib.parallel_config(backend="dask"),
    ):
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        result = search(n_jobs=-1, grid=grid)
        tasks_per_worker = client.run(
            lambda dask_worker: len(dask_worker.data) + dask_worker.state.executed_count
        )
    assert len(tasks_per_worker) == n_workers and sum(tasks_per_worker.values()) > 0
    return result


@pytest.mark.slow
@pytest.mark.timeout(2 * HANG)
def test_grid_search_on_a_dask_cluster(sequential_search):
    grid = in_a_thread(search_on_a_local_cluster, SEARCH_GRID, 2, 1)
    assert_same_search(grid, sequential_search)


@pytest.mark.slow
@pytest.mark.timeout(2 * HANG)
def test_grid_search_over_losses_on_a_dask_worker_with_two_threads(
    sequential_loss_search,
):
    grid = in_a_thread(search_on_a_local_cluster, LOSS_GRID, 1, 2)
    assert_same_search(grid, sequential_loss_search)
