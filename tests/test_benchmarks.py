"""The benchmark harness's plumbing: fresh processes, table, ratios, goals,
error rows, JSON, data generators, the GPU scripts.

No time it measures decides anything here; the runs use ``--quick``.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV

# The harness is a script above the backend; its quick rows run under the
# default one.
pytestmark = pytest.mark.default_backend

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
sys.path.insert(0, str(RUN.parent))

from harness import cli, goals, report  # noqa: E402
from harness.spec import Variant, Workload  # noqa: E402
from harness.workloads import BY_KEY, WORKLOADS, sparse_wide, tfidf  # noqa: E402


def run(*options, check=True):
    command = [sys.executable, str(RUN), "--quick", *options]
    return subprocess.run(command, check=check, capture_output=True, text=True)


def table_rows(out):
    """The table's rows, keyed by (contender, backend)."""
    return {
        (cells[1], cells[2]): cells
        for line in out.splitlines()
        if line.startswith("| ") and not line.startswith("| ---")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }


@pytest.mark.slow
def test_quick_import_run_prints_table_with_ratios_and_goals(tmp_path):
    raw = tmp_path / "results.json"
    out = run("--only", "import", "--contenders", "skxent", "mlp", "--json", str(raw))
    rows = table_rows(out.stdout)
    assert out.stdout.startswith("Machine: ")
    assert "\nDevices: GPUs (nvidia-smi -L): " in out.stdout
    assert rows[("contender", "backend")][3] == "time: median (min)"
    skxent = rows[("skxent: `import skxent`", "tensorflow")]
    assert re.fullmatch(
        r"≤ 0\.5 s, no TensorFlow: (met|missed) \(TensorFlow imported: no\)",
        skxent[-1],
    )
    assert re.fullmatch(r"\d+\.\d\d", skxent[6])  # skxent's import time / MLP's
    assert rows[("MLPClassifier: `import sklearn.neural_network`", "-")][6] == ""

    results = json.loads(raw.read_text())["results"]
    assert sorted(results["import"]) == ["mlp", "skxent", "skxent-class"]
    assert sorted(results["import"]["skxent"]) == ["tensorflow"]
    assert all(
        len(r["-"]["times"]) == 1 for k, r in results["import"].items() if k == "mlp"
    )
    assert results["import"]["skxent"]["tensorflow"]["tensorflow_imported"] is False


@pytest.mark.slow
def test_a_failing_row_is_an_error_row_and_the_run_goes_on():
    # No Keras backend is called "nonsense": skxent's fit fails in its child.
    out = run(
        "--only", "predict-1", "--contenders", "skxent", "mlp",
        "--backend", "nonsense", check=False,
    )  # fmt: skip
    assert out.returncode == 1
    rows = table_rows(out.stdout)
    skxent = rows[("skxent", "nonsense")]
    assert re.fullmatch(r"error: \w+Error: .+", skxent[3])
    assert skxent[4:] == [""] * 5
    mlp = rows[("MLPClassifier", "-")]
    assert re.fullmatch(r"\d.* (s|ms|µs) \(.*\)", mlp[3])
    assert "predict-1 skxent nonsense" in out.stderr


def fake(times, accuracy=0.9, peak_mb=100.0, **extra):
    return {"times": times, "accuracy": accuracy, "peak_mb": peak_mb, **extra}


def test_table_ratios_goals_backends_and_phases():
    workload = Workload(
        key="w",
        title="work",
        variants=(
            Variant(
                "skxent",
                "skxent",
                "skxent",
                goals=(
                    goals.Ratio("mlp", 1.0),
                    goals.Ratio("mlp", 0.5, phase="predict"),
                    goals.Accuracy("mlp", 0.02),
                    goals.MemoryBound("floor", 3.0),
                ),
            ),
            Variant("floor", "skxent", "floor"),
            Variant("mlp", "mlp", "MLPClassifier (details)"),
        ),
        full=None,
        quick=None,
        phases=("predict",),
    )
    results = {
        "w": {
            "skxent": {
                "tensorflow": fake([1.0, 2.0, 3.0], predict_times=[1.0], data_mb=10.0),
                "jax": fake([1.0], predict_times=[4.0], data_mb=10.0),
            },
            "floor": {"tensorflow": fake([], None, 60.0), "jax": {"error": "E: x|y"}},
            "mlp": {"-": fake([4.0], 0.95, 50.0, predict_times=[2.0])},
        }
    }
    rows = table_rows(report.table(results, [workload], ["tensorflow", "jax"]))
    assert list(rows[("contender", "backend")][-3:]) == [
        "memory ÷ baseline",
        "time ÷ on tensorflow",
        "goals",
    ]
    text = report.table(results, [workload], ["tensorflow", "jax"]).splitlines()
    tf_fit = next(t for t in text if "| work | skxent | tensorflow" in t).split(" | ")
    assert tf_fit[3:8] == ["2.00 s (1.00 s)", "0.900", "100 MiB", "0.50", "2.00"]
    assert tf_fit[9].startswith("time ÷ MLPClassifier ≤ 1.0: met (0.50)")
    assert "accuracy ≥ MLPClassifier's − 0.02: missed (-0.050)" in tf_fit[9]
    assert "peak ≤ floor + 3 x data (90 MiB): missed" in tf_fit[9]
    tf_predict = next(t for t in text if "work: predict | skxent | tensorflow" in t)
    assert "time ÷ MLPClassifier ≤ 0.5: met (0.50)" in tf_predict
    jax_fit = next(t for t in text if "| work | skxent | jax" in t).split(" | ")
    assert jax_fit[8] == "0.50"  # jax ÷ tensorflow
    assert jax_fit[9] == " |"  # goals are judged under TensorFlow only
    assert "| floor | jax | error: E: x/y |" in "\n".join(text)
    assert sum("| floor |" in t for t in text) == 2  # no phase rows for floors


