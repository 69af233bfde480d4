"""
Binary and categorical crossentropy, with no glue code
=======================================================

The two problems of the classic Keras loss tutorial, solved with one
estimator: the circles (two classes, so binary crossentropy on one logit)
and four blobs given as one-hot targets (so categorical crossentropy on
four logits).  There is no sigmoid-or-softmax choice, no
``to_categorical`` before training, no ``from_logits`` and no
``Onehot2Int`` adapter: ``XentClassifier`` predicts class labels, so
mlxtend's ``plot_decision_regions`` takes it directly.

``skxent demo --out out`` runs the same two problems from the command line.
Run this example with ``python examples/plot_tutorial.py``; the figures are
written to ``out/``.
"""

# %%
# The tutorial's configuration (:data:`skxent.demo.TUTORIAL_PARAMS`): two
# hidden ReLU layers of 12 and 8 units, 30 epochs of 5-sample batches, 20 %
# of the training rows held out for validation; the first 250 of 1000
# samples are kept for testing.
from pathlib import Path

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")  # headless when run as a script
import matplotlib.pyplot as plt
from mlxtend.plotting import plot_decision_regions

from skxent import XentClassifier
from skxent.demo import TUTORIAL_PARAMS, tutorial_blobs, tutorial_circles
from skxent.plotting import plot_history

print(TUTORIAL_PARAMS)
OUT = Path("out")
OUT.mkdir(exist_ok=True)

# %%
# Circles: binary targets, so binary crossentropy on a single logit.
X_train, X_test, y_train, y_test = tutorial_circles()
circles = XentClassifier(**TUTORIAL_PARAMS).fit(X_train, y_train)
print(
    f"circles: loss_={circles.loss_!r}, "
    f"test accuracy {circles.score(X_test, y_test):.3f}"
)

fig, ax = plt.subplots(figsize=(5, 4))
plot_decision_regions(X_test, y_test, clf=circles, legend=3, ax=ax)
ax.set_title(f"Circles: {circles.loss_}")
fig.savefig(OUT / "circles_decision_regions.png", dpi=100, bbox_inches="tight")

# %%
# Four blobs with one-hot targets, as ``to_categorical`` makes them: the
# estimator reads a one-hot ``y`` as four classes, trains categorical
# crossentropy on four logits, and predicts the class index, so mlxtend
# plots it as it is.
X_train, X_test, y_train, y_test = tutorial_blobs()
print(f"one-hot targets: {y_train.shape}, first row {y_train[0]}")
blobs = XentClassifier(**TUTORIAL_PARAMS).fit(X_train, y_train)
print(
    f"blobs:   loss_={blobs.loss_!r}, test accuracy {blobs.score(X_test, y_test):.3f}"
)
print(f"predict returns class indices: {blobs.predict(X_test[:5])}")

fig, ax = plt.subplots(figsize=(5, 4))
plot_decision_regions(X_test, y_test.argmax(axis=1), clf=blobs, legend=3, ax=ax)
ax.set_title(f"Four blobs: {blobs.loss_}")
fig.savefig(OUT / "blobs_decision_regions.png", dpi=100, bbox_inches="tight")

# %%
# Training and validation loss per epoch, on a log scale as in the tutorial:
# :func:`skxent.plotting.plot_history` draws both curves from ``history_``.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for ax, (name, clf) in zip(
    axes, [("Circles", circles), ("Four blobs", blobs)], strict=True
):
    plot_history(clf, ax=ax)
    ax.set_title(name)
fig.savefig(OUT / "loss_curves.png", dpi=100, bbox_inches="tight")
print(f"figures written to {OUT.resolve()}")
