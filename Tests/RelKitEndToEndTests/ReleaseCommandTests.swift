import Foundation
import RelKitTestSupport
import Testing

/// Everything a release command can change: refs, and the bytes of every file in the work tree.
struct RepositoryState: Equatable {
    var refs: [String: String]
    let files: [String: Data]
    let status: String

    init(_ repository: ScratchRepository) throws {
        var refs: [String: String] = [:]
        for line in try repository.git("for-each-ref", "--format=%(refname) %(objectname)").split(separator: "\n") {
            let parts = line.split(separator: " ")
            refs[String(parts[0])] = String(parts[1])
        }
        refs["HEAD"] = try repository.git("symbolic-ref", "-q", "HEAD")
        self.refs = refs
        var files: [String: Data] = [:]
        for path in try repository.git("ls-files", "--cached", "--others", "--exclude-standard").split(separator: "\n") {
            files[String(path)] = FileManager.default.contents(atPath: repository.scratch.file(String(path))) ?? Data()
        }
        self.files = files
        status = try repository.git("status", "--porcelain")
    }
}

let releaseEnvironment: [String: String] = {
    var environment = gitEnvironment
    environment["RELKIT_LOCK_TIMEOUT"] = "0.5"
    return environment
}()

func prepared(_ setup: [[String]]) throws -> ScratchRepository {
    let repository = try ScratchRepository(fixture: "check/clean")
    for step in setup {
        if step.first == "git" {
            try repository.git(Array(step.dropFirst()))
        } else {
            let result = try relkit(step, in: repository.path, environment: releaseEnvironment)
            guard result.status == 0 else { throw GitCommandError(description: "setup \(step) failed: \(result.stderr)") }
        }
    }
    return repository
}

struct FaultCase: CustomTestStringConvertible, Sendable {
    let name: String
    let setup: [[String]]
    let command: [String]
    let step: String
    var testDescription: String { "\(name) killed at \(step)" }
}

let faultCases: [FaultCase] = {
    var cases: [FaultCase] = []
    for step in ["locked", "objects-written", "journal-written", "refs-moved", "checked-out"] {
        cases.append(FaultCase(name: "cut", setup: [], command: ["cut", "26.11"], step: step))
        cases.append(FaultCase(name: "bump --commit", setup: [], command: ["bump", "26.11.1", "--commit"], step: step))
        cases.append(
            FaultCase(
                name: "tag on the checked-out branch", setup: [["cut", "26.11"], ["git", "checkout", "-q", "26.11"], ["tag"]],
                command: ["tag"], step: step))
    }
    for step in ["locked", "objects-written", "refs-moved"] {
        cases.append(
            FaultCase(
                name: "tag --branch", setup: [["cut", "26.11"], ["tag", "--branch", "26.11"]],
                command: ["tag", "--branch", "26.11", "--pre", "rc"], step: step))
    }
    for step in ["locked", "journal-written", "file-renamed", "files-written"] {
        cases.append(FaultCase(name: "bump", setup: [], command: ["bump", "26.11.1"], step: step))
    }
    return cases
}()

/// Runs `command` killed by SIGKILL at `step`, and checks what every interrupted write must leave:
/// `git fsck` clean, and every ref (HEAD and any the command made included) at its old or new value.
func killed(
    _ command: [String], at step: String, in repository: ScratchRepository,
    old: [String: String], new: [String: String]
) throws -> RepositoryState {
    var environment = releaseEnvironment
    environment["RELKIT_FAULT_AT"] = step
    let result = try relkit(command, in: repository.path, environment: environment)
    #expect(result.status == 9, "killed by SIGKILL at \(step): \(result.stderr)")
    #expect(try repository.git("fsck", "--no-dangling").isEmpty)
    let interrupted = try RepositoryState(repository)
    for name in Set(old.keys).union(new.keys).union(interrupted.refs.keys) {
        #expect(interrupted.refs[name] == old[name] || interrupted.refs[name] == new[name], "\(name) is at its old or new value")
    }
    return interrupted
}

