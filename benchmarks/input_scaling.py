"""Why the default network underfits raw features, and what fixes it.

Run: ``python benchmarks/input_scaling.py``.  5-fold stratified, shuffled
``cross_val_score`` (``random_state=0``) of each configuration on the raw
features of wine, breast_cancer and iris; prints a Markdown table of mean
accuracies (the user guide's "Raw features" section).
"""

import warnings

from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier


def unscaled(**params):
    return XentClassifier(input_scaling=None, random_state=0, **params)


CONFIGURATIONS = {
    "skxent, input_scaling=None": lambda: unscaled(),
    "  + Glorot initialisation": lambda: unscaled(kernel_initializer="glorot_uniform"),
    "  + batch 200, 200 epochs": lambda: unscaled(batch_size=200, epochs=200),
    "  + 300 epochs, no stopping": lambda: unscaled(epochs=300, n_iter_no_change=None),
    "skxent (default: standardised)": lambda: XentClassifier(random_state=0),
    "StandardScaler + skxent": lambda: make_pipeline(
        StandardScaler(), XentClassifier(random_state=0)
    ),
    "MLPClassifier": lambda: MLPClassifier(random_state=0),
    "StandardScaler + MLPClassifier": lambda: make_pipeline(
        StandardScaler(), MLPClassifier(random_state=0)
    ),
}
DATASETS = ("wine", "breast_cancer", "iris")


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    data = {
        name: getattr(datasets, f"load_{name}")(return_X_y=True) for name in DATASETS
    }
    print("| configuration | " + " | ".join(DATASETS) + " |")
    print("| --- |" + " --- |" * len(DATASETS))
    for label, make in CONFIGURATIONS.items():
        scores = [cross_val_score(make(), X, y, cv=cv).mean() for X, y in data.values()]
        print(f"| {label} | " + " | ".join(f"{s:.3f}" for s in scores) + " |")


if __name__ == "__main__":
    main()
