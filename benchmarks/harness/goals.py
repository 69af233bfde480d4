"""The issues' goals, each judged on the row it is attached to.

A goal gets the row's measurements (``row``: times, accuracy, peak_mb and
any extra field) and ``other(key)``, the same workload's measurements for
another variant, under the same backend where that variant runs under one.
It answers with one line: the bound, ``met`` or ``missed``, and the figure.
Goals are judged under ``backends`` only (the default backend, as the
performance issues state); elsewhere the row is reported, not judged.
"""

import statistics
from dataclasses import dataclass

DEFAULT = ("tensorflow",)


def median(times):
    return statistics.median(times) if times else None


def verdict(met):
    return "met" if met else "missed"


@dataclass(frozen=True)
class Ratio:
    """This row's median time (or peak memory) ÷ another row's ≤ bound."""

    against: str
    bound: float
    what: str = "time"
    phase: str = ""
    backends: tuple = DEFAULT

    def judge(self, row, other, names):
        them = other(self.against)
        name = names(self.against)
        if them is None or "error" in them:
            return f"{self.what} ÷ {name} ≤ {self.bound}: no figure for {name}"
        ratio = figure(row, self.what) / figure(them, self.what)
        met = verdict(ratio <= self.bound)
        return f"{self.what} ÷ {name} ≤ {self.bound}: {met} ({ratio:.2f})"


def figure(row, what):
    return median(row["times"]) if what == "time" else row["peak_mb"]


@dataclass(frozen=True)
class Seconds:
    """This row's median time ≤ bound seconds, without importing TensorFlow."""

    bound: float
    phase: str = ""
    backends: tuple = DEFAULT

    def judge(self, row, other, names):
        met = median(row["times"]) <= self.bound and not row.get("tensorflow_imported")
        tf = "yes" if row.get("tensorflow_imported") else "no"
        return (
            f"≤ {self.bound} s, no TensorFlow: {verdict(met)} "
            f"(TensorFlow imported: {tf})"
        )


@dataclass(frozen=True)
class Accuracy:
    """Each accuracy at least another row's minus ``tolerance``."""

    against: str
    tolerance: float
    phase: str = ""
    backends: tuple = DEFAULT

    def judge(self, row, other, names):
        them, name = other(self.against), names(self.against)
        if them is None or "error" in them:
            return f"accuracy ≥ {name}'s − {self.tolerance}: no figure for {name}"
        ours, theirs = as_dict(row["accuracy"]), as_dict(them["accuracy"])
        gaps = {k: ours[k] - theirs[k] for k in ours if k in theirs}
        worst = min(gaps.values())
        met = worst >= -self.tolerance
        return f"accuracy ≥ {name}'s − {self.tolerance}: {verdict(met)} ({worst:+.3f})"


def as_dict(accuracy):
    return accuracy if isinstance(accuracy, dict) else {"": accuracy}


@dataclass(frozen=True)
class Same:
    """A field (e.g. the search's mean scores) equal to another row's."""

    field: str
    against: str
    phase: str = ""
    backends: tuple = DEFAULT

    def judge(self, row, other, names):
        them, name = other(self.against), names(self.against)
        if them is None or "error" in them:
            return f"{self.field} as {name}'s: no figure for {name}"
        same = row[self.field] == them[self.field]
        return f"{self.field} identical to {name}'s: {verdict(same)}"


@dataclass(frozen=True)
class AtMost:
    """A field of this row's ≤ bound (e.g. a largest difference)."""

    field: str
    bound: float
    phase: str = ""
    backends: tuple = DEFAULT

    def judge(self, row, other, names):
        value = row[self.field]
        met = verdict(value <= self.bound)
        return f"{self.field} ≤ {self.bound:g}: {met} ({value:.2g})"


@dataclass(frozen=True)
class MemoryBound:
    """Peak memory ≤ the floor row's + ``factor`` x this row's ``data_mb``."""

    floor: str
    factor: float = 3.0
    phase: str = ""
    backends: tuple = DEFAULT

    def judge(self, row, other, names):
        floor = other(self.floor)
        if floor is None or "error" in floor:
            return "peak memory bound: no floor figure"
        bound = floor["peak_mb"] + self.factor * row["data_mb"]
        met = row["peak_mb"] <= bound
        return (
            f"peak ≤ floor + {self.factor:g} x data ({bound:,.0f} MiB): {verdict(met)}"
        )
