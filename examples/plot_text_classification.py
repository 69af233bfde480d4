"""
Text classification on sparse TF-IDF features
=============================================

``TfidfVectorizer`` hands the classifier a scipy sparse matrix, one column
per word of the vocabulary, nearly all of it zeros.  ``XentClassifier``
trains on it as it is: the matrix is never densified, and each minibatch
reaches the network's first ``Dense`` layer as a sparse tensor.  Here it
sits in a ``Pipeline`` searched with ``GridSearchCV`` over the loss and the
network's size, next to scikit-learn's ``MLPClassifier`` and a
``LogisticRegression``.

The corpus is generated (no download): four topics, each with its own
vocabulary, drawn into short documents together with words every topic
shares and a few words of other topics.

Run it with ``python examples/plot_text_classification.py``; the figure is
written to ``out/``.
"""

# %%
import time
import warnings
from pathlib import Path

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")  # headless when run as a script
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline

from skxent import XentClassifier

OUT = Path("out")
OUT.mkdir(exist_ok=True)

# %%
# A generated corpus: each document draws most of its words from the words
# all topics share, some from its own topic's vocabulary (a few frequent
# words and a long tail), and a few from another topic's.
TOPICS = {
    "space": "orbit rocket launch planet star galaxy nasa moon mars astronaut "
    "telescope comet satellite gravity cosmos nebula asteroid shuttle lunar solar",
    "sport": "match goal team player coach season league score referee stadium "
    "tournament striker keeper penalty champion cup fans tackle derby medal",
    "cooking": "recipe oven flour sugar butter garlic onion simmer bake roast "
    "sauce pepper salt dough kitchen chef spice boil fry taste",
    "finance": "market stock bank loan interest rate bond price share investor "
    "fund profit tax budget inflation dividend trade credit debt equity",
}
SHARED = (
    "the a of and to in is it that for on with as was at by this from be "
    "have are not but one all new more said about year people time day "
    "week news report today first last good great big small long"
).split()


def zipf(n):
    """Word probabilities of a Zipf law: a few frequent words, a long tail."""
    weights = 1.0 / np.arange(1, n + 1)
    return weights / weights.sum()


def make_corpus(n_documents, seed=0):
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    # Each topic: its named words first (the frequent ones), then a tail of
    # rarer words of its own; the shared words get a tail of their own too.
    vocabularies = [
        TOPICS[name].split() + [f"{name}{i}" for i in range(150)] for name in names
    ]
    shared = SHARED + [f"common{i}" for i in range(300)]
    documents, labels = [], []
    for _ in range(n_documents):
        topic = rng.integers(len(names))
        other = (topic + rng.integers(1, len(names))) % len(names)
        n_words = rng.integers(8, 20)
        # Each word: shared, from the document's topic, or from another one.
        source = rng.choice(3, size=n_words, p=[0.6, 0.32, 0.08])
        vocabulary = [shared, vocabularies[topic], vocabularies[other]]
        words = [
            vocabulary[s][rng.choice(len(vocabulary[s]), p=zipf(len(vocabulary[s])))]
            for s in source
        ]
        documents.append(" ".join(words))
        labels.append(names[topic])
    return documents, np.array(labels)


documents, labels = make_corpus(3000)
docs_train, docs_test, y_train, y_test = train_test_split(
    documents, labels, test_size=0.3, random_state=0, stratify=labels
)
X_example = TfidfVectorizer().fit_transform(docs_train)
print(
    f"X is a sparse {X_example.format.upper()} matrix: {X_example.shape[0]} documents "
    f"x {X_example.shape[1]} words, {X_example.nnz / X_example.shape[0]:.1f} "
    "stored entries a row"
)

# %%
# ``XentClassifier`` after ``TfidfVectorizer``, searched over the loss and
# the hidden layers.  With a sparse ``X`` the network's input is sparse, and
# Keras's ``Dense`` multiplies each minibatch without densifying it.
pipeline = make_pipeline(
    TfidfVectorizer(),
    XentClassifier(epochs=15, batch_size=32, learning_rate=3e-3, random_state=0),
)
grid = {
    "xentclassifier__loss": ["categorical_crossentropy", "binary_crossentropy"],
    "xentclassifier__hidden_layer_sizes": [(16,), (64,)],
}
search = GridSearchCV(pipeline, grid, cv=2)
start = time.perf_counter()
search.fit(docs_train, y_train)
search_time = time.perf_counter() - start
print(f"best parameters {search.best_params_}")

# %%
# The best network, refit on all training documents, against scikit-learn's
# MLPClassifier (as many epochs, 15: it warns that it has not converged, and
# the warning is silenced here) and a linear model, each after its own
# TfidfVectorizer.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
contenders = {
    "XentClassifier": make_pipeline(
        TfidfVectorizer(),
        XentClassifier(
            epochs=15, batch_size=32, learning_rate=3e-3, random_state=0
        ).set_params(
            **{k.split("__", 1)[1]: v for k, v in search.best_params_.items()}
        ),
    ),
    "MLPClassifier": make_pipeline(
        TfidfVectorizer(),
        MLPClassifier(hidden_layer_sizes=(64,), max_iter=15, random_state=0),
    ),
    "LogisticRegression": make_pipeline(TfidfVectorizer(), LogisticRegression()),
}
results = {}
for name, model in contenders.items():
    start = time.perf_counter()
    model.fit(docs_train, y_train)
    fit_time = time.perf_counter() - start
    results[name] = (model.score(docs_test, y_test), fit_time)

n_candidates = len(search.cv_results_["params"])
print(f"grid search of {n_candidates} candidates x 2 folds: {search_time:.1f} s")
print("| model | test accuracy | fit time |")
print("| --- | --- | --- |")
for name, (accuracy, fit_time) in results.items():
    print(f"| {name} | {accuracy:.3f} | {fit_time:.2f} s |")

# %%
# Test accuracy and fit time side by side.
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3), layout="constrained")
names = list(results)
left.barh(names, [results[n][0] for n in names], color="tab:blue")
left.set(xlabel="test accuracy", xlim=(0.5, 1.0))
right.barh(names, [results[n][1] for n in names], color="tab:orange")
right.set(xlabel="fit time (s)")
right.set_yticks([])
fig.savefig(OUT / "text_classification.png", dpi=100, bbox_inches="tight")
