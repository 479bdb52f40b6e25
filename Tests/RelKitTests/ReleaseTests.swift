import Foundation
import RelKit
import RelKitCore
import RelKitTestSupport
import Testing

/// The identity relkit commits with in these tests (relkit reads the environment first, as git does).
let setTestIdentity: Void = {
    for (key, value) in gitEnvironment where key.hasPrefix("GIT_") { setenv(key, value, 1) }
    setenv("RELKIT_LOCK_TIMEOUT", "0.3", 1)
}()

/// Runs a release command in-process: lock, plan, apply, unlock.
@discardableResult
func release(
    _ repository: ScratchRepository, _ command: String,
    _ makePlan: (ReleaseContext) throws(OperationError) -> ReleasePlan
) throws(OperationError) -> (ReleasePlan, AppliedPlan) {
    _ = setTestIdentity
    let context = try ReleaseContext.open(repository.path, command: command) { _ in }
    defer { context.lock.release() }
    let plan = try makePlan(context)
    let applied = try PlanExecutor.apply(plan, repository: context.repository, lock: context.lock, root: context.workspace.root)
    return (plan, applied)
}

func cut(_ repository: ScratchRepository, _ line: String?, from: String? = nil, pre: PreReleaseKind? = nil) throws(OperationError) {
    try release(repository, "cut") { context throws(OperationError) in
        try Cut.plan(context, line: line, from: from, pre: pre, today: CalendarDate(year: 2026, month: 11, day: 15)!)
    }
}

@discardableResult
func tag(_ repository: ScratchRepository, _ request: NextVersionRequest? = nil, branch: String? = "26.11") throws(OperationError) -> String {
    let (plan, _) = try release(repository, "tag") { context throws(OperationError) in try Tag.plan(context, request: request, line: branch, today: CalendarDate(year: 2026, month: 12, day: 7)!) }
    return plan.tags.first?.name ?? ""
}

func bump(_ repository: ScratchRepository, _ version: String, commit: Bool = false, unit: String? = nil) throws(OperationError) -> ReleasePlan {
    try release(repository, "bump") { context throws(OperationError) in
        try Bump.plan(context, version: version, unit: unit, commit: commit, allowLower: false)
    }.0
}

/// Refs, status and the version files: what must not change when relkit refuses.
func snapshot(_ repository: ScratchRepository) throws -> String {
    try repository.git("for-each-ref", "--format=%(refname) %(objectname)") + "\n" + repository.git("status", "--porcelain")
        + "\n" + repository.read("VERSION") + repository.read("requirements.txt")
}