def test_goal_verdicts():
    def other(key):
        return {"mlp": fake([2.0], {"a": 0.9, "b": 0.8})}.get(key)

    def names(key):
        return key

    row = fake([1.0], {"a": 0.89, "b": 0.7}, scores=[0.5], diff=1e-7)
    assert goals.Ratio("mlp", 0.5).judge(row, other, names).endswith("met (0.50)")
    assert "missed (-0.100)" in goals.Accuracy("mlp", 0.02).judge(row, other, names)
    assert "no figure" in goals.Same("scores", "x").judge(row, other, names)
    assert (
        goals.AtMost("diff", 1e-6)
        .judge(row, other, names)
        .startswith("diff ≤ 1e-06: met")
    )


def test_options_workload_selection_and_registry():
    args = cli.parse_args(["--only", "many_classes", "--only", "large", "--quick"])
    assert args.only == ["many-classes", "large"] and args.repeat == 1
    assert [w.key for w in cli.selected(args)] == ["many-classes", "large"]
    default = cli.parse_args(["--backend", "jax, torch"])
    assert default.backends == ["jax", "torch"]
    keys = [w.key for w in cli.selected(default)]
    assert "sparse-wide" not in keys and "large" not in keys and "tfidf" in keys
    assert "large" in [w.key for w in cli.selected(cli.parse_args(["--all"]))]
    with pytest.raises(SystemExit):
        cli.parse_args(["--only", "nothing"])
    assert len(BY_KEY) == len(WORKLOADS)
    for workload in WORKLOADS:
        keys = {v.key for v in workload.variants}
        for variant in workload.variants:
            for goal in variant.goals:
                for field in ("against", "floor"):
                    assert getattr(goal, field, next(iter(keys))) in keys
    for path in (RUN.parent / "harness").rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 300, path


def test_sparse_problem_is_canonical_csr_without_densifying():
    sizes = sparse_wide.QUICK
    X, y = sparse_wide.problem(sizes, 1_000, seed=1, chunk=300)
    assert X.format == "csr" and X.shape == (1_000, sizes.columns)
    assert X.indices.dtype == "int32" and X.dtype == "float32"
    assert X.has_canonical_format
    assert (X.getnnz(axis=1) == sizes.nonzeros).all()
    assert set(y) == set(range(sizes.classes))
    assert sparse_wide.csr_mb(X) == pytest.approx(
        (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20
    )


def test_generated_corpus():
    documents, y = tfidf.corpus(tfidf.QUICK)
    assert len(documents) == len(y) == tfidf.QUICK.documents
    assert all(isinstance(d, str) and d for d in documents)
    assert set(y) == set(range(tfidf.QUICK.classes))


@pytest.mark.parametrize("script", ["fetch_wheels.sh", "run.sh"])
def test_gpu_scripts_parse(script):
    subprocess.run(["bash", "-n", str(RUN.parent / "gpu" / script)], check=True)


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records the process each fit runs in (in this process only)."""

    pids = []

    def __init__(self, loss=None):
        self.loss = loss

    def fit(self, X, y):
        _Recorder.pids.append(os.getpid())
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_the_loss_search_runs_in_its_own_process_as_a_script_does(monkeypatch):
    """No joblib backend around the sequential search: n_jobs=None inside
    ``parallel_backend("loky")`` would send the fits to a worker process."""
    from harness.workloads import loss_search

    monkeypatch.setattr(
        loss_search,
        "search",
        lambda family, sizes, n_jobs=None: GridSearchCV(
            _Recorder(), {"loss": ["a", "b"]}, cv=2, n_jobs=n_jobs
        ),
    )
    _Recorder.pids.clear()
    loss_search.run("mlp", loss_search.QUICK, repeats=1)
    # 2 candidates x 2 folds, and the refit: every one of them here.
    assert _Recorder.pids == [os.getpid()] * 5
