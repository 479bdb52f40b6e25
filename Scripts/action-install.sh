#!/usr/bin/env bash
# The install step of action.yml: the relkit on PATH if there is one; else relkit's wheel (the
# static binary) of RELKIT_VERSION (the action's input `version`; default: the action's own
# version, its VERSION file) into a venv put on the job's PATH; else, when no wheel fits the
# runner (another OS or architecture), this checkout of relkit built from source. Says which.
set -euo pipefail
if command -v relkit >/dev/null 2>&1; then
    echo "relkit $(relkit --version) is installed: $(command -v relkit)"
    exit 0
fi
root=${GITHUB_ACTION_PATH:?run as a GitHub action step}
version=${RELKIT_VERSION:-}
[ -n "$version" ] || version=$(cat "$root/VERSION")
venv=${RUNNER_TEMP:-/tmp}/relkit-venv
if python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "relkit==$version" 2>"$venv.log"; then
    echo "$venv/bin" >>"${GITHUB_PATH:?}"
    echo "relkit $("$venv/bin/relkit" --version) installed from its wheel ($(cd "$venv" && ls lib/python*/site-packages | grep -m1 '^relkit-.*dist-info$'))"
    exit 0
fi
echo "no wheel of relkit $version fits this runner ($(uname -s) $(uname -m): $(tail -1 "$venv.log" 2>/dev/null)); building relkit from source"
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
if ! pkg-config --exists libgit2 2>/dev/null || ! pkg-config --exists yaml-0.1 2>/dev/null; then
    $sudo apt-get update -qq
    $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgit2-dev libyaml-dev pkg-config
fi
command -v swift >/dev/null || { echo "::error::relkit needs Swift 6 to build (the ubuntu runners have it)"; exit 1; }
swift build -c release --static-swift-stdlib --package-path "$root"
echo "$root/.build/release" >>"${GITHUB_PATH:?}"
echo "relkit built from source: $root/.build/release/relkit"
