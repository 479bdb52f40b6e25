#!/usr/bin/env bash
# The docs stay true to the binary: README.md stays a page a user reads (under 15 KB), every
# subcommand of `relkit --help` is in README.md, and every relative link in README.md,
# CONTRIBUTING.md and docs/*.md points to a file that exists.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?usage: check-docs.sh RELKIT_BINARY}
fail() { echo "check-docs: $*" >&2; exit 1; }
size=$(wc -c <README.md)
[ "$size" -lt 15360 ] || fail "README.md is $size bytes (at most 15 KB: move depth to docs/)"
commands=$("$bin" --help | sed -n '/^SUBCOMMANDS:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' | grep -vx help)
[ -n "$commands" ] || fail "relkit --help lists no subcommands"
for command in $commands; do grep -q "relkit $command" README.md || fail "README.md does not mention 'relkit $command'"; done
checked=0
for page in README.md CONTRIBUTING.md docs/*.md; do
    dir=$(dirname "$page")
    while read -r target; do
        target=${target%%#*}
        [ -n "$target" ] || continue
        [ -e "$dir/$target" ] || fail "$page links to $target, which does not exist"
        checked=$((checked + 1))
    done < <(grep -o '](\([^)]*\))' "$page" | sed 's/^](\(.*\))$/\1/' | grep -v '^[a-z]*://' || true)
done
echo "check-docs: README.md $size bytes, $(echo $commands | wc -w) commands named, $checked links resolved"
