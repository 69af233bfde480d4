"""Loss as data: a loss search with the loss families' shared programs, and without.

The harness's ``loss-search`` (``GridSearchCV`` over the loss-comparison
example's 7 losses x 5 folds) in a fresh process per setting, after a
1-epoch fit has started the backend (so that its one-time start-up is not
counted): the first search (cold: it compiles) and the best of two more
(warm).  ``family``: as skxent runs (a backend whose ``loss_as_data`` is
true trains each family of ``skxent._keras_losses.FAMILIES`` in one
program); ``own``: every loss in a program of its own (``FAMILIES``
emptied).  Under TensorFlow, whose ``loss_as_data`` is false, the families
are switched on here to measure why they are off (``--force``)::

    python benchmarks/loss_families.py                  # JAX and TensorFlow
    python benchmarks/loss_families.py --rounds 3

Children import the skxent of this checkout (``PYTHONPATH``).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys, time
sys.path.insert(0, {benchmarks!r})
from harness.workloads.loss_search import Sizes, data, search
from skxent import XentClassifier, _keras_losses
from skxent._backend import backend
if {setting!r} == "own":
    _keras_losses.FAMILIES = ()
elif not backend().loss_as_data:
    backend().loss_as_data = True  # --force: measure why it is off
X, y = data()
XentClassifier(epochs=1).fit(X[:10], y[:10])  # the backend started
start = time.perf_counter()
search("skxent", Sizes()).fit(X, y)
cold = time.perf_counter() - start
warm = []
for _ in range(2):
    start = time.perf_counter()
    search("skxent", Sizes()).fit(X, y)
    warm.append(time.perf_counter() - start)
print(f"RESULT {{cold:.2f}} {{min(warm):.2f}}")
"""


def run(backend, setting):
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    code = CHILD.format(benchmarks=str(ROOT / "benchmarks"), setting=setting)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT")), None)
    if line is None:
        raise RuntimeError(out.stderr[-2000:])
    return tuple(map(float, line.split()[1:]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="jax,tensorflow")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| backend | setting | cold search (s) | warm search (s) |")
    print("|---|---|---|---|")
    for backend in args.backend.split(","):
        for _ in range(args.rounds):
            for setting in ("family", "own"):  # interleaved
                cold, warm = run(backend, setting)
                print(f"| {backend} | {setting} | {cold:.2f} | {warm:.2f} |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
