import Foundation
import RelKitTestSupport
import Testing

/// `relkit tag` with `[notes]`: towncrier (the pinned one) writes the line's notes file into the
/// release commit and takes the fragments in. The oracle is towncrier alone, run on a copy of the
/// same commit with the same configuration: the notes file must be byte for byte its, and the
/// fragments removed exactly those it removes.
@Suite("relkit tag writes the release notes with towncrier, end to end")
struct NotesTagTests {
    /// A release branch 26.04 checked out, at 26.04.0rc1 (untagged), with the demo's towncrier
    /// configuration and its fragments (every type, an orphan, an empty misc one).
    static func releaseBranch() throws -> ScratchRepository {
        let repository = try ScratchRepository(commit: false)
        let demo = packageRoot + "/Examples/demo-monorepo/"
        var files = [
            ".release.toml": "[version]\nscheme = \"yy.0m\"\n\n[components.root]\nfiles = [\"VERSION\"]\n\n[notes]\nfile = \"CHANGELOG/{line}.md\"\n",
            "VERSION": "26.04.0rc1\n", "towncrier.toml": try String(contentsOfFile: demo + "towncrier.toml", encoding: .utf8)
        ]
        for name in try FileManager.default.contentsOfDirectory(atPath: demo + "changes") {
            files["changes/" + name] = try String(contentsOfFile: demo + "changes/" + name, encoding: .utf8)
        }
        try repository.commit(files, message: "chore: start")
        _ = try repository.git("checkout", "-q", "-b", "26.04")
        return repository
    }

    /// towncrier alone on a copy of `commit` (its own git repository, as a checkout is): the
    /// notes file it writes and the files it removes.
    static func towncrierAlone(_ repository: ScratchRepository, commit: String, version: String, date: String) throws -> (notes: String, removed: Set<String>) {
        let outside = try ScratchDirectory()
        defer { outside.remove() }
        let copy = outside.file("oracle")
        let script = """
            set -e
            mkdir -p "$2" && git -C "$1" archive "$3" | tar -x -C "$2"
            cd "$2" && git init -q . && git add -A && git -c user.name=o -c user.email=o@o commit -qm copy
            sed -i 's|^filename = .*|filename = "CHANGELOG/26.04.md"|' towncrier.toml && mkdir -p CHANGELOG
            towncrier build --version "$4" --date "$5" --yes >/dev/null 2>&1
            git status --porcelain --no-renames | sed -n 's/^D  //p'
            """
        let result = try runProcess("/bin/bash", ["-c", script, "bash", repository.path, copy, commit, version, date], environment: gitEnvironment)
        guard result.status == 0 else { throw GitCommandError(description: "towncrier alone: \(result.stderr)") }
        return (try String(contentsOfFile: copy + "/CHANGELOG/26.04.md", encoding: .utf8), Set(result.stdoutLines))
    }

    static func removedBy(_ repository: ScratchRepository, _ commit: String) throws -> Set<String> {
        Set(try repository.git("diff", "--name-only", "--diff-filter=D", commit + "~1", commit).split(separator: "\n").map(String.init))
    }

