"""The loss search of ``examples/plot_loss_comparison.py``, 5 folds.

``GridSearchCV(XentClassifier(...), {"loss": the 7 losses}, cv=5)`` on the
example's circles (``make_circles(400, factor=0.1, noise=0.05)``, its
300-row training split) with its network (16 ReLU units, 20 epochs of
batch 32, learning rate 0.01): 35 fits.  MLPClassifier gets a grid with as
many fits of the same network, over ``alpha`` (7 values), the nearest knob
it has.

``loss-search`` (issue 11: ≤ 0.5 x MLPClassifier's grid) and
``parallel-search`` (issue 11: ``n_jobs=2`` under joblib's threading
backend ≤ 0.7 x the wall of ``n_jobs=1``, with identical ``cv_results_``
mean scores; the default loky backend's wall reported).
"""

from contextlib import nullcontext
from dataclasses import dataclass, field, replace

from skxent.comparison import DEFAULT_LOSSES

from .. import contenders
from ..goals import Ratio, Same
from ..runner import import_family, quietly, timed
from ..spec import Net, Variant, Workload

# The example's seven losses: skxent.comparison's, as the example uses them.
LOSSES = DEFAULT_LOSSES
ALPHAS = (1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)


@dataclass(frozen=True)
class Sizes:
    folds: int = 5
    candidates: int = 7
    net: Net = field(
        default_factory=lambda: Net((16,), epochs=20, batch_size=32, learning_rate=0.01)
    )


QUICK = Sizes(folds=2, candidates=2, net=replace(Sizes().net, epochs=2))

# parallel-search: (n_jobs, joblib backend) of each row.
MODES = {
    "skxent-1": (1, None),
    "skxent-threading": (2, "threading"),
    "skxent-loky": (2, "loky"),
}


def data():
    from sklearn.datasets import make_circles
    from sklearn.model_selection import train_test_split

    X, y = make_circles(400, factor=0.1, noise=0.05, random_state=0)
    X_train, _, y_train, _ = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    return X_train, y_train


def search(family, sizes, n_jobs=None):
    from sklearn.model_selection import GridSearchCV

    if family == "skxent":
        grid = {"loss": list(LOSSES[: sizes.candidates])}
    else:
        grid = {"alpha": list(ALPHAS[: sizes.candidates])}
    estimator = contenders.classifier(family, sizes.net)
    return GridSearchCV(estimator, grid, cv=sizes.folds, n_jobs=n_jobs)


def run(family, sizes, repeats, n_jobs=None, backend=None):
    """Time ``repeats`` searches; their times, best score and mean scores."""
    import joblib

    X, y = data()
    import_family(family)
    fitted = []

    def fit():
        # Only the parallel rows name a joblib backend: inside one, n_jobs=None
        # would mean the backend's n_jobs=-1 (loky workers), not a script's
        # sequential search in its own process.
        with joblib.parallel_backend(backend) if backend else nullcontext():
            fitted.append(search(family, sizes, n_jobs).fit(X, y))
        if backend == "loky":  # every search pays its workers' start-up
            from joblib.externals.loky import get_reusable_executor

            get_reusable_executor().shutdown(wait=True)

    times = quietly(lambda: timed(fit, repeats))
    scores = [float(s) for s in fitted[-1].cv_results_["mean_test_score"]]
    return {"times": times, "accuracy": fitted[-1].best_score_, "scores": scores}


def notes(s, args):
    fits = s.folds * s.candidates
    return [
        f"Loss search: {s.candidates} candidates x {s.folds} folds = {fits} "
        f"fits on the loss-comparison example's 300 training circles, hidden "
        f"{s.net.hidden}, {s.net.epochs} epochs of batch {s.net.batch_size}, "
        f"learning rate {s.net.learning_rate}; accuracy: the best candidate's "
        "mean cross-validated accuracy."
    ]


LOSS_SEARCH = Workload(
    key="loss-search",
    title="loss search, 35 fits (GridSearchCV)",
    variants=(
        Variant(
            "skxent",
            "skxent",
            "skxent, 7 losses",
            goals=(
                Ratio("mlp", 0.5, phase="cold"),
                Ratio("mlp", 0.25, phase="cold", backends=("jax",)),
            ),
        ),
        Variant("mlp", "mlp", "MLPClassifier, 7 alphas"),
    ),
    phases=("cold", "warm"),
    full=Sizes(),
    quick=QUICK,
    measure=lambda variant, sizes, repeats: run(variant.family, sizes, repeats),
    notes=notes,
)

PARALLEL_SEARCH = Workload(
    key="parallel-search",
    title="loss search, n_jobs=2 vs n_jobs=1",
    variants=(
        Variant("skxent-1", "skxent", "skxent, n_jobs=1"),
        Variant(
            "skxent-threading",
            "skxent",
            "skxent, n_jobs=2, threading backend",
            goals=(
                Same("scores", "skxent-1"),
                Ratio("skxent-1", 0.6, phase="cold", backends=("tensorflow", "jax")),
            ),
        ),
        Variant("skxent-loky", "skxent", "skxent, n_jobs=2, loky backend (default)"),
    ),
    full=Sizes(),
    quick=QUICK,
    measure=lambda variant, sizes, repeats: run(
        variant.family, sizes, repeats, *MODES[variant.key]
    ),
    baseline="skxent-1",
    phases=("cold", "warm"),
    notes=lambda s, args: [
        "Parallel search: the same search with GridSearchCV(n_jobs=2) inside "
        "joblib.parallel_backend('threading') or the default loky (each loky "
        "worker imports the backend afresh); ratios against n_jobs=1 under "
        "the same backend; scores: cv_results_['mean_test_score']. Loky's "
        "workers are shut down after each search, so each repeat pays their "
        "start-up, as a script running one search does."
    ],
)
