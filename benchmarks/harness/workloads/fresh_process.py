"""A script that starts, fits and exits: ``python -c`` that imports, fits
the tutorial's circles and scores them, timed from outside (wall, from
process start to exit) with its peak memory.  skxent runs under TensorFlow
and under JAX whatever ``--backend`` says (issue 13: ≤ 2.0 x
MLPClassifier's wall under JAX)."""

from ..goals import Ratio
from ..spec import Variant, Workload
from . import circles

SCRIPT = """\
import json, resource
{imports}
from sklearn.datasets import make_circles
X, y = make_circles({c.rows}, factor=0.1, random_state=0)
clf = {estimator}
clf.fit(X[{c.test}:], y[{c.test}:])
print(json.dumps({{
    "accuracy": float(clf.score(X[:{c.test}], y[:{c.test}])),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}}))
"""


def script(variant, c):
    n = c.net
    if variant.family == "skxent":
        imports = "from skxent import XentClassifier"
        estimator = (
            f"XentClassifier(hidden_layer_sizes={n.hidden}, epochs={n.epochs}, "
            f"batch_size={n.batch_size}, validation_split={n.validation_split}, "
            f"random_state={n.seed})"
        )
    else:
        imports = (
            "import warnings\nfrom sklearn.neural_network import MLPClassifier\n"
            "warnings.simplefilter('ignore')"
        )
        estimator = (
            f"MLPClassifier(hidden_layer_sizes={n.hidden}, max_iter={n.epochs}, "
            f"batch_size={n.batch_size}, learning_rate_init={n.learning_rate}, "
            f"early_stopping=True, validation_fraction={n.validation_split}, "
            f"n_iter_no_change={n.epochs}, random_state={n.seed})"
        )
    return SCRIPT.format(imports=imports, estimator=estimator, c=c)


def summarize(outputs):
    return {
        "times": [o["wall"] for o in outputs],
        "accuracy": outputs[-1]["accuracy"],
        "peak_mb": max(o["peak_mb"] for o in outputs),
    }


WORKLOAD = Workload(
    key="fresh-process",
    title="fresh process: import, fit the circles, score",
    variants=(
        Variant(
            "skxent",
            "skxent",
            "skxent",
            goals=(Ratio("mlp", 2.0, backends=("jax",)),),
            backends=("tensorflow", "jax"),
        ),
        Variant("mlp", "mlp", "MLPClassifier"),
    ),
    full=circles.CIRCLES,
    quick=circles.CIRCLES_QUICK,
    script=script,
    summarize=summarize,
    repeats="import_runs",
    notes=lambda c, args: [
        f"Fresh process: the wall of `python -c` (interpreter start to exit), "
        f"median (min) of {args.import_runs} runs, fitting the circles' "
        "network on its training rows and scoring the test rows."
    ],
)
