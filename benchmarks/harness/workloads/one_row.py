"""One row at a time, as a service predicts.

``predict-1`` (issue 4: predict ≤ 3 x MLPClassifier, every contender) and
``one-row`` (issue 11: predict, predict_proba and decision_function each
≤ 1.0 x MLPClassifier, whose predict_proba stands in for the
decision_function it lacks; and a row's probabilities the same, to 1e-6,
alone or inside a 1,000-row batch).  Per-call times after warm-up calls,
as many calls as fit in the time budget, between two bounds.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from ..goals import AtMost, Ratio
from ..runner import timed
from ..spec import Variant, Workload
from . import circles
from .circles import CIRCLES, Circles


@dataclass(frozen=True)
class Sizes:
    warmup: int = 5
    calls: tuple = (20, 1000)
    seconds: float = 3.0
    batch: int = 1000  # the batch a row's probabilities are compared inside
    compared: int = 50  # rows predicted alone for that comparison
    circles: Circles = field(default_factory=lambda: CIRCLES)


QUICK = Sizes(1, (3, 20), 0.2, 100, 5, circles.CIRCLES_QUICK)


def per_call_times(call, sizes):
    for _ in range(sizes.warmup):
        call()
    fewest, most = sizes.calls
    times = []
    end = time.perf_counter() + sizes.seconds
    while len(times) < most and (len(times) < fewest or time.perf_counter() < end):
        times.extend(timed(call, 1))
    return times


def method_of(variant):
    """The method a row times: the variant key's suffix."""
    suffix = variant.key.rpartition("-")[2]
    return {"proba": "predict_proba", "decision": "decision_function"}.get(
        suffix, "predict"
    )


def batch_difference(method, sizes):
    """Largest |difference| of rows predicted alone and inside a batch."""
    X, _ = circles.circles(sizes.batch, random_state=2)
    batch = np.asarray(method(X))
    rows = [np.asarray(method(X[i : i + 1])) for i in range(sizes.compared)]
    alone = np.concatenate(rows)
    return float(np.abs(alone - batch[: sizes.compared]).max())


def measure(variant, sizes, repeats):
    fitted, X_test, _, score = circles.measure_with(variant.family, sizes.circles)
    method = getattr(fitted, method_of(variant))
    row = X_test[:1]
    result = {"times": per_call_times(lambda: method(row), sizes), "accuracy": score}
    if method_of(variant) != "predict":
        result["batch_difference"] = batch_difference(method, sizes)
    return result


PREDICT_1 = Workload(
    key="predict-1",
    title="predict 1 row (median of many calls)",
    variants=(
        Variant("skxent", "skxent", "skxent", goals=(Ratio("mlp", 3.0),)),
        Variant("scikeras", "scikeras", "SciKeras"),
        Variant("keras", "keras", "raw Keras"),
        Variant("mlp", "mlp", "MLPClassifier"),
    ),
    full=Sizes(),
    quick=QUICK,
    measure=measure,
)

ONE_ROW = Workload(
    key="one-row",
    title="one row: predict, predict_proba, decision_function",
    variants=(
        Variant(
            "skxent-predict",
            "skxent",
            "skxent predict",
            goals=(Ratio("mlp-predict", 1.0),),
            baseline="mlp-predict",
        ),
        Variant(
            "skxent-proba",
            "skxent",
            "skxent predict_proba",
            goals=(Ratio("mlp-proba", 1.0), AtMost("batch_difference", 1e-6)),
            baseline="mlp-proba",
        ),
        Variant(
            "skxent-decision",
            "skxent",
            "skxent decision_function",
            goals=(Ratio("mlp-proba", 1.0),),
            baseline="mlp-proba",
        ),
        Variant("mlp-predict", "mlp", "MLPClassifier predict", baseline="-"),
        Variant(
            "mlp-proba",
            "mlp",
            "MLPClassifier predict_proba (it has no decision_function)",
            baseline="-",
        ),
    ),
    full=Sizes(),
    quick=QUICK,
    measure=measure,
    notes=lambda s, args: [
        f"One row: the circles' model; median (min) of per-call times after "
        f"{s.warmup} warm-up calls, for {s.seconds} s ({s.calls[0]} to "
        f"{s.calls[1]:,} calls). batch_difference: the largest |difference| "
        f"between {s.compared} rows' outputs predicted one at a time and "
        f"inside one {s.batch:,}-row batch."
    ],
)
