"""5-fold cross-validation with defaults, warm process (issue 11: total time
≤ 1.0 x MLPClassifier's, each mean accuracy ≥ MLPClassifier's − 0.02).

``cross_val_score(make_pipeline(StandardScaler(), est), X, y, cv=5)`` on
scikit-learn's shipped iris, wine, breast_cancer and digits, with each
estimator's defaults (and ``random_state=0``); a timed run is all four."""

from dataclasses import dataclass

from .. import contenders
from ..goals import Accuracy, Ratio
from ..runner import import_family, quietly, timed
from ..spec import Variant, Workload


@dataclass(frozen=True)
class Sizes:
    datasets: tuple = ("iris", "wine", "breast_cancer", "digits")
    folds: int = 5


def load(name):
    from sklearn import datasets

    return getattr(datasets, f"load_{name}")(return_X_y=True)


def measure(variant, sizes, repeats):
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = {name: load(name) for name in sizes.datasets}
    import_family(variant.family)
    accuracies = {}

    def cross_validate_all():
        for name, (X, y) in data.items():
            pipe = make_pipeline(
                StandardScaler(), contenders.classifier(variant.family, random_state=0)
            )
            scores = cross_val_score(pipe, X, y, cv=sizes.folds)
            accuracies[name] = float(scores.mean())

    times = quietly(lambda: timed(cross_validate_all, repeats))
    return {"times": times, "accuracy": accuracies}


WORKLOAD = Workload(
    key="cv-defaults",
    title="5-fold CV, defaults: iris / wine / breast_cancer / digits",
    variants=(
        Variant(
            "skxent",
            "skxent",
            "skxent",
            goals=(
                Accuracy("mlp", 0.02),
                Ratio("mlp", 0.5, phase="cold"),
                Ratio("mlp", 0.25, phase="cold", backends=("jax",)),
            ),
        ),
        Variant("mlp", "mlp", "MLPClassifier"),
    ),
    phases=("cold", "warm"),
    full=Sizes(),
    quick=Sizes(datasets=("iris",), folds=2),
    measure=measure,
    notes=lambda s, args: [
        f"CV with defaults: make_pipeline(StandardScaler(), est), "
        f"{s.folds}-fold cross_val_score on {', '.join(s.datasets)}; time: "
        "all of them; accuracy: each data set's mean, in that order."
    ],
)
