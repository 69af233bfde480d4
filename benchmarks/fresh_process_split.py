"""Where a fresh process's time goes: imports, Keras, the first fit, a second.

One fresh interpreter, the harness's fresh-process workload split into its
steps, with the whole fit in one compiled call (argument 1) or epoch by
epoch (0)::

    KERAS_BACKEND=jax python benchmarks/fresh_process_split.py 1
    KERAS_BACKEND=jax python benchmarks/fresh_process_split.py 0
"""

import sys
import time


def main(one_call):
    start = time.perf_counter()
    from sklearn.datasets import make_circles

    from skxent import XentClassifier, _one_call

    _one_call.ONE_CALL = one_call
    X, y = make_circles(1000, factor=0.1, random_state=0)
    imported = time.perf_counter()
    from skxent._keras import import_keras

    import_keras()
    steps = {"scikit-learn and skxent": imported - start}
    steps["Keras and its backend"] = time.perf_counter() - imported
    for fit in ("first fit", "second fit"):
        began = time.perf_counter()
        XentClassifier(
            hidden_layer_sizes=(12, 8),
            epochs=30,
            batch_size=5,
            validation_split=0.2,
            random_state=0,
        ).fit(X[250:], y[250:])
        steps[fit] = time.perf_counter() - began
    print(
        f"one call: {one_call}; "
        + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items())
    )


if __name__ == "__main__":
    main(sys.argv[1:] != ["0"])
