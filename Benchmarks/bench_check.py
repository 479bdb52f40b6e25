#!/usr/bin/env python3
"""Benchmark: `relkit check` on a generated monorepo of 200 packages and 2,000 version-bearing
files, against `bump-my-version show current_version` on the same repository in the same run
(the cost of merely starting a Python peer). Goal: the whole check finishes faster than the peer
starts.

Usage: bench_check.py path/to/relkit [--packages N] [--runs R]
"""
import argparse, os, platform, shutil, subprocess, sys, tempfile, time

VERSION = "26.11.0"  # the same in the scheme's spelling and PEP 440's

FILES = {  # per package: path -> contents; 10 version-bearing files each
    "VERSION": VERSION + "\n",
    "pyproject.toml": '[project]\nname = "mono-{n}"\nversion = "{v}"\ndependencies = ["mono-common=={v}", "attrs>=23"]\n',
    "package.json": '{{\n  "name": "mono-{n}-web",\n  "version": "{v}",\n  "private": true\n}}\n',
    "src/__init__.py": '"""Package {n}."""\n__version__ = "{v}"\n',
    "src/_version.py": 'VERSION = "{v}"\n',
    "setup.cfg": "[metadata]\nname = mono-{n}\nversion = {v}\n",
    "docs/conf.py": 'project = "mono-{n}"\nrelease = "{v}"\n',
    "chart/Chart.yaml": 'apiVersion: v2\nname: mono-{n}\nappVersion: "{v}"\n',
    "requirements.txt": "mono-common=={v}\nmono-core=={v}\nrequests>=2\n",
    "openapi.json": '{{"openapi": "3.0.3", "info": {{"title": "mono-{n}", "version": "v1.20260101"}}, "paths": {{}}}}\n',
}

SPECS = [  # (component, relkit file entry, bump-my-version entry)
    ("version-files", '"packages/*/VERSION"', 'glob = "packages/*/VERSION"'),
    ("pyproject", '{ path = "packages/*/pyproject.toml", toml = "project.version", form = "pep440" }', 'glob = "packages/*/pyproject.toml"'),
    ("web", '{ path = "packages/*/package.json", json = "version" }', 'glob = "packages/*/package.json"'),
    ("init", '{ path = "packages/*/src/__init__.py", pattern = \'__version__ = "{version}"\', form = "pep440" }', 'glob = "packages/*/src/__init__.py"'),
    ("constant", '{ path = "packages/*/src/_version.py", pattern = \'VERSION = "{version}"\', form = "pep440" }', 'glob = "packages/*/src/_version.py"'),
    ("setup", '{ path = "packages/*/setup.cfg", pattern = "version = {version}", form = "pep440" }', 'glob = "packages/*/setup.cfg"'),
    ("docs", '{ path = "packages/*/docs/conf.py", pattern = \'release = "{version}"\', form = "pep440" }', 'glob = "packages/*/docs/conf.py"'),
    ("chart", '{ path = "packages/*/chart/Chart.yaml", pattern = \'appVersion: "{version}"\' }', 'glob = "packages/*/chart/Chart.yaml"'),
]

def generate(root, packages):
    for n in range(packages):
        for relative, template in FILES.items():
            path = os.path.join(root, "packages", f"pkg{n:03d}", relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(template.format(n=f"{n:03d}", v=VERSION))
    with open(os.path.join(root, "VERSION"), "w") as f:
        f.write(VERSION + "\n")
    relkit = ['[version]', 'scheme = "yy.0m"', 'release = "server"', '', '[components.root]', 'files = ["VERSION"]']
    for name, entry, _ in SPECS:
        relkit += ['', f'[components.{name}]', f'files = [{entry}]']
    relkit += ['', '[groups.server]', 'components = ["root", ' + ", ".join(f'"{s[0]}"' for s in SPECS) + ']',
               '', '[api]', 'path = "packages/*/openapi.json"', 'json = "info.version"',
               '', '[[requirements]]', 'files = ["packages/*/requirements.txt", "packages/*/pyproject.toml"]',
               'packages = ["mono-*"]', 'version-of = "server"', '']
    with open(os.path.join(root, ".release.toml"), "w") as f:
        f.write("\n".join(relkit))
    bump = ['[tool.bumpversion]', f'current_version = "{VERSION}"', 'commit = false', 'tag = false', '',
            '[[tool.bumpversion.files]]', 'filename = "VERSION"']
    for _, _, entry in SPECS:
        bump += ['', '[[tool.bumpversion.files]]', entry]
    with open(os.path.join(root, ".bumpversion.toml"), "w") as f:
        f.write("\n".join(bump) + "\n")
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "generated"]):
        subprocess.run(command, cwd=root, check=True, env=env)

def timed(command, cwd, runs):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"{command} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return best, result.stdout

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("relkit")
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bump = shutil.which("bump-my-version")
    if not bump:
        sys.exit("bump-my-version is not installed (pip install bump-my-version)")
    with tempfile.TemporaryDirectory() as root:
        generate(root, args.packages)
        files = sum(len(f) for _, _, f in os.walk(os.path.join(root, "packages")))
        relkit_time, relkit_out = timed([os.path.abspath(args.relkit), "check"], root, args.runs)
        peer_time, peer_out = timed([bump, "show", "current_version"], root, args.runs)
        if peer_out.strip() != VERSION or "clean" not in relkit_out:
            sys.exit(f"unexpected answers: relkit {relkit_out!r}, bump-my-version {peer_out!r}")
    version = subprocess.run([bump, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; Python {platform.python_version()}, {version}")
    print(f"repository: {args.packages} packages, {files} files ({args.packages * 10} version-bearing + VERSION, config); best of {args.runs} runs\n")
    print("| command | time (ms) |")
    print("|---|---:|")
    print(f"| relkit check (every rule; {relkit_out.strip().removeprefix('relkit check: ')}) | {relkit_time * 1000:.1f} |")
    print(f"| bump-my-version show current_version | {peer_time * 1000:.1f} |")
    print(f"\nrelkit's whole check takes {relkit_time / peer_time:.2f} x the time bump-my-version needs to start and print its version "
          f"({peer_time / relkit_time:.1f} x faster)")

if __name__ == "__main__":
    main()
