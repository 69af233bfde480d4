"""Every workload of issue 4, for skxent, SciKeras, raw Keras and MLPClassifier.

Run: ``python benchmarks/run.py`` (pin it to a core with ``taskset -c N`` on
a shared machine; ``docs/benchmarks.md`` says how long it takes).  Prints
one Markdown table of times, ratios against the issue's goals, accuracies
and peak memory, and the machine it ran on.  Options: ``--repeat N`` timed
repeats of fit, predict and plot (median and min are shown), ``--only
WORKLOAD`` (repeatable), ``--contenders`` to run a subset, ``--quick`` for a
smoke run on tiny sizes (its figures mean nothing), ``--json PATH`` to save
the raw measurements.

Each contender runs each workload in a fresh process (``--child``), so
imports, memory and TensorFlow state never leak between contenders; peak
memory is that process's peak resident set (``ru_maxrss``).  Times exclude
imports and data generation, which are done before the clock starts; the
``import`` workload measures imports alone, in fresh interpreters.

The contenders are written as each library's users write them:

- skxent: ``XentClassifier`` with the tutorial's configuration;
- SciKeras 0.13: ``KerasClassifier`` with a model function ending in a
  sigmoid (softmax for many classes) and ``loss="binary_crossentropy"``
  (``categorical_crossentropy`` or ``sparse_categorical_crossentropy``);
  ``fit__batch_size=5`` on the circles, as its documentation advises for a
  training batch size that ``predict`` (Keras's default 32) should not use;
- raw Keras: the tutorial's code (``Sequential``, ``compile`` with
  ``metrics=['accuracy']``, ``model.fit(..., validation_split=0.2)``,
  ``model.predict``; ``to_categorical`` for many classes), with
  ``learning_rate`` where it wrote ``lr``, which Keras 3 rejects;
- scikit-learn's ``MLPClassifier``: same layers, epochs (``max_iter``),
  batch size and optimizer (adam, learning rate 1e-3).

All run silently (``verbose=0``) with a fixed seed.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class Sizes:
    """Data sizes and training configuration of the workloads."""

    # The tutorial's circles: make_circles(1000, factor=0.1), first 250 rows
    # for testing, (12, 8) ReLU layers, 30 epochs of batch 5, 20 % validation.
    circles: int = 1000
    test: int = 250
    hidden: tuple = (12, 8)
    epochs: int = 30
    batch_size: int = 5
    validation_split: float = 0.2
    predict_rows: int = 250_000
    # Single-row predict: after a warm-up, as many calls as fit in the time
    # budget, between the two bounds.
    one_row_warmup: int = 5
    one_row_calls: tuple = (20, 1000)
    one_row_seconds: float = 3.0
    # plot_decision_regions: matplotlib's default figure, 640 x 480 pixels.
    plot_inches: tuple = (6.4, 4.8)
    plot_dpi: int = 100
    # Many classes: make_blobs, one hidden layer, few epochs of big batches.
    many_rows: int = 200_000
    many_test: int = 20_000
    many_features: int = 20
    many_classes: int = 1_000
    many_hidden: int = 100
    many_epochs: int = 3
    many_batch_size: int = 256


FULL = Sizes()
QUICK = replace(
    FULL,
    epochs=2,
    predict_rows=2_000,
    one_row_warmup=1,
    one_row_calls=(3, 20),
    one_row_seconds=0.2,
    plot_inches=(1.0, 1.0),
    plot_dpi=50,
    many_rows=2_000,
    many_test=500,
    many_classes=10,
    many_epochs=1,
)

# Contender families, in table order.
FAMILIES = {
    "skxent": "skxent",
    "scikeras": "SciKeras",
    "keras": "raw Keras",
    "mlp": "MLPClassifier",
}


@dataclass(frozen=True)
class Variant:
    """One row of the table: a contender's way of running a workload."""

    key: str
    family: str
    label: str
    # Goals on skxent's figure divided by this row's: ("time" or
    # "memory", upper bound), or ("seconds", bound) on this row's own time.
    goals: tuple = ()


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    variants: tuple
    repeats: str  # which option sets the number of timed repeats
    reference: str = "skxent"  # the skxent variant ratios are taken against


