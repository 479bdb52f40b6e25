#!/usr/bin/env bash
# make test-wheel: relkit's wheel (make dist) installed as users install it.
#  - auditwheel agrees with the wheel's platform tag;
#  - pip into a fresh venv here (Debian 12): relkit --version, the man page and completions in the
#    venv, and Examples/demo.sh on the demo monorepo (check, cut, tag, backport, upgrade);
#  - `pipx run --spec WHEEL relkit --version`;
#  - the same wheel named for another platform: pip refuses it with its own message;
#  - pre-commit (PyPI) on a scratch repository whose .pre-commit-config.yaml points at this
#    checkout's HEAD: relkit-check passes, then fails on a planted bad version;
#  - a Debian 13 root with neither libgit2, nor Swift, nor a compiler (RELKIT_WHEEL_ROOT, made
#    with debootstrap, kept between runs): pip install, --version and the demo again.
# Exit 0 when every check passed. The last line counts them (make test sums it up).
set -uo pipefail
cd "$(dirname "$0")/.."
root_dir=$PWD
wheel=$(ls dist/relkit-*.whl 2>/dev/null | head -1)
[ -n "$wheel" ] || { echo "test-wheel: no wheel in dist/ (make dist)"; exit 1; }
wheel=$(realpath "$wheel")
tools=$root_dir/.build/wheel-tools
scratch=$(mktemp -d /tmp/relkit-wheel.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "  ok: $*"; }
fail() { failed=$((failed + 1)); echo "  FAILED: $*"; }
check() {  # check DESCRIPTION COMMAND...: passes when the command exits 0
    local description=$1; shift
    if "$@" >"$scratch/out" 2>&1; then pass "$description"; else
        fail "$description"
        sed 's/^/    /' "$scratch/out" | tail -15
        for extra in hook.log action.log; do [ -f "$scratch/$extra" ] && sed "s/^/    $extra: /" "$scratch/$extra" | tail -15; done
    fi
}
export GIT_AUTHOR_NAME="Wheel Test" GIT_AUTHOR_EMAIL=wheel@example.invalid GIT_COMMITTER_NAME="Wheel Test" GIT_COMMITTER_EMAIL=wheel@example.invalid
version=$(basename "$wheel" | cut -d- -f2)
platform=$(basename "$wheel" .whl | cut -d- -f5)
echo "test-wheel: $(basename "$wheel")"

check "auditwheel show finds the wheel consistent with $platform" \
    bash -c "'$tools/bin/auditwheel' show '$wheel' 2>&1 | tr '\n' ' ' | grep -q 'following platform tag:[[:space:]]*\"$platform\"'"

# Debian 12, a fresh venv.
python3 -m venv "$scratch/venv"
check "pip install of the wheel into a fresh venv" "$scratch/venv/bin/python" -m pip install --quiet --no-index "$wheel"
check "relkit --version is $version" bash -c "[ \"\$('$scratch/venv/bin/relkit' --version)\" = '$version' ]"
check "the man page and the completions are in the venv" test -s "$scratch/venv/share/man/man1/relkit.1" -a -s "$scratch/venv/share/bash-completion/completions/relkit" \
    -a -s "$scratch/venv/share/zsh/site-functions/_relkit" -a -s "$scratch/venv/share/fish/vendor_completions.d/relkit.fish"
check "the demo (check, cut, tag, backport, upgrade) with the wheel's relkit" \
    env RELKIT_DEMO_DIR="$scratch/demo" bash Examples/demo.sh "$scratch/venv/bin/relkit"

# pipx, from PyPI into the tools' venv.
"$tools/bin/python" -m pip install --quiet pipx pre-commit >/dev/null 2>&1 || true
check "pipx run --spec WHEEL relkit --version" \
    bash -c "PIPX_HOME='$scratch/pipx' PIPX_BIN_DIR='$scratch/pipx/bin' '$tools/bin/pipx' run --spec '$wheel' relkit --version | grep -qx '$version'"

