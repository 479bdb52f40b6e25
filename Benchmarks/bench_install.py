#!/usr/bin/env python3
"""make bench-install: from nothing to the first `relkit check`, the wheel against the source build.

Wheel: a fresh venv, `pip install` of dist's wheel (no index: the file), `relkit check` on the demo
monorepo. Source: what action.yml did before the wheel: a fresh clone of this checkout, `swift build
-c release --static-swift-stdlib` (the Swift packages already in SwiftPM's cache, libgit2-dev
installed: the build alone), `relkit check`. Both checks must print the same. Then process start
(`relkit --version`, median of 200) of the wheel's stripped binary against the unstripped static
one it was made from: stripping must not slow it.

Usage: bench_install.py WHEEL STATIC_BINARY
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*command, cwd=None):
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)


def timed(steps):
    started = time.perf_counter()
    outputs = [run(*command, cwd=cwd).stdout for command, cwd in steps]
    return time.perf_counter() - started, outputs[-1]


def startup(binary, runs=200):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([binary, "--version"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    wheel, static = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="relkit-bench-install-")
    try:
        demo = os.path.join(work, "demo")
        run("bash", os.path.join(ROOT, "Examples", "demo.sh"), "--setup", demo)
        venv = os.path.join(work, "venv")
        wheel_time, wheel_check = timed([
            ([sys.executable, "-m", "venv", venv], None),
            ([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", "--no-index", wheel], None),
            ([os.path.join(venv, "bin", "relkit"), "check"], demo),
        ])
        clone = os.path.join(work, "relkit")
        source_time, source_check = timed([
            (["git", "clone", "-q", ROOT, clone], None),
            (["swift", "build", "-c", "release", "--static-swift-stdlib"], clone),
            ([os.path.join(clone, ".build", "release", "relkit"), "check"], demo),
        ])
        if wheel_check != source_check:
            sys.exit(f"bench-install: the two checks differ:\n{wheel_check}\n{source_check}")
        stripped = startup(os.path.join(venv, "bin", "relkit"))
        unstripped = startup(static)
        print(f"{'install to first check':<28} {'seconds':>9}")
        print(f"{'wheel (venv, pip, check)':<28} {wheel_time:>9.2f}")
        print(f"{'source (clone, build, check)':<28} {source_time:>9.2f}")
        print(f"the wheel is {source_time / wheel_time:.0f}x faster to the first check")
        print(f"process start (relkit --version, median of 200): wheel's stripped binary {stripped * 1000:.2f} ms, "
              f"the static binary {unstripped * 1000:.2f} ms ({stripped / unstripped:.2f}x)")
        print(f"sizes: wheel {os.path.getsize(wheel) // 1024} KiB, installed binary "
              f"{os.path.getsize(os.path.join(venv, 'bin', 'relkit')) // 1024} KiB, static binary {os.path.getsize(static) // 1024} KiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
