#!/usr/bin/env python3
"""A generated history at the scale of large monorepos (issue 26), seeded, by git fast-import.

main: BASE commits, then the release branch 24.03 forks (its first commit sets VERSION to 24.03.0),
then COMMITS more on main, each adding one file (subjects alternate fix:/feat:, each with a pull
request number; every 200th also adds an alembic revision, and one half-way between changes
configs/sample.toml: what `relkit upgrade` reads). The release branch gets every 30th of those as an exact backport (the same file,
the original message with `(cherry picked from commit <id>)`, `Backported-From: main` and
`Backported-To: 24.03`), and a release-only fix every 60th. BASE defaults to COMMITS, so that
main since the branch point and the release branch are about the same size (10,000 / 10,500). No
commit-graph file is written (`git commit-graph write` makes one). With TAGS, the release branch
also gets TAGS release commits, spread evenly, each setting VERSION to 24.03.N and tagged so
(lightweight): `relkit check --tags` finds every tag consistent.

Usage: scale_history.py DIR --commits N [--base B] [--seed S] [--tags T]
Prints the ids of main's commits that the release branch lacks (the expected answer) to
DIR/.git/expected-missing, one per line, oldest first.
"""
import argparse
import os
import random
import subprocess

ENV = dict(os.environ, GIT_AUTHOR_NAME="scale", GIT_AUTHOR_EMAIL="scale@example.invalid",
           GIT_COMMITTER_NAME="scale", GIT_COMMITTER_EMAIL="scale@example.invalid")
START = 1700000000


class Stream:
    def __init__(self):
        self.parts = []

    def commit(self, branch, mark, when, message, parent, files):
        self.parts.append(f"commit refs/heads/{branch}\nmark :{mark}\n"
                          f"author scale <scale@example.invalid> {when} +0000\n"
                          f"committer scale <scale@example.invalid> {when} +0000\n")
        data = message.encode()
        self.parts.append(f"data {len(data)}\n{message}\n")
        if parent:
            self.parts.append(f"from :{parent}\n")
        for path, text in files:
            blob = text.encode()
            self.parts.append(f"M 100644 inline {path}\ndata {len(blob)}\n{text}\n")

    def run(self, root, *options):
        subprocess.run(["git", "fast-import", "--quiet", *options], cwd=root, env=ENV,
                       input="".join(self.parts).encode(), check=True)


# Every this many commits main gets an alembic revision (one line of history, each revising the
# one before) and, half-way between, a change to the configuration sample: what `relkit upgrade`
# reads between two refs.
MIGRATION_EVERY = 200


class Migrations:
    def __init__(self):
        self.last = None

    def every(self, n):
        if n % MIGRATION_EVERY:
            return []
        revision = f"{n // MIGRATION_EVERY:012x}"
        down = f'"{self.last}"' if self.last else "None"
        text = (f'\"\"\"step {n}\n\nRevision ID: {revision}\nRevises: {self.last or ""}\n\"\"\"\n'
                f'revision = "{revision}"\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\n'
                f'def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n')
        self.last = revision
        return [(f"migrations/versions/{revision}_step.py", text)]


def sample(n):
    return f'[server]\nport = {8000 + n % 1000}\nworkers = {1 + n % 7}\n\n[cache.option{n}]\nsize = {n}\n'


