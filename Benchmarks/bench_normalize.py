#!/usr/bin/env python3
"""Benchmark: normalize 1,000,000 version strings with `relkit version normalize -` and with
Python's packaging (`str(packaging.version.Version(s))`), in the same run, on the same file.

Usage: bench_normalize.py path/to/relkit [--count N] [--runs R] [--invalid PERCENT] [--corpus calver|every]

--corpus every (issue 22): every alternative spelling PEP 440 allows (separators '-', '_', '.',
upper case, alpha/beta/c/pre/preview, rev/r, implicit post releases, leading zeros everywhere,
epochs, local versions) with 8 % invalid lines unless --invalid says otherwise.
Prints a Markdown table: best wall time of R runs, throughput, peak memory, and the ratio.
Both outputs are compared line by line first: a benchmark of different answers means nothing.
With --invalid, that share of the lines are invalid spellings (reported on standard error, which
goes to a file for both tools); both must report the same line numbers.
"""
import argparse, os, platform, random, subprocess, sys, tempfile, time

PEER = r'''
import sys
from packaging.version import Version, InvalidVersion
write = sys.stdout.write
for number, line in enumerate(sys.stdin, 1):
    try:
        write(str(Version(line.rstrip("\r\n"))) + "\n")
    except InvalidVersion:
        sys.stderr.write(f"line {number}: invalid\n")
'''

INVALID = [
    lambda y, m, p: f"{y}.{m:02d}.{p}-foo",
    lambda y, m, p: f"release-{y}.{m:02d}",
    lambda y, m, p: f"{y}..{m:02d}.{p}",
    lambda y, m, p: f"{y}.{m:02d}.{p}rc",
    lambda y, m, p: f"v{y}.{m:02d}.{p}+",
]

def generate(path, count, seed=2026, invalid=0):
    rng = random.Random(seed)
    spellings = [
        lambda y, m, p: f"{y}.{m:02d}.{p}",
        lambda y, m, p: f"{y}.{m:02d}.{p}rc{rng.randint(1, 3)}",
        lambda y, m, p: f"{y}.{m:02d}.{p}.dev{rng.randint(0, 9)}",
        lambda y, m, p: f"{y}.{m}.{p}",
        lambda y, m, p: f"v{y}.{m:02d}.{p}",
        lambda y, m, p: f"{y}.{m:02d}.{p}-RC.0{rng.randint(1, 9)}",
        lambda y, m, p: f"{y}.{m:02d}.{p}dev0",
        lambda y, m, p: f"{y}.{m:02d}.{p}a{rng.randint(1, 4)}.dev",
        lambda y, m, p: f"{y}.{m:02d}.{p}.post{rng.randint(1, 3)}",
    ]
    with open(path, "w") as f:
        for _ in range(count):
            y, m, p = rng.randint(19, 27), rng.randint(1, 12), rng.randint(0, 30)
            kinds = INVALID if rng.random() * 100 < invalid else spellings
            f.write(rng.choice(kinds)(y, m, p) + "\n")

def generate_every(path, count, seed=2026, invalid=8):
    """Every spelling PEP 440 normalizes, and invalid lines among them."""
    rng = random.Random(seed)
    def sep():
        return rng.choice(["", ".", "-", "_"])
    def case(word):
        return rng.choice([word, word.upper(), word.capitalize()])
    def number(value):
        return "0" * rng.randint(0, 2) + str(value)
    def release():
        parts = [number(rng.randint(0, 30)) for _ in range(rng.randint(1, 4))]
        return ".".join(parts)
    pre_words = ["a", "alpha", "b", "beta", "c", "rc", "pre", "preview"]
    suffixes = [
        lambda: "",
        lambda: sep() + case(rng.choice(pre_words)) + sep() + number(rng.randint(0, 9)),
        lambda: sep() + case(rng.choice(pre_words)),                               # implicit 0
        lambda: sep() + case(rng.choice(["post", "rev", "r"])) + sep() + number(rng.randint(0, 9)),
        lambda: "-" + number(rng.randint(1, 9)),                                   # implicit post
        lambda: sep() + case("dev") + sep() + number(rng.randint(0, 9)),
        lambda: sep() + case("dev"),
        lambda: sep() + case(rng.choice(pre_words)) + number(1) + sep() + case("post") + number(2) + sep() + case("dev") + number(3),
    ]
    invalid_spellings = [
        lambda: release() + "-foo",
        lambda: "release-" + release(),
        lambda: release().replace(".", "..", 1) + ".1",
        lambda: release() + "+",
        lambda: release() + "_" + "_" + "1",
        lambda: "1.0-" + case("dev") + "-",
    ]
    with open(path, "w") as f:
        for _ in range(count):
            if rng.random() * 100 < invalid:
                f.write(rng.choice(invalid_spellings)() + "\n")
                continue
            text = release() + rng.choice(suffixes)()
            roll = rng.random()
            if roll < 0.05:
                text = number(rng.randint(1, 2)) + "!" + text                         # an epoch
            elif roll < 0.10:
                text += "+" + rng.choice(["ubuntu-1", "Local_7", "abc.5"])            # a local version
            elif roll < 0.20:
                text = rng.choice(["v", "V"]) + text
            if rng.random() < 0.05:
                text = " " + text + " "                                             # spaces around
            f.write(text + "\n")

