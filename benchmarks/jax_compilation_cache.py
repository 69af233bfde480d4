"""JAX's persistent compilation cache: a fresh process's second run.

Under JAX, a fresh process compiles every program it runs; with
``JAX_COMPILATION_CACHE_DIR`` set, JAX writes what it compiled there and a
later process reads it back instead of compiling.  Two workloads, each a
fresh ``python -c`` under ``KERAS_BACKEND=jax`` timed from spawn to exit:

- ``fresh-process``: the harness's script (import, fit the tutorial's
  circles, score), and MLPClassifier's, the goal's baseline (issue 13:
  skxent under JAX ≤ 2.0 x its wall);
- ``loss-search``: import, then the harness's loss search once (cold:
  ``GridSearchCV`` over 7 losses x 5 folds), the search timed apart too.

Three settings, each in a new, empty cache directory: no cache; the cache
with JAX's default threshold (only programs that took at least
``jax_persistent_cache_min_compile_time_secs`` = 1 s to compile are
written); the cache with that threshold at 0 (every program).  In a
directory, run 1 finds it empty and runs 2 and 3 find it populated.  Each
run reports its wall, its CPU time (user + system: less disturbed by other
work on the machine than the wall), the compile requests that consulted
the cache and its hits (``jax.monitoring``), and the entries in the
directory after it (a run that adds entries to a populated directory
compiled programs whose cache key changed between processes).  The
settings are interleaved, ``--rounds`` times; the load average is printed
before and after::

    python benchmarks/jax_compilation_cache.py
    python benchmarks/jax_compilation_cache.py --rounds 3 --only fresh-process

Children import the skxent of this checkout (``PYTHONPATH``); the cache
directories are temporary and removed afterwards.
"""

import argparse
import json
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from harness.spec import Variant  # noqa: E402
from harness.workloads import circles, fresh_process  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]

# Put before a workload's code: counts the cache's events.
LISTEN = """\
import jax.monitoring
_events = {}
def _count(event, *args, **kwargs):
    _events[event] = _events.get(event, 0) + 1
jax.monitoring.register_event_listener(_count)
"""
REPORT = """
import json as _json
print("EVENTS " + _json.dumps(_events))
"""
SEARCH = """\
import time, warnings
from sklearn.exceptions import ConvergenceWarning
from harness.workloads import loss_search
warnings.simplefilter("ignore", ConvergenceWarning)
X, y = loss_search.data()
search = loss_search.search("skxent", loss_search.Sizes())
import skxent._keras; skxent._keras.import_keras()
started = time.perf_counter()
search.fit(X, y)
print("SEARCH", time.perf_counter() - started)
"""
SETTINGS = {
    "no cache": None,
    "cache, default threshold (1 s)": {},
    "cache, threshold 0 s": {"JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"},
}


CIRCLES = circles.CIRCLES


def workloads():
    skxent = Variant("skxent", "skxent", "skxent")
    return {
        "fresh-process": fresh_process.script(skxent, CIRCLES),
        "loss-search": SEARCH,
    }


def run(code, cache_dir, extra, timeout, listen=True):
    """One fresh process: its wall, the search's time, the cache's events."""
    env = dict(
        os.environ,
        KERAS_BACKEND="jax",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "benchmarks")]),
    )
    for name in list(env):
        if (
            name.startswith("JAX_PERSISTENT_CACHE")
            or name == "JAX_COMPILATION_CACHE_DIR"
        ):
            del env[name]
    if cache_dir is not None:
        env.update(JAX_COMPILATION_CACHE_DIR=cache_dir, **extra)
    started, cpu = time.perf_counter(), cpu_seconds()
    out = subprocess.run(
        [sys.executable, "-c", LISTEN + code + REPORT if listen else code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout
    wall = time.perf_counter() - started
    result = {"wall": wall, "cpu": cpu_seconds() - cpu, "search": None}
    for line in out.splitlines():
        if line.startswith("EVENTS "):
            events = json.loads(line[len("EVENTS ") :])
            result["requests"] = events.get(
                "/jax/compilation_cache/compile_requests_use_cache", 0
            )
            result["hits"] = events.get("/jax/compilation_cache/cache_hits", 0)
        elif line.startswith("SEARCH "):
            result["search"] = float(line.split()[1])
    if cache_dir is not None:
        entries = [p for p in os.listdir(cache_dir) if p.endswith("-cache")]
        result["entries"] = len(entries)
        result["bytes"] = sum(
            os.path.getsize(os.path.join(cache_dir, p)) for p in entries
        )
    return result


def cpu_seconds():
    """User + system CPU time of the children waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return ""
    return f"{statistics.median(values):.2f} ({min(values):.2f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=sorted(workloads()), action="append")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    chosen = {k: v for k, v in workloads().items() if not args.only or k in args.only}
    print(f"{args.rounds} rounds; load average before: {load()}", flush=True)
    results = {}  # (workload, setting, run) -> [result, ...]
    for _ in range(args.rounds):
        for workload, code in chosen.items():
            for setting, extra in SETTINGS.items():
                runs = 1 if extra is None else 3
                cache_dir = None if extra is None else tempfile.mkdtemp(prefix="jaxcc-")
                try:
                    for i in range(runs):
                        label = "" if extra is None else ("empty", "populated")[i > 0]
                        result = run(code, cache_dir, extra or {}, args.timeout)
                        results.setdefault((workload, setting, label), []).append(
                            result
                        )
                finally:
                    if cache_dir is not None:
                        shutil.rmtree(cache_dir)
            if workload == "fresh-process":  # the goal's baseline, twice
                mlp = fresh_process.script(Variant("mlp", "mlp", "mlp"), CIRCLES)
                for _ in range(2):
                    result = run(mlp, None, {}, args.timeout, listen=False)
                    results.setdefault((workload, "MLPClassifier", ""), []).append(
                        result
                    )
        print(f"- a round done; load average: {load()}", flush=True)
    print(f"load average after: {load()}\n")
    print(
        "| workload | setting | cache | wall, s: median (min) | CPU, s | search, s "
        "| cache hits / requests | entries (KiB) after |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (workload, setting, label), rs in results.items():
        hits = ", ".join(
            sorted({f"{r['hits']}/{r['requests']}" for r in rs if "hits" in r})
        )
        entries = ", ".join(
            sorted(
                {
                    f"{r['entries']} ({r['bytes'] / 1024:.0f})"
                    for r in rs
                    if "entries" in r
                }
            )
        )
        print(
            f"| {workload} | {setting} | {label or '-'} | "
            f"{summary([r['wall'] for r in rs])} | {summary([r['cpu'] for r in rs])} | "
            f"{summary([r['search'] for r in rs])} | {hits} | {entries} |"
        )


if __name__ == "__main__":
    main()
