"""Text: ``make_pipeline(TfidfVectorizer(), est)`` on 20,000 documents
(issue 10: fit time and accuracy against MLPClassifier and SciKeras, which
takes sparse X; a linear model for reference).  The corpus is generated:
each class has its own topic words; a document draws most of its words
from one shared Zipf-like background vocabulary and the rest from its
class's topic."""

from dataclasses import dataclass, field

import numpy as np

from .. import contenders
from ..runner import accuracy, fit_timed, import_family
from ..spec import Net, Variant, Workload


@dataclass(frozen=True)
class Sizes:
    documents: int = 20_000
    test: int = 4_000
    vocabulary: int = 10_000
    classes: int = 10
    topic_words: int = 200  # per class
    topic_share: float = 0.05  # of a document's words: a linear model ~0.87
    mean_length: int = 80
    net: Net = field(default_factory=lambda: Net((100,), epochs=5, batch_size=64))


QUICK = Sizes(600, 200, 2_000, 4, 50, 0.3, 30, Net((100,), 1, batch_size=64))


def corpus(s, seed=0):
    """``s.documents`` generated documents and their labels."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}x" for i in range(s.vocabulary)], dtype=object)
    background = 1.0 / np.arange(1, s.vocabulary + 1)
    background /= background.sum()
    topics = rng.choice(s.vocabulary, size=(s.classes, s.topic_words), replace=False)
    y = rng.integers(s.classes, size=s.documents)
    lengths = rng.poisson(s.mean_length, size=s.documents) + 5
    ids = rng.choice(s.vocabulary, size=lengths.sum(), p=background)
    topical = rng.random(lengths.sum()) < s.topic_share
    owner = np.repeat(y, lengths)[topical]
    ids[topical] = topics[owner, rng.integers(s.topic_words, size=topical.sum())]
    ends = np.cumsum(lengths)
    documents = [
        " ".join(words[ids[e - n : e]]) for e, n in zip(ends, lengths, strict=True)
    ]
    return documents, y


def estimator(family, net):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    if family == "scikeras":
        model = contenders.classifier(
            family, net, loss="sparse_categorical_crossentropy"
        )
    else:
        model = contenders.classifier(family, None if family == "linear" else net)
    return make_pipeline(TfidfVectorizer(), model)


def measure(variant, sizes, repeats):
    documents, y = corpus(sizes)
    train, test = slice(sizes.test, None), slice(None, sizes.test)
    X_train, X_test = documents[train], documents[test]
    import_family(variant.family)
    make = lambda: estimator(variant.family, sizes.net)  # noqa: E731
    times, fitted = fit_timed(make, X_train, y[train], repeats)
    return {"times": times, "accuracy": accuracy(fitted, X_test, y[test])}


WORKLOAD = Workload(
    key="tfidf",
    title="TF-IDF pipeline, 20,000 documents: fit",
    variants=(
        Variant("skxent", "skxent", "skxent"),
        Variant("scikeras", "scikeras", "SciKeras, sparse_categorical_crossentropy"),
        Variant("mlp", "mlp", "MLPClassifier"),
        Variant("linear", "linear", "LogisticRegression (defaults)"),
    ),
    full=Sizes(),
    quick=QUICK,
    measure=measure,
    notes=lambda s, args: [
        f"TF-IDF: {s.documents:,} generated documents ({s.test:,} held out for "
        f"accuracy), {s.classes} classes, a {s.vocabulary:,}-word vocabulary, "
        f"{s.topic_share:.0%} of a document's words from its class's "
        f"{s.topic_words} topic words; the timed fit includes TfidfVectorizer. "
        f"Hidden {s.net.hidden}, {s.net.epochs} epochs of batch "
        f"{s.net.batch_size} for the three networks."
    ],
)
