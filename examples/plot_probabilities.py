"""
Probabilities you can act on
============================

A classifier trained with a crossentropy outputs probabilities, and the
point of probabilities is to act on them: to trust a 90 % as nine times in
ten, to hand a person the few classes a row may belong to, to trade missed
positives against false alarms.  This example does the three with skxent
and the libraries made for them:

1. *Calibration.*  ``XentClassifier(calibration="temperature")`` fits one
   temperature on held-out rows after training, so that its probabilities
   match how often it is right; :func:`skxent.plotting.plot_calibration`
   draws top-label reliability diagrams for any number of classes, beside
   ``MLPClassifier`` and scikit-learn's
   ``CalibratedClassifierCV(method="temperature")``.
2. *Prediction sets* with MAPIE's ``SplitConformalClassifier``: every
   class whose score passes a threshold set on rows the model never saw, so
   that the set holds the true class for 90 % of new rows.
3. *A decision threshold* tuned by scikit-learn's
   ``TunedThresholdClassifierCV`` for a rare positive class.

Run it with ``python examples/plot_probabilities.py``; the figure is
written to ``out/``.
"""

# %%
from pathlib import Path

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")  # headless when run as a script
import warnings

import numpy as np
from mapie.classification import SplitConformalClassifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import TunedThresholdClassifierCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier
from skxent.plotting import plot_calibration

# MLPClassifier's defaults stop at max_iter=200 before its tolerance here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
OUT = Path("out")
OUT.mkdir(exist_ok=True)

# %%
# Four classes, 15 % of the labels flipped at random: no model can be
# sure, so the probabilities matter.  Rows are split three ways: to train,
# to conformalize the prediction sets (step 2), and to test.
X, y = make_classification(
    2000, 20, n_informative=8, n_classes=4, flip_y=0.15, class_sep=0.8, random_state=0
)
X_train, X_rest, y_train, y_rest = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
X_conf, X_test, y_conf, y_test = train_test_split(
    X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=0
)

# %%
# 1. Calibration
# --------------
# skxent standardises its inputs itself (``input_scaling="standard"``);
# MLPClassifier gets a ``StandardScaler``.  ``calibration="temperature"``
# holds out ``validation_fraction`` (10 %) of the training rows for its
# temperature; scikit-learn's calibrated MLP fits five networks, one per
# fold, and averages them.
skxent = XentClassifier(random_state=0).fit(X_train, y_train)
calibrated = XentClassifier(calibration="temperature", random_state=0)
calibrated.fit(X_train, y_train)
mlp = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
mlp_calibrated = make_pipeline(
    StandardScaler(),
    CalibratedClassifierCV(MLPClassifier(random_state=0), method="temperature", cv=5),
)
mlp.fit(X_train, y_train)
mlp_calibrated.fit(X_train, y_train)
print(f"calibration_temperature_ = {calibrated.calibration_temperature_:.2f}")
same = (calibrated.predict(X_test) == calibrated.predict_proba(X_test).argmax(1)).all()
print(f"predict is the argmax of the calibrated probabilities: {same}")

axes = plot_calibration(
    {
        "skxent": skxent,
        'skxent\ncalibration="temperature"': calibrated,
        "MLPClassifier": mlp,
        "MLPClassifier\nCalibratedClassifierCV": mlp_calibrated,
    },
    X_test,
    y_test,
)
axes[0].figure.suptitle("Top-label reliability on 500 test rows (4 noisy classes)")
axes[0].figure.tight_layout()
axes[0].figure.savefig(OUT / "probabilities_calibration.png")

# %%
# Points under the diagonal are overconfident: the network says 90 % where
# it is right 70 % of the time.  One temperature (above 1: it softens the
# probabilities) moves them onto the diagonal and lowers the log loss,
# while ``predict`` is unchanged, since dividing every logit by the same
# number keeps their order.

# %%
# 2. Prediction sets with MAPIE
# -----------------------------
# ``prefit=True``: MAPIE takes the fitted skxent model as it is and only
# sets its threshold on the conformalization rows.  On the test rows the
# sets hold the true class about 90 % of the time; confident rows get one
# class, ambiguous ones two or three.
conformal = SplitConformalClassifier(calibrated, confidence_level=0.9, prefit=True)
conformal.conformalize(X_conf, y_conf)
_, sets = conformal.predict_set(X_test)
sets = sets[:, :, 0]
coverage = sets[np.arange(len(y_test)), y_test].mean()
sizes = np.bincount(sets.sum(axis=1), minlength=5)[1:]
print(
    f"90 % prediction sets: coverage {coverage:.3f}, mean size {sets.sum(1).mean():.2f}"
)
print(f"rows with 1, 2, 3, 4 classes in their set: {sizes.tolist()}")

# %%
# 3. A tuned decision threshold
# -----------------------------
# With one positive in ten, predicting at probability 0.5 misses many
# positives.  ``TunedThresholdClassifierCV`` picks the threshold that
# maximises the balanced accuracy over three cross-validation folds, then
# refits on all the training rows.
X, y = make_classification(
    1200, 10, n_informative=4, weights=[0.9], flip_y=0.05, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
plain = XentClassifier(random_state=0).fit(X_train, y_train)
tuned = TunedThresholdClassifierCV(
    XentClassifier(random_state=0), scoring="balanced_accuracy", cv=3
).fit(X_train, y_train)
for name, model in (("threshold 0.5", plain), ("tuned threshold", tuned)):
    score = balanced_accuracy_score(y_test, model.predict(X_test))
    print(f"{name}: balanced accuracy {score:.3f}")
print(f"tuned threshold: {tuned.best_threshold_:.2f}")
