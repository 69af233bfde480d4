"""
Multilabel targets: binary crossentropy per label
=================================================

Binary crossentropy treats each output on its own, so it also fits
*multilabel* problems, where a sample may carry several labels at once.
Given a 0/1 indicator matrix whose rows may hold any number of ones,
``XentClassifier`` picks binary crossentropy with one logit per label,
``predict`` returns a 0/1 matrix of the same shape and ``predict_proba``
gives each label's own probability (rows need not sum to 1).

Categorical crossentropy assumes exactly one class per sample, so skxent
refuses it here with an error that says why.

Run it with ``python examples/plot_multilabel.py``; the figure is written
to ``out/``.
"""

# %%
from pathlib import Path

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")  # headless when run as a script
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import hamming_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier
from skxent.plotting import plot_history

OUT = Path("out")
OUT.mkdir(exist_ok=True)

# %%
# Four labels, two per sample on average.  ``y`` is an indicator matrix.
X, Y = make_multilabel_classification(
    n_samples=600, n_features=10, n_classes=4, n_labels=2, random_state=0
)
X_train, X_test, Y_train, Y_test = train_test_split(
    X, Y, test_size=0.25, random_state=0
)
print(f"Y: {Y.shape}, labels per sample from {Y.sum(1).min()} to {Y.sum(1).max()}")

# %%
# The features are counts, so they are standardised first.
model = make_pipeline(
    StandardScaler(),
    XentClassifier(
        hidden_layer_sizes=(32,), epochs=40, validation_split=0.2, random_state=0
    ),
)
model.fit(X_train, Y_train)
clf = model[-1]
print(f"loss_={clf.loss_!r}, target_type_={clf.target_type_!r}")
predicted, proba = model.predict(X_test), model.predict_proba(X_test)
print(f"predict: {predicted.shape} 0/1, predict_proba: {proba.shape}")
print(
    f"subset accuracy {model.score(X_test, Y_test):.3f}, "
    f"Hamming loss {hamming_loss(Y_test, predicted):.3f}"
)

# %%
# Categorical crossentropy would force the labels of a sample to compete
# through one softmax; skxent refuses it for a multilabel target.
try:
    XentClassifier(loss="categorical_crossentropy", epochs=1).fit(X_train, Y_train)
except ValueError as exc:
    print(f"ValueError: {exc}")

# %%
# Training and validation loss per epoch.
ax = plot_history(model)
ax.set_title("Multilabel: binary crossentropy per label")
ax.figure.savefig(OUT / "multilabel_loss.png", dpi=100, bbox_inches="tight")
