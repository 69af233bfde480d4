import os

import pytest

# Shared assertions (tests/_assertions.py): rewritten as the tests' own are.
pytest.register_assert_rewrite("_assertions")

# Quiet TensorFlow's C++ start-up logging; set before TensorFlow is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")


def pytest_collection_modifyitems(config, items):
    """Run ``backend_independent`` tests in the TensorFlow pass only.

    CI runs the suite once per backend; a test whose outcome no Keras
    backend can change (building the docs) need not run twice.
    """
    if BACKEND == "tensorflow":
        return
    skip = pytest.mark.skip(
        reason=f"backend-independent: runs in the TensorFlow pass, not under {BACKEND}"
    )
    for item in items:
        if "backend_independent" in item.keywords:
            item.add_marker(skip)