MLP_VALIDATION = (
    "early_stopping=True, validation_fraction=0.2, n_iter_no_change=epochs: "
    "holds out 20 %, never stops early"
)

WORKLOADS = (
    Workload(
        "import",
        "import, fresh interpreter",
        (
            Variant("skxent", "skxent", "skxent: `import skxent`", (("seconds", 0.5),)),
            Variant(
                "skxent-class",
                "skxent",
                "skxent: `from skxent import XentClassifier`",
                (("seconds", 0.5),),
            ),
            Variant("scikeras", "scikeras", "SciKeras: `import scikeras.wrappers`"),
            Variant("keras", "keras", "raw Keras: `import keras`"),
            Variant("mlp", "mlp", "MLPClassifier: `import sklearn.neural_network`"),
        ),
        repeats="import_runs",
    ),
    Workload(
        "fit-circles",
        "fit, tutorial circles",
        (
            Variant("skxent", "skxent", "skxent"),
            Variant("scikeras", "scikeras", "SciKeras", (("time", 0.15),)),
            Variant("keras", "keras", "raw Keras"),
            Variant(
                "mlp", "mlp", f"MLPClassifier ({MLP_VALIDATION})", (("time", 1.0),)
            ),
        ),
        repeats="repeat",
    ),
    Workload(
        "predict-250k",
        "predict 250,000 rows, one call",
        (
            Variant("skxent", "skxent", "skxent"),
            Variant("scikeras", "scikeras", "SciKeras"),
            Variant("keras", "keras", "raw Keras"),
            Variant("mlp", "mlp", "MLPClassifier", (("time", 0.5),)),
        ),
        repeats="repeat",
    ),
    Workload(
        "predict-1",
        "predict 1 row (median of many calls)",
        (
            Variant("skxent", "skxent", "skxent"),
            Variant("scikeras", "scikeras", "SciKeras"),
            Variant("keras", "keras", "raw Keras"),
            Variant("mlp", "mlp", "MLPClassifier", (("time", 3.0),)),
        ),
        repeats="repeat",
    ),
    Workload(
        "plot",
        "mlxtend plot_decision_regions, 250-row test split",
        (
            Variant("skxent", "skxent", "skxent"),
            Variant("scikeras", "scikeras", "SciKeras"),
            Variant(
                "keras", "keras", "raw Keras, through a thresholding predict adapter"
            ),
            Variant("mlp", "mlp", "MLPClassifier", (("time", 0.75),)),
        ),
        repeats="repeat",
    ),
    Workload(
        "many-classes",
        "many classes: fit",
        (
            Variant("floor", "skxent", "data + TensorFlow, no model"),
            Variant("skxent", "skxent", "skxent, loss='auto'"),
            Variant(
                "scikeras-cce",
                "scikeras",
                "SciKeras, categorical_crossentropy",
                (("memory", 0.35),),
            ),
            Variant(
                "scikeras-scce",
                "scikeras",
                "SciKeras, sparse_categorical_crossentropy",
                (("time", 0.75),),
            ),
            Variant("keras", "keras", "raw Keras, to_categorical"),
            Variant("mlp", "mlp", "MLPClassifier"),
        ),
        repeats="repeat_many",
    ),
)
WORKLOAD_KEYS = [w.key for w in WORKLOADS]

# -- the tutorial's circles ---------------------------------------------------


def circles(sizes, n=None, random_state=0):
    """``make_circles`` as the tutorial calls it, with a fixed seed."""
    from sklearn.datasets import make_circles

    return make_circles(n or sizes.circles, factor=0.1, random_state=random_state)


def circles_split(sizes):
    """The tutorial's split: the first 250 rows test, the rest train."""
    X, y = circles(sizes)
    return X[sizes.test :], X[: sizes.test], y[sizes.test :], y[: sizes.test]


