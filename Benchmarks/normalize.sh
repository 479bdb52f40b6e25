#!/usr/bin/env bash
# make bench-normalize: relkit version normalize vs Python packaging on 1,000,000 versions.
set -euo pipefail
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
python3 -c 'import packaging.version' 2>/dev/null || python3 -m pip install --quiet packaging
exec python3 "$(dirname "$0")/bench_normalize.py" "${1:-.build/release/relkit}" "${@:2}"
