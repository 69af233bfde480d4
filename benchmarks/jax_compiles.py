"""What a cold cross-validation compiles under JAX, data set by data set.

The harness's ``cv-defaults`` workload (``make_pipeline(StandardScaler(),
XentClassifier(random_state=0))``, 5-fold ``cross_val_score`` on iris,
wine, breast_cancer and digits), run ``--rounds`` times in one process
after one small fit has started the backend: per data set, the time, the
XLA compilations (JAX's ``jax_log_compiles``) by program, and their time.

    KERAS_BACKEND=jax python benchmarks/jax_compiles.py --rounds 2
"""

import argparse
import collections
import logging
import os
import re
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
DATA_SETS = ("iris", "wine", "breast_cancer", "digits")


class Compilations(logging.Handler):
    """Counts JAX's "Finished XLA compilation of jit(NAME) in T sec" lines."""

    pattern = re.compile(r"Finished XLA compilation of (\S+) in ([0-9.e-]+) sec")

    def __init__(self):
        super().__init__()
        self.seen = []

    def emit(self, record):
        match = self.pattern.search(record.getMessage())
        if match:
            self.seen.append((match[1], float(match[2])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import jax
    import numpy as np
    from sklearn import datasets
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skxent import XentClassifier

    compilations = Compilations()
    jax.config.update("jax_log_compiles", True)
    log = logging.getLogger("jax")
    log.addHandler(compilations)
    log.setLevel(logging.DEBUG)
    log.propagate = False  # counted, not printed
    XentClassifier(random_state=0).fit(np.zeros((4, 2)), [0, 1, 0, 1])
    for round_ in range(args.rounds):
        total = 0.0
        for name in DATA_SETS:
            X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
            compilations.seen.clear()
            start = time.perf_counter()
            pipe = make_pipeline(StandardScaler(), XentClassifier(random_state=0))
            scores = cross_val_score(pipe, X, y, cv=5)
            took = time.perf_counter() - start
            total += took
            by_program = collections.defaultdict(list)
            for program, seconds in compilations.seen:
                by_program[program].append(seconds)
            parts = ", ".join(
                f"{program} {len(s)} x {sum(s):.2f} s"
                for program, s in sorted(by_program.items())
            )
            print(
                f"round {round_} {name:13s} {took:5.2f} s, accuracy "
                f"{scores.mean():.3f}; compiled: {parts or 'nothing'}"
            )
        print(f"round {round_} all four: {total:.2f} s")


if __name__ == "__main__":
    main()