@Suite("relkit cut")
struct CutTests {
    @Test func createsTheBranchAndMovesMainOn() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let mainBefore = try repository.git("rev-parse", "main")
        try cut(repository, "26.11")
        #expect(try repository.git("for-each-ref", "--format=%(refname)", "refs/heads") == "refs/heads/26.11\nrefs/heads/main")
        #expect(try repository.git("show", "26.11:VERSION") == "26.11.0")
        #expect(try repository.git("show", "26.11:src/ai/backend/common/defs.py").contains("NEXT_RELEASE_VERSION = \"26.11.0\""))
        #expect(try repository.git("show", "26.11:requirements.txt").contains("backend.ai-common==26.11.0\n"))
        #expect(try repository.git("show", "main:VERSION") == "26.12.0.dev0")
        #expect(try repository.git("rev-parse", "26.11^") == mainBefore, "the branch starts from main's tip")
        #expect(try repository.git("rev-parse", "main^") == mainBefore)
        // The checked-out main followed: nothing to commit, the files on disk are new.
        #expect(try repository.git("status", "--porcelain").isEmpty)
        #expect(try repository.read("VERSION") == "26.12.0.dev0\n")
        // The client's own version was not touched; symlinks stay symlinks.
        #expect(try repository.git("show", "26.11:src/ai/backend/client/pyproject.toml").contains("version = \"26.4.2\""))
        #expect(try repository.git("cat-file", "-p", "main:src/ai/backend/manager").contains("120000 blob"))
        #expect(try repository.git("reflog", "-1", "--format=%gs", "main") == "relkit cut: create release line 26.11 from main at \(mainBefore.prefix(12))")
        #expect(
            try repository.git("log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", "main")
                == "Test Author <author@example.invalid>|Test Committer <committer@example.invalid>|main: 26.12.0.dev0 after cutting 26.11")
        #expect(try repository.git("fsck", "--strict").isEmpty)
    }

    @Test func preReleaseStartAndFromRevision() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let first = try repository.git("rev-parse", "HEAD")
        try repository.commit(["NOTES": "later work\n"], message: "later")
        try cut(repository, "26.11", from: first, pre: .releaseCandidate)
        #expect(try repository.git("show", "26.11:VERSION") == "26.11.0rc1")
        #expect(try repository.git("rev-parse", "26.11^") == first)
        #expect(try repository.git("show", "26.11:requirements.txt").contains("backend.ai-common==26.11.0rc1\n"))
        #expect(try repository.git("show", "main:NOTES") == "later work", "main keeps its later commits")
    }

    @Test func refusesAndChangesNothing() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("checkout", "-q", "-b", "feature")
        try repository.commit(["FEATURE": "x\n"], message: "feature work")
        try repository.git("checkout", "-q", "main")
        try repository.git("tag", "26.09.0")
        let before = try snapshot(repository)
        func refusal(_ line: String?, from: String? = nil) -> OperationError? {
            #expect(throws: OperationError.self) { try cut(repository, line, from: from) }
        }
        #expect(refusal("26.09")?.message == "26.09 is not later than the latest release line 26.09; release lines only go forward")
        #expect(refusal("26.03")?.exitCode == 1)
        #expect(refusal("26.12", from: "feature")?.message.hasSuffix("is not on main; release lines are cut from main") == true)
        #expect(refusal("26.13")?.exitCode == 2)
        #expect(refusal("26.13")?.message == "month 13 is not a month (01 to 12)")
        try repository.git("branch", "26.12")
        #expect(refusal("26.12")?.message == "branch 26.12 exists already; relkit never overwrites a branch")
        try repository.git("branch", "-D", "26.12")
        #expect(try snapshot(repository) == before)
    }

    @Test func refusesWhenTheFilesOfMainHaveLocalChanges() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.write("src/ai/backend/common/defs.py", "NEXT_RELEASE_VERSION = \"26.11.0.dev0\"\n# local edit\n")
        try repository.write("UNTRACKED", "keep me\n")
        let before = try snapshot(repository)
        let refusal = #expect(throws: OperationError.self) { try cut(repository, "26.11") }
        #expect(refusal?.exitCode == 3)
        #expect(refusal?.message.hasPrefix("src/ai/backend/common/defs.py has uncommitted changes") == true)
        #expect(try snapshot(repository) == before)
        #expect(try repository.read("UNTRACKED") == "keep me\n")
    }

    @Test func unrelatedLocalChangesAreKept() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.write("docs/openapi.json", "{\"info\": {\"version\": \"v8.20261101\"}, \"local\": true}\n")
        try repository.write("UNTRACKED", "keep me\n")
        try cut(repository, "26.11")
        #expect(try repository.git("status", "--porcelain") == "M docs/openapi.json\n?? UNTRACKED".trimmingCharacters(in: .whitespaces))
        #expect(try repository.read("docs/openapi.json").contains("\"local\": true"))
    }

    @Test func nextLinePolicies() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let config = try repository.read(".release.toml").replacingOccurrences(of: "next-line = \"next-month\"", with: "next-line = \"cadence\"\ncadence = [3, 9]")
        try repository.commit(
            [
                ".release.toml": config, "VERSION": "26.09.0.dev0\n",
                "src/ai/backend/common/defs.py": "NEXT_RELEASE_VERSION = \"26.9.0.dev0\"\n",
                "requirements.txt": "backend.ai-common==26.9.0.dev0\n"
            ], message: "cadence")
        try cut(repository, "26.09")
        #expect(try repository.git("show", "main:VERSION") == "27.03.0.dev0")
        #expect(try repository.git("show", "main:requirements.txt") == "backend.ai-common==27.3.0.dev0")
        #expect(try repository.git("show", "26.09:VERSION") == "26.09.0")
    }

    @Test func aRefThatMovedMeanwhileStopsEverything() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        _ = setTestIdentity
        let context = try ReleaseContext.open(repository.path, command: "cut") { _ in }
        defer { context.lock.release() }
        let plan = try Cut.plan(context, line: "26.11", from: nil, pre: nil, today: CalendarDate(year: 2026, month: 11, day: 15)!)
        try repository.commit(["OTHER": "someone else\n"], message: "concurrent commit")
        let moved = try repository.git("rev-parse", "main")
        let failure = #expect(throws: OperationError.self) {
            try PlanExecutor.apply(plan, repository: context.repository, lock: context.lock, root: context.workspace.root)
        }
        #expect(failure?.exitCode == 3)
        #expect(failure?.message.contains("refs/heads/main moved from") == true)
        #expect(try repository.git("rev-parse", "main") == moved)
        #expect(try repository.git("for-each-ref", "--format=%(refname)", "refs/heads") == "refs/heads/main", "the new branch was not created either")
        #expect(try repository.git("fsck", "--no-dangling").isEmpty)
    }
}

