"""A large dense problem for GPU against CPU (issue 13): 2,000,000 x 100
features, 10 classes, hidden (512, 512), batch 1,024, 5 epochs; fit and
predict times with accuracy, skxent under each ``--backend``.  Opt-in
(``--only large``): tens of minutes on a 2-core CPU."""

from dataclasses import dataclass, field

from .. import contenders
from ..runner import accuracy, fit_timed, import_family, timed
from ..spec import Net, Variant, Workload


@dataclass(frozen=True)
class Sizes:
    rows: int = 2_000_000
    test: int = 200_000
    features: int = 100
    classes: int = 10
    net: Net = field(default_factory=lambda: Net((512, 512), epochs=5, batch_size=1024))


QUICK = Sizes(4_000, 1_000, 100, 10, Net((512, 512), epochs=1, batch_size=1024))


def data(s):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        s.rows + s.test,
        n_features=s.features,
        n_informative=s.features // 2,
        n_classes=s.classes,
        n_clusters_per_class=2,
        random_state=0,
    )
    X = X.astype("float32")
    return X[s.test :], X[: s.test], y[s.test :], y[: s.test]


def measure(variant, sizes, repeats):
    X_train, X_test, y_train, y_test = data(sizes)
    import_family(variant.family)
    make = lambda: contenders.classifier(variant.family, sizes.net)  # noqa: E731
    times, fitted = fit_timed(make, X_train, y_train, repeats)
    return {
        "times": times,
        "predict_times": timed(lambda: fitted.predict(X_test), repeats),
        "accuracy": accuracy(fitted, X_test, y_test),
    }


WORKLOAD = Workload(
    key="large",
    title="large: 2,000,000 x 100, hidden (512, 512)",
    variants=(Variant("skxent", "skxent", "skxent"),),
    full=Sizes(),
    quick=QUICK,
    measure=measure,
    repeats="repeat_many",
    baseline=None,
    phases=("predict",),
    opt_in=True,
    notes=lambda s, args: [
        f"Large: make_classification({s.rows + s.test:,}, n_features="
        f"{s.features}, n_informative={s.features // 2}, n_classes={s.classes}), "
        f"{s.test:,} rows held out for predict and accuracy; hidden "
        f"{s.net.hidden}, {s.net.epochs} epochs of batch {s.net.batch_size}. "
        "Compare GPU with CPU across runs by the machine line."
    ],
)