# The tag is honest: the same wheel named for macOS on arm64 is refused by pip.
other=$scratch/relkit-$version-py3-none-macosx_11_0_arm64.whl
cp "$wheel" "$other"
refused() { ! "$scratch/venv/bin/python" -m pip install --no-index "$1" >"$scratch/refused.log" 2>&1 && grep -q 'is not a supported wheel on this platform' "$scratch/refused.log"; }
check "pip refuses the wheel named for another platform" refused "$other"

# pre-commit: the hooks of this checkout (language: python) install relkit from the wheel; pip
# finds it, and the build backend of the hook package, in a directory of wheels (as from PyPI).
mkdir -p "$scratch/wheels" && cp "$wheel" "$scratch/wheels/"
"$tools/bin/python" -m pip download --quiet -d "$scratch/wheels" 'hatchling>=1.26' >/dev/null 2>&1
bash Examples/demo.sh --setup "$scratch/hooked" >/dev/null
cat >"$scratch/hooked/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $root_dir
    rev: $(git rev-parse HEAD)
    hooks:
      - id: relkit-check
YAML
git -C "$scratch/hooked" add .pre-commit-config.yaml && git -C "$scratch/hooked" commit -q -m "pre-commit configuration"
precommit() { (cd "$scratch/hooked" && PRE_COMMIT_HOME="$scratch/pre-commit" PIP_NO_INDEX=1 PIP_FIND_LINKS="$scratch/wheels" "$tools/bin/pre-commit" run relkit-check --all-files) >"$scratch/hook.log" 2>&1; }
hook_passes() { precommit && grep -q 'relkit check.*Passed' "$scratch/hook.log"; }
hook_fails() { ! precommit && grep -q 'relkit check.*Failed' "$scratch/hook.log" && grep -q 'VERSION' "$scratch/hook.log"; }
check "pre-commit: relkit-check passes on the demo monorepo" hook_passes
echo "26.13.0.dev0" >"$scratch/hooked/VERSION"
check "pre-commit: relkit-check fails on a planted bad version" hook_fails

# action.yml's install step: the wheel when one fits the runner; said, and the source build
# begun, when none does (here with no Swift on PATH, so that it stops at once and says why).
pybin=$(dirname "$(python3 -c 'import sys; print(sys.executable)')")
action() {
    env -i PATH="$pybin:/usr/bin:/bin" HOME="$scratch" GITHUB_ACTION_PATH="$root_dir" GITHUB_PATH="$scratch/github-path" \
        RUNNER_TEMP="$scratch/runner-$1" PIP_NO_INDEX=1 PIP_FIND_LINKS="$2" RELKIT_VERSION="$version" \
        bash Scripts/action-install.sh >"$scratch/action.log" 2>&1
}
from_wheel() { action a "$scratch/wheels" && grep -q "installed from its wheel" "$scratch/action.log" && "$(tail -1 "$scratch/github-path")/relkit" --version | grep -qx "$version"; }
from_source() { mkdir -p "$scratch/no-wheels"; ! action b "$scratch/no-wheels" && grep -q "no wheel of relkit $version fits this runner" "$scratch/action.log" && grep -q "needs Swift 6 to build" "$scratch/action.log"; }
check "action.yml installs the wheel" from_wheel
check "action.yml says when no wheel fits and builds from source" from_source

# Debian 13 with no libgit2, no Swift, no compiler.
if [ "$(id -u)" = 0 ]; then
    bash Scripts/wheel-root.sh "$wheel" && pass "Debian 13 root without libgit2, Swift or a compiler: pip install, --version, the demo" \
        || fail "Debian 13 root without libgit2, Swift or a compiler (see .build/wheel-root.log)"
else
    fail "the Debian 13 root needs root (debootstrap, chroot)"
fi

echo "wheel: $passed checks passed, $failed failed"
[ "$failed" = 0 ]
