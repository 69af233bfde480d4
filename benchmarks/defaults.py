"""Time ``XentClassifier()`` with its defaults on make_moons, and the old ones.

Run: ``python benchmarks/defaults.py``. The backend is imported (and a
first, discarded fit warms it up) before timing, so the figures are per fit
(each configuration's first fit also traces its program: the median of
three fits is shown).  "old" are the defaults before issue 19: He uniform
initialisation, batch 32, 100 epochs.
"""

import statistics
import time

from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from skxent import XentClassifier


def main():
    X, y = make_moons(100, noise=0.1, random_state=0)
    XentClassifier(epochs=1, random_state=0).fit(X, y)  # import and warm up
    old = dict(kernel_initializer="he_uniform", batch_size=32, epochs=100)
    print("| data | defaults | epochs trained x batch | fit time | test accuracy |")
    print("| --- | --- | --- | --- | --- |")
    for n_samples, noise in [(100, 0.1), (1000, 0.2)]:
        X, y = make_moons(n_samples, noise=noise, random_state=0)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=y
        )
        for name, params in (("old", old), ("new", {})):
            times = []
            for _ in range(3):
                clf = XentClassifier(random_state=0, **params)
                start = time.perf_counter()
                clf.fit(X_train, y_train)
                times.append(time.perf_counter() - start)
            batch = min(params.get("batch_size", 200), len(y_train))
            print(
                f"| make_moons({n_samples}, noise={noise}) | {name} | {clf.n_iter_} x "
                f"{batch} | {statistics.median(times):.2f} s | "
                f"{clf.score(X_test, y_test):.3f} |"
            )


if __name__ == "__main__":
    main()
