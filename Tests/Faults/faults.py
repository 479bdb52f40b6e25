#!/usr/bin/env python3
"""relkit killed at every mutating system call, on a full disk and with read-only directories.

For each scenario (a command on a small generated repository):

1. the command runs unkilled on a copy: its end state is the reference;
2. it runs once under `strace -f` to list its mutating system calls (write, rename, link, unlink,
   open with O_CREAT, fsync, mkdir, ...), each numbered per system call as strace's `when=` counts;
3. for each of them, on a fresh copy: `strace -e inject=SYSCALL:signal=KILL:when=N` kills relkit
   on entry to that call; then the same command runs again, unkilled;
4. on a tmpfs with N free pages, for every N up to what the command needs; then with space freed,
   the command again; and with `.git/refs`, `.git/logs` and `.git/objects` read-only (relkit run as
   an unprivileged user), then with the permissions restored, the command again.

After the fault: `git fsck --full` clean (dangling objects allowed) and every ref at its old value
or at the unkilled run's. After the re-run: the same, and the end state equal to the unkilled
run's: every ref, HEAD, `git status`, every file of the work tree and of relkit's conflict
worktrees (user edits included), no lock or temporary file left anywhere.

Usage: faults.py RELKIT [--jobs N] [--only SCENARIO] [--report FILE]. Exit 0 when no violation.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "check", "clean")

# System calls that change files; open/openat count only with O_CREAT (in the trace).
MUTATING = ["write", "pwrite64", "writev", "pwritev", "rename", "renameat", "renameat2", "link", "linkat",
            "symlink", "symlinkat", "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir", "fsync", "fdatasync",
            "ftruncate", "truncate", "fchmod", "chmod", "fchmodat", "open", "openat", "creat", "fallocate"]

ENVIRONMENT = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "LANG": "C.UTF-8",
    "GIT_AUTHOR_NAME": "Release Manager", "GIT_AUTHOR_EMAIL": "rm@example.com",
    "GIT_COMMITTER_NAME": "Release Manager", "GIT_COMMITTER_EMAIL": "rm@example.com",
    "GIT_AUTHOR_DATE": "2026-11-20T12:00:00Z", "GIT_COMMITTER_DATE": "2026-11-20T12:00:00Z",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
    "RELKIT_LOCK_TIMEOUT": "2",
    "RELKIT_TODAY": "2026-12-07",
}
JOBS = 2
UNPRIVILEGED = 65534  # nobody: root ignores permission bits, so read-only runs need another user


def git(repo, *arguments, check=True):
    result = subprocess.run(["git", "-c", "safe.directory=*", "-C", repo, *arguments], env=ENVIRONMENT,
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"git {' '.join(arguments)} failed in {repo}: {result.stderr}")
    return result.stdout


def write(repo, path, text):
    full = os.path.join(repo, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as handle:
        handle.write(text)


def commit(repo, files, message):
    for path, text in files.items():
        write(repo, path, text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def base_repository(directory):
    """The demo monorepo's fixture at 26.11.0.dev0, with release lines and user state around it."""
    shutil.copytree(FIXTURE, directory, symlinks=True)
    git(directory, "init", "-q", "-b", "main")
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "-m", "initial import")
    git(directory, "branch", "26.09")


def add_user_state(directory):
    """What a user has in a checkout: an untracked file and an uncommitted edit relkit must keep."""
    write(directory, "notes.txt", "my notes, never committed\n")
    with open(os.path.join(directory, "docs", "openapi.json"), "a") as handle:
        handle.write("\n")


def backport_scene(directory, conflict, checked_out=None):
    base_repository(directory)
    git(directory, "checkout", "-q", "-b", "26.11")
    if conflict:
        commit(directory, {"requirements.txt": "release only\n"}, "release edit")
    git(directory, "checkout", "-q", "main")
    commit(directory, {"requirements.txt": "main only\n"}, "fix: requirements (#90)")
    commit(directory, {"src/ai/backend/common/fix.py": "FIXED = True\n"}, "fix: common (#91)")
    if checked_out:
        git(directory, "checkout", "-q", checked_out)


