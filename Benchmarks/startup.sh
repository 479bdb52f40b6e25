#!/usr/bin/env bash
# make bench-startup: the default build (system libgit2) against the static one (make release-static).
set -euo pipefail
exec python3 "$(dirname "$0")/bench_startup.py" "${1:-.build/release/relkit}" "${2:-.build-static/release/relkit}" "${@:3}"
