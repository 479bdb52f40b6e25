#!/usr/bin/env bash
# Part of make test-wheel: relkit's wheel on Debian 13 with neither libgit2, nor Swift, nor a C
# compiler: a minimal root (debootstrap: python3, python3-venv, git, and towncrier: the demo's
# release notes), kept between runs in
# RELKIT_WHEEL_ROOT. There: the root proved bare of those, pip install of the wheel into a venv,
# relkit --version, and Examples/demo.sh. Usage: Scripts/wheel-root.sh WHEEL. Runs as root.
# Exit 0 when everything passed; the log is .build/wheel-root.log.
set -uo pipefail
cd "$(dirname "$0")/.."
wheel=$(realpath "${1:?usage: wheel-root.sh WHEEL}")
root=${RELKIT_WHEEL_ROOT:-/var/cache/relkit/debian13-wheel-root}
log=$PWD/.build/wheel-root.log
mkdir -p .build && : >"$log"
say() { echo "wheel-root: $*" | tee -a "$log"; }
packages=ca-certificates,python3,python3-venv,git,towncrier
if [ "$(cat "$root/.relkit-root" 2>/dev/null)" != "$packages" ]; then
    say "making a minimal Debian 13 root in $root (debootstrap, a few minutes)"
    findmnt -rn -o TARGET | grep "^$root/" | sort -r | while read -r point; do umount -l "$point"; done
    rm -rf --one-file-system "$root" && mkdir -p "$root"
    command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >>"$log" 2>&1
    mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
    debootstrap --variant=minbase --include="$packages" trixie "$root" "${mirror:-http://deb.debian.org/debian}" >>"$log" 2>&1 \
        || { say "debootstrap trixie failed"; exit 1; }
    echo "$packages" >"$root/.relkit-root"
fi
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
trap 'umount -l "$root/dev" "$root/proc" 2>/dev/null' EXIT
rm -rf "$root/work" && mkdir -p "$root/work"
cp "$wheel" "$root/work/" && cp -a Examples "$root/work/Examples"
inside() { chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 \
    GIT_AUTHOR_NAME="Wheel Test" GIT_AUTHOR_EMAIL=wheel@example.invalid GIT_COMMITTER_NAME="Wheel Test" GIT_COMMITTER_EMAIL=wheel@example.invalid \
    bash -c "$1" >>"$log" 2>&1; }
inside 'test -x /usr/sbin/ldconfig && ! /usr/sbin/ldconfig -p | grep -q libgit2 && ! ls /usr/lib/*/libgit2* >/dev/null 2>&1 && ! command -v swift && ! command -v cc && ! command -v gcc && ! command -v clang' \
    || { say "the root has libgit2, Swift or a compiler"; exit 1; }
inside 'rm -rf /tmp/venv && python3 -m venv /tmp/venv && /tmp/venv/bin/pip install --quiet --no-index /work/*.whl' || { say "pip install failed"; exit 1; }
inside 'set -e; /tmp/venv/bin/relkit --version; cat /etc/debian_version; ldd --version | head -1' || { say "relkit --version failed"; exit 1; }
inside 'RELKIT_DEMO_DIR=/tmp/demo bash /work/Examples/demo.sh /tmp/venv/bin/relkit' || { say "the demo failed"; tail -20 "$log"; exit 1; }
say "pip install, relkit --version and the demo passed on Debian $(cat "$root/etc/debian_version")"
