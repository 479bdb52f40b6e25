#!/usr/bin/env bash
# make bench-release: relkit tag vs bump-my-version bump patch (commit and tag) on a 200-package monorepo.
set -euo pipefail
command -v bump-my-version >/dev/null || python3 -m pip install --quiet bump-my-version
exec python3 "$(dirname "$0")/bench_release.py" "${1:-.build/release/relkit}" "${@:2}"