@Suite("relkit tag")
struct TagTests {
    @Test func theReleaseSequenceOfTheRules() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try cut(repository, "26.11")
        #expect(try tag(repository) == "26.11.0")
        #expect(try tag(repository) == "26.11.1")
        #expect(try tag(repository, .pre(.releaseCandidate)) == "26.11.2rc1")
        #expect(try tag(repository, .pre(.releaseCandidate)) == "26.11.2rc2")
        #expect(try tag(repository, .final) == "26.11.2")
        #expect(try repository.git("tag", "--list") == "26.11.0\n26.11.1\n26.11.2\n26.11.2rc1\n26.11.2rc2")
        // 26.11.0 tags the cut commit itself; the others commit the version first.
        #expect(try repository.git("rev-parse", "26.11.0^{commit}") == repository.git("rev-parse", "26.11~4"))
        #expect(try repository.git("log", "-1", "--format=%s", "26.11.2rc1^{commit}") == "release: 26.11.2rc1")
        #expect(try repository.git("show", "26.11.2rc1:VERSION") == "26.11.2rc1")
        #expect(try repository.git("show", "26.11.2rc1:requirements.txt").contains("backend.ai-common==26.11.2rc1\n"))
        #expect(try repository.git("cat-file", "-t", "26.11.1") == "tag")
        let tagObject = try repository.git("cat-file", "-p", "26.11.1")
        #expect(tagObject.contains("\ntag 26.11.1\ntagger Test Committer <committer@example.invalid>"))
        #expect(tagObject.hasSuffix("\n\nRelease 26.11.1 (line 26.11)"))
        #expect(try repository.git("show", "main:VERSION") == "26.12.0.dev0", "main is untouched")
        #expect(try repository.git("status", "--porcelain").isEmpty)
        #expect(try repository.git("fsck", "--strict").isEmpty)
    }

    @Test func neverGoesBackwardsNorReusesNorLeavesTheLine() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try cut(repository, "26.11", pre: .releaseCandidate)
        #expect(try tag(repository) == "26.11.0rc1")
        let before = try snapshot(repository)
        #expect(
            (#expect(throws: OperationError.self) { try tag(repository, .pre(.alpha)) })?.message
                == "26.11.0rc1 is already a release candidate; an alpha would go backwards (rc -> a)")
        #expect((#expect(throws: OperationError.self) { try tag(repository, .patch) })?.exitCode == 1)
        #expect((#expect(throws: OperationError.self) { try tag(repository, branch: "26.12") })?.message == "there is no branch '26.12'")
        #expect((#expect(throws: OperationError.self) { try tag(repository, branch: nil) })?.message.hasPrefix("HEAD is not a release branch") == true)
        try repository.git("tag", "26.11.0rc2") // someone tagged the next candidate by hand
        #expect((#expect(throws: OperationError.self) { try tag(repository, .pre(.releaseCandidate)) })?.message == "tag 26.11.0rc2 exists already; tags never move")
        try repository.git("tag", "-d", "26.11.0rc2")
        #expect(try snapshot(repository) == before)

        // A branch whose files carry another line's version.
        try repository.git("checkout", "-q", "26.11")
        _ = try bump(repository, "26.12.0", commit: true)
        #expect(
            (#expect(throws: OperationError.self) { try tag(repository, branch: nil) })?.message
                == "26.11 carries 26.12.0, a version of line 26.12, not 26.11; relkit never tags a version of another line")
    }

    @Test func lightweightPrefixedTagsOnTheCheckedOutBranch() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let config = try repository.read(".release.toml").replacingOccurrences(of: "prefix = \"\"\nannotated = true", with: "prefix = \"v\"\nannotated = false")
        try repository.commit([".release.toml": config], message: "v tags")
        try cut(repository, "26.11")
        try repository.git("checkout", "-q", "26.11")
        #expect(try tag(repository, branch: nil) == "v26.11.0")
        #expect(try tag(repository, branch: nil) == "v26.11.1")
        #expect(try repository.git("cat-file", "-t", "v26.11.1") == "commit")
        #expect(try repository.git("status", "--porcelain").isEmpty, "the checked-out release branch followed")
        #expect(try repository.read("VERSION") == "26.11.1\n")
    }
}

