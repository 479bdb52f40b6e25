#!/usr/bin/env python3
"""Long backports (issue 22): `relkit backport A..B --to 26.09` against `git cherry-pick A..B` on a
checkout of the release branch, for 100, 300 and 1,000 non-conflicting fixes, side by side; then
the same ranges again when every commit is on the release branch already (relkit skips each, git
would stop on the first empty pick) against `relkit backport audit`.

The repository (git fast-import): 10,000 files in 100 directories; main gets 1,000 fixes of one or
two files each after the release branch forks, each with a pull request number; the release branch
has commits of its own on other files. Each run starts from the same release-branch tip: relkit on
the repository (main checked out, the release branch moved by relkit), git in a worktree already on
the release branch (its checkout is not timed). The two trees must be the same.

Goals (issue 22): 300 picks at least 5x faster than git; 300 picks costing at most 4x 100.

Usage: bench_backport_range.py path/to/relkit [--runs R] [--sizes 100,300,1000]
"""
import argparse, os, platform, random, subprocess, sys, tempfile, time

ENV = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid", RELKIT_LOCK_TIMEOUT="5")
FILES, FIXES = 10000, 1000

def git(*args, cwd, check=True):
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=check).stdout

def generate(root, seed=2026):
    rng = random.Random(seed)
    paths = [f"src/pkg{n // 100:03d}/mod_{n % 100:02d}.py" for n in range(FILES)]
    contents = {p: f"# {p}\nVALUE = {i}\n" for i, p in enumerate(paths)}
    stream = []
    def commit(branch, mark, parent, message, changes):
        stream.append(f"commit refs/heads/{branch}\nmark :{mark}\ncommitter bench <bench@example.invalid> {1790000000 + mark} +0000\n")
        data = message.encode()
        stream.append(f"data {len(data)}\n{message}\n")
        if parent:
            stream.append(f"from :{parent}\n")
        for path, text in changes:
            blob = text.encode()
            stream.append(f"M 100644 inline {path}\ndata {len(blob)}\n{text}\n")
    commit("main", 1, None, "import", [(p, contents[p]) for p in paths] +
           [(".release.toml", '[components.root]\nfiles = ["VERSION"]\n'), ("VERSION", "26.10.0.dev0\n")])
    commit("26.09", 2, 1, "release-only change", [(paths[0], contents[paths[0]] + "# release\n")])
    # Each fix touches files no other commit touches (the release branch edits paths[0]), so that
    # any last N of them pick cleanly.
    untouched = paths[100:]
    rng.shuffle(untouched)
    mark, tip = 2, 1
    for n in range(FIXES):
        mark += 1
        changes = []
        for path in [untouched.pop() for _ in range(rng.randint(1, 2))]:
            contents[path] += f"# fix {n}\n"
            changes.append((path, contents[path]))
        commit("main", mark, tip, f"fix: change {n} (#{2000 + n})\n\nWhy change {n} was needed.", changes)
        tip = mark
    subprocess.run(["git", "init", "-q", "-b", "main", root], check=True, env=ENV)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input="".join(stream).encode(), check=True, env=ENV)
    git("checkout", "-q", "-f", "main", cwd=root)

def timed(command, cwd, env=ENV):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return elapsed

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("relkit")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,300,1000")
    args = parser.parse_args()
    relkit = os.path.abspath(args.relkit)
    sizes = [int(n) for n in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        root = os.path.join(work, "repo")
        generate(root)
        release = git("rev-parse", "26.09", cwd=root).strip()
        worktree = os.path.join(work, "release")
        git("worktree", "add", "-q", "--detach", worktree, release, cwd=root)
        figures = {}
        for size in sizes:
            rng = f"main~{size}..main"
            relkit_best = git_best = again_best = float("inf")
            for _ in range(args.runs):
                git("update-ref", "refs/heads/26.09", release, cwd=root)
                relkit_best = min(relkit_best, timed([relkit, "backport", rng, "--to", "26.09"], root))
                relkit_tree = git("rev-parse", "26.09^{tree}", cwd=root).strip()
                picked = int(git("rev-list", "--count", f"{release}..26.09", cwd=root))
                if picked != size:
                    sys.exit(f"relkit picked {picked} of {size}")
                # Everything is there now: the same range again skips every commit.
                again_best = min(again_best, timed([relkit, "backport", rng, "--to", "26.09"], root))
                git("reset", "-q", "--hard", release, cwd=worktree)
                git_best = min(git_best, timed(["git", "cherry-pick", rng], worktree))
                git_tree = git("rev-parse", "HEAD^{tree}", cwd=worktree).strip()
                if git_tree != relkit_tree:
                    sys.exit(f"{size} picks: relkit's tree {relkit_tree}, git's {git_tree}")
            audit = min(timed([relkit, "backport", "audit", "--to", "26.09"], root) for _ in range(args.runs))
            figures[size] = relkit_best
            rows.append((size, relkit_best, git_best, again_best, audit))
        git("update-ref", "refs/heads/26.09", release, cwd=root)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"{git('--version', cwd='.').strip()}; best of {args.runs}; {FILES:,} files")
    print("| picks | relkit backport (s) | git cherry-pick (s) | git / relkit | relkit, all there already (s) | backport audit (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, relkit_s, git_s, again_s, audit_s in rows:
        print(f"| {size:,} | {relkit_s:.3f} | {git_s:.3f} | {git_s / relkit_s:.1f} x | {again_s:.3f} | {audit_s:.3f} |")
    if 100 in figures and 300 in figures:
        print(f"\n300 picks cost {figures[300] / figures[100]:.2f}x 100 picks (goal: at most 4x)")
    if 300 in figures and 1000 in figures:
        print(f"1,000 picks cost {figures[1000] / figures[300]:.2f}x 300 picks")

if __name__ == "__main__":
    main()