def run(command, input_path, output_path):
    """Wall time and peak RSS (KiB) of one child process. GNU time measures the RSS: a child's
    rusage from Python would count the forked interpreter's memory before exec. Standard error
    goes to OUTPUT_PATH.err."""
    with tempfile.NamedTemporaryFile("r") as rss, open(input_path, "rb") as stdin, open(output_path, "wb") as stdout, \
            open(output_path + ".err", "wb") as stderr:
        start = time.perf_counter()
        status = subprocess.call(["/usr/bin/time", "-f", "%M", "-o", rss.name] + command,
                                 stdin=stdin, stdout=stdout, stderr=stderr)
        elapsed = time.perf_counter() - start
        peak = int(rss.read().strip().splitlines()[-1])
    if status not in (0, 1):
        sys.exit(f"{command[0]} failed with status {status}")
    return elapsed, peak

def best(command, input_path, output_path, runs):
    results = [run(command, input_path, output_path) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("relkit")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--invalid", type=float, default=None)
    parser.add_argument("--corpus", choices=["calver", "every"], default="calver")
    args = parser.parse_args()
    relkit = [os.path.abspath(args.relkit), "version", "normalize", "-"]
    peer = [sys.executable, "-c", PEER]
    with tempfile.TemporaryDirectory() as work:
        big, small = os.path.join(work, "big.txt"), os.path.join(work, "small.txt")
        make = generate if args.corpus == "calver" else generate_every
        invalid = args.invalid if args.invalid is not None else (0 if args.corpus == "calver" else 8)
        make(big, args.count, invalid=invalid)
        make(small, args.count // 10, invalid=invalid)
        out_relkit, out_peer = os.path.join(work, "relkit.out"), os.path.join(work, "peer.out")
        relkit_time, relkit_rss = best(relkit, big, out_relkit, args.runs)
        peer_time, peer_rss = best(peer, big, out_peer, args.runs)
        with open(out_relkit, "rb") as a, open(out_peer, "rb") as b:
            if a.read() != b.read():
                sys.exit("relkit and packaging printed different normal forms: not comparable")
        def reported(path):
            with open(path + ".err") as f:
                return [line.split(":", 1)[0] for line in f if line.startswith("line ")]
        invalid_lines = reported(out_relkit)
        if invalid_lines != reported(out_peer):
            sys.exit("relkit and packaging reported different invalid lines: not comparable")
        _, relkit_small_rss = best(relkit, small, out_relkit, 1)
    import packaging
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
          f"Python {platform.python_version()}, packaging {packaging.__version__}")
    print(f"corpus: {args.corpus}")
    print(f"input: {args.count:,} version strings ({len(invalid_lines):,} invalid, reported on standard error to a file), "
          f"best of {args.runs} runs; outputs and reported lines identical\n")
    print("| tool | time (s) | versions/s | peak RSS (MiB) |")
    print("|---|---:|---:|---:|")
    print(f"| relkit version normalize - | {relkit_time:.3f} | {args.count / relkit_time:,.0f} | {relkit_rss / 1024:.1f} |")
    print(f"| packaging Version() + str() | {peer_time:.3f} | {args.count / peer_time:,.0f} | {peer_rss / 1024:.1f} |")
    print(f"\nrelkit throughput = {peer_time / relkit_time:.1f} x packaging's")
    print(f"relkit peak RSS: {relkit_small_rss / 1024:.1f} MiB for {args.count // 10:,} versions, "
          f"{relkit_rss / 1024:.1f} MiB for {args.count:,} (streaming: memory does not grow with input)")

if __name__ == "__main__":
    main()
