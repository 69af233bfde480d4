"""
Scaling in a Pipeline, and a search over architecture and learning rate
=======================================================================

Neural networks train badly on features of very different scales.  Put a
``StandardScaler`` in front of ``XentClassifier`` in a ``Pipeline`` and the
scaler is fitted on each training fold only, so cross-validation stays
honest.  The classifier's parameters are searched like any scikit-learn
estimator's, through the step name: ``xentclassifier__hidden_layer_sizes``
and ``xentclassifier__learning_rate``.

Run it with ``python examples/plot_pipeline_search.py``; the figure is
written to ``out/``.
"""

# %%
from pathlib import Path

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")  # headless when run as a script
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier

OUT = Path("out")
OUT.mkdir(exist_ok=True)

# %%
# Three classes, eight features on scales from 1 to 10,000.
X, y = make_classification(
    n_samples=600,
    n_features=8,
    n_informative=5,
    n_classes=3,
    class_sep=1.5,
    random_state=0,
)
X = X * np.logspace(0, 4, X.shape[1])
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)
FAST = dict(epochs=15, batch_size=64, random_state=0)

# %%
# Without scaling, the largest features swamp the others.  By default
# (``input_scaling="auto"``) skxent standardises features this far off a unit
# scale itself; ``input_scaling=None`` shows what it saves you from.
raw = XentClassifier(**FAST, input_scaling=None).fit(X_train, y_train)
print(f"unscaled test accuracy {raw.score(X_test, y_test):.3f}")
default = XentClassifier(**FAST).fit(X_train, y_train)
print(f"input_scaling='auto' test accuracy {default.score(X_test, y_test):.3f}")

# %%
# Scaling in the pipeline, and a grid over the network's size and the
# learning rate, cross-validated on the training rows.
pipeline = make_pipeline(StandardScaler(), XentClassifier(**FAST))
grid = {
    "xentclassifier__hidden_layer_sizes": [(8,), (32, 16)],
    "xentclassifier__learning_rate": [1e-3, 1e-2],
}
search = GridSearchCV(pipeline, grid, cv=2).fit(X_train, y_train)
print(f"best parameters {search.best_params_}")
print(f"scaled, searched test accuracy {search.score(X_test, y_test):.3f}")

# %%
# Mean cross-validated accuracy of every candidate.
scores = search.cv_results_["mean_test_score"].reshape(
    len(grid["xentclassifier__hidden_layer_sizes"]),
    len(grid["xentclassifier__learning_rate"]),
)
fig, ax = plt.subplots(figsize=(4.5, 3.5), layout="constrained")
image = ax.imshow(scores, cmap="viridis", vmin=scores.min(), vmax=1)
ax.set_xticks(range(scores.shape[1]), grid["xentclassifier__learning_rate"])
ax.set_yticks(range(scores.shape[0]), grid["xentclassifier__hidden_layer_sizes"])
ax.set(xlabel="learning_rate", ylabel="hidden_layer_sizes")
for (i, j), score in np.ndenumerate(scores):
    ax.text(j, i, f"{score:.3f}", ha="center", va="center", color="white")
fig.colorbar(image, label="CV accuracy")
fig.savefig(OUT / "pipeline_search.png", dpi=100, bbox_inches="tight")
