"""skxent's benchmarks: ``python benchmarks/run.py [options]`` (``--help``).

The harness lives in ``benchmarks/harness/``: one module per workload and
per contender family; ``docs/benchmarks.md`` says what each row measures.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
