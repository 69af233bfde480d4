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

Run it with ``python examples/plot_tutorial.py``; the figures are written
to ``out/``.
"""

# %%
# The tutorial's configuration: two hidden ReLU layers of 12 and 8 units,
# 30 epochs of 5-sample batches, 20 % of the training rows held out for
# validation, and the first 250 of 1000 samples kept for testing.
from pathlib import Path

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")  # headless when run as a script
import keras
import matplotlib.pyplot as plt
from mlxtend.plotting import plot_decision_regions
from sklearn.datasets import make_blobs, make_circles

from skxent import XentClassifier

TUTORIAL = dict(
    hidden_layer_sizes=(12, 8),
    epochs=30,
    batch_size=5,
    validation_split=0.2,
    random_state=0,
)
OUT = Path("out")
OUT.mkdir(exist_ok=True)

# %%
# Circles: binary targets, so binary crossentropy on a single logit.
X, y = make_circles(n_samples=1000, factor=0.1, random_state=0)
X_train, X_test, y_train, y_test = X[250:], X[:250], y[250:], y[:250]

circles = XentClassifier(**TUTORIAL).fit(X_train, y_train)
print(
    f"circles: loss_={circles.loss_!r}, "
    f"test accuracy {circles.score(X_test, y_test):.3f}"
)

fig, ax = plt.subplots(figsize=(5, 4))
plot_decision_regions(X_test, y_test, clf=circles, legend=2, ax=ax)
ax.set_title(f"Circles: {circles.loss_}")
fig.savefig(OUT / "circles_decision_regions.png", dpi=100, bbox_inches="tight")

# %%
# Four blobs with one-hot targets, as ``to_categorical`` makes them: the
# estimator reads a one-hot ``y`` as four classes, trains categorical
# crossentropy on four logits, and predicts the class index.
centers = [(15, 0), (15, 15), (0, 15), (30, 15)]
X, y = make_blobs(
    n_samples=1000,
    centers=centers,
    n_features=2,
    center_box=(0, 1),
    cluster_std=1.5,
    random_state=0,
)
onehot = keras.utils.to_categorical(y)
X_train, X_test = X[250:], X[:250]
y_train, y_test = onehot[250:], onehot[:250]

blobs = XentClassifier(**TUTORIAL).fit(X_train, y_train)
print(
    f"blobs:   loss_={blobs.loss_!r}, test accuracy {blobs.score(X_test, y_test):.3f}"
)

fig, ax = plt.subplots(figsize=(5, 4))
plot_decision_regions(
    X_test, y_test.argmax(axis=1).astype(int), clf=blobs, legend=3, ax=ax
)
ax.set_title(f"Four blobs: {blobs.loss_}")
fig.savefig(OUT / "blobs_decision_regions.png", dpi=100, bbox_inches="tight")

# %%
# Training and validation loss per epoch, on a log scale as in the tutorial.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for ax, (name, clf) in zip(
    axes, [("Circles", circles), ("Four blobs", blobs)], strict=True
):
    ax.plot(clf.history_["loss"], label="training")
    ax.plot(clf.history_["val_loss"], label="validation")
    ax.set(title=f"{name}: {clf.loss_}", xlabel="epoch", yscale="log")
    ax.legend()
fig.savefig(OUT / "loss_curves.png", dpi=100, bbox_inches="tight")
print(f"figures written to {OUT.resolve()}")
