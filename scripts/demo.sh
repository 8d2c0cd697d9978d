#!/usr/bin/env bash
# Installs consentkit in .venv and runs the demo insurer site on the embedded SQLite
# ledger. Extra arguments go to `consentkit demo` (--host, --port, --db, --mode).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh server,admin
exec .venv/bin/consentkit demo "$@"