def generate(root, commits, base=None, seed=2026, tags=0):
    base = commits if base is None else base
    root = os.path.abspath(root)
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", root], check=True, env=ENV)
    marks = os.path.join(root, ".git", "scale-marks")
    # Pass 1: main (base, then the commits after the branch point).
    first = Stream()
    config = ('[version]\nscheme = "yy.0m"\n\n[components.root]\nfiles = ["VERSION"]\n\n'
              '[upgrade]\nconfig-samples = ["configs/sample.toml"]\n\n'
              '[[upgrade.migrations]]\nname = "db"\npath = "migrations/versions"\n')
    first.commit("main", 1, START, "import", None, [(".release.toml", config), ("VERSION", "24.03.0.dev0\n"), ("configs/sample.toml", sample(0))])
    mark = 1
    migrations = Migrations()
    for n in range(base):
        mark += 1
        first.commit("main", mark, START + mark * 60, f"feat: base change {n} (#{n + 1})\n", mark - 1,
                     [(f"base/d{n // 500:03d}/f{n:06d}.txt", f"base {n} {rng.random()}\n")] + migrations.every(n))
    branch_point = mark
    after = []
    for n in range(commits):
        mark += 1
        kind = "fix" if n % 2 == 0 else "feat"
        number = 100000 + n
        message = f"{kind}: change {n} (#{number})\n\nWhy change {n} was needed.\n"
        path = f"src/d{n // 500:03d}/f{n:06d}.txt"
        text = f"change {n} {rng.random()}\n"
        extra = migrations.every(base + n)
        # Never on a commit the release branch gets (those are even): its diff would differ there.
        if n % MIGRATION_EVERY == MIGRATION_EVERY // 2 + 1:
            extra.append(("configs/sample.toml", sample(n)))
        first.commit("main", mark, START + mark * 60, message, mark - 1, [(path, text)] + extra)
        after.append((mark, message, [(path, text)] + extra))
    first.run(root, f"--export-marks={marks}")
    ids = {}
    with open(marks) as handle:
        for line in handle:
            number, sha = line.split()
            ids[int(number[1:])] = sha
    # Pass 2: the release branch, naming main's commits by their ids.
    second = Stream()
    mark += 1
    second.commit("24.03", mark, START + branch_point * 60 + 30, "release: 24.03.0\n", branch_point, [("VERSION", "24.03.0\n")])
    parent = mark
    missing = []
    release_marks = [mark]
    release_tags = []
    for index, (main_mark, message, files) in enumerate(after):
        if index % 30 == 0:
            mark += 1
            backport = f"{message}\n(cherry picked from commit {ids[main_mark]})\nBackported-From: main\nBackported-To: 24.03\n"
            second.commit("24.03", mark, START + main_mark * 60 + 30, backport, parent, files)
            parent = mark
            release_marks.append(mark)
        else:
            missing.append(ids[main_mark])
        if tags and index % max(1, commits // tags) == 0 and len(release_tags) < tags:
            mark += 1
            version = f"24.03.{len(release_tags) + 1}"
            second.commit("24.03", mark, START + main_mark * 60 + 35, f"release: {version}\n", parent, [("VERSION", version + "\n")])
            parent = mark
            release_marks.append(mark)
            release_tags.append((version, mark))
        if index % 60 == 59:
            mark += 1
            second.commit("24.03", mark, START + main_mark * 60 + 40, f"fix: release-only {index}\n", parent,
                          [(f"release/only{index:06d}.txt", f"release only {index}\n")])
            parent = mark
            release_marks.append(mark)
    second.run(root, f"--import-marks={marks}", f"--export-marks={marks}")
    if release_tags:
        with open(marks) as handle:
            ids.update({int(n[1:]): sha for n, sha in (line.split() for line in handle)})
        refs = "".join(f"create refs/tags/{version} {ids[tag_mark]}\n" for version, tag_mark in release_tags)
        subprocess.run(["git", "update-ref", "--stdin"], cwd=root, env=ENV, input=refs.encode(), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, env=ENV, check=True)
    with open(os.path.join(root, ".git", "expected-missing"), "w") as handle:
        handle.write("".join(f"{sha}\n" for sha in missing))
    return missing


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--commits", type=int, required=True)
    parser.add_argument("--base", type=int)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--tags", type=int, default=0)
    arguments = parser.parse_args()
    generate(arguments.directory, arguments.commits, arguments.base, arguments.seed, arguments.tags)


if __name__ == "__main__":
    main()