def with_lines_registry(directory):
    """The registry form of the release lines: an LTS line due for retirement, a regular one."""
    path = os.path.join(directory, ".release.toml")
    with open(path) as handle:
        text = handle.read().replace('maintained = ["26.09", "26.03"]\n', "")
    text += '\n[[lines]]\nname = "26.03"\nlts = true\nretire-after = 2026-09-30\n\n[[lines]]\nname = "26.09"\n'
    commit(directory, {".release.toml": text}, "configuration: release lines with a lifecycle")


def with_origin(directory):
    """`origin`: a bare repository inside the git directory (so that each trial's copy has its
    own), reached by a relative path, fetched."""
    git(directory, "clone", "-q", "--bare", directory, os.path.join(directory, ".git", "origin.git"))
    git(directory, "remote", "add", "origin", "./.git/origin.git")
    git(directory, "fetch", "-q", "origin")


def relkit(binary, repo, arguments, prefix=(), env_extra=None, user=None):
    env = dict(ENVIRONMENT)
    env.update(env_extra or {})
    command = list(prefix) + [binary, *arguments]
    if user is not None:
        env["HOME"] = repo + "/.."
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + command
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=120)


class Scenario:
    def __init__(self, name, setup, command, before=(), resolve=None):
        self.name = name
        self.setup = setup          # directory -> None: makes the repository
        self.command = command      # relkit's arguments
        self.before = before        # relkit commands run first (unkilled)
        self.resolve = resolve      # directory -> None: run after `before` (a conflict resolved)


def scenarios():
    def cut_scene(directory):
        base_repository(directory)
        add_user_state(directory)

    def cut_elsewhere(directory):
        base_repository(directory)
        git(directory, "checkout", "-q", "26.09")
        add_user_state(directory)

    def tagged_line(directory, checked_out):
        base_repository(directory)
        git(directory, "checkout", "-q", "-b", "26.11")
        write(directory, "VERSION", "26.11.0\n")
        for path in ["src/ai/backend/agent/VERSION", "src/ai/backend/common/VERSION"]:
            write(directory, path, "26.11.0\n")
        defs = os.path.join(directory, "src/ai/backend/common/defs.py")
        with open(defs) as handle:
            text = handle.read()
        write(directory, "src/ai/backend/common/defs.py", text.replace("26.11.0.dev0", "26.11.0"))
        git(directory, "commit", "-qam", "release: 26.11.0")
        git(directory, "checkout", "-q", checked_out)
        add_user_state(directory)

    def tag_plain(directory):
        tagged_line(directory, "main")

    def tag_commit(directory):
        tagged_line(directory, "26.11")
        git(directory, "tag", "-a", "-m", "Release 26.11.0", "26.11.0", "26.11")

    def tag_with_notes(directory):
        """The line checked out with [notes]: towncrier writes the notes file into the release
        commit and the fragments it takes in are removed there and in the checkout."""
        tag_commit(directory)
        demo = os.path.join(ROOT, "Examples", "demo-monorepo")
        paths = ["towncrier.toml", ".release.toml"]
        with open(os.path.join(demo, "towncrier.toml")) as handle:
            write(directory, "towncrier.toml", handle.read())
        for name in os.listdir(os.path.join(demo, "changes")):
            with open(os.path.join(demo, "changes", name)) as handle:
                write(directory, "changes/" + name, handle.read())
            paths.append("changes/" + name)
        with open(os.path.join(directory, ".release.toml"), "a") as handle:
            handle.write('\n[notes]\nfile = "CHANGELOG/{line}.md"\n')
        # Only these: the user's uncommitted edit and untracked file stay as they are.
        git(directory, "add", "--", *paths)
        git(directory, "commit", "-q", "-m", "docs: news fragments")

    def bump_scene(directory):
        base_repository(directory)
        add_user_state(directory)

    def remote_tracking_line(directory):
        backport_scene(directory, conflict=False)
        with_origin(directory)
        git(directory, "branch", "-q", "-D", "26.11")
        add_user_state(directory)

    def pushing(conflict):
        def setup(directory):
            backport_scene(directory, conflict=conflict)
            with_origin(directory)
            add_user_state(directory)
        return setup

    def lines_scene(directory):
        base_repository(directory)
        with_lines_registry(directory)
        add_user_state(directory)

    def release_commit(directory):
        base_repository(directory)
        with_lines_registry(directory)
        with_origin(directory)

    def resolve_conflict(directory):
        write(directory, ".git/relkit/backport-26.11/requirements.txt", "release and main\n")

    def backport_with_user_state(conflict, checked_out=None):
        def setup(directory):
            backport_scene(directory, conflict=conflict, checked_out=checked_out)
            add_user_state(directory)
        return setup

    clean = backport_with_user_state(False)
    clean_checked_out = backport_with_user_state(False, "26.11")
    conflicting = backport_with_user_state(True)
    conflicting_checked_out = backport_with_user_state(True, "26.11")

    stop = [["backport", "main~2..main", "--to", "26.11", "--to", "26.09"]]
    return [
        Scenario("cut (main checked out)", cut_scene, ["cut", "26.11"]),
        Scenario("cut (another branch checked out)", cut_elsewhere, ["cut", "26.11"]),
        Scenario("tag (no version commit)", tag_plain, ["tag", "--branch", "26.11"]),
        Scenario("tag (version commit, branch checked out)", tag_commit, ["tag", "--branch", "26.11", "--patch"]),
        Scenario("tag with release notes (towncrier; fragments removed)", tag_with_notes, ["tag", "--branch", "26.11", "--patch"]),
        Scenario("bump --commit", bump_scene, ["bump", "26.11.0.dev1", "--commit"]),
        Scenario("backport", clean, ["backport", "main~2..main", "--to", "26.11", "--to", "26.09"]),
        Scenario("backport (target checked out)", clean_checked_out, ["backport", "main~2..main", "--to", "26.11"]),
        Scenario("backport stopping on a conflict", conflicting, stop[0]),
        Scenario("backport --continue", conflicting, ["backport", "--continue"], before=stop, resolve=resolve_conflict),
        Scenario("backport --continue (target checked out)", conflicting_checked_out, ["backport", "--continue"],
                 before=stop, resolve=resolve_conflict),
        Scenario("backport --abort", conflicting, ["backport", "--abort"], before=stop),
        Scenario("backport to a line only on the remote", remote_tracking_line, ["backport", "main~2..main", "--to", "26.11"]),
        Scenario("backport --push", pushing(False), ["backport", "main~2..main", "--to", "26.11", "--push", "origin"]),
        Scenario("backport --continue (--push)", pushing(True), ["backport", "--continue"],
                 before=[stop[0][:-2] + ["--push", "origin"]], resolve=resolve_conflict),
        Scenario("cut --lts (registry)", lines_scene, ["cut", "26.11", "--lts"]),
        Scenario("lines --retire", lines_scene, ["lines", "--retire"]),
        # The release commit by a name that stays put (CI gives its SHA): main moves with the cut.
        Scenario("cut --at --push", release_commit, ["cut", "--at", "release-commit", "--push", "origin"],
                 before=[["bump", "26.11.0rc1", "--commit"]], resolve=lambda directory: git(directory, "tag", "release-commit")),
    ]


