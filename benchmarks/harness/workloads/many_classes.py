"""1,000 classes: fit and its peak memory (issue 4: memory ≤ 0.35 x SciKeras
with categorical crossentropy, time ≤ 0.75 x SciKeras with sparse
categorical crossentropy).  make_blobs, one hidden layer, 3 epochs of
batch 256; the floor row is the memory every Keras process pays for the
data and the import, with no model."""

from dataclasses import dataclass, field, replace

from .. import contenders
from ..goals import Ratio
from ..runner import accuracy, fit_timed, import_family
from ..spec import Net, Variant, Workload


@dataclass(frozen=True)
class Sizes:
    rows: int = 200_000
    test: int = 20_000
    features: int = 20
    classes: int = 1_000
    net: Net = field(default_factory=lambda: Net((100,), epochs=3, batch_size=256))


QUICK = replace(
    Sizes(), rows=2_000, test=500, classes=10, net=Net((100,), 1, batch_size=256)
)

ESTIMATORS = {
    "skxent": lambda net: contenders.classifier("skxent", net),
    "scikeras-cce": lambda net: contenders.classifier(
        "scikeras", net, loss="categorical_crossentropy"
    ),
    "scikeras-scce": lambda net: contenders.classifier(
        "scikeras", net, loss="sparse_categorical_crossentropy"
    ),
    "keras": lambda net: contenders.classifier("keras", net, categorical=True),
    "mlp": lambda net: contenders.classifier("mlp", net),
}


def data(s):
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split

    X, y = make_blobs(
        s.rows + s.test,
        n_features=s.features,
        centers=s.classes,
        cluster_std=2.0,
        random_state=0,
    )
    return train_test_split(X.astype("float32"), y, test_size=s.test, random_state=0)


def measure(variant, sizes, repeats):
    X_train, X_test, y_train, y_test = data(sizes)
    import_family(variant.family)
    if variant.key == "floor":
        return {"times": [], "accuracy": None}
    make = ESTIMATORS[variant.key]
    times, fitted = fit_timed(lambda: make(sizes.net), X_train, y_train, repeats)
    return {"times": times, "accuracy": accuracy(fitted, X_test, y_test)}


WORKLOAD = Workload(
    key="many-classes",
    title="many classes: fit",
    variants=(
        Variant("floor", "skxent", "data + Keras and its backend, no model"),
        Variant(
            "skxent",
            "skxent",
            "skxent, loss='auto'",
            goals=(
                Ratio("scikeras-cce", 0.35, what="memory"),
                Ratio("scikeras-scce", 0.75),
            ),
        ),
        Variant("scikeras-cce", "scikeras", "SciKeras, categorical_crossentropy"),
        Variant(
            "scikeras-scce", "scikeras", "SciKeras, sparse_categorical_crossentropy"
        ),
        Variant("keras", "keras", "raw Keras, to_categorical"),
        Variant("mlp", "mlp", "MLPClassifier"),
    ),
    full=Sizes(),
    quick=QUICK,
    measure=measure,
    repeats="repeat_many",
    notes=lambda s, args: [
        f"Many classes: make_blobs, {s.rows:,} x {s.features} training rows, "
        f"{s.classes:,} classes, hidden {s.net.hidden}, {s.net.epochs} epochs, "
        f"batch {s.net.batch_size}; accuracy on {s.test:,} held-out rows; "
        f"{args.repeat_many} fit(s)."
    ],
)
