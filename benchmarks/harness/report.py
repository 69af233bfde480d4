"""The Markdown table: one row per contender, backend and phase.

Ratio columns divide this row's median time (peak memory) by its
baseline's (MLPClassifier unless the workload says otherwise) and, for
skxent under a further backend, by the same row under the first backend:
below 1 means this row is faster or smaller.  The goal column judges the
issues' bounds on the rows they are about (see goals.py).
"""

import statistics

from .spec import KERAS_FAMILIES

NONE = "-"  # the backend of rows that run no Keras


def row_backends(variant, backends):
    """The backends a variant's rows run under."""
    if variant.family == "skxent":
        return list(dict.fromkeys([*backends, *variant.backends]))
    if variant.family in KERAS_FAMILIES:
        return [backends[0]]
    return [NONE]


def seconds_text(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def time_text(times):
    if not times:
        return ""
    text = seconds_text(statistics.median(times))
    return text + (f" ({seconds_text(min(times))})" if len(times) > 1 else "")


def accuracy_text(accuracy):
    if accuracy is None:
        return ""
    if isinstance(accuracy, dict):
        return " / ".join(f"{a:.3f}" for a in accuracy.values())
    return f"{accuracy:.3f}"


def ratio_text(ours, theirs, what):
    if not ours or not theirs or "error" in theirs:
        return ""
    if what == "time":
        if not ours["times"] or not theirs["times"]:
            return ""
        ratio = statistics.median(ours["times"]) / statistics.median(theirs["times"])
        return f"{ratio:.2f}"
    return f"{ours['peak_mb'] / theirs['peak_mb']:.2f}"


# Phases cut from the row's own repeats: the first run in the process (it
# pays for tracing and compiling, as a script that runs its search once
# does) and the runs after it.
REPEAT_PHASES = {"cold": slice(0, 1), "warm": slice(1, None)}


def phase_view(result, phase):
    if result is None or "error" in result or not phase:
        return result
    if phase in REPEAT_PHASES:
        return {**result, "times": result.get("times", [])[REPEAT_PHASES[phase]]}
    return {**result, "times": result.get(f"{phase}_times", [])}


def pick(measured, key, backend):
    """A variant's result under ``backend``, or its only one."""
    by_backend = measured.get(key) or {}
    return by_backend.get(backend) or next(iter(by_backend.values()), None)


class Table:
    def __init__(self, results, backends):
        self.results, self.backends = results, backends
        self.multi = len(backends) > 1
        self.columns = 10 if self.multi else 9

    def header(self):
        cells = ["workload", "contender", "backend", "time: median (min)"]
        cells += ["accuracy", "peak memory", "time ÷ baseline", "memory ÷ baseline"]
        if self.multi:
            cells.append(f"time ÷ on {self.backends[0]}")
        cells.append("goals")
        return [line(cells), line(["---"] * len(cells))]

    def rows(self, workload):
        measured = self.results.get(workload.key, {})
        for variant in workload.variants:
            for backend, result in (measured.get(variant.key) or {}).items():
                # An error, or a row with no time (a floor), is one row.
                timed = result.get("times") and "error" not in result
                for phase in ("", *(workload.phases if timed else ())):
                    yield self.row(workload, variant, backend, result, phase)

    def row(self, workload, variant, backend, result, phase):
        title = workload.title + (f": {phase}" if phase else "")
        if "error" in result:
            error = "error: " + result["error"].replace("|", "/")
            cells = [title, variant.label, backend, error]
            return line(cells + [""] * (self.columns - len(cells)))
        measured = self.results[workload.key]

        def other(key):
            return phase_view(pick(measured, key, backend), phase)

        ours = phase_view(result, phase)
        baseline = variant.baseline or workload.baseline
        base = other(baseline) if baseline and baseline != variant.key else None
        cells = [title, variant.label, backend, time_text(ours["times"])]
        cells += [accuracy_text(result["accuracy"]), f"{result['peak_mb']:,.0f} MiB"]
        cells += [ratio_text(ours, base, "time"), ratio_text(ours, base, "memory")]
        if self.multi:
            first = (measured[variant.key]).get(self.backends[0])
            same = backend != self.backends[0] and variant.family == "skxent"
            first = phase_view(first, phase)
            cells.append(ratio_text(ours, first, "time") if same else "")
        names = lambda key: workload.variant(key).name  # noqa: E731
        goals = [
            judged(goal, ours, other, names)
            for goal in variant.goals
            if goal.phase == phase and backend in goal.backends
        ]
        return line(cells + ["; ".join(goals)])


def judged(goal, row, other, names):
    try:
        return goal.judge(row, other, names)
    except (KeyError, TypeError, ZeroDivisionError) as exc:
        return f"{type(goal).__name__}: not judged ({exc!r})"


def line(cells):
    return "| " + " | ".join(cells) + " |"


def table(results, workloads, backends):
    t = Table(results, backends)
    lines = t.header()
    for workload in workloads:
        lines.extend(t.rows(workload))
    return "\n".join(lines)
