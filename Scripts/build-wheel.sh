#!/usr/bin/env bash
# make dist: relkit's wheel, from the static binary of `make release-static`.
# Usage: Scripts/build-wheel.sh BINARY MANUAL OUT_DIR
#
# The wheel is built by hatchling (a standard build backend from PyPI) from Packaging/wheel: the
# binary, stripped (its debug information in OUT_DIR/relkit-VERSION-PLATFORM.debug, linked by a
# .gnu_debuglink), as the `relkit` command; the man page and the completions under share/. Its
# version is relkit's own, in PEP 440 form as `relkit version normalize` writes it. Its platform tag
# is the one `auditwheel show` finds the binary needs (built once as linux_ARCH, checked, built
# again with that tag). Only the runner decides the platform: on macOS or arm64 the same steps run
# (macOS has no auditwheel: the tag is then macosx_<deployment target>_<arch>, RELKIT_WHEEL_PLATFORM).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:?usage: build-wheel.sh BINARY MANUAL OUT_DIR}")
manual=$(realpath "${2:?usage: build-wheel.sh BINARY MANUAL OUT_DIR}")
out=${3:?usage: build-wheel.sh BINARY MANUAL OUT_DIR}
mkdir -p "$out" && out=$(realpath "$out")
work=$PWD/.build/wheel
rm -rf "$work" && mkdir -p "$work/stage/completions" "$work/first"

# The build tools, in a virtual environment of their own.
tools=$PWD/.build/wheel-tools
if ! "$tools/bin/python" -c 'import hatchling, auditwheel' 2>/dev/null; then
    echo "dist: installing hatchling and auditwheel (PyPI) in $tools"
    python3 -m venv "$tools" && "$tools/bin/python" -m pip install --quiet 'hatchling>=1.26' 'auditwheel>=6'
fi

version=$("$binary" version normalize "$("$binary" --version)")
objcopy --only-keep-debug "$binary" "$work/relkit.debug"
strip --strip-all -o "$work/stage/relkit" "$binary"
objcopy --add-gnu-debuglink="$work/relkit.debug" "$work/stage/relkit"
chmod 755 "$work/stage/relkit"
cp "$manual" "$work/stage/relkit.1"
for shell in bash zsh fish; do "$work/stage/relkit" --generate-completion-script "$shell" >"$work/stage/completions/relkit.$shell"; done

build() {  # build PLATFORM DIR
    (cd Packaging/wheel && RELKIT_WHEEL_STAGE="$work/stage" RELKIT_WHEEL_VERSION="$version" RELKIT_WHEEL_PLATFORM="$1" \
        "$tools/bin/python" -m hatchling build -t wheel -d "$2" >"$work/hatchling.log" 2>&1) \
        || { echo "dist: hatchling failed:" >&2; cat "$work/hatchling.log" >&2; exit 1; }
}
platform=${RELKIT_WHEEL_PLATFORM:-}
if [ -z "$platform" ]; then
    build "linux_$(uname -m)" "$work/first"
    shown=$("$tools/bin/auditwheel" show "$work"/first/*.whl 2>&1) || { echo "dist: auditwheel show failed: $shown" >&2; exit 1; }
    platform=$(printf '%s\n' "$shown" | tr '\n' ' ' | sed -n 's/.*consistent with the[[:space:]]*following platform tag:[[:space:]]*"\([a-z0-9_]*\)".*/\1/p')
    [ -n "$platform" ] || { echo "dist: auditwheel finds no manylinux tag for the binary: $shown" >&2; exit 1; }
fi
rm -f "$out"/relkit-*.whl "$out"/relkit-*.debug
build "$platform" "$out"
wheel=$(ls "$out"/relkit-"$version"-py3-none-"$platform".whl)
cp "$work/relkit.debug" "$out/relkit-$version-$platform.debug"
echo "dist: $wheel ($(du -k "$wheel" | cut -f1) KiB; the binary $(du -k "$work/stage/relkit" | cut -f1) KiB stripped, $(du -k "$binary" | cut -f1) KiB before)"
echo "dist: debug information: $out/relkit-$version-$platform.debug"