@Suite("Fault injection: relkit killed at each write step")
struct FaultInjectionTests {
    @Test(arguments: faultCases)
    func killedCommandsLoseNothing(_ fault: FaultCase) throws {
        // What a run that is not interrupted ends with (fixed dates: the same commit ids).
        let twin = try prepared(fault.setup)
        defer { twin.remove() }
        let completed = try relkit(fault.command, in: twin.path, environment: releaseEnvironment)
        try #require(completed.status == 0, "\(completed.stderr)")
        let new = try RepositoryState(twin)

        let repository = try prepared(fault.setup)
        defer { repository.remove() }
        let old = try RepositoryState(repository)
        let interrupted = try killed(fault.command, at: fault.step, in: repository, old: old.refs, new: new.refs)
        let journal = FileManager.default.fileExists(atPath: repository.scratch.file(".git/relkit/journal"))
        #expect(
            interrupted.files == old.files || interrupted.files == new.files || journal,
            "files are all old or all new, or a journal says how to restore them")
        #expect(FileManager.default.fileExists(atPath: repository.scratch.file(".git/relkit/lock")), "the lock of the killed relkit is left")

        // A dry run meanwhile writes nothing: no lock taken, nothing finished or undone.
        let left = try RepositoryState(repository)
        let dryRun = try relkit(fault.command + ["--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect([0, 1, 3].contains(dryRun.status), "\(dryRun.stderr)")
        #expect(try RepositoryState(repository) == left, "the dry run changed nothing")
        // The next run explains the leftover lock and finishes the work (or undoes it and does it
        // again): in the end as if nothing had been interrupted.
        let next = try relkit(fault.command, in: repository.path, environment: releaseEnvironment)
        #expect(next.stderr.contains("left its lock"), "\(next.stderr)")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try RepositoryState(repository) == new, "in the end as if nothing had been interrupted")
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file(".git/relkit/lock")))
        #expect(try repository.git("fsck", "--no-dangling").isEmpty)
    }
}

