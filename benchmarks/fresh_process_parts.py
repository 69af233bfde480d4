"""What the fresh-process workload is made of, and two checkouts side by side.

The harness's ``fresh-process`` script (a ``python -c`` that imports, fits
the tutorial's circles and scores them) is timed from outside, as the
harness times it, next to MLPClassifier's; then an instrumented twin, in
fresh interpreters too, splits skxent's wall into its parts: interpreter
start, scikit-learn, skxent, the data, the backend (JAX or TensorFlow),
matplotlib (which Keras imports where it is installed), the rest of Keras,
the first fit (tracing, lowering and XLA compilation per compiled program,
from ``jax.monitoring``; the rest is Python and running), a second fit,
scoring, and the exit.  It also says which module first imported
matplotlib, TensorFlow, requests and pandas.  Runs are interleaved, so that
other work on the machine slows every column alike; each part is the
median (min) of ``--runs`` interpreters; the load average is printed
before and after::

    KERAS_BACKEND=jax python benchmarks/fresh_process_parts.py
    KERAS_BACKEND=jax python benchmarks/fresh_process_parts.py --runs 7 \\
        --checkout /path/to/another/checkout

``--checkout DIR`` adds a column for the skxent in DIR (a ``git worktree``
of another commit), imported with ``PYTHONPATH=DIR`` from DIR; this
checkout's skxent is imported the same way, whatever is installed.  The
split of the first fit into compilations needs JAX; under TensorFlow the
first fit is one part.
"""

import argparse
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from harness.spec import Variant  # noqa: E402
from harness.workloads import circles, fresh_process  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
WATCHED = ("matplotlib", "tensorflow", "requests", "pandas")

# The instrumented twin of the harness's script.  It prints one JSON line.
CHILD = r"""
import json, sys, time
T0 = time.time()
WATCHED = %(watched)r
first = {}  # watched package: (seconds its import took, the importers)
_import = __builtins__.__import__

def _timed_import(name, *args, **kwargs):  # times the first import of WATCHED
    top = name.partition(".")[0]
    if top not in WATCHED or top in first or top in sys.modules:
        return _import(name, *args, **kwargs)
    frame, chain = sys._getframe(1), []
    while frame is not None:  # the module-level frames: the import chain
        if frame.f_code.co_name == "<module>":
            path = frame.f_code.co_filename.split("site-packages/")[-1]
            chain.append(f"{path}:{frame.f_lineno}")
        frame = frame.f_back
    first[top] = [0.0, chain[:3]]
    began = time.perf_counter()
    try:
        return _import(name, *args, **kwargs)
    finally:
        first[top][0] = time.perf_counter() - began

__builtins__.__import__ = _timed_import
parts, clock = {}, time.perf_counter()

def part(name):
    global clock
    now = time.perf_counter()
    parts[name] = now - clock
    clock = now

import sklearn.base
part("scikit-learn (sklearn.base)")
from skxent import XentClassifier
part("skxent (from skxent import XentClassifier)")
from sklearn.datasets import make_circles
X, y = make_circles(1000, factor=0.1, random_state=0)
part("the data (sklearn.datasets, make_circles)")
import os
backend = os.environ.get("KERAS_BACKEND", "tensorflow")  # as the parent set it
if backend == "jax":
    import jax
elif backend == "tensorflow":
    import tensorflow
part("the backend (" + backend + ")")
try:
    from skxent._keras import import_keras
except ImportError:  # an older checkout
    import_keras = lambda: __import__("keras")
import_keras()
part("the rest of Keras")
events = []
if backend == "jax":
    import jax.monitoring
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, secs, fun_name="?", **kw: events.append((event, fun_name, secs)))
def fit():
    return XentClassifier(hidden_layer_sizes=(12, 8), epochs=30, batch_size=5,
                          validation_split=0.2, random_state=0).fit(X[250:], y[250:])
fit()
part("first fit")
n_first = len(events)
clf = fit()
part("second fit")
accuracy = float(clf.score(X[:250], y[:250]))
part("score")
print(json.dumps({"t0": T0, "t_end": time.time(), "parts": parts,
                  "events": events[:n_first], "accuracy": accuracy,
                  "first": first, "backend": backend,
                  "imported": {m: m in sys.modules for m in WATCHED}}))
"""


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def env_for(checkout, backend):
    env = dict(os.environ, PYTHONPATH=str(checkout), KERAS_BACKEND=backend)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return env


