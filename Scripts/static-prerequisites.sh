#!/usr/bin/env bash
# Checks what `make release-static` needs before it builds, and says in one line what is missing:
# GNU ld on Linux (the static build uses --wrap), the archives that Sources/Clibgit2Static links,
# the headers the stubs compile against, and an mbedtls whose major version the stubs are written
# for (2 or 3). The default build (`make build`, `make release`) needs none of this.
set -uo pipefail
fail() { echo "release-static: $*; the default build (make release) links the system's libgit2 and needs none of it" >&2; exit 2; }

[ "$(uname -s)" = Linux ] || fail "the static build is for Linux (GNU ld's --wrap and archive names); this is $(uname -s)"
ld --version 2>/dev/null | head -1 | grep -q 'GNU ld' || fail "the static build needs GNU ld (binutils)"
cc=${CC:-cc}
command -v "$cc" >/dev/null || fail "no C compiler ($cc) to find the archives with"

# The archives, in the order of Sources/Clibgit2Static/module.modulemap, then libyaml's.
archives=$(sed -n 's/^ *link ":\(lib[^"]*\.a\)"/\1/p' "$(dirname "$0")/../Sources/Clibgit2Static/module.modulemap" "$(dirname "$0")/../Sources/CYAMLStatic/module.modulemap")
missing=()
for archive in $archives; do
    found=$("$cc" -print-file-name="$archive")
    [ "$found" != "$archive" ] && [ -f "$found" ] || missing+=("$archive")
done
[ ${#missing[@]} -eq 0 ] || fail "missing ${missing[*]} (Debian 12: apt-get install libgit2-dev libssh2-1-dev libmbedtls-dev libhttp-parser-dev libpcre2-dev libssl-dev zlib1g-dev libyaml-dev)"

for header in libssh2.h mbedtls/version.h; do
    echo "#include <$header>" | "$cc" -E -x c - >/dev/null 2>&1 || fail "missing the header <$header> the stubs compile against"
done
mbedtls=$(printf '#include <mbedtls/version.h>\nMBEDTLS_VERSION_MAJOR\n' | "$cc" -E -P -x c - 2>/dev/null | tail -1 | tr -d ' ')
case $mbedtls in
    2|3) ;;
    *) fail "mbedtls $mbedtls: the stubs (Sources/StaticLinkStubs/stubs.c) are written for mbedtls 2 and 3" ;;
esac
echo "release-static: prerequisites found (mbedtls $mbedtls, $(echo $archives | wc -w) archives)"