def scikeras_circles_model(hidden_layer_sizes, meta):
    import keras

    model = keras.Sequential([keras.Input((meta["n_features_in_"],))])
    for units in hidden_layer_sizes:
        model.add(
            keras.layers.Dense(
                units, activation="relu", kernel_initializer="he_uniform"
            )
        )
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    return model


class TutorialKeras:
    """The tutorial's binary crossentropy script, split into fit and predict."""

    def __init__(self, sizes):
        self.sizes = sizes

    def fit(self, X, y):
        import keras
        from keras.layers import Dense
        from keras.losses import BinaryCrossentropy
        from keras.models import Sequential

        s = self.sizes
        keras.utils.set_random_seed(0)
        input_shape = (len(X[0]),)
        model = Sequential()
        model.add(keras.Input(input_shape))
        for units in s.hidden:
            model.add(Dense(units, activation="relu", kernel_initializer="he_uniform"))
        model.add(Dense(1, activation="sigmoid"))
        model.compile(
            loss=BinaryCrossentropy(),
            optimizer=keras.optimizers.Adam(learning_rate=0.001),
            metrics=["accuracy"],
        )
        model.fit(
            X,
            y,
            epochs=s.epochs,
            batch_size=s.batch_size,
            verbose=0,
            validation_split=s.validation_split,
        )
        self.model = model
        return self

    def predict(self, X):
        return (self.model.predict(X, verbose=0)[:, 0] > 0.5).astype(int)


def circles_estimator(variant, sizes):
    """A new, unfitted classifier of the variant's family for the circles."""
    s, family = sizes, variant.family
    if family == "skxent":
        from skxent import XentClassifier

        return XentClassifier(
            hidden_layer_sizes=s.hidden,
            epochs=s.epochs,
            batch_size=s.batch_size,
            validation_split=s.validation_split,
            random_state=0,
        )
    if family == "scikeras":
        from scikeras.wrappers import KerasClassifier

        return KerasClassifier(
            model=scikeras_circles_model,
            model__hidden_layer_sizes=s.hidden,
            loss="binary_crossentropy",
            optimizer="adam",
            optimizer__learning_rate=1e-3,
            epochs=s.epochs,
            # SciKeras's way to set the training batch alone: its batch_size
            # would make predict run batches of 5 too, not Keras's 32.
            fit__batch_size=s.batch_size,
            validation_split=s.validation_split,
            verbose=0,
            random_state=0,
        )
    if family == "keras":
        return TutorialKeras(sizes)
    if family == "mlp":
        from sklearn.neural_network import MLPClassifier

        # MLPClassifier holds data out only for early stopping: hold out the
        # same fraction, scored every epoch, and never stop early, so that it
        # trains on the same 80 % for every epoch, as the Keras contenders.
        return MLPClassifier(
            hidden_layer_sizes=s.hidden,
            solver="adam",
            learning_rate_init=1e-3,
            max_iter=s.epochs,
            batch_size=s.batch_size,
            early_stopping=True,
            validation_fraction=s.validation_split,
            n_iter_no_change=s.epochs,
            random_state=0,
        )
    raise ValueError(family)


def import_backend(family):
    """Import what ``family`` needs before any clock starts."""
    if family == "mlp":
        import sklearn.neural_network  # noqa: F401
    else:
        import keras  # noqa: F401

        if family == "scikeras":
            import scikeras.wrappers  # noqa: F401
        elif family == "skxent":
            import skxent  # noqa: F401


def fitted_circles(variant, sizes):
    """An estimator fit on the tutorial's training rows, and the test split."""
    split = circles_split(sizes)
    X_test, y_test = split[1], split[3]
    _, estimator = measure_fits(variant, split, circles_estimator, sizes, 1)
    return estimator, X_test, y_test


def accuracy(estimator, X, y):
    return float((estimator.predict(X) == y).mean())


