"""Peak memory and fit time with many classes: 200,000 x 20, 1,000 classes.

Run: ``python benchmarks/many_classes.py`` (about 3 minutes on 2 cores).

Each contender fits the same network (one hidden layer of 100 ReLU units,
1,000 outputs) for the same epochs and batch size in a fresh process, so
the peak resident memory of that process (``ru_maxrss``) is its own.  The
first row is the floor: the same process with the data made and TensorFlow
imported, but no model.

- skxent ``loss="auto"`` on integer labels: categorical crossentropy in its
  sparse form, no one-hot array;
- SciKeras 0.13 ``KerasClassifier`` with ``loss="categorical_crossentropy"``,
  which one-hot encodes the targets, and with
  ``loss="sparse_categorical_crossentropy"``;
- scikit-learn's ``MLPClassifier`` (``max_iter`` = epochs).
"""

import argparse
import json
import resource
import subprocess
import sys
import time

N_SAMPLES, N_FEATURES, N_CLASSES, HIDDEN = 200_000, 20, 1_000, 100


def make_data():
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split

    X, y = make_blobs(
        N_SAMPLES + 20_000,
        n_features=N_FEATURES,
        centers=N_CLASSES,
        cluster_std=2.0,
        random_state=0,
    )
    X = X.astype("float32")
    return train_test_split(X, y, test_size=20_000, random_state=0)


def scikeras_model(meta):
    import keras

    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(HIDDEN, activation="relu"),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def run(contender, epochs, batch_size):
    """Fit one contender in this process; return its measurements."""
    X_train, X_test, y_train, y_test = make_data()
    if contender == "floor":
        import tensorflow  # noqa: F401

        clf = None
    elif contender == "skxent":
        from skxent import XentClassifier

        clf = XentClassifier(
            hidden_layer_sizes=(HIDDEN,),
            epochs=epochs,
            batch_size=batch_size,
            random_state=0,
        )
    elif contender.startswith("scikeras"):
        from scikeras.wrappers import KerasClassifier

        loss = contender.split(":", 1)[1]
        clf = KerasClassifier(
            model=scikeras_model,
            loss=loss,
            optimizer="adam",
            epochs=epochs,
            batch_size=batch_size,
            verbose=0,
        )
    elif contender == "mlp":
        from sklearn.neural_network import MLPClassifier

        clf = MLPClassifier(
            hidden_layer_sizes=(HIDDEN,),
            max_iter=epochs,
            batch_size=batch_size,
            random_state=0,
        )
    else:
        raise ValueError(contender)
    fit_s = accuracy = None
    if clf is not None:
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        accuracy = float((clf.predict(X_test) == y_test).mean())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"fit_s": fit_s, "accuracy": accuracy, "peak_mb": peak_mb}


CONTENDERS = [
    ("floor", "data + TensorFlow, no model"),
    ("skxent", "skxent, loss='auto'"),
    ("scikeras:categorical_crossentropy", "SciKeras, categorical_crossentropy"),
    (
        "scikeras:sparse_categorical_crossentropy",
        "SciKeras, sparse_categorical_crossentropy",
    ),
    ("mlp", "MLPClassifier"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.epochs, args.batch_size)))
        return
    results = {}
    for key, _ in CONTENDERS:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                key,
                "--epochs",
                str(args.epochs),
                "--batch-size",
                str(args.batch_size),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[key] = json.loads(out.strip().splitlines()[-1])
    skx = results["skxent"]
    print(
        f"{N_SAMPLES:,} x {N_FEATURES}, {N_CLASSES:,} classes, hidden "
        f"({HIDDEN},), {args.epochs} epochs, batch {args.batch_size}\n"
    )
    print("| contender | peak memory | x skxent | fit time | x skxent | accuracy |")
    print("| --- | --- | --- | --- | --- | --- |")
    for key, label in CONTENDERS:
        r = results[key]
        fit = "" if r["fit_s"] is None else f"{r['fit_s']:.1f} s"
        fit_ratio = "" if r["fit_s"] is None else f"{r['fit_s'] / skx['fit_s']:.2f}"
        acc = "" if r["accuracy"] is None else f"{r['accuracy']:.3f}"
        print(
            f"| {label} | {r['peak_mb']:,.0f} MB | "
            f"{r['peak_mb'] / skx['peak_mb']:.2f} | {fit} | {fit_ratio} | {acc} |"
        )


if __name__ == "__main__":
    main()
