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
- At each size: `relkit upgrade` between refs that many commits apart (the migrations and the
  configuration sample between them) against `git diff --stat` of the same paths, and `relkit
  backport` of 1,000 commits in one call against `git cherry-pick -x` of them (same tree).

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


def best(command, cwd, runs, extra=None):
    results = [measured_rss(command, cwd, extra) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results), results[0][2]


def measured_rss(command, cwd, extra=None, allowed=(0, 1)):
    """Wall seconds, peak resident KiB and standard output of one run. The peak comes from GNU
    time, a small program that forks and execs the command: a child of this Python process would
    count Python's own pages in its peak (the kernel keeps the largest before exec). `allowed`:
    the exit codes that are answers (the audit's 1: commits are missing)."""
    with tempfile.NamedTemporaryFile() as peak, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        code = subprocess.run(["/usr/bin/time", "-o", peak.name, "-f", "%M", *command], cwd=cwd, stdin=subprocess.DEVNULL,
                              stdout=out, stderr=err, env=dict(scale_history.ENV, **(extra or {}))).returncode
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if code not in allowed:
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
    others = []
    reader_off = []
    with tempfile.TemporaryDirectory(prefix="relkit-bench-scale-") as work:
        for size in [int(n) for n in arguments.sizes.split(",")]:
            root = os.path.join(work, f"h{size}")
            expected = set(scale_history.generate(root, size))
            for graph in (False, True):
                if graph:
                    subprocess.run(["git", "commit-graph", "write", "--reachable", "--changed-paths"], cwd=root, check=True)
                relkit_time, relkit_rss, relkit_out = best([relkit, "backport", "audit", "--to", "24.03", "--format", "json"], root, arguments.runs)
                git_time, git_rss, git_out = best(["git", "log", "--cherry-pick", "--right-only", "--no-merges", "--format=%H", "24.03...main"], root, arguments.runs)
                # What the tree reader earns (its switch off: libgit2 reads the trees).
                off_time, off_rss, off_out = best([relkit, "backport", "audit", "--to", "24.03", "--format", "json"], root, 1, {"RELKIT_TREE_READER": "0"})
                reader_off.append((size, graph, off_time, off_rss, relkit_time))
                if off_out != relkit_out:
                    sys.exit(f"bench-scale: the audit's answer changes with the tree reader off at {size}")
                relkit_missing = {c["id"] for c in json.loads(relkit_out)["commits"] if c["status"] == "missing"}
                git_missing = set(git_out.split())
                same = relkit_missing == git_missing == expected
                print(f"{size:>14,} {'yes' if graph else 'no':>5} | {relkit_time:>14.2f} {relkit_rss / 1024:>6.0f} | "
                      f"{git_time:>19.2f} {git_rss / 1024:>6.0f} | {relkit_time / git_time:>9.2f}x | {'yes' if same else 'NO'}")
                if not same:
                    sys.exit(f"bench-scale: the answers differ at {size} (relkit {len(relkit_missing)}, git {len(git_missing)}, expected {len(expected)})")
            others.append((size, *upgrade_and_backport(relkit, root, size, arguments.runs)))
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
        # 50 release branches, then 200: the growth is the lines'.
        branches = "".join(f"create refs/heads/{name} {revisions[index * 7]}\n" for index, name in enumerate(names))
        subprocess.run(["git", "update-ref", "--stdin"], cwd=root, input="".join(branches.splitlines(True)[:49]).encode(), check=True)
        status_50 = best([relkit, "status"], root, arguments.runs)
        subprocess.run(["git", "update-ref", "--stdin"], cwd=root, input="".join(branches.splitlines(True)[49:]).encode(), check=True)
        status_time, status_rss, _ = best([relkit, "status"], root, arguments.runs)
        git_refs_time, git_refs_rss, _ = best(["git", "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"], root, arguments.runs)
        # 1,000 tags of the 5,000: the growth is the tags'.
        tags = subprocess.run(["git", "for-each-ref", "--format=%(refname)", "refs/tags"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
        subprocess.run(["git", "update-ref", "--stdin"], cwd=root, input="".join(f"delete {tag}\n" for tag in tags[1000:]).encode(), check=True)
        tags_1000 = best([relkit, "check", "--tags"], root, arguments.runs)
        if "no findings" not in tags_1000[2]:
            sys.exit(f"bench-scale: check --tags found problems: {tags_1000[2][-400:]}")
        print()
        print(f"{'commits a side':>14} {'graph':>5} | {'audit, tree reader off s':>24} {'MiB':>6} | {'the reader saves':>16}")
        for size, graph, off_time, off_rss, on_time in reader_off:
            print(f"{size:>14,} {'yes' if graph else 'no':>5} | {off_time:>24.2f} {off_rss / 1024:>6.0f} | {100 * (1 - on_time / off_time):>15.0f}%")
        print()
        print(f"{'question':<40} | {'relkit s':>8} {'MiB':>6} | {'git s':>6} {'MiB':>6} | {'ratio':>6}")
        rows = [
            ("check --tags, 5,000 tags", (tags_time, tags_rss), (git_tags_time, git_tags_rss)),
            ("status, 200 release branches", (status_time, status_rss), (git_refs_time, git_refs_rss)),
        ]
        print(f"check --tags: 1,000 tags {tags_1000[0]:.2f} s {tags_1000[1] / 1024:.0f} MiB, 5,000 tags {tags_time:.2f} s {tags_rss / 1024:.0f} MiB; "
              f"status: 50 release branches {status_50[0]:.2f} s {status_50[1] / 1024:.0f} MiB, 200 {status_time:.2f} s {status_rss / 1024:.0f} MiB")
        for size, upgrade_mine, upgrade_theirs, picks_mine, picks_theirs in others:
            rows.append((f"upgrade, refs {size:,} commits apart", upgrade_mine, upgrade_theirs))
            rows.append((f"backport 1,000 picks, {size:,} a side", picks_mine, picks_theirs))
        for question, mine, theirs in rows:
            print(f"{question:<40} | {mine[0]:>8.2f} {mine[1] / 1024:>6.0f} | {theirs[0]:>6.2f} {theirs[1] / 1024:>6.0f} | {mine[0] / theirs[0]:>5.2f}x")


def upgrade_and_backport(relkit, root, size, runs):
    """`relkit upgrade` between main and a tag `size` commits back (the branch point), against git
    reading the same paths (`git diff --stat` of the migrations and the configuration sample);
    then `relkit backport` of 1,000 commits onto 24.03 in one call, against `git cherry-pick -x`
    of the same commits in a detached worktree of 24.03 (its checkout not timed;
    one run: it is slow). The two trees must be the same (git keeps the picks already there as
    empty commits; relkit skips them)."""
    # A tag at the branch point, as users name releases (resolving main~N is a walk of N commits).
    start = "scale-from"
    subprocess.run(["git", "tag", "-f", start, f"main~{size}"], cwd=root, check=True, capture_output=True)
    upgrade = best([relkit, "upgrade", start, "main"], root, runs)
    if f"after switching ({size // scale_history.MIGRATION_EVERY})" not in upgrade[2]:
        sys.exit(f"bench-scale: upgrade did not list {size // scale_history.MIGRATION_EVERY} migrations: {upgrade[2][-600:]}")
    git_upgrade = best(["git", "diff", "--stat", start, "main", "--", "migrations/versions", "configs/sample.toml"], root, runs)

    def rev(name):
        return subprocess.run(["git", "rev-parse", name], cwd=root, capture_output=True, text=True, check=True).stdout.strip()

    # 1,000 commits of main, oldest first, leaving out the changes to the configuration sample
    # (the release branch's differs: they conflict, for git as for relkit).
    def listed(*arguments):
        return subprocess.run(["git", "rev-list", "--reverse", *arguments], cwd=root, capture_output=True, text=True, check=True).stdout.split()

    sample_changes = set(listed("main~2100..main~1000", "--", "configs/sample.toml"))
    chosen = [c for c in listed("main~2100..main~1000") if c not in sample_changes][-1000:]
    tip = rev("24.03")
    picks = []
    for _ in range(runs):
        picks.append(measured_rss([relkit, "backport", *chosen, "--to", "24.03"], root, allowed=(0,)))
        picked_tree = rev("24.03^{tree}")
        subprocess.run(["git", "update-ref", "refs/heads/24.03", tip], cwd=root, check=True)
    worktree = os.path.join(root, ".git", "bench-worktree")
    subprocess.run(["git", "worktree", "add", "-q", "--detach", worktree, tip], cwd=root, check=True, env=scale_history.ENV)
    git_pick = measured_rss(["git", "cherry-pick", "-x", "--allow-empty", "--keep-redundant-commits", *chosen], worktree, allowed=(0,))
    git_tree = rev_in(worktree, "HEAD^{tree}")
    subprocess.run(["git", "worktree", "remove", "--force", worktree], cwd=root, check=True)
    if git_tree != picked_tree:
        sys.exit(f"bench-scale: relkit's and git's picks differ at {size} ({picked_tree} vs {git_tree})")
    return (upgrade[0], upgrade[1]), (git_upgrade[0], git_upgrade[1]), (min(p[0] for p in picks), max(p[1] for p in picks)), git_pick[:2]


def rev_in(directory, name):
    return subprocess.run(["git", "rev-parse", name], cwd=directory, capture_output=True, text=True, check=True).stdout.strip()


if __name__ == "__main__":
    main()