# ---- the state compared -------------------------------------------------------------------------

def files_under(directory, skip_git=True):
    found = {}
    for root, directories, files in os.walk(directory):
        if skip_git and root == directory and ".git" in directories:
            directories.remove(".git")
        if skip_git and root == directory and ".git" in files:
            files = [name for name in files if name != ".git"]  # a worktree's link to its admin files
        for name in files + [d for d in directories if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, directory)
            if os.path.islink(path):
                found[relative] = "-> " + os.readlink(path)
            else:
                with open(path, "rb") as handle:
                    found[relative] = hashlib.sha1(handle.read()).hexdigest()
    return found


def refs(repo):
    """The repository's refs, and those of its `origin` inside the git directory (prefixed)."""
    listed = {}
    for line in git(repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines():
        name, value = line.split(" ")
        listed[name] = value
    origin = os.path.join(repo, ".git", "origin.git")
    if os.path.isdir(origin):
        for line in git(origin, "for-each-ref", "--format=%(refname) %(objectname)").splitlines():
            name, value = line.split(" ")
            listed["origin.git:" + name] = value
    return listed


def leftovers(repo):
    """Lock and temporary files anywhere in the repository: none may be left."""
    found = []
    for root, directories, files in os.walk(repo):
        for name in files:
            if name.endswith(".lock") or ".relkit-" in name and name.endswith(".tmp") or \
               (root.endswith("/.git/relkit") and name in ("lock", "journal")) or name.startswith("tmp_") or \
               name.startswith("lock.") and name.endswith(".tmp"):
                found.append(os.path.relpath(os.path.join(root, name), repo))
    return sorted(found)


def state(repo):
    head = git(repo, "symbolic-ref", "-q", "HEAD", check=False).strip() or git(repo, "rev-parse", "HEAD").strip()
    worktrees = {}
    relkit_directory = os.path.join(repo, ".git", "relkit")
    if os.path.isdir(relkit_directory):
        for name in sorted(os.listdir(relkit_directory)):
            if name.startswith("backport-"):
                tree = os.path.join(relkit_directory, name)
                worktrees[name] = {"files": files_under(tree), "status": git(tree, "status", "--porcelain=v1", check=False)}
    return {
        # Remote-tracking refs are git push's own bookkeeping (it leaves one behind on a full disk
        # and says so; the next fetch mends it): held at old or new values by check(), not compared.
        "refs": {name: value for name, value in refs(repo).items() if not name.startswith("refs/remotes/")},
        "head": head,
        "status": git(repo, "status", "--porcelain=v1", "--untracked-files=all"),
        "files": files_under(repo),
        "worktrees": worktrees,
        "git worktrees": sorted(line.replace(repo, ".") for line in git(repo, "worktree", "list", "--porcelain").splitlines()
                                if line.startswith("worktree ") or line.startswith("HEAD ") or line.startswith("detached")),
        "stopped": os.path.exists(os.path.join(relkit_directory, "backport.json")),
        "leftovers": leftovers(repo),
    }


def fsck(repo):
    result = subprocess.run(["git", "-c", "safe.directory=*", "-C", repo, "fsck", "--full", "--no-dangling", "--no-progress"],
                            env=ENVIRONMENT, capture_output=True, text=True)
    problems = (result.stdout + result.stderr).strip()
    return None if result.returncode == 0 and not problems else problems or f"exit {result.returncode}"


def differences(expected, found):
    lines = []
    for key in expected:
        if expected[key] != found[key]:
            if isinstance(expected[key], dict):
                keys = sorted(set(expected[key]) | set(found[key]))
                changed = [k for k in keys if expected[key].get(k) != found[key].get(k)]
                lines.append(f"{key}: differ at {changed[:6]}")
            else:
                lines.append(f"{key}: expected {expected[key]!r}, found {found[key]!r}")
    return lines


# ---- one trial ----------------------------------------------------------------------------------

class Runner:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.templates = {}
        self.baselines = {}
        self.initial_refs = {}
        self.final_refs = {}  # every ref of the unkilled run (its state leaves remote-tracking refs out)
        self.counter = 0

    def prepare(self, scenario):
        template = os.path.join(self.work, "template-" + re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-"))
        scenario.setup(template)
        for command in scenario.before:
            result = relkit(self.binary, template, command)
            if result.returncode > 1:
                raise RuntimeError(f"{scenario.name}: {command} failed: {result.stderr}")
        if scenario.resolve:
            scenario.resolve(template)
        self.templates[scenario.name] = template
        self.initial_refs[scenario.name] = refs(template)
        copy = self.copy(scenario, "baseline")
        result = relkit(self.binary, copy, scenario.command)
        if result.returncode > 1:
            raise RuntimeError(f"{scenario.name}: the unkilled run failed ({result.returncode}): {result.stderr}")
        self.baselines[scenario.name] = state(copy)
        self.final_refs[scenario.name] = refs(copy)
        problem = fsck(copy)
        if problem:
            raise RuntimeError(f"{scenario.name}: fsck after the unkilled run: {problem}")
        return copy

    def copy(self, scenario, label, destination=None):
        self.counter += 1
        target = destination or os.path.join(self.work, f"trial-{os.getpid()}-{self.counter}-{label}")
        if os.path.exists(target):
            shutil.rmtree(target)
        # Worktree files name absolute paths: a copy keeps them working by running where the template was.
        shutil.copytree(self.templates[scenario.name], target, symlinks=True)
        fix_worktree_paths(self.templates[scenario.name], target)
        return target

    def kill_points(self, scenario):
        copy = self.copy(scenario, "trace")
        trace = os.path.join(self.work, f"trace-{self.counter}.txt")
        relkit(self.binary, copy, scenario.command,
               prefix=["strace", "-f", "-qq", "-o", trace, "-e", "trace=" + ",".join(MUTATING)])
        counts = {}
        points = []
        main = None
        with open(trace) as handle:
            for line in handle:
                match = re.match(r"^(\d+)\s+([a-z0-9_]+)\((.*)", line)
                if not match or "resumed>" in line:
                    continue
                pid, call, arguments = int(match.group(1)), match.group(2), match.group(3)
                if main is None:
                    main = pid
                if pid != main:
                    continue
                counts[call] = counts.get(call, 0) + 1
                if call in ("open", "openat") and "O_CREAT" not in arguments:
                    continue
                if call in ("write", "writev") and re.match(r"^[12],", arguments):
                    continue  # the terminal: no state
                if re.search(r"\) += -1 E", line):
                    continue  # a call that changed nothing (mkdir of a directory that exists): the same as the next
                points.append((call, counts[call], line.strip()[:160]))
        shutil.rmtree(copy)
        return points

    def check(self, scenario, repo, phase, transient=False):
        """`transient`: right after a kill, relkit's own half-made conflict worktree (its HEAD, its
        temporary branch) may be there; the next relkit command removes it (checked after the re-run)."""
        problems = []
        problem = fsck(repo)
        if problem and transient:
            problem = "\n".join(line for line in problem.splitlines() if not re.match(r"^error: worktrees/backport-[^/]+/HEAD", line))
        if problem:
            problems.append(f"{phase}: git fsck: {problem[:300]}")
        initial, final = self.initial_refs[scenario.name], self.final_refs[scenario.name]
        now = refs(repo)
        for name in sorted(set(initial) | set(final) | set(now)):
            if transient and name.startswith("refs/heads/relkit-worktree-"):
                continue
            allowed = {initial.get(name), final.get(name)}
            if now.get(name) not in allowed:
                problems.append(f"{phase}: {name} at {now.get(name)}, neither old {initial.get(name)} nor new {final.get(name)}")
            if name.startswith("refs/tags/") and name in initial and now.get(name) != initial[name]:
                problems.append(f"{phase}: tag {name} moved")
        return problems

    def rerun_and_compare(self, scenario, repo, label):
        result = relkit(self.binary, repo, scenario.command)
        problems = self.check(scenario, repo, "after the re-run")
        found = state(repo)
        problems += [f"after the re-run: {line}" for line in differences(self.baselines[scenario.name], found)]
        return problems, result

    def kill_trial(self, scenario, point):
        """A kill at the point's number of its system call. The count runs in relkit's main thread,
        where a thread that warms libgit2 up may have made some of the trace run's calls: a point
        not reached is tried again, and a run that ends unkilled is held to the unkilled run's end
        state with no re-run (a re-run would be the command a second time), unless it failed: then
        the kill hit a child (`git push`), and the re-run must finish the command."""
        call, number, _ = point
        for attempt in range(3):
            repo = self.copy(scenario, f"kill-{call}-{number}")
            try:
                killed = relkit(self.binary, repo, scenario.command,
                                prefix=["strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={call}",
                                        "-e", f"inject={call}:signal=KILL:when={number}"])
                was_killed = killed.returncode < 0 or killed.returncode == 137
                if not was_killed and attempt < 2:
                    continue
                if not was_killed and killed.returncode != self.baseline_exit(scenario):
                    # relkit lived but failed: the kill hit a child it runs (`git push` under
                    # strace -f). A fault all the same: its state must be sound and the re-run finish.
                    problems = self.check(scenario, repo, "after a child's kill", transient=True)
                    rerun_problems, rerun = self.rerun_and_compare(scenario, repo, call)
                    problems += rerun_problems
                    return {"kind": "kill", "point": f"{call}#{number}", "killed": True,
                            "rerun": rerun.returncode, "problems": problems, "stderr": rerun.stderr.strip()[:400]}
                if not was_killed:
                    problems = self.check(scenario, repo, "unkilled")
                    problems += [f"unkilled: {line}" for line in differences(self.baselines[scenario.name], state(repo))]
                    return {"kind": "kill", "point": f"{call}#{number}", "killed": False, "rerun": None,
                            "problems": problems, "stderr": killed.stderr.strip()[:400]}
                problems = self.check(scenario, repo, "after the kill", transient=True)
                rerun_problems, rerun = self.rerun_and_compare(scenario, repo, call)
                problems += rerun_problems
                return {"kind": "kill", "point": f"{call}#{number}", "killed": True,
                        "rerun": rerun.returncode, "problems": problems, "stderr": rerun.stderr.strip()[:400]}
            finally:
                shutil.rmtree(repo, ignore_errors=True)

    def full_disk_trials(self, scenario):
        """tmpfs with 0, 1, 2 ... free pages, until the command succeeds."""
        results = []
        page = os.sysconf("SC_PAGE_SIZE")
        template_size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(self.templates[scenario.name])
                            for f in fs if not os.path.islink(os.path.join(r, f)))
        size_pages = template_size // page + 512
        mount = tempfile.mkdtemp(dir=self.work, prefix="tmpfs-")
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_pages * page},nr_inodes=20000", "tmpfs", mount],
                          capture_output=True).returncode != 0:
            return [{"kind": "full disk", "point": "mount", "problems": [], "skipped": "cannot mount a tmpfs (not root?)"}]
        try:
            for free in range(0, 400):
                repo = os.path.join(mount, "repo")
                self.copy(scenario, "disk", destination=repo)
                filler = os.path.join(mount, "filler")
                fill_to(mount, filler, free * page)
                result = relkit(self.binary, repo, scenario.command)
                problems = self.check(scenario, repo, f"with {free} free pages")
                os.unlink(filler)
                succeeded = result.returncode == self.baseline_exit(scenario)
                if succeeded:  # enough space: its end state is the unkilled run's, with no re-run
                    problems += [f"with {free} free pages: {line}" for line in differences(self.baselines[scenario.name], state(repo))]
                else:
                    rerun_problems, _ = self.rerun_and_compare(scenario, repo, "disk")
                    problems += rerun_problems
                results.append({"kind": "full disk", "point": f"{free} pages", "exit": result.returncode,
                                "problems": problems, "stderr": result.stderr.strip()[:300]})
                shutil.rmtree(repo)
                if succeeded:
                    break
        finally:
            subprocess.run(["umount", mount])
            os.rmdir(mount)
        return results

    def baseline_exit(self, scenario):
        return 1 if scenario.name == "backport stopping on a conflict" else 0

    def read_only_trials(self, scenario):
        results = []
        for directory in [".git/refs", ".git/logs", ".git/objects"]:
            repo = self.copy(scenario, "readonly")
            parent = os.path.dirname(repo)
            os.chmod(parent, 0o755)
            subprocess.run(["chown", "-R", f"{UNPRIVILEGED}:{UNPRIVILEGED}", repo], check=True)
            target = os.path.join(repo, directory)
            if not os.path.isdir(target):
                os.makedirs(target)
                os.chown(target, UNPRIVILEGED, UNPRIVILEGED)
            for root, directories, _ in os.walk(target):
                os.chmod(root, 0o555)
            result = relkit(self.binary, repo, scenario.command, user=UNPRIVILEGED)
            for root, directories, _ in os.walk(target):
                os.chmod(root, 0o755)
            subprocess.run(["chown", "-R", "0:0", repo], check=True)
            problems = self.check(scenario, repo, f"with {directory} read-only")
            leftover = leftovers(repo)
            if leftover:
                problems.append(f"with {directory} read-only: left {leftover}")
            if result.returncode == self.baseline_exit(scenario):
                problems += [f"with {directory} read-only: {line}" for line in differences(self.baselines[scenario.name], state(repo))]
            else:
                problems += self.rerun_and_compare(scenario, repo, "readonly")[0]
            results.append({"kind": "read-only", "point": directory, "exit": result.returncode,
                            "problems": problems, "stderr": result.stderr.strip()[:300]})
            shutil.rmtree(repo)
        return results


