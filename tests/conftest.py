import os

import pytest

# Shared assertions (tests/_assertions.py): rewritten as the tests' own are.
pytest.register_assert_rewrite("_assertions")

# Quiet TensorFlow's C++ start-up logging; set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")


# Markers of tests that run in CI's TensorFlow pass only, and why.
ONCE = {
    "backend_independent": "no Keras backend can change its outcome",
    "default_backend": "a script or export above the training backend, run "
    "under the default one (the backend itself is tested in every pass)",
}


def pytest_collection_modifyitems(config, items):
    """Run the tests marked in :data:`ONCE` in the TensorFlow pass only.

    CI runs the suite once per backend; a test whose outcome no Keras
    backend can change (building the docs, a subprocess that sets its own
    backend), or that checks what a user runs above the backend (the
    examples, the command line, the ONNX converter, the benchmark harness),
    need not run twice.
    """
    if BACKEND == "tensorflow":
        return
    for item in items:
        for marker, why in ONCE.items():
            if marker in item.keywords:
                reason = f"{why}: runs in the TensorFlow pass, not under {BACKEND}"
                item.add_marker(pytest.mark.skip(reason=reason))
                break