def timed(call, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def measure_fits(variant, split, make_estimator, sizes, repeats):
    """Time fits of new estimators; the measurements and the last estimator."""
    from sklearn.exceptions import ConvergenceWarning

    X_train, X_test, y_train, y_test = split
    import_backend(variant.family)
    fitted = []

    def fit():
        fitted.append(make_estimator(variant, sizes).fit(X_train, y_train))

    with warnings.catch_warnings():
        # MLPClassifier warns when it stops at max_iter, as intended here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        times = timed(fit, repeats)
    estimator = fitted[-1]
    return {"times": times, "accuracy": accuracy(estimator, X_test, y_test)}, estimator


def measure_fit_circles(variant, sizes, repeats):
    split = circles_split(sizes)
    return measure_fits(variant, split, circles_estimator, sizes, repeats)[0]


def measure_predict_many(variant, sizes, repeats):
    estimator, _, _ = fitted_circles(variant, sizes)
    X, y = circles(sizes, sizes.predict_rows, random_state=1)
    predictions = []
    times = timed(lambda: predictions.append(estimator.predict(X)), repeats)
    return {"times": times, "accuracy": float((predictions[-1] == y).mean())}


def measure_predict_one(variant, sizes, repeats):
    estimator, X_test, y_test = fitted_circles(variant, sizes)
    row = X_test[:1]
    for _ in range(sizes.one_row_warmup):
        estimator.predict(row)
    fewest, most = sizes.one_row_calls
    times = []
    budget_end = time.perf_counter() + sizes.one_row_seconds
    while len(times) < most and (
        len(times) < fewest or time.perf_counter() < budget_end
    ):
        times.extend(timed(lambda: estimator.predict(row), 1))
    return {"times": times, "accuracy": accuracy(estimator, X_test, y_test)}


def measure_plot(variant, sizes, repeats):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mlxtend.plotting import plot_decision_regions

    # Raw Keras goes through TutorialKeras.predict, the thresholding adapter
    # its users write: the tutorial passes the model itself, whose
    # probabilities mlxtend 0.25 cannot map to classes (a TypeError).
    estimator, X_test, y_test = fitted_circles(variant, sizes)

    def plot():
        # mlxtend predicts one grid point per pixel of the current figure.
        plt.figure(figsize=sizes.plot_inches, dpi=sizes.plot_dpi)
        plot_decision_regions(X_test, y_test, clf=estimator, legend=2)
        plt.close("all")

    times = timed(plot, repeats)
    return {"times": times, "accuracy": accuracy(estimator, X_test, y_test)}


# -- many classes ---------------------------------------------------------------


def many_classes_split(sizes):
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split

    X, y = make_blobs(
        sizes.many_rows + sizes.many_test,
        n_features=sizes.many_features,
        centers=sizes.many_classes,
        cluster_std=2.0,
        random_state=0,
    )
    return train_test_split(
        X.astype("float32"), y, test_size=sizes.many_test, random_state=0
    )


def scikeras_many_classes_model(hidden, meta):
    import keras

    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


class TutorialKerasManyClasses:
    """The tutorial's categorical crossentropy script: to_categorical, logits."""

    def __init__(self, sizes):
        self.sizes = sizes

    def fit(self, X, y):
        import keras
        from keras.layers import Dense
        from keras.models import Sequential
        from keras.utils import to_categorical

        s = self.sizes
        keras.utils.set_random_seed(0)
        categorical_targets = to_categorical(y)
        model = Sequential()
        model.add(keras.Input((X.shape[1],)))
        model.add(Dense(s.many_hidden, activation="relu"))
        model.add(Dense(categorical_targets.shape[1], activation="linear"))
        model.compile(
            loss=keras.losses.CategoricalCrossentropy(from_logits=True),
            optimizer=keras.optimizers.Adam(learning_rate=0.001),
            metrics=["accuracy"],
        )
        model.fit(
            X,
            categorical_targets,
            epochs=s.many_epochs,
            batch_size=s.many_batch_size,
            verbose=0,
        )
        self.model = model
        return self

    def predict(self, X):
        return self.model.predict(X, verbose=0).argmax(axis=1)


def many_classes_estimator(variant, sizes):
    s = sizes
    if variant.key == "skxent":
        from skxent import XentClassifier

        return XentClassifier(
            hidden_layer_sizes=(s.many_hidden,),
            epochs=s.many_epochs,
            batch_size=s.many_batch_size,
            random_state=0,
        )
    if variant.family == "scikeras":
        from scikeras.wrappers import KerasClassifier

        loss = {
            "scikeras-cce": "categorical_crossentropy",
            "scikeras-scce": "sparse_categorical_crossentropy",
        }[variant.key]
        return KerasClassifier(
            model=scikeras_many_classes_model,
            model__hidden=s.many_hidden,
            loss=loss,
            optimizer="adam",
            optimizer__learning_rate=1e-3,
            epochs=s.many_epochs,
            batch_size=s.many_batch_size,
            verbose=0,
            random_state=0,
        )
    if variant.family == "keras":
        return TutorialKerasManyClasses(sizes)
    if variant.family == "mlp":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=(s.many_hidden,),
            solver="adam",
            learning_rate_init=1e-3,
            max_iter=s.many_epochs,
            batch_size=s.many_batch_size,
            random_state=0,
        )
    raise ValueError(variant.key)