def fix_worktree_paths(template, copy):
    """A linked worktree's `.git` file and its admin `gitdir` name absolute paths: point them at the copy."""
    admin = os.path.join(copy, ".git", "worktrees")
    if not os.path.isdir(admin):
        return
    for name in os.listdir(admin):
        for file in ("gitdir", "commondir"):  # libgit2 writes both absolute
            path = os.path.join(admin, name, file)
            if os.path.exists(path):
                with open(path) as handle:
                    text = handle.read()
                with open(path, "w") as handle:
                    handle.write(text.replace(template, copy))
    for root, directories, files in os.walk(os.path.join(copy, ".git", "relkit")):
        if ".git" in files and os.path.isfile(os.path.join(root, ".git")):
            path = os.path.join(root, ".git")
            with open(path) as handle:
                text = handle.read()
            with open(path, "w") as handle:
                handle.write(text.replace(template, copy))
    state_file = os.path.join(copy, ".git", "relkit", "backport.json")
    if os.path.exists(state_file):
        with open(state_file) as handle:
            text = handle.read()
        with open(state_file, "w") as handle:  # JSONEncoder writes "/" as "\/"
            handle.write(text.replace(template, copy).replace(template.replace("/", "\\/"), copy.replace("/", "\\/")))


def fill_to(mount, filler, free_bytes):
    """Leaves `free_bytes` free on the file system at `mount`."""
    statistics = os.statvfs(mount)
    available = statistics.f_bavail * statistics.f_frsize
    with open(filler, "wb") as handle:
        remaining = max(0, available - free_bytes)
        chunk = b"\0" * (1 << 20)
        while remaining > 0:
            written = handle.write(chunk[:min(len(chunk), remaining)])
            remaining -= written


