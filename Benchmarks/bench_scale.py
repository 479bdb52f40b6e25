#!/usr/bin/env python3
"""make bench-scale (issue 26): relkit's read-only questions on generated histories of 10,000,
30,000 (and with --sizes, 100,000) commits a side, against git's equivalent, side by side: wall
time and peak memory (the child's maximum resident set, from wait4) of each, in one run.

- `relkit backport audit --to 24.03 --format json` against `git log --cherry-pick --right-only
  --no-merges --format=%H 24.03...main`: both answers must name the same missing commits (the
  generator's exact backports are found by git by patch-id, by relkit by trailer or patch-id).
  Then the same with a commit-graph (`git commit-graph write --reachable --changed-paths`).

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
    """Wall seconds, peak resident KiB (wait4's, of this child alone) and standard output of one run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=scale_history.ENV)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode not in (0, 1):
            sys.exit(f"{command} failed ({process.returncode}): {err.read().decode()[-400:]}")
        return elapsed, usage.ru_maxrss, out.read().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("relkit")
    parser.add_argument("--sizes", default="10000,30000")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    relkit = os.path.abspath(arguments.relkit)
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


if __name__ == "__main__":
    main()
