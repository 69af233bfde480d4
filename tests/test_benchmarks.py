"""The benchmark harness runs and prints its table, on its import workload.

Only the harness's plumbing is checked (fresh interpreters, table, ratios,
goals, JSON); no time it measures decides anything here.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_quick_import_run_prints_table_with_ratios_and_goals(tmp_path):
    raw = tmp_path / "results.json"
    command = [sys.executable, str(RUN), "--quick", "--only", "import"]
    command += ["--contenders", "skxent", "mlp", "--json", str(raw)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rows = {
        cells[1]: cells
        for line in out.splitlines()
        if line.startswith("| ") and not line.startswith("| ---")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert out.startswith("Machine: ")
    assert rows["contender"][2] == "time: median (min)"
    skxent = rows["skxent: `import skxent`"]
    assert re.fullmatch(
        r"≤ 0\.5 s, no TensorFlow: (met|not met)", skxent[-1].split(" (")[0]
    )
    # Importing skxent does not import TensorFlow.
    assert skxent[-1].endswith("(TensorFlow imported: no)")
    mlp = rows["MLPClassifier: `import sklearn.neural_network`"]
    assert re.fullmatch(r"\d+\.\d\d", mlp[5])  # skxent's import time / MLP's

    results = json.loads(raw.read_text())["results"]
    assert sorted(results["import"]) == ["mlp", "skxent", "skxent-class"]
    assert all(len(r["times"]) == 1 for r in results["import"].values())
    assert results["import"]["skxent"]["tensorflow_imported"] is False