def run_scenario(binary, work, name, skip_disk, skip_readonly):
    scenario = next(s for s in scenarios() if s.name == name)
    runner = Runner(binary, work)
    baseline = runner.prepare(scenario)
    shutil.rmtree(baseline)
    points = runner.kill_points(scenario)
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
        results = list(pool.map(lambda point: runner.kill_trial(scenario, point), points))
    if not skip_disk:
        results += runner.full_disk_trials(scenario)
    if not skip_readonly:
        results += runner.read_only_trials(scenario)
    return scenario.name, len(points), results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("relkit")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", action="append", help="scenarios whose name contains this")
    parser.add_argument("--report", help="write the counts and every violation as JSON here")
    parser.add_argument("--no-disk", action="store_true")
    parser.add_argument("--no-readonly", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.relkit)
    if shutil.which("strace") is None:
        sys.exit("faults.py: strace is missing (apt-get install strace)")
    global JOBS
    JOBS = arguments.jobs
    chosen = [s for s in scenarios() if not arguments.only or any(o in s.name for o in arguments.only)]
    work = tempfile.mkdtemp(prefix="relkit-faults-")
    os.chmod(work, 0o755)
    started = time.time()
    summary = []
    violations = 0
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
            futures = [pool.submit(run_scenario, binary, work, scenario.name, arguments.no_disk, arguments.no_readonly)
                       for scenario in chosen]
            for future in futures:
                name, point_count, results = future.result()
                bad = [r for r in results if r["problems"]]
                violations += len(bad)
                kinds = {}
                for result in results:
                    kinds[result["kind"]] = kinds.get(result["kind"], 0) + 1
                unreached = sum(1 for r in results if r["kind"] == "kill" and not r["killed"])
                summary.append({"scenario": name, "kill points": point_count, "trials": len(results), "by kind": kinds,
                                "unreached kill points": unreached, "violations": len(bad), "details": bad})
                print(f"{name}: {point_count} kill points, {len(results)} trials "
                      f"({', '.join(f'{v} {k}' for k, v in kinds.items())}), "
                      + (f"{unreached} kill points not reached in three tries, " if unreached else "")
                      + f"{len(bad)} violations", flush=True)
                for result in bad[: (len(bad) if arguments.verbose else 5)]:
                    print(f"  {result['kind']} at {result['point']}: " + "; ".join(result["problems"])[:600], flush=True)
                    if result.get("stderr"):
                        print(f"    relkit said: {result['stderr'][:300]}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total_points = sum(s["kill points"] for s in summary)
    total_trials = sum(s["trials"] for s in summary)
    print(f"fault injection: {len(summary)} scenarios, {total_points} kill points, {total_trials} trials, "
          f"{violations} violations, {time.time() - started:.0f} s")
    if arguments.report:
        with open(arguments.report, "w") as handle:
            json.dump(summary, handle, indent=2)
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
