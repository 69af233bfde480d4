"""predict 250,000 rows in one call (issue 4: ≤ 0.5 x MLPClassifier)."""

from dataclasses import dataclass, field

from ..goals import Ratio
from ..runner import timed
from ..spec import Variant, Workload
from . import circles
from .circles import CIRCLES, Circles


@dataclass(frozen=True)
class Sizes:
    rows: int = 250_000
    circles: Circles = field(default_factory=lambda: CIRCLES)


def measure(variant, sizes, repeats):
    fitted, _, _, _ = circles.measure_with(variant.family, sizes.circles)
    X, y = circles.circles(sizes.rows, random_state=1)
    predictions = []
    times = timed(lambda: predictions.append(fitted.predict(X)), repeats)
    return {"times": times, "accuracy": float((predictions[-1] == y).mean())}


WORKLOAD = Workload(
    key="predict-250k",
    title="predict 250,000 rows, one call",
    variants=(
        Variant("skxent", "skxent", "skxent", goals=(Ratio("mlp", 0.5),)),
        Variant("scikeras", "scikeras", "SciKeras"),
        Variant("keras", "keras", "raw Keras"),
        Variant("mlp", "mlp", "MLPClassifier"),
    ),
    full=Sizes(),
    quick=Sizes(rows=2_000, circles=circles.CIRCLES_QUICK),
    measure=measure,
    notes=lambda s, args: [
        f"Predict {s.rows:,} rows: the circles' model, accuracy on "
        f"make_circles({s.rows:,}, factor=0.1, random_state=1)."
    ],
)
