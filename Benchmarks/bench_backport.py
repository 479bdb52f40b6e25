#!/usr/bin/env python3
"""Benchmarks for relkit backport, on a generated repository of 60,000 files and thousands of
commits with a release branch (made with git fast-import), all in the same run:

1. backporting 1 and 20 commits: `relkit backport` vs what a developer does by hand in a worktree of
   the release branch: `git cherry-pick -x`, then the trailers added with git interpret-trailers and
   `git commit --amend` (the worktree exists already: its checkout is not timed);
2. relkit's in-memory pick (the fast path) vs libgit2's whole-tree `git_cherrypick_commit`
   (relkit with RELKIT_FULL_MERGE=1), as dry runs, so that only the picking is timed;
3. `relkit backport audit` vs `git log --cherry-pick --right-only --no-merges` (the missing commits
   must be the same).

Rows 1 and 3 run twice: on the repository as fast-import leaves it (no commit-graph, like a fresh
clone), then after `git commit-graph write --reachable --changed-paths` (git gc writes the graph by
default; the changed-path filters once asked for). git reads the same graph in its runs.

Usage: bench_backport.py path/to/relkit [--files N] [--commits N] [--runs R]
"""
import argparse, json, os, platform, random, subprocess, sys, tempfile, time

ENV = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid", RELKIT_LOCK_TIMEOUT="5")

def git(*args, cwd, check=True):
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=check).stdout

