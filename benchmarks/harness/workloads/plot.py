"""mlxtend's plot_decision_regions (issue 4: ≤ 0.75 x MLPClassifier).

mlxtend predicts one grid point per pixel of the current figure.  The
tutorial passes the Keras model itself, whose probabilities mlxtend 0.25
cannot map to classes (a TypeError), so raw Keras goes through the
thresholding adapter its users write (``contenders.keras``).
"""

from dataclasses import dataclass, field

from ..goals import Ratio
from ..runner import timed
from ..spec import Variant, Workload
from . import circles
from .circles import CIRCLES, Circles


@dataclass(frozen=True)
class Sizes:
    inches: tuple = (6.4, 4.8)  # matplotlib's default figure
    dpi: int = 100
    circles: Circles = field(default_factory=lambda: CIRCLES)


def measure(variant, sizes, repeats):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mlxtend.plotting import plot_decision_regions

    fitted, X_test, y_test, score = circles.measure_with(variant.family, sizes.circles)

    def plot():
        plt.figure(figsize=sizes.inches, dpi=sizes.dpi)
        plot_decision_regions(X_test, y_test, clf=fitted, legend=2)
        plt.close("all")

    return {"times": timed(plot, repeats), "accuracy": score}


def notes(s, args):
    width, height = (round(inches * s.dpi) for inches in s.inches)
    return [
        f"plot_decision_regions on the circles' 250-row test split predicts "
        f"one grid point per pixel of a {s.inches[0]} x {s.inches[1]} inch "
        f"figure at {s.dpi} dpi ({width * height:,} rows); raw Keras goes "
        "through the predict-and-threshold adapter its users write."
    ]


WORKLOAD = Workload(
    key="plot",
    title="mlxtend plot_decision_regions, 250-row test split",
    variants=(
        Variant("skxent", "skxent", "skxent", goals=(Ratio("mlp", 0.75),)),
        Variant("scikeras", "scikeras", "SciKeras"),
        Variant("keras", "keras", "raw Keras, through a thresholding predict adapter"),
        Variant("mlp", "mlp", "MLPClassifier"),
    ),
    full=Sizes(),
    quick=Sizes((1.0, 1.0), 50, circles.CIRCLES_QUICK),
    measure=measure,
    notes=notes,
)
