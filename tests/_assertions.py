"""Assertions shared by the test modules: ``from _assertions import ...``.

pytest's default ("prepend") import mode puts ``tests/`` on ``sys.path``;
``conftest.py`` registers this module for pytest's assertion rewriting, so
a failing ``assert`` here shows its values as one in a test does.
"""

import numpy as np


def assert_same_fit(reference, other):
    """Bitwise the same epochs run, history, best loss and weights.

    Bitwise, not merely close: each caller says why its two fits must
    agree to the last bit.
    """
    assert other.n_iter_ == reference.n_iter_
    assert other.history_.keys() == reference.history_.keys()
    for key, values in reference.history_.items():
        np.testing.assert_array_equal(other.history_[key], values)
    np.testing.assert_array_equal(other.best_loss_, reference.best_loss_)
    for mine, theirs in zip(
        other.model_.get_weights(), reference.model_.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(mine, theirs)
