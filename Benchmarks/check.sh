#!/usr/bin/env bash
# make bench-check: relkit check vs bump-my-version show current_version on a 200-package monorepo.
set -euo pipefail
command -v bump-my-version >/dev/null || python3 -m pip install --quiet bump-my-version
exec python3 "$(dirname "$0")/bench_check.py" "${1:-.build/release/relkit}" "${@:2}"
