#!/usr/bin/env bash
# Shared set-up for scripts/demo.sh and scripts/test.sh: a virtualenv in .venv with
# consentkit installed (editable) and the given extras. Idempotent and quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.consentkit-installed-${extras:-base}"
# Reinstall when what the install builds changed (the C scanner is compiled then).
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ setup.py -nt "$stamp" ] \
  || [ consentkit/gating/_cscan.c -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  if [ -n "$extras" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
  else
    .venv/bin/python -m pip install -q --disable-pip-version-check -e .
  fi
  touch "$stamp"
fi
