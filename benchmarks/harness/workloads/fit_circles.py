"""fit on the tutorial's circles (issue 4: ≤ 0.15 x SciKeras, ≤ 1.0 x MLP)."""

from ..goals import Ratio
from ..runner import accuracy
from ..spec import Variant, Workload
from . import circles


def measure(variant, sizes, repeats):
    times, fitted, X_test, y_test = circles.fit(variant.family, sizes, repeats)
    return {"times": times, "accuracy": accuracy(fitted, X_test, y_test)}


WORKLOAD = Workload(
    key="fit-circles",
    title="fit, tutorial circles",
    variants=(
        Variant(
            "skxent",
            "skxent",
            "skxent",
            goals=(Ratio("scikeras", 0.15), Ratio("mlp", 1.0)),
        ),
        Variant("scikeras", "scikeras", "SciKeras"),
        Variant("keras", "keras", "raw Keras"),
        Variant(
            "mlp",
            "mlp",
            "MLPClassifier (early_stopping=True, validation_fraction=0.2, "
            "n_iter_no_change=epochs: holds out 20 %, never stops early)",
        ),
    ),
    full=circles.CIRCLES,
    quick=circles.CIRCLES_QUICK,
    measure=measure,
    notes=lambda sizes, args: [circles.note(sizes)],
)
