"""How much of a warm loss search runs inside the compiled fits.

Threads overlap only where the GIL is released: inside a fit's compiled
call (``session.run_fit``).  This times the harness's ``loss-search``
(35 fits) warm, ``--rounds`` times, and the part of it spent inside those
calls; the rest (scikit-learn's search and scoring, validation, the plan,
the network's re-initialisation, the copies in and out) holds the GIL.
With a share ``s`` inside, two threads on two cores take at best
``max(1 - s, 1 / 2)`` of the sequential time: the GIL-held part runs one
thread at a time, the compiled part beside it.

    KERAS_BACKEND=jax python benchmarks/compiled_share.py
    KERAS_BACKEND=tensorflow python benchmarks/compiled_share.py
"""

import argparse
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from harness.runner import import_family
    from harness.workloads import loss_search

    import_family("skxent")
    import keras

    backend = keras.backend.backend()
    session = {
        "jax": ("skxent._backend._jax_session", "Session"),
        "tensorflow": ("skxent._backend._tensorflow", "_Session"),
    }[backend]
    session = getattr(importlib.import_module(session[0]), session[1])
    inside = [0.0]
    run_fit = session.run_fit

    def timed_run_fit(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return run_fit(self, *args, **kwargs)
        finally:
            inside[0] += time.perf_counter() - start

    session.run_fit = timed_run_fit
    X, y = loss_search.data()
    sizes = loss_search.Sizes()
    loss_search.search("skxent", sizes).fit(X, y)  # compiles
    for _ in range(args.rounds):
        inside[0] = 0.0
        start = time.perf_counter()
        loss_search.search("skxent", sizes).fit(X, y)
        wall = time.perf_counter() - start
        share = inside[0] / wall
        print(
            f"{backend}: warm search {wall * 1000:.0f} ms, inside the compiled "
            f"fits {inside[0] * 1000:.0f} ms ({share:.0%}); two threads at best "
            f"{max(1 - share, 0.5):.2f} x"
        )


if __name__ == "__main__":
    main()
