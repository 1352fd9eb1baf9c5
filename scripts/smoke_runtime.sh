#!/usr/bin/env bash
# Runtime-only smoke test: a virtualenv with requirements.txt alone (what the README's run
# command installs), then scripts/smoke_runtime.py in it. A dependency that only the test
# requirements install fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv-runtime/bin/python ]; then
  "$PY" -m venv .venv-runtime
fi
.venv-runtime/bin/python -m pip install --quiet --upgrade pip
.venv-runtime/bin/python -m pip install --quiet -r requirements.txt
.venv-runtime/bin/python scripts/smoke_runtime.py
