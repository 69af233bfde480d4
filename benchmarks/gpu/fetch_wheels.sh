#!/usr/bin/env bash
# Download, here (with network), the wheels the GPU machine lacks into the
# git-ignored .whl/ at the repository root: Keras and its small
# dependencies, SciKeras (a benchmark contender), mlxtend and
# matplotlib (plots), pytest-timeout.  The GPU machine has Python 3.12,
# JAX and PyTorch with CUDA, scikit-learn, SciPy, pandas and pytest, but
# no network.  Run from anywhere:  bash benchmarks/gpu/fetch_wheels.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .whl

# Pinned to the versions the CPU measurements use.
WHEELS=(
  keras==3.15.1 namex==0.1.0 optree==0.20.0 h5py==3.14.0 ml-dtypes==0.6.0
  rich==15.0.0 markdown-it-py==4.3.0 mdurl==0.1.2 pygments==2.21.0
  absl-py==2.5.1
  scikeras==0.13.0 mlxtend==0.25.0 pytest-timeout==2.4.0
  matplotlib==3.10.8 contourpy==1.3.3 cycler==0.12.1 fonttools==4.61.1
  kiwisolver==1.4.9 pillow==12.1.0 pyparsing==3.3.1
  python-dateutil==2.9.0.post0 six==1.17.0
  packaging==26.3 typing-extensions==4.16.0
)
PYTHON=${PYTHON:-python3}
for wheel in "${WHEELS[@]}"; do
  "$PYTHON" -m pip download -q --no-deps --only-binary=:all: \
    --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux1_x86_64 -d .whl "$wheel"
done

# Every wheel's requirements, to check that nothing else is missing there.
for file in .whl/*.whl; do
  echo "$(basename "$file"):"
  unzip -p "$file" '*.dist-info/METADATA' | grep '^Requires-Dist' \
    | grep -v 'extra ==' | sed 's/^/  /' || true
done
du -sh .whl
