"""A wide sparse X (issue 10): 200,000 x 100,000 CSR, ~30 non-zeros a row,
20 classes, hidden (100,), batch 256, 3 epochs.  Goals: fit and predict
≤ 1.0 x MLPClassifier's, accuracy ≥ MLPClassifier's − 0.01, and peak memory
≤ the dense-input floor + 3 x the CSR's bytes.  The floor row imports
skxent and fits the same network on a tiny dense problem (2 rows a class).
Opt-in: minutes (``--only sparse-wide``).

The problem is generated without densifying: each class owns its own set
of columns; a row has ``signal`` non-zeros among its class's columns and
the rest among the columns no class owns, values in [0.5, 1.5).
"""

from dataclasses import dataclass, field

import numpy as np

from .. import contenders
from ..goals import Accuracy, MemoryBound, Ratio
from ..runner import accuracy, fit_timed, import_family, timed
from ..spec import Net, Variant, Workload


@dataclass(frozen=True)
class Sizes:
    rows: int = 200_000
    test: int = 20_000
    columns: int = 100_000
    nonzeros: int = 30  # per row
    signal: int = 5  # of them among the class's own columns
    owned: int = 500  # columns each class owns
    classes: int = 20
    net: Net = field(default_factory=lambda: Net((100,), epochs=3, batch_size=256))


QUICK = Sizes(2_000, 500, 2_000, 10, 3, 50, 5, Net((100,), 1, batch_size=256))


def distinct_sorted(rng, rows, k, n):
    """``k`` distinct sorted integers below ``n`` per row."""
    picks = np.sort(rng.integers(0, n - k + 1, size=(rows, k), dtype=np.int32), axis=1)
    return picks + np.arange(k, dtype=np.int32)


def problem(s, rows, seed, chunk=20_000):
    """A learnable CSR problem: ``(X, y)``, built chunk by chunk."""
    from scipy import sparse

    columns = np.random.default_rng(0).permutation(s.columns).astype(np.int32)
    owned = columns[: s.classes * s.owned].reshape(s.classes, s.owned)
    free = columns[s.classes * s.owned :]
    rng = np.random.default_rng(seed)
    y = rng.integers(s.classes, size=rows)
    indices = np.empty((rows, s.nonzeros), dtype=np.int32)
    for start in range(0, rows, chunk):
        part = slice(start, min(start + chunk, rows))
        n = part.stop - start
        signal = owned[y[part, None], distinct_sorted(rng, n, s.signal, s.owned)]
        noise = free[distinct_sorted(rng, n, s.nonzeros - s.signal, len(free))]
        indices[part] = np.sort(np.concatenate([signal, noise], axis=1), axis=1)
    data = (rng.random(rows * s.nonzeros, dtype=np.float32) + 0.5).astype(np.float32)
    indptr = np.arange(0, rows * s.nonzeros + 1, s.nonzeros, dtype=np.int32)
    X = sparse.csr_matrix(
        (data, indices.reshape(-1), indptr), shape=(rows, s.columns), copy=False
    )
    return X, y


def csr_mb(X):
    return (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20


def measure(variant, sizes, repeats):
    import_family(variant.family)
    if variant.key == "floor":
        X = np.random.default_rng(0).random((2 * sizes.classes, sizes.columns))
        y = np.arange(2 * sizes.classes) % sizes.classes
        net = Net(sizes.net.hidden, epochs=1, batch_size=sizes.net.batch_size)
        contenders.classifier("skxent", net).fit(X.astype(np.float32), y)
        return {"times": [], "accuracy": None}
    X, y = problem(sizes, sizes.rows, seed=1)
    X_test, y_test = problem(sizes, sizes.test, seed=2)
    make = lambda: contenders.classifier(variant.family, sizes.net)  # noqa: E731
    times, fitted = fit_timed(make, X, y, repeats)
    return {
        "times": times,
        "predict_times": timed(lambda: fitted.predict(X_test), repeats),
        "accuracy": accuracy(fitted, X_test, y_test),
        "data_mb": csr_mb(X) + csr_mb(X_test),
    }


WORKLOAD = Workload(
    key="sparse-wide",
    title="sparse X, 200,000 x 100,000 CSR",
    variants=(
        Variant("floor", "skxent", "dense-input floor: skxent, tiny dense fit"),
        Variant(
            "skxent",
            "skxent",
            "skxent",
            goals=(
                Ratio("mlp", 1.0),
                Ratio("mlp", 1.0, phase="predict"),
                Accuracy("mlp", 0.01),
                MemoryBound("floor", 3.0),
            ),
        ),
        Variant("mlp", "mlp", "MLPClassifier"),
    ),
    full=Sizes(),
    quick=QUICK,
    measure=measure,
    repeats="repeat_many",
    phases=("predict",),
    opt_in=True,
    notes=lambda s, args: [
        f"Sparse X: {s.rows:,} x {s.columns:,} CSR (float32, int32 indices), "
        f"{s.nonzeros} non-zeros a row, {s.classes} classes each owning "
        f"{s.owned} columns ({s.signal} of a row's non-zeros); hidden "
        f"{s.net.hidden}, {s.net.epochs} epochs of batch {s.net.batch_size}; "
        f"predict and accuracy on {s.test:,} more rows; data_mb counts both "
        "matrices' CSR bytes. MLPClassifier: max_iter = epochs, "
        "n_iter_no_change as many, no early stopping."
    ],
)
