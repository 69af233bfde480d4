"""The whole fit in one compiled call against the epoch-by-epoch loop.

Side by side in one process (the two paths interleaved, so that a loaded
machine slows both alike), warm (every program compiled first): the
harness's ``loss-search`` and ``cv-defaults`` workloads, and the fixed
cost of one fit (1 epoch, 10 rows) next to MLPClassifier's.  Run under
each backend::

    python benchmarks/one_call.py
    KERAS_BACKEND=jax python benchmarks/one_call.py
"""

import pathlib
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from harness import contenders  # noqa: E402
from harness.workloads import cv_defaults, loss_search  # noqa: E402


def main(repeats=3):
    import keras
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import cross_val_score
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skxent import XentClassifier, _one_call

    warnings.simplefilter("ignore", ConvergenceWarning)
    data = {name: cv_defaults.load(name) for name in cv_defaults.Sizes().datasets}
    X_search, y_search = loss_search.data()
    X_tiny = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    y_tiny = np.arange(10) % 2

    def cv():
        for X, y in data.values():
            model = contenders.classifier("skxent", random_state=0)
            cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=5)

    def search():
        loss_search.search("skxent", loss_search.Sizes()).fit(X_search, y_search)

    def one_fit():
        XentClassifier(epochs=1, random_state=0).fit(X_tiny, y_tiny)

    def mlp_fit():
        MLPClassifier(max_iter=1, random_state=0).fit(X_tiny, y_tiny)

    workloads = {
        "fit, 1 epoch, 10 rows": (one_fit, mlp_fit, 5 * repeats),
        "loss-search": (search, None, repeats),
        "cv-defaults": (cv, None, repeats),
    }
    for name, (call, mlp, runs) in workloads.items():
        for one_call in (False, True):  # compile first: warm times only
            _one_call.ONE_CALL = one_call
            call()
        times = {"by epoch": [], "one call": []} | ({"MLP": []} if mlp else {})
        for _ in range(runs):
            for path in times:
                _one_call.ONE_CALL = path == "one call"
                start = time.perf_counter()
                (mlp if path == "MLP" else call)()
                times[path].append(time.perf_counter() - start)
        _one_call.ONE_CALL = True
        cells = ", ".join(
            f"{path} {np.median(t) * 1000:.1f} ms (min {min(t) * 1000:.1f})"
            for path, t in times.items()
        )
        print(f"{keras.backend.backend()}, {name}: {cells}", flush=True)


if __name__ == "__main__":
    main()
