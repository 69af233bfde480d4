"""What the default network learns from raw features, and why (issue 19).

Run: ``python benchmarks/input_scaling.py [--seeds N]``.  Out-of-fold
predictions of 5-fold stratified, shuffled cross-validation
(``random_state=0``) of each configuration on the raw features of iris,
wine, breast_cancer, digits and the noisy 4-class ``make_classification``
of the ``probabilities`` workload; prints a Markdown table of accuracy and
log loss per data set (the user guide's "Raw features" section).  The
first rows are the defaults before issue 19 (He initialisation, batch 32,
100 epochs), then each of MLPClassifier's defaults that skxent took, then
the scaling.  With ``--seeds N`` each figure is the mean over seeds 0 to
N - 1 (the folds' and the estimators' ``random_state``), with the range.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler

from skxent import XentClassifier

sys.path.insert(0, str(Path(__file__).parent))
from harness.workloads.probabilities import load  # noqa: E402

OLD = dict(kernel_initializer="he_uniform", batch_size=32, epochs=100)


GLOROT = {**OLD, "kernel_initializer": "glorot_uniform"}
CONFIGURATIONS = {
    "old defaults, input_scaling=None": dict(**OLD, input_scaling=None),
    "old defaults, standardised": dict(**OLD, input_scaling="standard"),
    "  + Glorot initialisation": dict(**GLOROT, input_scaling="standard"),
    "  + batch min(200, n), 200 epochs": dict(input_scaling="standard"),
    "new defaults, input_scaling=None": dict(input_scaling=None),
    "new defaults (input_scaling='auto')": {},
    "StandardScaler + skxent": "scaler",
    "MLPClassifier": "mlp",
    "StandardScaler + MLPClassifier": "scaler+mlp",
}


def make(configuration, seed):
    if configuration == "mlp":
        return MLPClassifier(random_state=seed)
    if configuration == "scaler+mlp":
        return make_pipeline(StandardScaler(), MLPClassifier(random_state=seed))
    if configuration == "scaler":
        return make_pipeline(StandardScaler(), XentClassifier(random_state=seed))
    return XentClassifier(random_state=seed, **configuration)


def cell(values):
    """``mean`` of one seed's figures, or ``mean (min-max)`` of several."""
    mean = f"{np.mean(values):.3f}"
    if len(values) == 1:
        return mean
    return f"{mean} ({min(values):.3f}-{max(values):.3f})"


DATASETS = ("iris", "wine", "breast_cancer", "digits", "noisy")


def main():
    seeds = range(
        int(sys.argv[sys.argv.index("--seeds") + 1]) if "--seeds" in sys.argv else 1
    )
    warnings.simplefilter("ignore", ConvergenceWarning)
    data = {}
    for name in DATASETS:
        X, y = load(name)
        data[name] = np.asarray(X, dtype=float), LabelEncoder().fit_transform(y)
    print("accuracy / log loss, out of fold")
    print("| configuration | " + " | ".join(DATASETS) + " |")
    print("| --- |" + " --- |" * len(DATASETS))
    for label, configuration in CONFIGURATIONS.items():
        cells = []
        for X, y in data.values():
            accuracies, log_losses = [], []
            for seed in seeds:
                cv = StratifiedKFold(5, shuffle=True, random_state=seed)
                estimator = make(configuration, seed)
                proba = cross_val_predict(
                    estimator, X, y, cv=cv, method="predict_proba"
                )
                accuracies.append((proba.argmax(axis=1) == y).mean())
                log_losses.append(log_loss(y, proba))
            cells.append(f"{cell(accuracies)} / {cell(log_losses)}")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
