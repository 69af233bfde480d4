"""The loss search on a dask ``LocalCluster`` next to ``n_jobs=1`` and threads.

Issue 17: a ``LocalCluster`` of 2 worker processes (one thread each)
running the harness's ``loss-search`` (``GridSearchCV`` over the 7 losses
x 5 folds on the loss-comparison circles, ``benchmarks/harness/workloads/
loss_search.py``) through ``joblib.parallel_backend("dask")``, against the
same search with ``n_jobs=1`` and with ``n_jobs=2`` on joblib's threading
backend.  Each way runs in a fresh process of its own, one after the other:
its first search is ``cold`` (it imports what a fit needs and compiles; on
the cluster, in the workers), the next ``--warm`` searches are ``warm``.
The cluster's start (``LocalCluster`` and ``Client``) and close are timed
apart.  Every search's ``cv_results_`` test scores (each split's and the
means) are checked to be identical to the first ``n_jobs=1`` search's.  The
load average is printed with each way.  Run under each backend::

    python benchmarks/dask_search.py
    KERAS_BACKEND=jax python benchmarks/dask_search.py

Needs ``dask[distributed]``.  Children import the skxent of this checkout
(``PYTHONPATH``), and each is killed, with the workers it started, if it
runs past ``--timeout`` seconds.
"""

import argparse
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))

REPO = pathlib.Path(__file__).resolve().parents[1]
WAYS = {
    "n_jobs=1": "sequential",
    "n_jobs=2, threading": "threading",
    "n_jobs=2, dask LocalCluster(2 processes x 1 thread)": "dask",
}


def scores(search):
    """Every test score of ``cv_results_``: each split's and the means."""
    results = search.cv_results_
    keys = sorted(k for k in results if k.endswith("_test_score") and "std" not in k)
    return {k: [float(v) for v in results[k]] for k in keys}


def programs():
    """How many compiled programs this process (a dask worker) holds."""
    from skxent._programs import PROGRAMS

    return len(PROGRAMS)


def run_way(way, warm):
    """In this (fresh) process: 1 + ``warm`` searches ``way``; a JSON line."""
    import warnings

    import joblib
    from harness.workloads import loss_search
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = loss_search.data()
    sizes = loss_search.Sizes()
    out = {"times": [], "scores": []}

    def search(n_jobs, backend):
        with joblib.parallel_backend(backend):
            started = time.perf_counter()
            fitted = loss_search.search("skxent", sizes, n_jobs).fit(X, y)
            out["times"].append(time.perf_counter() - started)
            out["scores"].append(scores(fitted))

    if way == "sequential":
        for _ in range(1 + warm):
            search(1, "loky")  # n_jobs=1: joblib runs the fits in this thread
    elif way == "threading":
        for _ in range(1 + warm):
            search(2, "threading")
    else:
        from dask.distributed import Client, LocalCluster

        started = time.perf_counter()
        cluster = client = None
        try:
            cluster = LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            client = Client(cluster)
            client.wait_for_workers(2, timeout=120)
            out["start"] = time.perf_counter() - started
            out["programs"] = []
            for _ in range(1 + warm):
                search(2, "dask")
                # The compiled programs each worker holds after the search.
                out["programs"].append(sorted(client.run(programs).values()))
        finally:
            closing = time.perf_counter()
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
            out["close"] = time.perf_counter() - closing
    print(json.dumps(out))


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def child(way, args):
    """Run ``way`` in a fresh process; its result, or an error string."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, __file__, "--way", way, "--warm", str(args.warm)]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the workers too
    )
    try:
        stdout, stderr = process.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f"timed out after {args.timeout} s"
    if process.returncode:
        return f"failed: {stderr.strip().splitlines()[-1:]}"
    return json.loads(stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warm", type=int, default=3, help="warm searches")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each way")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--way", choices=sorted(WAYS.values()), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.way:
        return run_way(args.way, args.warm)

    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    print(f"backend {backend}; load average before: {load()}")
    results = {label: [] for label in WAYS}
    for _ in range(args.rounds):
        for label, way in WAYS.items():
            result = child(way, args)
            print(f"- {label}: load average after it: {load()}", flush=True)
            if isinstance(result, str):
                print(f"  {result}")
                continue
            results[label].append(result)

    reference = results["n_jobs=1"][0]["scores"][0] if results["n_jobs=1"] else None
    base = {}
    print(
        "\n| way | cold, s | warm, s: median (min) | cold ÷ n_jobs=1 "
        "| warm ÷ n_jobs=1 | scores identical to n_jobs=1 |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for label, runs in results.items():
        if not runs:
            print(f"| {label} | error | | | | |")
            continue
        cold = [r["times"][0] for r in runs]
        warm = [t for r in runs for t in r["times"][1:]]
        same = all(s == reference for r in runs for s in r["scores"])
        base.setdefault("cold", statistics.median(cold))
        base.setdefault("warm", statistics.median(warm))
        print(
            f"| {label} | {' / '.join(f'{t:.2f}' for t in cold)} "
            f"| {statistics.median(warm):.2f} ({min(warm):.2f}) "
            f"| {statistics.median(cold) / base['cold']:.2f} "
            f"| {statistics.median(warm) / base['warm']:.2f} | {same} |"
        )
    for run in results[next(reversed(WAYS))]:
        print(
            f"\nCluster: started in {run['start']:.2f} s, closed in "
            f"{run['close']:.2f} s; programs compiled in each worker after "
            f"each search: {run['programs']}"
        )


if __name__ == "__main__":
    main()
