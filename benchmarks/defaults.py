"""Time ``XentClassifier()`` with its default epochs and batch size on make_moons.

Run: ``python benchmarks/defaults.py``. TensorFlow is imported (and a first,
discarded fit warms it up) before timing, so the figures are per-fit.
"""

import time

from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from skxent import XentClassifier


def main():
    X, y = make_moons(100, noise=0.1, random_state=0)
    XentClassifier(epochs=1, random_state=0).fit(X, y)  # import and warm up
    print("| data | epochs trained x batch | fit time | test accuracy |")
    print("| --- | --- | --- | --- |")
    for n_samples, noise in [(100, 0.1), (1000, 0.2)]:
        X, y = make_moons(n_samples, noise=noise, random_state=0)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=y
        )
        clf = XentClassifier(random_state=0)
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        elapsed = time.perf_counter() - start
        print(
            f"| make_moons({n_samples}, noise={noise}) | {clf.n_iter_} x "
            f"{clf.batch_size} | {elapsed:.1f} s | {clf.score(X_test, y_test):.3f} |"
        )


if __name__ == "__main__":
    main()