    @Test func anRcThenTheFinalReleaseWriteWhatTowncrierWrites() throws {
        let repository = try Self.releaseBranch()
        defer { repository.remove() }
        var environment = releaseEnvironment
        environment["RELKIT_TODAY"] = "2026-04-02"
        let start = try repository.git("rev-parse", "HEAD")
        let rc = try relkit(["tag"], in: repository.path, environment: environment)
        #expect(rc.status == 0, "\(rc.stdout)\(rc.stderr)")
        #expect(rc.stdout.contains("release notes: towncrier wrote CHANGELOG/26.04.md and took in 6 fragments"))
        let expected = try Self.towncrierAlone(repository, commit: start, version: "26.4.0rc1", date: "2026-04-02")
        #expect(try repository.git("show", "26.04.0rc1:CHANGELOG/26.04.md") + "\n" == expected.notes, "byte for byte towncrier's")
        #expect(try Self.removedBy(repository, "26.04.0rc1") == expected.removed)
        #expect(expected.removed.count == 6)
        // The checkout followed: the notes file is there, the fragments gone, nothing uncommitted.
        #expect(try repository.git("status", "--porcelain").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file("changes/1990.feature.md")))
        #expect(try repository.git("log", "-1", "--format=%s", "26.04.0rc1") == "release: notes of 26.04.0rc1")

        // A fix lands with its fragment; the final release writes into the same file.
        try repository.commit(["src/fast.py": "FAST = True\n", "changes/2002.feature.md": "Faster sessions.\n"], message: "feat: faster (#2002)")
        let beforeFinal = try repository.git("rev-parse", "HEAD")
        environment["RELKIT_TODAY"] = "2026-04-09"
        let final = try relkit(["tag", "--final"], in: repository.path, environment: environment)
        #expect(final.status == 0, "\(final.stdout)\(final.stderr)")
        let finalExpected = try Self.towncrierAlone(repository, commit: beforeFinal, version: "26.4.0", date: "2026-04-09")
        let written = try repository.git("show", "26.04.0:CHANGELOG/26.04.md") + "\n"
        #expect(written == finalExpected.notes)
        #expect(written.contains("## 26.4.0 (2026-04-09)") && written.contains("## 26.4.0rc1 (2026-04-02)"))
        #expect(try Self.removedBy(repository, "26.04.0") == ["changes/2002.feature.md"])
        #expect(try repository.git("show", "26.04.0:VERSION") == "26.04.0")
        // What notes show then gives: the final's section alone.
        let show = try relkit(["notes", "show", "26.04.0", "--format", "json"], in: repository.path)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect((page["notes"] as? String)?.hasPrefix("## 26.4.0 (2026-04-09)") == true)
        #expect((page["notes"] as? String)?.contains("26.4.0rc1") == false)
    }