def generate(root, files, commits, seed=2026):
    """main: one commit with `files` files, then `commits` commits touching 1-3 files each; release
    branch 26.09 forks at the middle and gets commits of its own. Returns the ids of main's last 20."""
    rng = random.Random(seed)
    paths = [f"src/pkg{n // 200:03d}/mod{(n // 10) % 20:02d}/file_{n % 10}.py" for n in range(files)]
    contents = {p: f"# {p}\nVALUE = {i}\n\ndef f():\n    return VALUE\n" for i, p in enumerate(paths)}
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
    release_files = set(paths[: files // 10])   # the release branch edits these; main's picks avoid them
    commit("main", 1, None, "import", [(p, contents[p]) for p in paths])
    mark, fork = 1, commits // 2
    main_tip = 1
    for n in range(commits):
        mark += 1
        # The last 20 commits (the ones benchmarked) touch files no other commit touches, so that
        # they pick cleanly onto the release branch.
        if n >= commits - 20:
            own = files // 10 + 3 * (n - (commits - 20))
            touched = paths[own: own + rng.randint(1, 3)]
        else:
            touched = rng.sample(paths[files // 10 + 60:], rng.randint(1, 3))
        changes = []
        for path in touched:
            contents[path] += f"# change {n}\n"
            changes.append((path, contents[path]))
        commit("main", mark, main_tip, f"fix: change {n} (#{1000 + n})", changes)
        main_tip = mark
        if n == fork:
            fork_mark = mark
    release_tip = fork_mark
    release_contents = {}
    for n in range(commits // 10):
        mark += 1
        path = rng.choice(sorted(release_files))
        release_contents[path] = release_contents.get(path, contents[path]) + f"# release change {n}\n"
        commit("26.09", mark, release_tip, f"release-only change {n}", [(path, release_contents[path])])
        release_tip = mark
    subprocess.run(["git", "init", "-q", "-b", "main", root], check=True, env=ENV)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input="".join(stream).encode(), check=True, env=ENV)
    git("checkout", "-q", "-f", "main", cwd=root)
    with open(os.path.join(root, ".release.toml"), "w") as f:
        f.write('[components.root]\nfiles = ["VERSION"]\n')
    with open(os.path.join(root, "VERSION"), "w") as f:
        f.write("26.10.0.dev0\n")
    git("add", ".release.toml", "VERSION", cwd=root)
    git("commit", "-q", "-m", "relkit configuration", cwd=root)
    return git("rev-list", "--reverse", "-20", "main~1", cwd=root).split()

def run_timed(command, cwd, env=ENV):
    """Wall time and output of one command, the command alone (peak memory is measured in a
    separate run by `peak_rss`: GNU time, a wrapper process, would add a millisecond here)."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return elapsed, result.stdout

def peak_rss(command, cwd, env=ENV):
    """Peak RSS (KiB, GNU time) of one run of a command."""
    with tempfile.NamedTemporaryFile("r") as rss:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + command, cwd=cwd, env=env, capture_output=True, check=True)
        return int(rss.read().strip().splitlines()[-1])

def by_hand(worktree, picks):
    """git cherry-pick -x, then the trailers, per commit (what a developer runs)."""
    for pick in picks:
        git("cherry-pick", "-x", pick, cwd=worktree)
        message = git("log", "-1", "--format=%B", cwd=worktree)
        edited = subprocess.run(["git", "interpret-trailers", "--trailer", "Backported-From: main", "--trailer", "Backported-To: 26.09"],
                                input=message, capture_output=True, text=True, env=ENV, check=True).stdout
        subprocess.run(["git", "commit", "-q", "--amend", "-F", "-"], cwd=worktree, input=edited, text=True, env=ENV, check=True)

def switch_and_pick(worktree, picks, release):
    """What cherry_picker and most developers do: switch the checkout from main to the release
    branch, pick with -x and the trailers, switch back."""
    git("checkout", "-q", "--detach", release, cwd=worktree)
    by_hand(worktree, picks)
    git("checkout", "-q", "--detach", "main", cwd=worktree)

def pick_micros(relkit, picks, cwd, env):
    """The in-memory picks alone, as RELKIT_TRACE=1 reports them (no process start, no I/O)."""
    result = subprocess.run([relkit, "backport", *picks, "--to", "26.09", "--dry-run"], cwd=cwd, env=dict(env, RELKIT_TRACE="1"),
                            capture_output=True, text=True, check=True)
    return sum(float(line.rsplit(": ", 1)[1].split(" ")[0]) for line in result.stderr.splitlines() if line.startswith("relkit: pick "))

def backport_rows(relkit, root, worktree, picks, release, runs, graph):
    """relkit backport against the git CLI by hand (in a worktree already on the release branch,
    and switching to it and back), for 1 and 20 commits; every tree compared."""
    rows = []
    for count in (1, 20):
        chosen = picks[-count:]
        relkit_best, git_best, switch_best = float("inf"), float("inf"), float("inf")
        for _ in range(runs):
            git("update-ref", "refs/heads/26.09", release, cwd=root)
            elapsed, _ = run_timed([relkit, "backport", *chosen, "--to", "26.09"], root)
            relkit_best = min(relkit_best, elapsed)
            relkit_tree = git("rev-parse", "26.09^{tree}", cwd=root).strip()
            git("update-ref", "refs/heads/26.09", release, cwd=root)
            git("reset", "-q", "--hard", release, cwd=worktree)
            start = time.perf_counter()
            by_hand(worktree, chosen)
            git_best = min(git_best, time.perf_counter() - start)
            git_tree = git("rev-parse", "HEAD^{tree}", cwd=worktree).strip()
            if git_tree != relkit_tree:
                sys.exit(f"different trees for {count} picks: relkit {relkit_tree}, git {git_tree}")
            git("reset", "-q", "--hard", release, cwd=worktree)
            git("checkout", "-q", "--detach", "main", cwd=worktree)
            start = time.perf_counter()
            switch_and_pick(worktree, chosen, release)
            switch_best = min(switch_best, time.perf_counter() - start)
            git("checkout", "-q", "--detach", release, cwd=worktree)
        git("update-ref", "refs/heads/26.09", release, cwd=root)
        relkit_rss = peak_rss([relkit, "backport", *chosen, "--to", "26.09"], root)
        plural = "s" if count > 1 else ""
        rows.append((graph, f"backport {count} commit{plural}: relkit backport", relkit_best, relkit_rss,
                     "git cherry-pick -x + trailers, in a worktree already on the release branch", git_best, None))
        rows.append((graph, f"backport {count} commit{plural}: relkit backport", relkit_best, relkit_rss,
                     "git checkout of the release branch, cherry-pick -x + trailers, checkout back (as cherry_picker)", switch_best, None))
    git("update-ref", "refs/heads/26.09", release, cwd=root)
    return rows

def audit_rows(relkit, root, runs, graph):
    """relkit backport audit against git log --cherry-pick; the missing commits must be the same."""
    audit = min(run_timed([relkit, "backport", "audit", "--to", "26.09"], root)[0] for _ in range(runs))
    audit_rss = peak_rss([relkit, "backport", "audit", "--to", "26.09"], root)
    command = ["git", "log", "--cherry-pick", "--right-only", "--no-merges", "--format=%H", "26.09...main"]
    git_log, git_out = min((run_timed(command, root) for _ in range(runs)), key=lambda r: r[0])
    git_log_rss = peak_rss(command, root)
    # The answer, checked once (untimed): JSON carries full ids.
    audit_out = run_timed([relkit, "backport", "audit", "--to", "26.09", "--format", "json"], root)[1]
    missing = {entry["id"] for entry in json.loads(audit_out)["commits"] if entry["status"] == "missing"}
    if missing != set(git_out.split()):
        sys.exit(f"audit: relkit and git disagree on {len(missing ^ set(git_out.split()))} commits")
    return [(graph, "audit: relkit backport audit", audit, audit_rss, "git log --cherry-pick --right-only --no-merges", git_log, git_log_rss)]

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("relkit")
    parser.add_argument("--files", type=int, default=60000)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    relkit = os.path.abspath(args.relkit)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        root = os.path.join(work, "repo")
        started = time.perf_counter()
        picks = generate(root, args.files, args.commits)
        setup = time.perf_counter() - started
        release = git("rev-parse", "26.09", cwd=root).strip()
        worktree = os.path.join(work, "release")
        git("worktree", "add", "-q", "--detach", worktree, "26.09", cwd=root)
        tracked = len(git("ls-files", cwd=root).split("\n")) - 1
        total_commits = int(git("rev-list", "--count", "--all", cwd=root))

        rows += backport_rows(relkit, root, worktree, picks, release, args.runs, "no")
        rows += audit_rows(relkit, root, args.runs, "no")

        git("update-ref", "refs/heads/26.09", release, cwd=root)
        for count in (1, 20):
            chosen = picks[-count:]
            fast = min(run_timed([relkit, "backport", *chosen, "--to", "26.09", "--dry-run"], root)[0] for _ in range(args.runs))
            fast_rss = peak_rss([relkit, "backport", *chosen, "--to", "26.09", "--dry-run"], root)
            full_env = dict(ENV, RELKIT_FULL_MERGE="1")
            full = min(run_timed([relkit, "backport", *chosen, "--to", "26.09", "--dry-run"], root, full_env)[0] for _ in range(args.runs))
            full_rss = peak_rss([relkit, "backport", *chosen, "--to", "26.09", "--dry-run"], root, full_env)
            rows.append(("no", f"pick {count} commit{'s' if count > 1 else ''} in memory (dry run): relkit's fast path", fast, fast_rss,
                         "libgit2 git_cherrypick_commit (RELKIT_FULL_MERGE=1)", full, full_rss))

        for count in (1, 20):
            chosen = picks[-count:]
            fast = min(pick_micros(relkit, chosen, root, ENV) for _ in range(args.runs))
            full = min(pick_micros(relkit, chosen, root, dict(ENV, RELKIT_FULL_MERGE="1")) for _ in range(args.runs))
            plural = "s" if count > 1 else ""
            rows.append(("no", f"the pick{plural} alone ({count}, RELKIT_TRACE): relkit's fast path", fast / 1e6, None,
                         "libgit2 git_cherrypick_commit", full / 1e6, None))

        # The same repository with the commit-graph git gc writes (gc.writeCommitGraph is on by
        # default), with changed-path Bloom filters (once asked for, later writes keep them).
        git("update-ref", "refs/heads/26.09", release, cwd=root)
        started = time.perf_counter()
        git("commit-graph", "write", "--reachable", "--changed-paths", cwd=root)
        graph_seconds = time.perf_counter() - started
        rows += backport_rows(relkit, root, worktree, picks, release, args.runs, "yes")
        rows += audit_rows(relkit, root, args.runs, "yes")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
          f"{subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}")
    print(f"repository: {tracked:,} files, {total_commits:,} commits, release branch 26.09 with {args.commits // 10} commits of its own "
          f"(generated in {setup:.1f} s; commit-graph with changed paths written in {graph_seconds:.1f} s); "
          f"best of {args.runs} runs; trees and audit answers compared with git's\n")
    print("| commit-graph | what | relkit (ms) | relkit peak RSS (MiB) | peer | peer (ms) | peer peak RSS (MiB) | ratio |")
    print("|---|---|---:|---:|---|---:|---:|---:|")
    for graph, name, ours, ours_rss, peer, theirs, theirs_rss in rows:
        print(f"| {graph} | {name} | {ours * 1000:.1f} | {'-' if ours_rss is None else f'{ours_rss / 1024:.1f}'} | {peer} | {theirs * 1000:.1f} | "
              f"{'-' if theirs_rss is None else f'{theirs_rss / 1024:.1f}'} | {theirs / ours:.1f} x |")

if __name__ == "__main__":
    main()