def measure_many_classes(variant, sizes, repeats):
    split = many_classes_split(sizes)
    if variant.key == "floor":
        import tensorflow  # noqa: F401

        return {"times": [], "accuracy": None}

    return measure_fits(variant, split, many_classes_estimator, sizes, repeats)[0]


MEASURES = {
    "fit-circles": measure_fit_circles,
    "predict-250k": measure_predict_many,
    "predict-1": measure_predict_one,
    "plot": measure_plot,
    "many-classes": measure_many_classes,
}

# -- import, in fresh interpreters -------------------------------------------------

IMPORT_STATEMENTS = {
    "skxent": "import skxent",
    "skxent-class": "from skxent import XentClassifier",
    "scikeras": "import scikeras.wrappers",
    "keras": "import keras",
    "mlp": "import sklearn.neural_network",
}

# Nothing but the clock is imported before the statement under test.
IMPORT_PROBE = """\
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


def run_import(variant, runs):
    probe = IMPORT_PROBE.format(statement=IMPORT_STATEMENTS[variant.key])
    outputs = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", probe],
            check=True,
            capture_output=True,
            text=True,
            env=child_env(),
        ).stdout
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return {
        "times": [o["seconds"] for o in outputs],
        "accuracy": None,
        "tensorflow_imported": any(o["tensorflow"] for o in outputs),
        "peak_mb": max(o["peak_mb"] for o in outputs),
    }


# -- running the children -----------------------------------------------------------


def child_env():
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}


def child(workload_key, variant_key, sizes, repeats, out_path):
    """Measure one variant of one workload in this process; write JSON."""
    workload = next(w for w in WORKLOADS if w.key == workload_key)
    variant = next(v for v in workload.variants if v.key == variant_key)
    result = MEASURES[workload_key](variant, sizes, repeats)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out_path).write_text(json.dumps(result))


def run_variant(workload, variant, args):
    """Run one variant in a fresh process; its result, or its error."""
    repeats = getattr(args, workload.repeats)
    try:
        if workload.key == "import":
            return run_import(variant, repeats)
        with tempfile.TemporaryDirectory() as tmp:
            out_path = Path(tmp) / "result.json"
            command = [
                sys.executable,
                __file__,
                "--child",
                workload.key,
                variant.key,
                "--out",
                str(out_path),
                "--repeat",
                str(repeats),
            ]
            if args.quick:
                command.append("--quick")
            subprocess.run(
                command,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=child_env(),
            )
            return json.loads(out_path.read_text())
    except subprocess.CalledProcessError as exc:
        lines = (exc.stderr or "").strip().splitlines() or [str(exc)]
        return {"error": lines[-1]}


# -- the table ------------------------------------------------------------------------


def seconds_text(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def time_text(times):
    if not times:
        return ""
    text = seconds_text(statistics.median(times))
    if len(times) > 1:
        text += f" ({seconds_text(min(times))})"
    return text


def goal_text(kind, bound, result, ratios):
    if kind == "seconds":
        seconds = statistics.median(result["times"])
        met = seconds <= bound and not result.get("tensorflow_imported")
        return f"≤ {bound} s, no TensorFlow: {'met' if met else 'not met'}"
    ratio = ratios[kind]
    if ratio is None:
        return f"{kind} ≤ {bound}: no skxent figure"
    return f"{kind} ≤ {bound}: {'met' if ratio <= bound else 'not met'}"


def row(workload, variant, result, reference):
    label = variant.label
    if "error" in result:
        failed = "failed: " + result["error"].replace("|", "/")
        return "| " + " | ".join([workload.title, label, failed, *[""] * 5]) + " |"
    ratios = {"time": None, "memory": None}
    is_reference = variant.key == workload.reference
    if reference and "error" not in reference and not is_reference:
        if result["times"] and reference["times"]:
            ratios["time"] = statistics.median(reference["times"]) / statistics.median(
                result["times"]
            )
        ratios["memory"] = reference["peak_mb"] / result["peak_mb"]
    goals = "; ".join(goal_text(k, b, result, ratios) for k, b in variant.goals)
    if variant.key == "skxent" and workload.key == "import":
        tf = "yes" if result["tensorflow_imported"] else "no"
        goals += f" (TensorFlow imported: {tf})"
    cells = [
        workload.title,
        label,
        time_text(result["times"]),
        "" if result["accuracy"] is None else f"{result['accuracy']:.3f}",
        f"{result['peak_mb']:,.0f} MiB",
        "" if ratios["time"] is None else f"{ratios['time']:.2f}",
        "" if ratios["memory"] is None else f"{ratios['memory']:.2f}",
        goals,
    ]
    return "| " + " | ".join(cells) + " |"


def table(results, workloads):
    lines = [
        "| workload | contender | time: median (min) | accuracy | peak memory "
        "| skxent ÷ it, time | skxent ÷ it, memory | goal (issue 4) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for workload in workloads:
        measured = results.get(workload.key, {})
        reference = measured.get(workload.reference)
        for variant in workload.variants:
            if variant.key in measured:
                lines.append(row(workload, variant, measured[variant.key], reference))
    return "\n".join(lines)


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in [
        "skxent",
        "tensorflow",
        "keras",
        "scikit-learn",
        "scikeras",
        "mlxtend",
        "matplotlib",
        "numpy",
    ]:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
    ).stdout.strip()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "commit": commit or None,
    }


def notes(args, sizes):
    s = sizes
    width, height = (round(inches * s.plot_dpi) for inches in s.plot_inches)
    grid_rows = width * height
    return [
        f"Circles: make_circles({s.circles}, factor=0.1, random_state=0), the "
        f"first {s.test} rows for testing and accuracy, {s.circles - s.test} "
        f"for training; hidden {s.hidden}, {s.epochs} epochs, batch "
        f"{s.batch_size}, validation {s.validation_split}, adam at 1e-3. "
        f"MLPClassifier holds data out only with early_stopping=True: it gets "
        f"validation_fraction={s.validation_split} and "
        f"n_iter_no_change={s.epochs}, so it trains on the same fraction for "
        f"every epoch and scores the held-out rows (accuracy) each epoch; it "
        f"then keeps the best-scoring epoch's weights, where Keras keeps the "
        f"last.",
        f"Times: median (min) of {args.repeat} runs in one process, the first "
        f"included; predict 1 row: median (min) of per-call times after "
        f"{s.one_row_warmup} warm-up calls; import: median (min) of "
        f"{args.import_runs} fresh interpreters; many classes: "
        f"{args.repeat_many} run(s). Predict {s.predict_rows:,} rows: accuracy "
        f"on make_circles({s.predict_rows:,}, factor=0.1, random_state=1).",
        f"plot_decision_regions predicts one grid point per pixel of a "
        f"{s.plot_inches[0]} x {s.plot_inches[1]} inch figure at {s.plot_dpi} "
        f"dpi ({grid_rows:,} rows). The tutorial passes the Keras model itself, whose "
        f"probabilities mlxtend 0.25 cannot map to classes (a TypeError), so "
        f"raw Keras goes through the adapter its users write: predict, then "
        f"threshold at 0.5.",
        f"Many classes: make_blobs, {s.many_rows:,} x {s.many_features} "
        f"training rows, {s.many_classes:,} classes, hidden "
        f"({s.many_hidden},), {s.many_epochs} epochs, batch "
        f"{s.many_batch_size}; accuracy on {s.many_test:,} held-out rows. The "
        f"floor row is the memory every TensorFlow process pays for the data "
        f"and the import.",
        "Peak memory: the peak resident set (ru_maxrss) of the process that "
        "ran the row: imports, data, and every repeat. Ratios are skxent's "
        "figure divided by the row's, so below 1 means skxent is faster or "
        "smaller; a goal bounds that ratio.",
    ]


def report(results, args, sizes, info, workloads):
    v = info["versions"]
    usable = info["cores_usable"]
    print(
        f"Machine: {info['cpu']}, {info['cores']} cores ({usable} used by this "
        f"run); Python {info['python']}, TensorFlow {v['tensorflow']}, Keras "
        f"{v['keras']}, scikit-learn {v['scikit-learn']}, SciKeras "
        f"{v['scikeras']}, mlxtend {v['mlxtend']}, NumPy {v['numpy']}; skxent "
        f"{v['skxent']} at {info['commit']}."
    )
    if args.quick:
        print("\n--quick: tiny sizes, a smoke run; these figures mean nothing.")
    print()
    print(table(results, workloads))
    print()
    for note in notes(args, sizes):
        print(f"- {note}")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="timed runs of fit, predict and plot (default 3)",
    )
    parser.add_argument(
        "--repeat-many",
        type=int,
        default=1,
        metavar="N",
        help="timed fits with many classes (default 1)",
    )
    parser.add_argument(
        "--import-runs",
        type=int,
        default=5,
        metavar="N",
        help="fresh interpreters per import (default 5)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=WORKLOAD_KEYS,
        metavar="WORKLOAD",
        help=f"run only this workload (repeatable): {', '.join(WORKLOAD_KEYS)}",
    )
    parser.add_argument(
        "--contenders",
        nargs="+",
        choices=list(FAMILIES),
        default=list(FAMILIES),
        help="contenders to run (default all)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: a smoke run of the harness"
    )
    parser.add_argument("--json", metavar="PATH", help="also save raw results here")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.child:
        child(*args.child, sizes, args.repeat, args.out)
        return 0
    if args.quick:
        args.repeat, args.repeat_many, args.import_runs = 1, 1, 1
    workloads = [w for w in WORKLOADS if not args.only or w.key in args.only]
    info = machine()
    results = {}
    started = time.perf_counter()
    for workload in workloads:
        for variant in workload.variants:
            if variant.family not in args.contenders:
                continue
            if variant.key == "floor" and "skxent" not in args.contenders:
                continue
            start = time.perf_counter()
            result = run_variant(workload, variant, args)
            results.setdefault(workload.key, {})[variant.key] = result
            status = result.get("error", "ok")
            print(
                f"[{time.perf_counter() - started:5.0f} s] {workload.key} "
                f"{variant.key}: {time.perf_counter() - start:.1f} s, {status}",
                file=sys.stderr,
                flush=True,
            )
    report(results, args, sizes, info, workloads)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "machine": info,
                    "sizes": asdict(sizes),
                    "options": {
                        k: v for k, v in vars(args).items() if k not in ("child", "out")
                    },
                    "results": results,
                },
                indent=1,
            )
        )
    failed = any("error" in r for w in results.values() for r in w.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
