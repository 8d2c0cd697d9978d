#!/usr/bin/env bash
# Installs everything the tests need (Python deps in .venv; the widget's build tools
# from the npm registry with `npm ci`; from Debian's packages, Chromium and, if missing,
# Node, a C compiler and Python's headers for the gate's scanner)
# and runs the whole suite: unit, PostgreSQL integration and real-Chromium browser tests.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
# The HTML gate's C scanner is compiled at install; the suite checks it was (under CI=true).
command -v gcc >/dev/null 2>&1 || packages+=(gcc)
# The widget is built with esbuild and type-checked with tsc (tests/test_widget_build.py).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
${PYTHON:-python3} -c 'import os, sysconfig; exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || packages+=(python3-dev)
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing ${packages[*]} from Debian's packages..."
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# PostgreSQL tests need the server; start the local cluster if it is installed but down.
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi

bash scripts/setup.sh dev,postgres
# The exact versions of widget/package-lock.json; the shipped build is checked against them.
(cd widget && npm ci --no-audit --no-fund --loglevel=error)
exec .venv/bin/python -m pytest "$@"
