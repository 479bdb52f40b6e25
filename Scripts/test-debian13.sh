#!/usr/bin/env bash
# Builds relkit and runs its whole test suite on Debian 13 ("trixie": libgit2 1.9, git 2.47,
# Python 3.13), in a Debian 13 root made with debootstrap from the machine's Debian mirror.
# This machine's Swift toolchain and its Swift package copies are bind-mounted into the root at
# the same paths. The root is kept between runs (RELKIT_DEBIAN13_ROOT) once it is complete; the
# work tree is copied in anew each run. Runs as root (debootstrap, chroot, mount).
# Exit: 0 every test passed; 1 a test failed; 2 the root could not be set up (said plainly).
set -uo pipefail
cd "$(dirname "$0")/.."
source=$PWD
root=${RELKIT_DEBIAN13_ROOT:-/var/cache/relkit/debian13-root}
log=$source/.build/debian13.log
mkdir -p "$source/.build"

say() { echo "debian13: $*"; }
setup_failed() { say "cannot set up the Debian 13 root: $* (see $log)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || setup_failed "this needs root (debootstrap, chroot, mount)"

# What the root has installed: the build's needs (the Swift toolchain's shared libraries, a C
# compiler and linker, libgit2-dev) and the tests' (git, python3 with pip for packaging, and
# Debian 13's own alembic, 1.13, the migration differential test's reference there, and its towncrier
# (24.8), the release notes tests' (make deps pins one here); sshd and
# ssh, the push tests' ssh server).
packages=ca-certificates,git,pkg-config,libgit2-dev,libyaml-dev,gcc,g++,libc6-dev,binutils,libstdc++-14-dev,libcurl4t64,libxml2,libedit2,libsqlite3-0,libncurses6,zlib1g-dev,python3,python3-pip,python3-alembic,towncrier,tzdata,make,openssh-server,openssh-client
stamp="$packages packaging>=26"

swift_bin=$(command -v swift) || setup_failed "no swift on PATH"
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$swift_bin")")")")   # .../usr/bin/swift -> ...
# The directories git's url.<dir>.insteadOf sends package URLs to (the local Swift package copies).
package_dirs=$(git config --system --get-regexp '^url\..*\.insteadof$' 2>/dev/null | sed -n 's/^url\.\(\/[^ ]*\)\.insteadof .*/\1/p' | sort -u)

mounts=()
cleanup() {
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null; done
}
trap cleanup EXIT
bind() {  # bind DIR [FSTYPE]: the host's DIR at the same path inside the root
    mkdir -p "$root$1"
    mountpoint -q "$root$1" && umount -l "$root$1"
    if [ "${2:-}" = proc ]; then mount -t proc proc "$root$1"; else mount --bind "$1" "$root$1"; fi || setup_failed "cannot mount $1 in $root"
    mounts+=("$root$1")
}

if [ "$(cat "$root/.relkit-root" 2>/dev/null)" != "$stamp" ]; then
    say "making a Debian 13 root in $root (debootstrap, a few minutes)"
    # Nothing of the host may be mounted inside the root when it is removed.
    findmnt -rn -o TARGET | grep "^$root/" | sort -r | while read -r point; do umount -l "$point"; done
    findmnt -rn -o TARGET | grep -q "^$root/" && setup_failed "something is still mounted under $root"
    rm -rf --one-file-system "$root" && mkdir -p "$root"
    command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >>"$log" 2>&1 \
        || setup_failed "debootstrap is not installed and apt-get could not install it"
    # The mirror apt uses here (it serves trixie too), else Debian's own.
    mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
    mirror=${mirror:-http://deb.debian.org/debian}
    debootstrap --variant=minbase --include="$packages" trixie "$root" "$mirror" >"$log" 2>&1 \
        || setup_failed "debootstrap trixie from $mirror failed: $(grep -E '^(E|W):' "$log" | tail -1)"
    # Python's packaging 26 or later: the reference the differential tests compare with (earlier
    # releases accept non-ASCII letters in local versions, which PEP 440 does not).
    bind /proc proc; bind /dev
    # It is pure Python: fetched by this machine's pip (as set up here), installed from the file.
    mkdir -p "$root/tmp/wheels"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$root/tmp/wheels" 'packaging>=26' >>"$log" 2>&1 \
        && chroot "$root" python3 -m pip install --quiet --break-system-packages --ignore-installed --no-index --find-links /tmp/wheels 'packaging>=26' >>"$log" 2>&1 \
        || setup_failed "pip could not install packaging>=26 in the root"
    echo "$stamp" >"$root/.relkit-root"
fi

mountpoint -q "$root/proc" || bind /proc proc
mountpoint -q "$root/dev" || bind /dev
# Pseudo-terminals (a mount of its own under /dev): the tests of what relkit shows on a terminal.
mountpoint -q "$root/dev/pts" || bind /dev/pts
bind "$toolchain"
for dir in $package_dirs; do bind "${dir%/}"; done
# git inside the root finds the package copies as git does here.
: >"$root/etc/gitconfig"
git config --system --get-regexp '^url\.' 2>/dev/null | while read -r key value; do
    git config --file "$root/etc/gitconfig" --add "$key" "$value"
done

# The work tree as it is (tracked and untracked files, not what git ignores), copied in anew.
work=$root/work/relkit
rm -rf "$work" && mkdir -p "$work"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$work" || setup_failed "cannot copy the work tree"

versions=$(chroot "$root" sh -c 'echo "libgit2 $(pkg-config --modversion libgit2), $(git --version), Python $(python3 -c "import sys, packaging; import alembic; print(sys.version.split()[0], \"packaging\", packaging.__version__, \"alembic\", alembic.__version__)")"')
say "$versions"
run() {
    chroot "$root" /usr/bin/env -i PATH="$toolchain/usr/bin:/usr/local/bin:/usr/bin:/bin" HOME=/root LANG=C.UTF-8 CI="${CI:-}" \
        bash -c "cd /work/relkit && $1"
}
# The packages resolved first, retried once (a first fetch into a new SwiftPM cache once failed).
run "swift package resolve >/dev/null 2>&1 || swift package resolve" >>"$log" 2>&1 || { say "swift package resolve failed" >&2; tail -20 "$log" >&2; exit 1; }
run "swift build --build-tests" >>"$log" 2>&1 || { say "the build failed on Debian 13" >&2; grep -E 'error' "$log" | head -20 >&2; exit 1; }
set -o pipefail
run "swift test 2>&1" | tee "$source/.build/test-debian13.log" | grep -E '✘|Test run with' 
status=${PIPESTATUS[0]}
count=$(sed -n 's/.*Test run with \([0-9]*\) tests.* passed.*/\1/p' "$source/.build/test-debian13.log" | tail -1)
[ "$status" = 0 ] && [ -n "$count" ] || { say "tests failed on Debian 13 ($versions)" >&2; exit 1; }
say "$count tests passed on Debian 13 ($versions)"