@Suite("relkit cut, tag and bump, end to end")
struct ReleaseCommandEndToEndTests {
    @Test func dryRunPrintsThePlanAndChangesNothing() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let before = try RepositoryState(repository)
        let text = try relkit(["cut", "26.11", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(text.status == 0)
        #expect(text.stdoutLines.first == "relkit cut: create release line 26.11 from main at \(try repository.git("rev-parse", "--short=12", "main")) (dry run: nothing is changed)")
        #expect(text.stdout.contains("  create branch 26.11 -> new commit 1\n"))
        #expect(text.stdout.contains("--- a/VERSION\n+++ b/VERSION\n@@ -1 +1 @@\n-26.11.0.dev0\n+26.11.0\n"))
        let json = try relkit(["cut", "26.11", "--dry-run", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(plan["dry_run"] as? Bool == true)
        #expect(plan["version"] as? String == "26.11.0")
        #expect((plan["branches"] as? [[String: Any]])?.first?["name"] as? String == "26.11")
        #expect((plan["commits"] as? [[String: Any]])?.count == 2)
        #expect((plan["commits"] as? [[String: Any]])?.first?["id"] is NSNull)
        let bumpPlan = try relkit(["bump", "26.11.1", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(bumpPlan.stdout.contains("-NEXT_RELEASE_VERSION = \"26.11.0.dev0\"\n+NEXT_RELEASE_VERSION = \"26.11.1\""))
        #expect(try RepositoryState(repository) == before)
    }

    @Test func applyReportsWhatItDidAndHonoursTheEnvironmentIdentity() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        var environment = releaseEnvironment
        environment["GIT_COMMITTER_NAME"] = "CI Bot"
        environment["GIT_COMMITTER_EMAIL"] = "ci@example.invalid"
        environment["GIT_COMMITTER_DATE"] = "2026-11-21T10:00:00+01:00"
        let result = try relkit(["cut", "26.11", "--format", "json"], in: repository.path, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let commits = try #require(report["commits"] as? [[String: Any]])
        #expect(commits.map { $0["id"] as? String } == [try repository.git("rev-parse", "26.11"), try repository.git("rev-parse", "main")])
        #expect(try repository.git("log", "-1", "--format=%cn <%ce> %cI", "main") == "CI Bot <ci@example.invalid> 2026-11-21T10:00:00+01:00")
        #expect(try repository.git("log", "-1", "--format=%an", "main") == "Test Author")

        let tagged = try relkit(["tag", "--branch", "26.11"], in: repository.path, environment: environment)
        #expect(tagged.status == 0)
        #expect(tagged.stdoutLines.last == "done")
        #expect(try repository.git("cat-file", "-p", "26.11.0").contains("tagger CI Bot <ci@example.invalid> 1795251600 +0100"))
    }

    @Test func exitCodes() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        #expect(try relkit(["cut", "26.13"], in: repository.path, environment: releaseEnvironment).status == 2)
        #expect(try relkit(["tag", "--patch", "--final"], in: repository.path, environment: releaseEnvironment).status == 2)
        #expect(try relkit(["bump", "26.11.0.dev0"], in: repository.path, environment: releaseEnvironment).status == 1)
        try repository.write("VERSION", "26.11.0.dev0 \n")
        let dirty = try relkit(["bump", "26.12.0", "--commit"], in: repository.path, environment: releaseEnvironment)
        #expect(dirty.status == 3)
        #expect(dirty.stderr == "error: VERSION has uncommitted changes, and relkit must write it on the checked-out branch main: commit or stash them first\n")

        // Another relkit holds the lock: wait briefly, then exit 3.
        try FileManager.default.createDirectory(atPath: repository.scratch.file(".git/relkit"), withIntermediateDirectories: true)
        try "pid=1\nhost=\(ProcessInfo.processInfo.hostName)\ncommand=relkit cut\n".write(toFile: repository.scratch.file(".git/relkit/lock"), atomically: true, encoding: .utf8)
        let locked = try relkit(["cut", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(locked.status == 3)
        #expect(locked.stderr.contains("another relkit is writing to this repository (pid 1, `relkit cut`)"))
        #expect(locked.stderr.contains("remove \(repository.scratch.file(".git/relkit/lock"))"))
        // A dry run writes nothing: it needs no lock, and leaves the other's alone (cut, tag and
        // bump open the repository the same way).
        try repository.git("checkout", "-q", "VERSION")
        for dryRun in [["cut", "26.11", "--dry-run"], ["bump", "26.12.0", "--commit", "--dry-run"]] {
            let planned = try relkit(dryRun, in: repository.path, environment: releaseEnvironment)
            #expect(planned.status == 0, "\(dryRun): \(planned.stderr)")
            #expect(planned.stdout.contains("(dry run: nothing is changed)"), "\(dryRun)")
        }
        #expect(try String(contentsOfFile: repository.scratch.file(".git/relkit/lock"), encoding: .utf8).contains("pid=1\n"))
    }

    /// relkit does not sync its lock's text to disk: after a system crash a lock may be empty. An
    /// empty lock written before this boot is stale (its relkit cannot run any more) and is
    /// cleaned up; one written since may be a relkit that is starting, and is waited for.
    @Test func anEmptyLockIsStaleOnlyWhenWrittenBeforeTheBoot() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let lock = repository.scratch.file(".git/relkit/lock")
        try FileManager.default.createDirectory(atPath: repository.scratch.file(".git/relkit"), withIntermediateDirectories: true)
        var environment = releaseEnvironment
        environment["RELKIT_LOCK_TIMEOUT"] = "0.3"

        try "".write(toFile: lock, atomically: true, encoding: .utf8)
        let waited = try relkit(["cut", "26.11"], in: repository.path, environment: environment)
        #expect(waited.status == 3)
        #expect(waited.stderr.contains("another relkit is writing to this repository (pid ?)"), "\(waited.stderr)")
        #expect(!(try repository.git("branch", "--list", "26.11").contains("26.11")))

        // Written an hour before the system booted.
        let uptime = try #require(Double(String(contentsOfFile: "/proc/uptime", encoding: .utf8).split(separator: " ")[0]))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -uptime - 3_600)], ofItemAtPath: lock)
        let cut = try relkit(["cut", "26.11"], in: repository.path, environment: environment)
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(cut.stderr.contains("a relkit that no longer runs (pid ?) left its lock"), "\(cut.stderr)")
        #expect(try repository.git("rev-parse", "--verify", "--quiet", "refs/heads/26.11").count == 40)
        #expect(!FileManager.default.fileExists(atPath: lock))
    }

    @Test func aMissingIdentityIsAClearError() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let home = try ScratchDirectory()
        defer { home.remove() }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") && $0.key != "EMAIL" }
        environment["HOME"] = home.path
        environment["XDG_CONFIG_HOME"] = home.path
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        let before = try RepositoryState(repository)
        let result = try relkit(["bump", "26.12.0", "--commit"], in: repository.path, environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: no committer identity: set user.name and user.email"))
        #expect(try RepositoryState(repository) == before)
    }
}
