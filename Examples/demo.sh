#!/usr/bin/env bash
# make demo: copies the demo monorepo into a scratch git repository with some release history,
# then runs relkit on it. Usage: Examples/demo.sh path/to/relkit
#                  or: Examples/demo.sh --setup DIR   (only the repository, for README's tour)
set -euo pipefail
setup_only=false
if [ "${1:-}" = --setup ]; then
    setup_only=true
    export RELKIT_DEMO_DIR=${2:?usage: demo.sh --setup DIR}
else
    relkit_binary=$(realpath "${1:?usage: demo.sh path/to/relkit}")
    # Call it as `relkit`, so that the commands shown are the ones a user types.
    export PATH="$(dirname "$relkit_binary"):$PATH"
fi
here=$(cd "$(dirname "$0")" && pwd)
demo=${RELKIT_DEMO_DIR:-$(mktemp -d /tmp/relkit-demo.XXXXXX)}
rm -rf "$demo" && mkdir -p "$demo"
cp -a "$here/demo-monorepo/." "$demo/"
cd "$demo"

# A throwaway identity for the demo's commits, unless one is set already.
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-Demo Release Manager} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-release@demo.invalid}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}
git init -q -b main .
# Some history, as real repositories have it: releases, and two tags spelled the old ways.
current=$(cat VERSION)
# Files that change with a release (migrations, a configuration sample, the halfstack's images)
# come from Examples/demo-history/VERSION/.
for version in 26.03.0 26.03.1 26.09.0rc1 26.09.0; do
    echo "$version" > VERSION
    # (cp -R, not -a: a file of the same size and an old mtime would look unchanged to git.)
    if [ -d "$here/demo-history/$version" ]; then cp -R "$here/demo-history/$version/." .; fi
    git add -A && git commit -q -m "release: $version" && git tag -a "$version" -m "Release $version"
done
git tag v0.7.0 && git tag 26.09.1.rc1
echo "$current" > VERSION
git add -A && git commit -q -m "main: start $current"
if $setup_only; then
    echo "Demo monorepo with release history: $demo"
    exit 0
fi

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }
run() { step "$*"; "$@" || echo "(exit $?)"; }

echo "Demo monorepo: $demo"
run relkit status
run relkit check
run relkit version validate "$(cat VERSION)"
step "git tag --list | relkit version validate -"
git tag --list | relkit version validate - || echo "(exit $?: the old-style tags are not spelled as yy.0m wants)"
step "git tag --list | relkit version normalize -"
git tag --list | relkit version normalize -
step "git tag --list | relkit version sort --reverse"
git tag --list | relkit version sort --reverse
# What moving a deployment from one release to another takes: migrations, configuration, images.
run relkit upgrade 26.03.1 26.09.0
step "relkit upgrade 26.09.0 26.03.1 --format markdown   # going back: through the merge revision"
relkit upgrade 26.09.0 26.03.1 --format markdown || echo "(exit $?)"
run relkit version show "$(cat VERSION)"
run relkit version next "$(cat VERSION)" --final
run relkit version next 26.11.0 --next-line
run relkit version next 26.09.0 --pre rc
run relkit version compare 26.9.0 26.09.0

# A mistake CI must catch: a requirement pin in the scheme's spelling instead of PEP 440's.
sed -i 's/^backend.ai-common==26.11.0.dev0$/backend.ai-common==26.11.0dev0/' requirements.txt
step "relkit check   # after breaking a pin in requirements.txt"
relkit check || echo "(exit $?: CI fails here)"
git checkout -q requirements.txt
step "relkit check --tags --format github"
relkit check --tags --format github || echo "(exit $?)"

# The release cycle: cut a line, a release candidate, the final release, a patch release.
run relkit cut 26.11 --pre rc --dry-run
run relkit cut 26.11 --pre rc
run relkit tag --branch 26.11
run relkit tag --branch 26.11 --final
git checkout -q 26.11
run relkit tag
git checkout -q main
run relkit bump 26.05.0 --component client --dry-run
# A fix lands on main first, then goes to the release line with the backport trailers.
mkdir -p src/ai/backend/manager/api
printf 'def list_sessions(sessions):\n    return sorted(sessions or [])\n' > src/ai/backend/manager/api/sessions.py
git add -A && git commit -q -m "fix: list sessions when there are none (#2001)" -m "Signed-off-by: Demo Developer <dev@demo.invalid>"
run relkit backport audit --to 26.11 --only-fixes
run relkit backport main --to 26.11 --dry-run
run relkit backport main --to 26.11
step "git log -1 --format=%B 26.11"
git log -1 --format=%B 26.11
step "git log -1 --format=%B 26.11 | relkit trailers check --require-backport -   # what a commit-msg hook runs"
git log -1 --format=%B 26.11 | relkit trailers check --require-backport -
step "printf 'fix: by hand\\n\\nBackported-To: 26.1\\nsee above\\n' | relkit trailers check -"
printf 'fix: by hand\n\nBackported-To: 26.1\nsee above\n' | relkit trailers check - || echo "(exit $?: the hook refuses this commit)"
run relkit backport audit --to 26.11 --only-fixes
run relkit status
step "git log --graph --oneline --decorate --all"
git log --graph --oneline --decorate --all