    /// Killed once the refs moved, before the checkout followed: the same command run again
    /// brings the work tree along, the taken-in fragments removed with it (and their index
    /// entries), and tags nothing twice.
    @Test func anInterruptedTagWithNotesIsFinishedByTheNextCommand() throws {
        let repository = try Self.releaseBranch()
        defer { repository.remove() }
        var environment = releaseEnvironment
        environment["RELKIT_FAULT_AT"] = "refs-moved"
        environment["RELKIT_TODAY"] = "2026-04-02"
        #expect(try relkit(["tag"], in: repository.path, environment: environment).status == 9)
        #expect(try repository.git("rev-parse", "26.04.0rc1^{commit}") == (try repository.git("rev-parse", "26.04")))
        #expect(FileManager.default.fileExists(atPath: repository.scratch.file("changes/1990.feature.md")), "the checkout has not followed yet")
        environment["RELKIT_FAULT_AT"] = nil
        let next = try relkit(["tag"], in: repository.path, environment: environment)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("it is done now"), "\(next.stderr)")
        #expect(try repository.git("tag", "--list").split(separator: "\n") == ["26.04.0rc1"])
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file("changes/1990.feature.md")))
        #expect(FileManager.default.fileExists(atPath: repository.scratch.file("CHANGELOG/26.04.md")))
        #expect(try repository.git("status", "--porcelain").isEmpty)
    }

    @Test func theDryRunShowsTheNotesAndChangesNothing() throws {
        let repository = try Self.releaseBranch()
        defer { repository.remove() }
        let before = try RepositoryState(repository)
        var environment = releaseEnvironment
        environment["RELKIT_TODAY"] = "2026-04-02"
        let dry = try relkit(["tag", "--dry-run"], in: repository.path, environment: environment)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("+## 26.4.0rc1 (2026-04-02)"))
        #expect(dry.stdout.contains("removes 6 files: changes/+readme-typo.doc.md, changes/1990.feature.md"))
        #expect(try RepositoryState(repository) == before)
    }

    @Test func withoutTowncrierOrWhenItFailsNothingMoves() throws {
        let repository = try Self.releaseBranch()
        defer { repository.remove() }
        let before = try RepositoryState(repository)
        // No towncrier on PATH (an empty directory is all of it).
        var environment = releaseEnvironment
        let empty = repository.scratch.file("empty-bin")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        environment["PATH"] = empty
        let missing = try relkit(["tag"], in: repository.path, environment: environment)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("towncrier is not installed") && missing.stderr.contains("pipx install towncrier"), "\(missing.stderr)")
        #expect(try RepositoryState(repository) == before)
        // A fragment that is a symlink out of the repository: refused before towncrier reads it.
        try FileManager.default.createSymbolicLink(atPath: repository.scratch.file("changes/66.fix.md"), withDestinationPath: "../../../../etc/passwd")
        _ = try repository.git("add", "-A")
        _ = try repository.git("commit", "-q", "-m", "fix: a hostile fragment (#66)")
        let linked = try RepositoryState(repository)
        let refused = try relkit(["tag"], in: repository.path, environment: releaseEnvironment)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("changes/66.fix.md: news fragment 66.fix.md is not a file"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was tagged"))
        #expect(try RepositoryState(repository) == linked)
        _ = try repository.git("rm", "-q", "changes/66.fix.md")
        _ = try repository.git("commit", "-q", "-m", "chore: drop it")
        // towncrier fails (its template is not there): its message, and nothing tagged.
        try repository.commit(["towncrier.toml": "[tool.towncrier]\ndirectory = \"changes\"\ntemplate = \"missing-template.md.j2\"\n"], message: "chore: a broken template")
        let broken = try RepositoryState(repository)
        let failed = try relkit(["tag"], in: repository.path, environment: releaseEnvironment)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("towncrier build --version 26.4.0rc1 failed"), "\(failed.stderr)")
        #expect(failed.stderr.contains("nothing was tagged"))
        #expect(try RepositoryState(repository) == broken)
    }

    /// After the final release, its notes file carried to main through a real HTTP remote on the
    /// loopback: one commit on main's tip changing that file alone, pushed on its own branch; main
    /// untouched here and there. Then nothing left to carry, said plainly.
    @Test func notesSyncCarriesTheFinalReleasesFileToMain() throws {
        let repository = try Self.releaseBranch()
        defer { repository.remove() }
        var environment = releaseEnvironment
        environment["RELKIT_TODAY"] = "2026-04-02"
        #expect(try relkit(["tag"], in: repository.path, environment: environment).status == 0)
        #expect(try relkit(["tag", "--final"], in: repository.path, environment: environment).status == 0)
        let origin = try ScratchDirectory()
        defer { origin.remove() }
        let bare = origin.file("origin.git")
        _ = try runProcess("git", ["clone", "-q", "--bare", repository.path, bare], environment: gitEnvironment)
        let token = "notes-sync-token-5e1f"
        let server = try LoopbackGitServer(httpRoot: origin.path, user: "ci-bot", token: token)
        defer { server.stop() }
        _ = try repository.git("remote", "add", "origin", server.url("origin.git"))
        _ = try repository.git("config", "credential.helper", "!f() { echo username=ci-bot; echo password=\(token); }; f")
        let mainBefore = try repository.git("rev-parse", "main")

        let pre = try relkit(["notes", "sync", "26.04.0rc1", "--push", "origin"], in: repository.path, environment: releaseEnvironment)
        #expect(pre.status == 0)
        #expect(pre.stdout == "relkit notes sync: 26.04.0rc1 is a pre-release: its notes go to main with its final release (the same file)\n")

        let sync = try relkit(["notes", "sync", "26.4.0", "--push", "origin", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(!sync.stdout.contains(token) && !sync.stderr.contains(token))
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(sync.stdout.utf8)) as? [String: Any])
        let spec = try #require(outcome["pull_request"] as? [String: Any])
        #expect(spec["title"] as? String == "release: sync CHANGELOG/26.04.md of 26.4.0 to main")
        #expect((spec["body"] as? String)?.contains("Backport: none") == true)
        let pushed = try runProcess("git", ["-C", bare, "rev-parse", "refs/heads/changelog-sync/26.04.0"], environment: gitEnvironment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pushed == outcome["commit"] as? String)
        #expect(try repository.git("rev-parse", pushed + "~1") == mainBefore, "on main's tip")
        #expect(try repository.git("diff-tree", "--no-commit-id", "--name-only", "-r", pushed) == "CHANGELOG/26.04.md", "one file")
        #expect(try repository.git("show", pushed + ":CHANGELOG/26.04.md") == (try repository.git("show", "26.04.0:CHANGELOG/26.04.md")))
        #expect(try repository.git("rev-parse", "main") == mainBefore)
        #expect(try runProcess("git", ["-C", bare, "rev-parse", "main"], environment: gitEnvironment).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == mainBefore)
        #expect(try repository.git("status", "--porcelain").isEmpty)

        // Merged into main: nothing left to carry.
        _ = try repository.git("update-ref", "refs/heads/main", pushed)
        let again = try relkit(["notes", "sync", "26.04.0"], in: repository.path, environment: releaseEnvironment)
        #expect(again.status == 0)
        #expect(again.stdout == "relkit notes sync: CHANGELOG/26.04.md on main is already as at 26.04.0: nothing to carry\n")
    }
}
