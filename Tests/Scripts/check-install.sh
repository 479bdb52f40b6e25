#!/usr/bin/env bash
# make install's files, checked: `make install-files` with BIN (the debug binary in make test)
# into a scratch PREFIX; the binary runs, the man page renders and names every command, the
# completion scripts parse and know every command.
set -euo pipefail
bin=${1:?usage: check-install.sh RELKIT_BINARY}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make --no-print-directory install-files BIN="$bin" PREFIX="$prefix" >/dev/null
fail() { echo "check-install: $*" >&2; exit 1; }

"$prefix/bin/relkit" --version | grep -qx "$("$bin" --version)" || fail "the installed binary does not run"
manual=$prefix/share/man/man1/relkit.1
grep -q '^\.Dt RELKIT 1' "$manual" || fail "$manual is not a section-1 manual page"
commands=$("$bin" --help | sed -n '/^SUBCOMMANDS:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p')
[ -n "$commands" ] || fail "relkit --help lists no subcommands"
for command in $commands; do
    grep -q "^\.It Em $command\b" "$manual" || fail "the manual does not describe '$command'"
    grep -q "$command" "$prefix/share/bash-completion/completions/relkit" || fail "bash completion misses '$command'"
    grep -q "$command" "$prefix/share/zsh/site-functions/_relkit" || fail "zsh completion misses '$command'"
    grep -q "$command" "$prefix/share/fish/vendor_completions.d/relkit.fish" || fail "fish completion misses '$command'"
done
bash -n "$prefix/share/bash-completion/completions/relkit" || fail "the bash completion does not parse"
# The bash completion offers every command after `relkit ` in a real shell.
offered=$(bash -c "source '$prefix/share/bash-completion/completions/relkit'
    COMP_WORDS=(relkit ''); COMP_CWORD=1; COMP_LINE='relkit '; COMP_POINT=\${#COMP_LINE}
    _relkit; printf '%s\n' \"\${COMPREPLY[@]}\"")
for command in $commands; do
    grep -qx "$command" <<<"$offered" || fail "bash does not offer '$command' after 'relkit ' (it offers: $offered)"
done
if command -v man >/dev/null; then
    MANPATH="$prefix/share/man" man -P cat relkit 2>/dev/null | grep -q 'trailers' || fail "man relkit does not render"
fi
echo "check-install: binary, man page ($(echo $commands | wc -w) commands) and bash, zsh, fish completions in place"
