#!/usr/bin/env bash
# The GPU run, on the GPU machine, from the repository root, in one command
# under 10 minutes (see README.md beside this file):
#   1. install the carried wheels (.whl/, from fetch_wheels.sh) into /tmp/site;
#   2. name the GPU;
#   3. the backend tests under KERAS_BACKEND=jax and torch ($TESTS);
#   4. the many-classes and large benchmarks under JAX and PyTorch.
# Everything goes to $OUT (at most 8 files): gpu.md, gpu.json, tests-*.log,
# install.log, nvidia-smi.txt.
set -uo pipefail
OUT=${OUT:-out/gpu}
mkdir -p "$OUT"
# Which tests: a variable, so a later session can narrow or widen it.
TESTS=${TESTS:-tests/test_backends.py}
[ -e "${TESTS%% *}" ] || TESTS="tests/test_classifier.py tests/test_training.py"
TEST_TIMEOUT=${TEST_TIMEOUT:-150}   # seconds per backend's test run
BENCH_ONLY=${BENCH_ONLY:-"--only many_classes --only large"}

python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
  --upgrade --target /tmp/site .whl/*.whl >"$OUT/install.log" 2>&1 \
  || { echo "wheel install failed"; tail -5 "$OUT/install.log"; exit 1; }
export PYTHONPATH=/tmp/site:$PWD
export TF_CPP_MIN_LOG_LEVEL=2 MPLBACKEND=Agg

{ nvidia-smi -L; nvidia-smi --query-gpu=name,memory.total,driver_version \
  --format=csv; } 2>&1 | tee "$OUT/nvidia-smi.txt"

status=0
for backend in jax torch; do
  echo "== tests under KERAS_BACKEND=$backend: $TESTS"
  # shellcheck disable=SC2086
  KERAS_BACKEND=$backend timeout "$TEST_TIMEOUT" python3 -m pytest -q -x \
    -p no:cacheprovider $TESTS >"$OUT/tests-$backend.log" 2>&1
  code=$?
  tail -3 "$OUT/tests-$backend.log"
  [ "$code" -eq 0 ] || { echo "tests under $backend: exit $code"; status=1; }
done

echo "== benchmarks under jax,torch: $BENCH_ONLY"
# shellcheck disable=SC2086
python3 benchmarks/run.py --backend jax,torch $BENCH_ONLY --timeout 240 \
  --json "$OUT/gpu.json" | tee "$OUT/gpu.md"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
exit "$status"
