#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run the whole suite.
#   - a virtualenv in .venv with requirements-dev.txt (proves a clean install works)
#   - Debian's chromium for the browser tests (apt-get, when missing and we are root)
#   - the offline copies of Leaflet & plugins (npm pack, from the npm registry)
#   - a runtime-only smoke test in .venv-runtime (requirements.txt alone: scripts/smoke_runtime.sh)
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k bathymetry`.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt

if [ ! -x "${MAPAPP_CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install chromium' (browser tests need it)" >&2
    exit 1
  fi
fi

# Debian packages some tests run: LibreOffice Calc (CSV exports opened as a spreadsheet) and
# nginx (deploy/nginx/mapapp.conf in front of two replicas)
missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing ${missing[*]}: run 'sudo apt-get install ${missing[*]}' (tests need them)" >&2
    exit 1
  fi
fi

.venv/bin/python -m mapapp assets install

# the README's run command alone must give a working product: a runtime-only virtualenv
bash scripts/smoke_runtime.sh

# the suite on both cores, then the load test alone (20 browser sessions need the machine)
set +e
.venv/bin/python -m pytest -n 2 -m "not load" "$@"
suite=$?
.venv/bin/python -m pytest -p no:xdist -m load "$@"
load=$?
[ "$suite" -eq 5 ] && suite=0   # no test selected (e.g. -k that matches only one part)
[ "$load" -eq 5 ] && load=0
[ "$suite" -ne 0 ] && exit "$suite"
exit "$load"
