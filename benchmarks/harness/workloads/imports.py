"""import alone, in fresh interpreters (issue 4: ``import skxent`` ≤ 0.5 s
without importing TensorFlow).  Nothing but the clock is imported before
the statement under test."""

from dataclasses import dataclass

from ..goals import Seconds
from ..spec import Variant, Workload

STATEMENTS = {
    "skxent": "import skxent",
    "skxent-class": "from skxent import XentClassifier",
    "scikeras": "import scikeras.wrappers",
    "keras": "import keras",
    "mlp": "import sklearn.neural_network",
}

PROBE = """\
import time
start = time.perf_counter()
{statement}
seconds = time.perf_counter() - start
import json, resource, sys
print(json.dumps({{
    "seconds": seconds,
    "tensorflow": "tensorflow" in sys.modules,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}}))
"""


@dataclass(frozen=True)
class Sizes:
    pass


def script(variant, sizes):
    return PROBE.format(statement=STATEMENTS[variant.key])


def summarize(outputs):
    return {
        "times": [o["seconds"] for o in outputs],
        "accuracy": None,
        "tensorflow_imported": any(o["tensorflow"] for o in outputs),
        "peak_mb": max(o["peak_mb"] for o in outputs),
    }


def label(key):
    return f"`{STATEMENTS[key]}`"


WORKLOAD = Workload(
    key="import",
    title="import, fresh interpreter",
    variants=(
        Variant("skxent", "skxent", f"skxent: {label('skxent')}", (Seconds(0.5),)),
        Variant(
            "skxent-class",
            "skxent",
            f"skxent: {label('skxent-class')}",
            (Seconds(0.5),),
        ),
        Variant("scikeras", "scikeras", f"SciKeras: {label('scikeras')}"),
        Variant("keras", "keras", f"raw Keras: {label('keras')}"),
        Variant("mlp", "mlp", f"MLPClassifier: {label('mlp')}"),
    ),
    full=Sizes(),
    quick=Sizes(),
    script=script,
    summarize=summarize,
    repeats="import_runs",
    notes=lambda s, args: [
        f"import: the statement alone, median (min) of {args.import_runs} "
        "fresh interpreters."
    ],
)
