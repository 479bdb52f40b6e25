#!/usr/bin/env python3
"""make bench-scale (issue 26): relkit's read-only questions on generated histories of 10,000,
30,000 (and with --sizes, 100,000) commits a side, against git's equivalent, side by side: wall
time and peak memory (the command's maximum resident set, by GNU time) of each, in one run.

- `relkit backport audit --to 24.03 --format json` against `git log --cherry-pick --right-only
  --no-merges --format=%H 24.03...main`: both answers must name the same missing commits (the
  generator's exact backports are found by git by patch-id, by relkit by trailer or patch-id).
  Then the same with a commit-graph (`git commit-graph write --reachable --changed-paths`).
- `relkit check --tags` on 5,000 release tags (a history of 10,000 commits a side whose release
  branch has 5,000 release commits, each tagged) against git reading VERSION at every tag
  (`git for-each-ref refs/tags | git cat-file --batch`); both must find every tag consistent.
- `relkit status` with 200 release branches against `git for-each-ref` of the same refs.

The histories come from Benchmarks/scale_history.py (seeded). Usage:
bench_scale.py RELKIT [--sizes 10000,30000] [--runs R]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale_history  # noqa: E402


def best(command, cwd, runs):
    results = [measured_rss(command, cwd) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results), results[0][2]


def measured_rss(command, cwd):
    """Wall seconds, peak resident KiB and standard output of one run. The peak comes from GNU
    time, a small program that forks and execs the command: a child of this Python process would
    count Python's own pages in its peak (the kernel keeps the largest before exec)."""
    with tempfile.NamedTemporaryFile() as peak, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        code = subprocess.run(["/usr/bin/time", "-o", peak.name, "-f", "%M", *command], cwd=cwd, stdin=subprocess.DEVNULL,
                              stdout=out, stderr=err, env=scale_history.ENV).returncode
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if code not in (0, 1):
            sys.exit(f"{command} failed ({code}): {err.read().decode()[-400:]}")
        return elapsed, int(open(peak.name).read().split()[-1]), out.read().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("relkit")
    parser.add_argument("--sizes", default="10000,30000")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    relkit = os.path.abspath(arguments.relkit)
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("bench-scale: GNU time is missing (apt-get install time): it measures each command's peak memory")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
          f"{subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}; best of {arguments.runs}")
    print(f"{'commits a side':>14} {'graph':>5} | {'relkit audit s':>14} {'MiB':>6} | {'git --cherry-pick s':>19} {'MiB':>6} | {'time ratio':>10} | same answer")
    with tempfile.TemporaryDirectory(prefix="relkit-bench-scale-") as work:
        for size in [int(n) for n in arguments.sizes.split(",")]:
            root = os.path.join(work, f"h{size}")
            expected = set(scale_history.generate(root, size))
            for graph in (False, True):
                if graph:
                    subprocess.run(["git", "commit-graph", "write", "--reachable", "--changed-paths"], cwd=root, check=True)
                relkit_time, relkit_rss, relkit_out = best([relkit, "backport", "audit", "--to", "24.03", "--format", "json"], root, arguments.runs)
                git_time, git_rss, git_out = best(["git", "log", "--cherry-pick", "--right-only", "--no-merges", "--format=%H", "24.03...main"], root, arguments.runs)
                relkit_missing = {c["id"] for c in json.loads(relkit_out)["commits"] if c["status"] == "missing"}
                git_missing = set(git_out.split())
                same = relkit_missing == git_missing == expected
                print(f"{size:>14,} {'yes' if graph else 'no':>5} | {relkit_time:>14.2f} {relkit_rss / 1024:>6.0f} | "
                      f"{git_time:>19.2f} {git_rss / 1024:>6.0f} | {relkit_time / git_time:>9.2f}x | {'yes' if same else 'NO'}")
                if not same:
                    sys.exit(f"bench-scale: the answers differ at {size} (relkit {len(relkit_missing)}, git {len(git_missing)}, expected {len(expected)})")
        # Tags and branches, on a history of 10,000 commits a side.
        root = os.path.join(work, "tags")
        scale_history.generate(root, 10000, tags=5000)
        tags_time, tags_rss, tags_out = best([relkit, "check", "--tags"], root, arguments.runs)
        if "no findings" not in tags_out:
            sys.exit(f"bench-scale: check --tags found problems: {tags_out[-400:]}")
        read_versions = "git for-each-ref --format='%(refname):VERSION' refs/tags | git cat-file --batch"
        git_tags_time, git_tags_rss, git_tags_out = best(["sh", "-c", read_versions], root, arguments.runs)
        if git_tags_out.count(" blob ") != 5000:
            sys.exit("bench-scale: git did not read VERSION at 5,000 tags")
        revisions = subprocess.run(["git", "rev-list", "24.03"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
        names = [f"{year:02d}.{month:02d}" for year in range(8, 26) for month in range(1, 13) if f"{year:02d}.{month:02d}" != "24.03"][:199]
        branches = "".join(f"create refs/heads/{name} {revisions[index * 7]}\n" for index, name in enumerate(names))
        subprocess.run(["git", "update-ref", "--stdin"], cwd=root, input=branches.encode(), check=True)
        status_time, status_rss, _ = best([relkit, "status"], root, arguments.runs)
        git_refs_time, git_refs_rss, _ = best(["git", "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"], root, arguments.runs)
        print()
        print(f"{'question':<40} | {'relkit s':>8} {'MiB':>6} | {'git s':>6} {'MiB':>6} | {'ratio':>6}")
        for question, mine, theirs in [
            ("check --tags, 5,000 tags", (tags_time, tags_rss), (git_tags_time, git_tags_rss)),
            ("status, 200 release branches", (status_time, status_rss), (git_refs_time, git_refs_rss)),
        ]:
            print(f"{question:<40} | {mine[0]:>8.2f} {mine[1] / 1024:>6.0f} | {theirs[0]:>6.2f} {theirs[1] / 1024:>6.0f} | {mine[0] / theirs[0]:>5.2f}x")


if __name__ == "__main__":
    main()
