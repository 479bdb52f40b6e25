import Foundation
import RelKitTestSupport
import Testing

@Suite("relkit backport, end to end")
struct BackportCommandEndToEndTests {
    func repositoryWithAFix() throws -> (ScratchRepository, String) {
        let repository = try ScratchRepository(fixture: "check/clean")
        try repository.git("branch", "26.11")
        try repository.commit(
            [
                "src/ai/backend/manager/models/alembic/versions/0001_add_table.py": "revision = '0001'\n",
                "src/ai/backend/common/fix.py": "FIXED = True\n"
            ], message: "fix: add the table (#77)")
        return (repository, try repository.git("rev-parse", "HEAD"))
    }

    @Test func sensitivePathsAreFlaggedAndDryRunChangesNothing() throws {
        let (repository, fix) = try repositoryWithAFix()
        defer { repository.remove() }
        let before = try RepositoryState(repository)
        let dryRun = try relkit(["backport", fix, "--to", "26.11", "--dry-run", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stderr == "warning: \(fix.prefix(12)) changes sensitive paths: src/ai/backend/manager/models/alembic/versions/0001_add_table.py\n")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(dryRun.stdout.utf8)) as? [String: Any])
        #expect(document["dry_run"] as? Bool == true)
        let pick = try #require(((document["targets"] as? [[String: Any]])?.first?["picks"] as? [[String: Any]])?.first)
        #expect(pick["sensitive"] as? Bool == true)
        #expect(pick["status"] as? String == "picked")
        let predicted = try #require(pick["new_commit"] as? String)
        #expect(try RepositoryState(repository) == before)

