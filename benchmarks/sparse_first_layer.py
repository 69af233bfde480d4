"""Sparse X: densify each minibatch, or multiply the sparse batch in Dense?

Run: ``python benchmarks/sparse_first_layer.py`` (about two minutes on two
cores). Each way runs in a fresh interpreter (so that peak RSS is its own)
on the same 20,000 x 20,000 CSR matrix with 30 non-zeros per row, 20
classes, ``hidden_layer_sizes=(100,)`` and ``batch_size=256``; the time per
epoch is ``(fit(epochs=1 + E) - fit(epochs=1)) / E`` (medians of three fits
each, after a first, discarded fit), which leaves out tracing. The first way
is skxent's ``keras.Input(sparse=True)``, where Keras's ``Dense`` multiplies
a ``tf.SparseTensor``; the second scatters each minibatch into a dense
``(256, 20000)`` batch first.
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
from scipy import sparse

N_ROWS, N_FEATURES, NNZ_PER_ROW, N_CLASSES = 20_000, 20_000, 30, 20


def problem(n_rows=N_ROWS, n_features=N_FEATURES, nnz=NNZ_PER_ROW, seed=0):
    """A seeded CSR matrix and labels that a linear model of it predicts."""
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, n_features, size=(n_rows, nnz)).astype(np.int32)
    data = rng.random((n_rows, nnz), dtype=np.float32)
    indptr = np.arange(0, n_rows * nnz + 1, nnz, dtype=np.int32)
    X = sparse.csr_matrix((data.ravel(), indices.ravel(), indptr), (n_rows, n_features))
    X.sum_duplicates()
    y = (X @ rng.standard_normal((n_features, N_CLASSES))).argmax(axis=1)
    return X, np.asarray(y).ravel()


def measure(way, extra_epochs, repeat):
    from skxent import XentClassifier, _sparse

    _sparse.SPARSE_FIRST_LAYER = way == "sparse"
    X, y = problem()
    params = dict(
        hidden_layer_sizes=(100,), batch_size=256, random_state=0, n_iter_no_change=None
    )
    XentClassifier(epochs=1, **params).fit(X, y)  # warm up TensorFlow
    times = {1: [], 1 + extra_epochs: []}
    for _ in range(repeat):
        for epochs in times:
            clf = XentClassifier(epochs=epochs, **params)
            start = time.perf_counter()
            clf.fit(X, y)
            times[epochs].append(time.perf_counter() - start)
    times = {epochs: float(np.median(t)) for epochs, t in times.items()}
    assert clf.model_.inputs[0].sparse == (way == "sparse")
    start = time.perf_counter()
    accuracy = clf.score(X, y)
    predict = time.perf_counter() - start
    return {
        "way": way,
        "epoch_s": (times[1 + extra_epochs] - times[1]) / extra_epochs,
        "first_fit_s": times[1],
        "predict_s": predict,
        "train_accuracy": accuracy,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--way", choices=["sparse", "densify"])
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs")
    parser.add_argument("--repeat", type=int, default=3, help="fits; medians")
    args = parser.parse_args()
    if args.way:
        print(json.dumps(measure(args.way, args.epochs, args.repeat)))
        return
    X, _ = problem()
    csr_mib = (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20
    print(f"{N_ROWS} x {N_FEATURES} CSR, {X.nnz} stored entries ({csr_mib:.0f} MiB)")
    print("| first layer gets | time per epoch | predict | peak RSS |")
    print("| --- | --- | --- | --- |")
    for way in ("sparse", "densify"):
        command = [sys.executable, __file__, "--way", way]
        command += ["--epochs", str(args.epochs), "--repeat", str(args.repeat)]
        out = subprocess.run(command, check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        label = "a tf.SparseTensor" if way == "sparse" else "a dense batch"
        print(
            f"| {label} | {r['epoch_s']:.2f} s | {r['predict_s']:.2f} s | "
            f"{r['peak_rss_mib']:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
