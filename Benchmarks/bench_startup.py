#!/usr/bin/env python3
"""What the opt-in static build buys: the default build (the system's libgit2, loaded at start)
against the static one (`make release-static`: libgit2 and its libraries linked in, with the
stubs of Sources/StaticLinkStubs), in the same run, alternately, on the same inputs:

1. `relkit --version`: process start alone (no repository, libgit2 not initialised);
2. `relkit status` in the backport benchmark's repository: start, libgit2's initialisation, the
   repository and its configuration opened;
3. a one-commit `relkit backport` on that repository (no commit-graph), with git by hand
   (`git cherry-pick -x` + trailers in a worktree already on the release branch) as the peer.

Usage: bench_startup.py DEFAULT_RELKIT STATIC_RELKIT [--runs R] [--files N] [--commits N]
"""
import argparse, os, platform, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_backport import ENV, by_hand, generate, git  # noqa: E402

def timed(command, cwd):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return elapsed

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("default")
    parser.add_argument("static")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--files", type=int, default=60000)
    parser.add_argument("--commits", type=int, default=3000)
    args = parser.parse_args()
    builds = {"default (system libgit2)": os.path.abspath(args.default), "static (make release-static)": os.path.abspath(args.static)}
    needed = {name: subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout.count("(NEEDED)")
              for name, path in builds.items()}
    times = {(name, row): [] for name in builds for row in ("version", "status", "backport")}
    by_hand_times = []
    with tempfile.TemporaryDirectory() as work:
        root = os.path.join(work, "repo")
        pick = generate(root, args.files, args.commits)[-1]
        release = git("rev-parse", "26.09", cwd=root).strip()
        worktree = os.path.join(work, "release")
        git("worktree", "add", "-q", "--detach", worktree, "26.09", cwd=root)
        trees = set()
        for _ in range(args.runs):
            # Alternately, so that the machine's drift falls on both builds alike.
            for name, relkit in builds.items():
                times[(name, "version")].append(timed([relkit, "--version"], root))
                times[(name, "status")].append(timed([relkit, "status"], root))
                git("update-ref", "refs/heads/26.09", release, cwd=root)
                times[(name, "backport")].append(timed([relkit, "backport", pick, "--to", "26.09"], root))
                trees.add(git("rev-parse", "26.09^{tree}", cwd=root).strip())
            git("reset", "-q", "--hard", release, cwd=worktree)
            start = time.perf_counter()
            by_hand(worktree, [pick])
            by_hand_times.append(time.perf_counter() - start)
            trees.add(git("rev-parse", "HEAD^{tree}", cwd=worktree).strip())
        git("update-ref", "refs/heads/26.09", release, cwd=root)
        if len(trees) != 1:
            sys.exit(f"the builds and git made different trees: {trees}")
    libgit2 = subprocess.run(["pkg-config", "--modversion", "libgit2"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; libgit2 {libgit2}; "
          f"{args.runs} runs of each, alternately; shared libraries loaded: "
          + ", ".join(f"{name} {count}" for name, count in needed.items()) + "\n")
    print("| command | build | best (ms) | median (ms) | static / default (median) | git by hand / relkit (median) |")
    print("|---|---|---:|---:|---:|---:|")
    names = list(builds)
    labels = {"version": "relkit --version", "status": "relkit status", "backport": "relkit backport (1 commit, no commit-graph)"}
    git_median = statistics.median(by_hand_times)
    for row, label in labels.items():
        base = statistics.median(times[(names[0], row)])
        for name in names:
            series = times[(name, row)]
            median = statistics.median(series)
            versus_git = f"{git_median / median:.1f} x" if row == "backport" else "-"
            print(f"| {label} | {name} | {min(series) * 1000:.1f} | {median * 1000:.1f} | {median / base:.2f} | {versus_git} |")
    print(f"| git cherry-pick -x + trailers, by hand | - | {min(by_hand_times) * 1000:.1f} | {git_median * 1000:.1f} | - | 1.0 x |")

if __name__ == "__main__":
    main()