@Suite("relkit bump")
struct BumpTests {
    @Test func writesEveryFileKeepingEveryOtherByte() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        // CRLF, a BOM, no final newline, and an executable bit: all must survive.
        try repository.write("src/ai/backend/common/defs.py", "\u{FEFF}\"\"\"Constants.\"\"\"\r\nNEXT_RELEASE_VERSION = \"26.11.0.dev0\"\r\nX = 1")
        chmod(repository.scratch.file("src/ai/backend/common/defs.py"), 0o755)
        try repository.git("add", "-A")
        try repository.git("commit", "-q", "-m", "crlf")
        let plan = try bump(repository, "26.11.1")
        #expect(
            plan.workTreeEdits.map(\.path) == [
                "VERSION", "requirements.txt", "src/ai/backend/agent/pyproject.toml",
                "src/ai/backend/common/defs.py", "src/ai/backend/manager/pyproject.toml"
            ])
        // Bytes, not a String: decoding would drop the BOM.
        #expect(
            FileManager.default.contents(atPath: repository.scratch.file("src/ai/backend/common/defs.py"))
                == Data("\u{FEFF}\"\"\"Constants.\"\"\"\r\nNEXT_RELEASE_VERSION = \"26.11.1\"\r\nX = 1".utf8))
        var info = stat()
        stat(repository.scratch.file("src/ai/backend/common/defs.py"), &info)
        #expect(info.st_mode & 0o777 == 0o755)
        #expect(try repository.read("VERSION") == "26.11.1\n")
        // Symlinks are written through, once, and stay symlinks.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: repository.scratch.file("src/ai/backend/manager/VERSION")) == "../../../../VERSION")
        #expect(try repository.git("diff", "--stat").contains("5 files changed, 6 insertions(+), 6 deletions(-)"))
        #expect(try repository.git("log", "--oneline").split(separator: "\n").count == 2, "no commit without --commit")
    }

    @Test func commitOnTheCurrentBranch() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        _ = try bump(repository, "26.11.1", commit: true)
        #expect(try repository.git("log", "-1", "--format=%s") == "bump: server 26.11.0.dev0 -> 26.11.1")
        #expect(try repository.git("status", "--porcelain").isEmpty)
        #expect(try repository.git("show", "HEAD:src/ai/backend/common/defs.py").contains("\"26.11.1\""))
        // The client is a component of its own.
        _ = try bump(repository, "26.05.0", commit: true, unit: "client")
        #expect(try repository.git("show", "HEAD:src/ai/backend/client/pyproject.toml").contains("version = \"26.5.0\""))
        #expect(try repository.git("show", "HEAD:requirements.txt").contains("backend.ai-client~=26.5.0"))
    }

    @Test func refusals() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let before = try snapshot(repository)
        #expect(
            (#expect(throws: OperationError.self) { try bump(repository, "26.11.0.dev0") })?.message
                == "every file of 'server' already carries 26.11.0.dev0; nothing to do")
        #expect((#expect(throws: OperationError.self) { try bump(repository, "26.10.0") })?.exitCode == 1)
        #expect(
            (#expect(throws: OperationError.self) { try bump(repository, "26.3.0") })?.message
                == "'26.3.0' is not a version of yy.0m: month '3' needs two digits: '03' (did you mean 26.03.0?)")
        #expect((#expect(throws: OperationError.self) { try bump(repository, "26.12.0", unit: "nope") })?.exitCode == 2)
        #expect(try snapshot(repository) == before)
        try repository.write("VERSION", "26.11.0.dev0\n\n")
        #expect((#expect(throws: OperationError.self) { try bump(repository, "26.12.0", commit: true) })?.exitCode == 3)
    }

    @Test func lockHeldByAnotherProcessOrLeftByAKilledOne() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let lockDirectory = repository.scratch.file(".git/relkit")
        try FileManager.default.createDirectory(atPath: lockDirectory, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName
        // A live holder: this test process.
        try "pid=\(getpid())\nhost=\(hostnameOfThisMachine())\ncommand=relkit tag\n".write(toFile: lockDirectory + "/lock", atomically: true, encoding: .utf8)
        let locked = #expect(throws: OperationError.self) { try bump(repository, "26.12.0") }
        #expect(locked?.exitCode == 3)
        #expect(locked?.message.hasPrefix("another relkit is writing to this repository (pid \(getpid()), `relkit tag`") == true)
        _ = host
        // A dead holder that was writing files: they are restored, then the command runs.
        let dead = try runProcess("/bin/sh", ["-c", "echo $$"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createDirectory(atPath: lockDirectory + "/backup", withIntermediateDirectories: true)
        try "26.11.0.dev0\n".write(toFile: lockDirectory + "/backup/0", atomically: true, encoding: .utf8)
        try "{\"files\": [{\"path\": \"\(repository.scratch.file("VERSION"))\", \"backup\": \"\(lockDirectory)/backup/0\"}]}".write(
            toFile: lockDirectory + "/journal", atomically: true, encoding: .utf8)
        try repository.write("VERSION", "half-written\n")
        try "pid=\(dead)\nhost=\(hostnameOfThisMachine())\ncommand=relkit bump 26.12.0\n".write(toFile: lockDirectory + "/lock", atomically: true, encoding: .utf8)
        var notices: [String] = []
        let context = try ReleaseContext.open(repository.path, command: "bump") { notices.append($0) }
        context.lock.release()
        #expect(
            notices == [
                "relkit: a relkit that no longer runs (pid \(dead), `relkit bump 26.12.0`) left its lock; removed the lock",
                "relkit: an earlier relkit was interrupted; restored 1 file it was writing"
            ])
        #expect(try repository.read("VERSION") == "26.11.0.dev0\n")
        #expect(!FileManager.default.fileExists(atPath: lockDirectory + "/journal"))
        #expect(!FileManager.default.fileExists(atPath: lockDirectory + "/lock"))
    }
}

func hostnameOfThisMachine() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, buffer.count)
    return String(cString: buffer)
}
