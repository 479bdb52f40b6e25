#!/usr/bin/env python3
"""Benchmark: release a patch with commit and tag on a 200-package monorepo (2,000 version-bearing
files): `relkit tag` on the release branch vs `bump-my-version bump patch` with commit = true and
tag = true, on copies of the same repository, in the same run.

Both rewrite every version-bearing file (and the internal pins), commit, and tag 26.11.1.
Usage: bench_release.py path/to/relkit [--packages N] [--runs R]
"""
import argparse, os, platform, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_check  # the same generated monorepo

ENV = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")

def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, env=ENV, capture_output=True, text=True).stdout

def template(root, packages):
    """A release branch 26.11 at 26.11.0, tagged, checked out, with both tools configured."""
    bench_check.generate(root, packages)
    text = open(os.path.join(root, ".bumpversion.toml")).read()
    text = text.replace("commit = false", "commit = true").replace("tag = false", 'tag = true\ntag_name = "{new_version}"\nmessage = "release: {new_version}"')
    # The internal pins, which relkit updates from [[requirements]].
    text += '\n[[tool.bumpversion.files]]\nglob = "packages/*/requirements.txt"\n'

    with open(os.path.join(root, ".bumpversion.toml"), "w") as f:
        f.write(text)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "configure", cwd=root)
    git("checkout", "-q", "-b", "26.11", cwd=root)
    git("tag", "-a", "26.11.0", "-m", "Release 26.11.0", cwd=root)

def timed(command, template_dir, work, runs):
    best, last = float("inf"), None
    for run in range(runs):
        copy = os.path.join(work, f"run-{command[0].split('/')[-1]}-{run}")
        shutil.copytree(template_dir, copy, symlinks=True)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=copy, capture_output=True, text=True, env=ENV)
        best = min(best, time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
        last = copy
    return best, last

def outcome(repository):
    """The tag, the files the release commit changed (but bump-my-version's own configuration, where
    it records the current version), and the work tree's status."""
    files = git("diff", "--name-only", "26.11.0", "26.11.1", cwd=repository).split()
    files = [f for f in files if f != ".bumpversion.toml"]
    return git("describe", "--tags", "--exact-match", "HEAD", cwd=repository).strip(), len(files), git("status", "--porcelain", cwd=repository)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("relkit")
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bump = shutil.which("bump-my-version") or sys.exit("bump-my-version is not installed (pip install bump-my-version)")
    with tempfile.TemporaryDirectory() as work:
        base = os.path.join(work, "template")
        os.makedirs(base)
        template(base, args.packages)
        relkit_time, relkit_repo = timed([os.path.abspath(args.relkit), "tag"], base, work, args.runs)
        peer_time, peer_repo = timed([bump, "bump", "patch"], base, work, args.runs)
        relkit_outcome, peer_outcome = outcome(relkit_repo), outcome(peer_repo)
        if relkit_outcome != peer_outcome:
            sys.exit(f"different results: relkit {relkit_outcome}, bump-my-version {peer_outcome}")
    version = subprocess.run([bump, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; Python {platform.python_version()}, {version}")
    print(f"repository: {args.packages} packages, {args.packages * 10} version-bearing files; best of {args.runs} runs, each on a fresh copy")
    print(f"both: tag {relkit_outcome[0]}, a commit changing {relkit_outcome[1]} files, clean work tree\n")
    print("| command | time (ms) |")
    print("|---|---:|")
    print(f"| relkit tag (commit + annotated tag 26.11.1, checkout follows) | {relkit_time * 1000:.1f} |")
    print(f"| bump-my-version bump patch (commit = true, tag = true) | {peer_time * 1000:.1f} |")
    print(f"\nrelkit is {peer_time / relkit_time:.1f} x faster")

if __name__ == "__main__":
    main()
