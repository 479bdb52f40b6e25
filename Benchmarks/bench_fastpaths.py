#!/usr/bin/env python3
"""What each fast path earns (docs/ARCHITECTURE.md lists them): the benchmark that motivated it
run with the path on and off (its switch), alternately in one run, on the backport benchmark's
repository (60,000 files, 3,300 commits). Every variant's answer is compared: the backport's tree
and the audit's missing commits must be the same whichever paths are on. A path that saves under
5 % of its command's time is a candidate for removal (issue: "drop what does not pay").

Optionally other binaries (--baseline NAME=PATH, repeatable) run beside, all paths on: how a
build compares with an earlier one on the same rows.

Usage: bench_fastpaths.py RELKIT [--baseline NAME=PATH ...] [--runs R] [--files N] [--commits N]
"""
import argparse, json, os, platform, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_backport import ENV, generate, git  # noqa: E402

SWITCHES = {
    "all on": {},
    "RELKIT_FULL_MERGE=1 (in-memory pick off)": {"RELKIT_FULL_MERGE": "1"},
    "RELKIT_OBJECT_FILES=0 (object-file reader and inflater off)": {"RELKIT_OBJECT_FILES": "0"},
    "RELKIT_SMALL_INFLATER=0 (zlib for every stream)": {"RELKIT_SMALL_INFLATER": "0"},
    "RELKIT_TREE_READER=0 (tree reader off)": {"RELKIT_TREE_READER": "0"},
    "RELKIT_COMMIT_GRAPH=0 (commit-graph reader off)": {"RELKIT_COMMIT_GRAPH": "0"},
}

def run(command, cwd, extra):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=dict(ENV, **extra), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command} with {extra} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return elapsed, result.stdout

def measure(binaries, root, pick, release, runs, graph):
    """Medians (ms) of a one-commit backport and the audit for every (binary, switch) variant."""
    variants = [(name, label, extra) for name in binaries for label, extra in SWITCHES.items()
                if name == "relkit" or label == "all on"]
    if not graph:
        variants = [v for v in variants if "COMMIT_GRAPH" not in v[1]]
    times = {(name, label, row): [] for name, label, _ in variants for row in ("backport", "audit")}
    trees, missing = set(), set()
    for _ in range(runs):
        for name, label, extra in variants:
            git("update-ref", "refs/heads/26.09", release, cwd=root)
            elapsed, _ = run([binaries[name], "backport", pick, "--to", "26.09"], root, extra)
            times[(name, label, "backport")].append(elapsed)
            trees.add(git("rev-parse", "26.09^{tree}", cwd=root).strip())
            git("update-ref", "refs/heads/26.09", release, cwd=root)
            elapsed, out = run([binaries[name], "backport", "audit", "--to", "26.09", "--format", "json"], root, extra)
            times[(name, label, "audit")].append(elapsed)
            missing.add(frozenset(c["id"] for c in json.loads(out)["commits"] if c["status"] == "missing"))
    if len(trees) != 1 or len(missing) != 1:
        sys.exit(f"the variants disagree: {len(trees)} trees, {len(missing)} audit answers")
    return {key: statistics.median(series) * 1000 for key, series in times.items()}, variants

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("relkit")
    parser.add_argument("--baseline", action="append", default=[])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=60000)
    parser.add_argument("--commits", type=int, default=3000)
    args = parser.parse_args()
    binaries = {"relkit": os.path.abspath(args.relkit)}
    for baseline in args.baseline:
        name, _, path = baseline.partition("=")
        binaries[name] = os.path.abspath(path)
    with tempfile.TemporaryDirectory() as work:
        root = os.path.join(work, "repo")
        pick = generate(root, args.files, args.commits)[-1]
        release = git("rev-parse", "26.09", cwd=root).strip()
        results = [("no", *measure(binaries, root, pick, release, args.runs, False))]
        git("commit-graph", "write", "--reachable", "--changed-paths", cwd=root)
        results.append(("yes", *measure(binaries, root, pick, release, args.runs, True)))
        git("update-ref", "refs/heads/26.09", release, cwd=root)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; medians of {args.runs} runs, "
          "variants alternately; trees and audit answers identical in every variant\n")
    print("| commit-graph | binary | variant | backport 1 commit (ms) | off / on | audit (ms) | off / on |")
    print("|---|---|---|---:|---:|---:|---:|")
    for graph, medians, variants in results:
        for name, label, _ in variants:
            b, a = medians[(name, label, "backport")], medians[(name, label, "audit")]
            b0, a0 = medians[("relkit", "all on", "backport")], medians[("relkit", "all on", "audit")]
            print(f"| {graph} | {name} | {label} | {b:.1f} | {b / b0:.2f} | {a:.1f} | {a / a0:.2f} |")

if __name__ == "__main__":
    main()
