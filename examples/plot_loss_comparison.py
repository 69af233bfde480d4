"""
Crossentropy or hinge? One grid search over the loss
=====================================================

The classic Keras loss tutorial ends by asking which loss suits a problem,
crossentropy or hinge, and answers: find out by experiment.  With skxent the
experiment is one ``GridSearchCV`` over ``loss``.  Each candidate gets the
output layer, target encoding and prediction rule it needs (a sigmoid or a
softmax for the crossentropies, -1/+1 margins for the hinges), so no
candidate is silently broken and the search compares like with like.

Log-loss is defined only for losses that give probabilities: the hinges have
no ``predict_proba``, and the table shows their log-loss as ``n/a``.
``skxent compare DATA.csv --target COLUMN`` runs the same search on a CSV
file of your own.

Run it with ``python examples/plot_loss_comparison.py``; the figure is
written to ``out/``.
"""

# %%
from pathlib import Path

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")  # headless when run as a script
import matplotlib.pyplot as plt
from mlxtend.plotting import plot_decision_regions
from sklearn.datasets import make_blobs, make_circles
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier
from skxent.comparison import DEFAULT_LOSSES, compare_losses, loss_table

# One small configuration shared by every loss.
SHARED = dict(
    hidden_layer_sizes=(16,),
    epochs=20,
    batch_size=32,
    learning_rate=0.01,
    random_state=0,
)
OUT = Path("out")
OUT.mkdir(exist_ok=True)


# %%
# The tutorial's two problems: the circles (two classes) and four blobs,
# standardised.
X, y = make_circles(400, factor=0.1, noise=0.05, random_state=0)
circles = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
centers = [(15, 0), (15, 15), (0, 15), (30, 15)]
X, y = make_blobs(400, centers=centers, cluster_std=1.5, random_state=0)
blobs = train_test_split(
    StandardScaler().fit_transform(X), y, test_size=0.25, random_state=0, stratify=y
)
PROBLEMS = {"circles": circles, "four blobs": blobs}

# %%
# The experiment: :func:`skxent.comparison.compare_losses` runs a
# cross-validated ``GridSearchCV`` over ``loss``, scored by accuracy and
# (where defined) log-loss.  ``DEFAULT_LOSSES`` holds one loss of each
# family; ``sparse_categorical_crossentropy`` is left out because skxent
# runs categorical crossentropy in its sparse form, so the two are the same.
searches = {}
for problem, (X_train, _, y_train, _) in PROBLEMS.items():
    searches[problem] = compare_losses(
        X_train, y_train, XentClassifier(**SHARED), losses=DEFAULT_LOSSES, cv=3
    )
    print(f"\n{problem}\n")
    print(loss_table(searches[problem]))

# %%
# What each loss learns: decision regions on the held-out rows, one column
# per loss.  The margins of the hinges and the probabilities of the
# crossentropies end in much the same boundaries on these easy problems.
fig, axes = plt.subplots(
    len(PROBLEMS),
    len(DEFAULT_LOSSES),
    figsize=(3 * len(DEFAULT_LOSSES), 3 * len(PROBLEMS)),
)
for row, (problem, (X_train, X_test, y_train, y_test)) in zip(
    axes, PROBLEMS.items(), strict=True
):
    for ax, loss in zip(row, DEFAULT_LOSSES, strict=True):
        clf = XentClassifier(loss=loss, **SHARED).fit(X_train, y_train)
        plot_decision_regions(X_test, y_test, clf=clf, ax=ax, legend=0)
        ax.set_title(
            f"{problem}\n{loss}\ntest accuracy {clf.score(X_test, y_test):.2f}",
            fontsize=8,
        )
        ax.set_xticks([])
        ax.set_yticks([])
fig.tight_layout()
fig.savefig(OUT / "loss_comparison.png", dpi=80)
print(f"figure written to {(OUT / 'loss_comparison.png').resolve()}")
