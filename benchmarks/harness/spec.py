"""What a workload, one of its rows and a network configuration are."""

from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_BACKEND = "tensorflow"

# Contender families, in table order; "keras" families run under a backend.
FAMILIES = {
    "skxent": "skxent",
    "scikeras": "SciKeras",
    "keras": "raw Keras",
    "mlp": "MLPClassifier",
    "linear": "linear model",
}
KERAS_FAMILIES = ("skxent", "scikeras", "keras")


@dataclass(frozen=True)
class Net:
    """A multilayer perceptron's shape and training, shared by contenders."""

    hidden: tuple = (100,)
    epochs: int = 100
    batch_size: int = 32
    learning_rate: float = 1e-3
    validation_split: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class Variant:
    """One contender's way of running a workload: one row per backend."""

    key: str
    family: str
    label: str
    # Goals judged on this row (see goals.py).
    goals: tuple = ()
    # The row its ratio columns divide by; None: the workload's baseline.
    baseline: str | None = None
    # skxent rows run under every --backend; these are always added.
    backends: tuple = ()

    @property
    def name(self):
        """The label without its parenthesised details."""
        return self.label.split(" (")[0]


@dataclass(frozen=True)
class Workload:
    """A workload: its rows, sizes, and either a measure or a script.

    ``measure(variant, sizes, repeats)`` runs in a fresh child process and
    returns ``{"times": [...], "accuracy": ..., ...}``; a workload timed
    from outside (``script``) builds a ``python -c`` program per row, and
    ``summarize(outputs)`` turns the runs' JSON lines into that result.
    Extra ``phases`` (e.g. "predict") are rows of their own, timed in the
    same process under ``result[phase + "_times"]``; the phases "cold" and
    "warm" are the row's first timed run and the runs after it.
    """

    key: str
    title: str
    variants: tuple
    full: object
    quick: object
    measure: Callable | None = None
    script: Callable | None = None
    summarize: Callable | None = None
    notes: Callable = lambda sizes, args: []
    repeats: str = "repeat"  # the option that sets the timed repeats
    baseline: str | None = "mlp"
    phases: tuple = ()
    opt_in: bool = False  # run only when named by --only (or --all)

    def variant(self, key):
        return next(v for v in self.variants if v.key == key)
