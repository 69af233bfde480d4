"""One-row latency in onnxruntime: skxent's ONNX graph next to MLPClassifier's.

Run: ``python benchmarks/onnx_latency.py`` (under a minute on two cores).
Both pipelines are ``StandardScaler`` then a classifier with
``hidden_layer_sizes=(100,)`` on the same ``make_classification`` data
(20 features, 3 classes), converted with ``skl2onnx.to_onnx(pipe, X[:1])``,
with skl2onnx's default ZipMap output and with ``zipmap=False``.  Each
session runs on one thread (``intra_op_num_threads=1``), as a service that
answers one request per core would.  Calls of the two graphs alternate in
rounds, so that load on the machine falls on both alike; the table gives the
median and 90th percentile of the per-call times, and the ratio of medians.
"""

import argparse
import time
import warnings

import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier, register_onnx_converter


def sessions(pipelines, X, zipmap):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    made = {}
    for name, pipe in pipelines.items():
        onx = to_onnx(pipe, X[:1], options={id(pipe[-1]): {"zipmap": zipmap}})
        made[name] = ort.InferenceSession(
            onx.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
    return made


def one_row_times(session, rows):
    name = session.get_inputs()[0].name
    times = []
    for row in rows:
        start = time.perf_counter()
        session.run(None, {name: row})
        times.append(time.perf_counter() - start)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per graph")
    args = parser.parse_args(argv)

    register_onnx_converter()
    X, y = make_classification(
        5000, n_features=20, n_informative=10, n_classes=3, random_state=0
    )
    X = X.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipelines = {
            "skxent XentClassifier": make_pipeline(
                StandardScaler(), XentClassifier(epochs=20, random_state=0)
            ).fit(X, y),
            "MLPClassifier": make_pipeline(
                StandardScaler(), MLPClassifier(max_iter=20, random_state=0)
            ).fit(X, y),
        }
    rows = [X[i : i + 1] for i in range(len(X))]
    print(
        "| graph (StandardScaler + classifier, 100 hidden units) | output "
        "| median µs | p90 µs | ratio to MLPClassifier |"
    )
    print("|---|---|---:|---:|---:|")
    for zipmap in (True, False):
        made = sessions(pipelines, X, zipmap)
        for session in made.values():  # warm up
            one_row_times(session, rows[:200])
        times = {name: [] for name in made}
        per_round = 500
        for start in range(0, args.calls, per_round):
            batch = [rows[i % len(rows)] for i in range(start, start + per_round)]
            for name, session in made.items():
                times[name] += one_row_times(session, batch)
        medians = {name: np.median(t) for name, t in times.items()}
        for name, t in times.items():
            print(
                f"| {name} | {'ZipMap' if zipmap else 'zipmap=False'} "
                f"| {1e6 * medians[name]:.1f} | {1e6 * np.percentile(t, 90):.1f} "
                f"| {medians[name] / medians['MLPClassifier']:.2f} |"
            )


if __name__ == "__main__":
    main()