        let applied = try relkit(["backport", fix, "--to", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(applied.status == 0)
        #expect(applied.stdout.contains("(sensitive: src/ai/backend/manager/models/alembic/versions/0001_add_table.py)"))
        #expect(try repository.git("rev-parse", "26.11") == predicted, "the dry run showed the very commit that was made")
    }

    @Test func editOpensTheEditorOnThePreparedMessage() throws {
        let (repository, fix) = try repositoryWithAFix()
        defer { repository.remove() }
        var environment = releaseEnvironment
        environment["GIT_EDITOR"] = "sed -i -e 's/^fix: add the table/fix: add the table (backport)/' -e '/^Backported-To:/a Reviewed-by: Release Manager <rm@example.com>'"
        let result = try relkit(["backport", fix, "--to", "26.11", "--edit"], in: repository.path, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try repository.git("log", "-1", "--format=%B", "26.11")
                == "fix: add the table (backport) (#77)\n\n(cherry picked from commit \(fix))\nBackported-From: main\nBackported-To: 26.11\nReviewed-by: Release Manager <rm@example.com>")

        environment["GIT_EDITOR"] = "sh -c ': > \"$1\"' sh"
        try repository.commit(["x.txt": "x\n"], message: "fix: x (#78)")
        let tip = try repository.git("rev-parse", "26.11")
        let emptied = try relkit(["backport", "main", "--to", "26.11", "--edit"], in: repository.path, environment: environment)
        #expect(emptied.status == 1)
        #expect(emptied.stderr.contains("is empty; nothing was changed"))
        #expect(try repository.git("rev-parse", "26.11") == tip)
    }

    @Test func conflictExitCodesAndStatus() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("checkout", "-q", "-b", "26.11")
        try repository.commit(["requirements.txt": "release only\n"], message: "release edit")
        try repository.git("checkout", "-q", "main")
        try repository.commit(["requirements.txt": "main only\n"], message: "fix: requirements (#90)")
        let stopped = try relkit(["backport", "main", "--to", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(stopped.status == 1)
        #expect(stopped.stdout.contains("    conflict      "))
        #expect(stopped.stdout.contains("stopped: resolve the conflicts in \(repository.scratch.file(".git/relkit/backport-26.11")), then run: relkit backport --continue"))
        let status = try relkit(["backport", "--status"], in: repository.path, environment: releaseEnvironment)
        #expect(status.stdoutLines.contains("  26.11: \(try repository.git("rev-parse", "--short=12", "main")) conflicts in requirements.txt; 0 more to pick"))
        #expect(try relkit(["backport", "--abort"], in: repository.path, environment: releaseEnvironment).status == 0)
        #expect(try relkit(["backport", "--status"], in: repository.path, environment: releaseEnvironment).stdout == "relkit backport: nothing is stopped\n")
    }

    @Test func aDryRunSaysWhereItWouldStopAndLeavesNothingToContinue() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("checkout", "-q", "-b", "26.11")
        try repository.commit(["requirements.txt": "release only\n"], message: "release edit")
        try repository.git("checkout", "-q", "main")
        try repository.commit(["requirements.txt": "main only\n"], message: "fix: requirements (#90)")
        try repository.commit(["src/later.py": "x\n"], message: "fix: later (#91)")
        let before = try RepositoryState(repository)
        let dryRun = try relkit(["backport", "main~2..main", "--to", "26.11", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(dryRun.status == 1, "a conflict is a finding, dry run or not")
        #expect(dryRun.stdout.contains("    conflict      "))
        #expect(dryRun.stdout.contains("    not reached   "))
        #expect(dryRun.stdout.contains("    would stop on this conflict; the picks after it are not tried"))
        #expect(!dryRun.stdout.contains("--continue"), "there is nothing to continue after a dry run: \(dryRun.stdout)")
        let json = try relkit(["backport", "main~2..main", "--to", "26.11", "--dry-run", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let target = try #require((document["targets"] as? [[String: Any]])?.first)
        #expect(target["worktree"] is NSNull, "no worktree is made: \(target)")
        #expect(try RepositoryState(repository) == before)
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file(".git/relkit/backport-26.11")))
        #expect(try relkit(["backport", "--status"], in: repository.path, environment: releaseEnvironment).stdout == "relkit backport: nothing is stopped\n")
    }

    @Test func usageErrors() throws {
        let (repository, fix) = try repositoryWithAFix()
        defer { repository.remove() }
        #expect(try relkit(["backport", fix], in: repository.path, environment: releaseEnvironment).status == 2, "no target")
        #expect(try relkit(["backport", "--to", "26.11"], in: repository.path, environment: releaseEnvironment).status == 2, "no commit")
        #expect(try relkit(["backport", fix, "--to", "26.13"], in: repository.path, environment: releaseEnvironment).status == 2)
        #expect(try relkit(["backport", "nope", "--to", "26.11"], in: repository.path, environment: releaseEnvironment).status == 2)
        #expect(try relkit(["backport", "--continue", "--abort"], in: repository.path, environment: releaseEnvironment).status == 2)
        #expect(try relkit(["backport", fix, "--maintained"], in: repository.path, environment: releaseEnvironment).status == 2, "26.09 and 26.03 do not exist")
    }
}

@Suite("relkit backport: long ranges")
struct LongBackportEndToEndTests {
    /// `command` run with stderr on a terminal and stdout in a file, the progress line shown at
    /// once; returns what the terminal showed.
    func onATerminal(_ arguments: [String], in directory: String, stdout: String) throws -> String {
        var environment = releaseEnvironment
        environment["RELKIT_PROGRESS_AFTER_MS"] = "0"
        return try RelKitEndToEndTests.onATerminal(arguments, in: directory, environment: environment, stdout: stdout)
    }

    @Test func progressOnATerminalOnlyAndNeverInJSON() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("branch", "26.11")
        for n in 1...40 { try repository.commit(["fixes/fix\(n).txt": "\(n)\n"], message: "fix: change \(n) (#\(n))") }
        let output = repository.scratch.file("out.txt")
        let shown = try onATerminal(["backport", "main~40..main", "--to", "26.11", "--dry-run"], in: repository.path, stdout: output)
        #expect(shown.contains("relkit backport: 26.11: 40 of 40 commits"), "\(shown)")
        #expect(shown.hasSuffix("\r\u{1B}[K"), "the line is cleared at the end: \(shown.debugDescription)")
        #expect(try String(contentsOfFile: output, encoding: .utf8).contains("picked"), "the report itself is on stdout")

        let json = try onATerminal(["backport", "main~40..main", "--to", "26.11", "--dry-run", "--format", "json"], in: repository.path, stdout: output)
        #expect(json.isEmpty, "\(json.debugDescription)")
        var environment = releaseEnvironment
        environment["RELKIT_PROGRESS_AFTER_MS"] = "0"
        let piped = try relkit(["backport", "main~40..main", "--to", "26.11"], in: repository.path, environment: environment)
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "stderr is not a terminal: \(piped.stderr)")
        #expect(try repository.git("rev-list", "--count", "main..26.11") == "40")
    }
}

@Suite("relkit backport: what relkit itself wrote")
struct BackportBookkeepingEndToEndTests {
    @Test func versionMovesOfCutAreNeverCandidates() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        #expect(try relkit(["cut", "26.11"], in: repository.path, environment: releaseEnvironment).status == 0)
        let bump = try repository.git("rev-parse", "main")
        #expect(
            try repository.git("log", "-1", "--format=%(trailers:key=Relkit-Bookkeeping,valueonly)", "main") == "cut 26.11",
            "git reads the trailer cut wrote on main")
        #expect(try repository.git("log", "-1", "--format=%(trailers:key=Relkit-Bookkeeping,valueonly)", "26.11") == "cut 26.11")
        try repository.commit(["src/fix.py": "FIXED = True\n"], message: "fix: the scheduler (#12)")

