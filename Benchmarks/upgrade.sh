#!/usr/bin/env bash
# make bench-upgrade: relkit upgrade vs git diff --stat (and alembic heads) on 500 revision files.
set -euo pipefail
python3 -c 'import alembic' 2>/dev/null || python3 -m pip install --quiet alembic 2>/dev/null || python3 -m pip install --quiet --break-system-packages alembic
exec python3 "$(dirname "$0")/bench_upgrade.py" "${1:-.build/release/relkit}" "${@:2}"
