"""Fresh processes, timing and peak memory.

Every row runs in a fresh process under its backend (``KERAS_BACKEND``), so
imports, memory and backend state never leak between rows: either a child
``run.py --child WORKLOAD VARIANT`` that calls the workload's ``measure``
(times exclude imports and data generation, done before the clock starts),
or, for workloads timed from outside, ``python -c`` scripts run one after
another.  Peak memory is the process's peak resident set (``ru_maxrss``).
A row that fails, or runs past ``--timeout``, becomes ``{"error": line}``.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

RUN = Path(__file__).resolve().parents[1] / "run.py"


def child_env(backend=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
    if backend:
        env["KERAS_BACKEND"] = backend
    return env


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call, repeats):
    """Wall times of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def quietly(call):
    """Run ``call`` with MLPClassifier's max_iter warning silenced."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call()


def import_family(family):
    """Import what ``family`` needs before any clock starts."""
    if family in ("mlp", "linear"):
        import sklearn.linear_model  # noqa: F401
        import sklearn.neural_network  # noqa: F401
    else:
        import keras  # noqa: F401

        if family == "scikeras":
            import scikeras.wrappers  # noqa: F401
        elif family == "skxent":
            import skxent  # noqa: F401


def fit_timed(make, X, y, repeats):
    """Time ``repeats`` fits of new estimators; the times and the last one."""
    fitted = []
    times = quietly(lambda: timed(lambda: fitted.append(make().fit(X, y)), repeats))
    return times, fitted[-1]


def accuracy(estimator, X, y):
    return float((estimator.predict(X) == y).mean())


def last_line(text, fallback):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return (lines[-1] if lines else fallback).strip()


def run_row(workload, variant, backend, options):
    """Measure one row in fresh processes; its result, or its error."""
    env = child_env(backend)
    try:
        if workload.script:
            return run_scripts(workload, variant, env, options)
        return run_child(workload, variant, env, options)
    except subprocess.CalledProcessError as exc:
        return {"error": last_line(exc.stderr, str(exc))}
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {options.timeout:g} s"}


def run_child(workload, variant, env, options):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, str(RUN), "--child", workload.key, variant.key]
        command += ["--out", str(out), "--repeat", str(options.repeats)]
        if options.quick:
            command.append("--quick")
        subprocess.run(
            command,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=options.timeout,
        )
        return json.loads(out.read_text())


def run_scripts(workload, variant, env, options):
    """Run the workload's script ``repeats`` times; each prints a JSON line."""
    program = workload.script(variant, options.sizes)
    outputs = []
    for _ in range(options.repeats):
        start = time.perf_counter()
        stdout = subprocess.run(
            [sys.executable, "-c", program],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            timeout=options.timeout,
        ).stdout
        output = json.loads(last_line(stdout, "{}"))
        output["wall"] = time.perf_counter() - start
        outputs.append(output)
    return workload.summarize(outputs)


def child(workload, variant_key, sizes, repeats, out_path):
    """In the child process: measure one row, write its JSON."""
    result = workload.measure(workload.variant(variant_key), sizes, repeats)
    result["peak_mb"] = peak_mb()
    Path(out_path).write_text(json.dumps(result))
