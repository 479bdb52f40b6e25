#!/usr/bin/env bash
# The install step of action.yml: use the relkit on PATH if there is one; otherwise build this
# checkout of relkit (the action's own directory) and put it on the job's PATH.
set -euo pipefail
if command -v relkit >/dev/null 2>&1; then
    echo "relkit $(relkit --version) is installed: $(command -v relkit)"
    exit 0
fi
root=${GITHUB_ACTION_PATH:?run as a GitHub action step}
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
if ! pkg-config --exists libgit2 2>/dev/null; then
    $sudo apt-get update -qq
    $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgit2-dev libyaml-dev pkg-config
fi
command -v swift >/dev/null || { echo "::error::relkit needs Swift 6 to build (the ubuntu runners have it)"; exit 1; }
swift build -c release --static-swift-stdlib --package-path "$root"
echo "$root/.build/release" >>"${GITHUB_PATH:?}"
echo "relkit built: $root/.build/release/relkit"