        let audit = try relkit(["backport", "audit", "--to", "26.11", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        let listed = try #require(document["commits"] as? [[String: Any]]).compactMap { $0["subject"] as? String }
        #expect(listed == ["fix: the scheduler (#12)"], "the version move of main is not a missing fix")

        let range = try relkit(["backport", "26.11..main", "--to", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(range.status == 0, "\(range.stderr)")
        #expect(range.stderr.contains("relkit backport: skipping \(bump.prefix(12)) \"main: 26.12.0.dev0 after cutting 26.11\": relkit made it to move versions"))
        #expect(try repository.git("log", "--format=%s", "-1", "26.11") == "fix: the scheduler (#12)")
        #expect(try repository.git("show", "26.11:VERSION") == "26.11.0", "the release branch keeps its own version")

        let tip = try repository.git("rev-parse", "26.11")
        let alone = try relkit(["backport", bump, "--to", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(alone.status == 1)
        #expect(alone.stderr.contains("error: every commit named is one relkit made to move versions (Relkit-Bookkeeping); nothing to backport"))
        #expect(try repository.git("rev-parse", "26.11") == tip)
    }

    @Test func aConflictResolvedBackportIsFoundByThePickedCommitLine() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("checkout", "-q", "-b", "26.11")
        try repository.commit(["requirements.txt": "release only\n"], message: "release edit")
        try repository.git("checkout", "-q", "main")
        // No pull request number: only the recorded commit can tie the backport to it.
        try repository.commit(["requirements.txt": "main only\n"], message: "fix: requirements")
        let fix = try repository.git("rev-parse", "main")
        #expect(try relkit(["backport", "main", "--to", "26.11"], in: repository.path, environment: releaseEnvironment).status == 1)
        let worktree = repository.scratch.file(".git/relkit/backport-26.11")
        try "release and main\n".write(toFile: worktree + "/requirements.txt", atomically: true, encoding: .utf8)
        let resumed = try relkit(["backport", "--continue"], in: repository.path, environment: releaseEnvironment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(
            try repository.git("log", "-1", "--format=%B", "26.11")
                == "fix: requirements\n\n(cherry picked from commit \(fix))\nBackported-From: main\nBackported-To: 26.11")
        #expect(
            try repository.git("log", "-1", "--format=%(trailers:only,unfold)", "26.11") == "Backported-From: main\nBackported-To: 26.11",
            "git still reads exactly the two trailers")

        let audit = try relkit(["backport", "audit", "--to", "26.11", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        let entry = try #require((document["commits"] as? [[String: Any]])?.first { $0["id"] as? String == fix })
        #expect(entry["status"] as? String == "backported", "\(entry)")
        #expect((entry["match"] as? [String: Any])?["kind"] as? String == "message", "\(entry)")
    }

    @Test func thePickedCommitLineCanBeTurnedOff() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("branch", "26.11")
        let configuration = try String(contentsOfFile: repository.scratch.file(".release.toml"), encoding: .utf8)
        try repository.commit([".release.toml": configuration.replacingOccurrences(of: "[backport]\n", with: "[backport]\nrecord-picked-commit = false\n")], message: "config")
        try repository.commit(["src/fix.py": "x\n"], message: "fix: x (#3)")
        #expect(try relkit(["backport", "main", "--to", "26.11"], in: repository.path, environment: releaseEnvironment).status == 0)
        #expect(try repository.git("log", "-1", "--format=%B", "26.11") == "fix: x (#3)\n\nBackported-From: main\nBackported-To: 26.11")
    }
}