def cpu_seconds():
    """User + system CPU time of the children waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall(code, checkout, backend):
    """Wall and CPU seconds, spawn to exit, of ``python -c code`` in ``checkout``."""
    start, cpu = time.perf_counter(), cpu_seconds()
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=checkout,
        env=env_for(checkout, backend),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start, cpu_seconds() - cpu


def instrumented(checkout, backend):
    """One run of the instrumented twin: its parts, events and importers."""
    spawned = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD % {"watched": WATCHED}],
        cwd=checkout,
        env=env_for(checkout, backend),
        check=True,
        capture_output=True,
        text=True,
    )
    ended = time.time()
    result = json.loads(out.stdout.strip().splitlines()[-1])
    parts = {"interpreter start (to the script's first line)": result["t0"] - spawned}
    parts.update(result["parts"])
    parts["exit (last line to process end)"] = ended - result["t_end"]
    for module, (secs, _) in result["first"].items():
        parts[f"(of the above: importing {module})"] = secs
    compiled, programs = {}, {}
    for event, name, secs in result["events"]:
        kind = event.rsplit("/", 1)[-1].replace("_duration", "")
        compiled[kind] = compiled.get(kind, 0.0) + secs
        name = name.removeprefix("jit(").removeprefix("jit_").rstrip(")")
        programs.setdefault(name, {}).setdefault(kind, []).append(secs)
    result.update(parts=parts, compiled=compiled, programs=programs)
    return result


def summary(values):
    return f"{statistics.median(values):.2f} ({min(values):.2f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkout", action="append", default=[], type=pathlib.Path)
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "jax"))
    args = parser.parse_args()
    checkouts = [REPO, *(c.resolve() for c in args.checkout)]
    names = [c.name for c in checkouts]
    c = circles.CIRCLES
    codes = {
        f"skxent @ {name}": (fresh_process.script(Variant("s", "skxent", "s"), c), co)
        for name, co in zip(names, checkouts, strict=True)
    }
    codes["MLPClassifier"] = (fresh_process.script(Variant("m", "mlp", "m"), c), REPO)
    print(f"backend {args.backend}, {args.runs} runs; load average before: {load()}")
    walls = {k: [] for k in codes}
    runs = {name: [] for name in names}
    for _ in range(args.runs):  # interleaved
        for key, (code, checkout) in codes.items():
            walls[key].append(wall(code, checkout, args.backend))
        for name, checkout in zip(names, checkouts, strict=True):
            runs[name].append(instrumented(checkout, args.backend))
    print(f"load average after: {load()}\n")
    mlp = [statistics.median(t[i] for t in walls["MLPClassifier"]) for i in (0, 1)]
    print(
        "| the harness's script | wall, s: median (min) | ÷ MLPClassifier "
        "| CPU, s: median (min) | ÷ MLPClassifier |"
    )
    print("| --- | --- | --- | --- | --- |")
    for key, times in walls.items():
        cells = []
        for i in (0, 1):  # wall, CPU
            values = [t[i] for t in times]
            cells += [summary(values), f"{statistics.median(values) / mlp[i]:.2f}"]
        print(f"| {key} | {' | '.join(cells)} |")

    print(f"\n| part, s: median (min) | {' | '.join(names)} |")
    print("| --- |" + " --- |" * len(names))
    keys = list(runs[names[0]][0]["parts"])
    within = [k for k in keys if k.startswith("(")]  # inside other parts
    rows = [
        (k, [[r["parts"].get(k, 0.0) for r in runs[n]] for n in names])
        for k in keys
        if k not in within
    ]
    rows.append(
        (
            "sum of the parts",
            [
                [
                    sum(v for k, v in r["parts"].items() if k not in within)
                    for r in runs[n]
                ]
                for n in names
            ],
        )
    )
    rows += [
        (k, [[r["parts"].get(k, 0.0) for r in runs[n]] for n in names]) for k in within
    ]
    kinds = ("jaxpr_trace", "jaxpr_to_mlir_module", "backend_compile")
    if runs[names[0]][0]["events"]:
        for kind in kinds:
            label = f"first fit: {kind.replace('_', ' ')} (all programs)"
            rows.append(
                (
                    label,
                    [[r["compiled"].get(kind, 0.0) for r in runs[n]] for n in names],
                )
            )
    for label, values in rows:
        print(f"| {label} | {' | '.join(summary(v) for v in values)} |")

    if runs[names[0]][0]["events"]:
        print(
            "\nPrograms compiled in the first fit: compilations; their trace + "
            "lowering + XLA compilation; the longest XLA compilation of one "
            "(what JAX's cache threshold compares); s, median (min) over the runs"
        )
        print(f"| program | {' | '.join(names)} |")
        print("| --- |" + " --- |" * len(names))
        every = {p for n in names for r in runs[n] for p in r["programs"]}

        def cost(run, program):
            kinds_ = run["programs"].get(program, {})
            return sum(sum(kinds_.get(k, [])) for k in kinds)

        def cell(name, program):
            counts = {
                len(r["programs"].get(program, {}).get("backend_compile", []))
                for r in runs[name]
            }
            if counts == {0}:
                return "-"
            n = "/".join(map(str, sorted(counts)))
            longest = [
                max(r["programs"].get(program, {}).get("backend_compile", [0.0]))
                for r in runs[name]
            ]
            total = summary([cost(r, program) for r in runs[name]])
            return f"{n} x: {total}; longest {summary(longest)}"

        def largest(program):
            return -max(cost(runs[n][0], program) for n in names)

        for program in sorted(every, key=largest):
            print(f"| {program} | {' | '.join(cell(n, program) for n in names)} |")
    for name in names:
        first = runs[name][0]
        print(f"\nImported ({name}): {first['imported']}")
        for module, (_, chain) in first["first"].items():
            print(f"- {module} first imported from: {' <- '.join(chain)}")


if __name__ == "__main__":
    main()
