#!/usr/bin/env bash
# make bench-backport: relkit backport and audit vs git on a 60,000-file repository.
set -euo pipefail
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
exec python3 "$(dirname "$0")/bench_backport.py" "${1:-.build/release/relkit}" "${@:2}"
