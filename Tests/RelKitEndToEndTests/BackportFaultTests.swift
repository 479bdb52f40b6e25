import Foundation
import RelKitTestSupport
import Testing

/// Two fixes on main, and two release lines: 26.09 takes both cleanly; on 26.11 the first
/// conflicts (26.11 changed the same line), so 26.11 stops there with the second still to pick.
func backportScene(conflict: Bool, checkedOut: String? = nil) throws -> ScratchRepository {
    let repository = try ScratchRepository(fixture: "check/clean")
    try repository.git("branch", "26.09")
    try repository.git("checkout", "-q", "-b", "26.11")
    if conflict { try repository.commit(["requirements.txt": "release only\n"], message: "release edit") }
    try repository.git("checkout", "-q", "main")
    try repository.commit(["requirements.txt": "main only\n"], message: "fix: requirements (#90)")
    try repository.commit(["src/ai/backend/common/fix.py": "FIXED = True\n"], message: "fix: common (#91)")
    if let checkedOut { try repository.git("checkout", "-q", checkedOut) }
    return repository
}

/// The refs, the worktrees git knows, and whether a backport is stopped.
struct BackportState: Equatable {
    let repository: RepositoryState
    let worktrees: [String]
    let stopped: Bool

    init(_ scratch: ScratchRepository) throws {
        repository = try RepositoryState(scratch)
        worktrees = try scratch.git("worktree", "list", "--porcelain").split(separator: "\n")
            .filter { $0.hasPrefix("worktree ") }.map { $0.dropFirst(9).replacingOccurrences(of: scratch.path, with: ".") }.sorted()
        stopped = FileManager.default.fileExists(atPath: scratch.scratch.file(".git/relkit/backport.json"))
    }
}

struct BackportFault: CustomTestStringConvertible, Sendable {
    let name: String
    let conflict: Bool
    var checkedOut: String?
    /// Run before the command (a stopped backport to continue, with its conflict resolved).
    var before: [[String]] = []
    var resolve = false
    let command: [String]
    let step: String
    var testDescription: String { "\(name) killed at \(step)" }
}

let backportFaults: [BackportFault] = {
    var cases: [BackportFault] = []
    for step in ["locked", "objects-written", "refs-moved"] {
        cases.append(BackportFault(name: "backport (clean)", conflict: false, command: ["backport", "main~2..main", "--to", "26.11"], step: step))
    }
    for step in ["locked", "objects-written", "journal-written", "refs-moved", "checked-out"] {
        cases.append(
            BackportFault(
                name: "backport to the checked-out branch", conflict: false, checkedOut: "26.11",
                command: ["backport", "main~2..main", "--to", "26.11"], step: step))
    }
    for step in ["locked", "objects-written", "refs-moved", "worktree-added", "state-written"] {
        cases.append(
            BackportFault(
                name: "backport stopping on a conflict", conflict: true,
                command: ["backport", "main~2..main", "--to", "26.11", "--to", "26.09"], step: step))
    }
    let stop = [["backport", "main~2..main", "--to", "26.11", "--to", "26.09"]]
    for step in ["locked", "objects-written", "state-written", "refs-moved"] {
        cases.append(
            BackportFault(
                name: "backport --continue", conflict: true, before: stop, resolve: true,
                command: ["backport", "--continue"], step: step))
    }
    for step in ["locked", "objects-written", "state-written", "journal-written", "refs-moved", "checked-out"] {
        cases.append(
            BackportFault(
                name: "backport --continue to the checked-out branch", conflict: true, checkedOut: "26.11",
                before: stop, resolve: true, command: ["backport", "--continue"], step: step))
    }
    for step in ["locked", "worktree-removed"] {
        cases.append(BackportFault(name: "backport --abort", conflict: true, before: stop, command: ["backport", "--abort"], step: step))
    }
    return cases
}()

@Suite("Fault injection: backport, --continue and --abort killed at each write step")
struct BackportFaultTests {
    func prepare(_ fault: BackportFault) throws -> ScratchRepository {
        let repository = try backportScene(conflict: fault.conflict, checkedOut: fault.checkedOut)
        for command in fault.before {
            let result = try relkit(command, in: repository.path, environment: releaseEnvironment)
            guard result.status <= 1 else { throw GitCommandError(description: "\(command) failed: \(result.stderr)") }
        }
        if fault.resolve { try repository.write(".git/relkit/backport-26.11/requirements.txt", "resolved\n") }
        return repository
    }

    @Test(arguments: backportFaults)
    func killedBackportsLoseNothing(_ fault: BackportFault) throws {
        let twin = try prepare(fault)
        defer { twin.remove() }
        let completed = try relkit(fault.command, in: twin.path, environment: releaseEnvironment)
        try #require(completed.status <= 1, "\(completed.stderr)")
        let new = try BackportState(twin)

        let repository = try prepare(fault)
        defer { repository.remove() }
        let old = try BackportState(repository)
        _ = try killed(fault.command, at: fault.step, in: repository, old: old.repository.refs, new: new.repository.refs)

        // The next command finishes the job, or refuses and says what to do; doing that ends in
        // the state of a run that was never interrupted.
        let next = try relkit(fault.command, in: repository.path, environment: releaseEnvironment)
        #expect(next.stderr.contains("left its lock"), "\(next.stderr)")
        if next.status == 3 {
            #expect(next.stderr.contains("a backport is stopped on a conflict (relkit backport --status); finish it with --continue or drop it with --abort first"), "\(next.stderr)")
            #expect(try relkit(["backport", "--abort"], in: repository.path, environment: releaseEnvironment).status == 0)
            let again = try relkit(fault.command, in: repository.path, environment: releaseEnvironment)
            #expect(again.status <= 1, "\(again.stderr)")
        } else if fault.command == ["backport", "--abort"] {
            #expect(next.status == 0 || (next.status == 1 && next.stderr.contains("no backport is stopped")), "\(next.stderr)")
        } else {
            #expect(next.status == completed.status, "\(next.stdout)\(next.stderr)")
        }
        let final = try BackportState(repository)
        #expect(final == new, "as if nothing had been interrupted: \(final) vs \(new)")
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file(".git/relkit/lock")))
        #expect(try repository.git("fsck", "--no-dangling").isEmpty)
        #expect(try repository.git("branch", "--list", "relkit-worktree-*").isEmpty, "no temporary branch is left")
    }
}

@Suite("Two relkits on one repository")
struct ConcurrencyTests {
    /// Starts relkit without waiting for it.
    func start(_ arguments: [String], in directory: String, environment: [String: String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: relkitBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    func finish(_ started: (Process, Pipe)) -> (status: Int32, stderr: String) {
        let stderr = String(decoding: started.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        started.0.waitUntilExit()
        return (started.0.terminationStatus, stderr)
    }

    /// The first relkit holds the lock for a second (RELKIT_PAUSE_AT); the second waits for it
    /// with a long enough timeout, or exits 3 naming the holder with a short one.
    @Test(arguments: [3.0, 0.3])
    func cutAndTagTakeTurns(timeout: Double) throws {
        let repository = try prepared([["cut", "26.09"]])
        defer { repository.remove() }
        var holding = releaseEnvironment
        holding["RELKIT_PAUSE_AT"] = "locked:1.0"
        let cut = try start(["cut", "26.11"], in: repository.path, environment: holding)
        usleep(300_000)
        var waiting = releaseEnvironment
        waiting["RELKIT_LOCK_TIMEOUT"] = String(timeout)
        let tag = try relkit(["tag", "--branch", "26.09"], in: repository.path, environment: waiting)
        let first = finish(cut)
        #expect(first.status == 0, "\(first.stderr)")
        if timeout > 1 {
            #expect(tag.status == 0, "the second waited for the first: \(tag.stderr)")
            #expect(try repository.git("tag", "--list") == "26.09.0")
        } else {
            #expect(tag.status == 3)
            #expect(tag.stderr.contains("another relkit is writing to this repository (pid \(cut.0.processIdentifier), `relkit cut`"), "\(tag.stderr)")
            #expect(try repository.git("tag", "--list").isEmpty)
        }
        #expect(try repository.git("rev-parse", "26.11") != "", "the cut is complete")
        #expect(try repository.git("fsck", "--no-dangling").isEmpty)
    }

    /// Two developers backport the same fix at once: one commit on the release branch, never two.
    @Test func sameBackportTwiceAtOnce() throws {
        let repository = try backportScene(conflict: false)
        defer { repository.remove() }
        var environment = releaseEnvironment
        environment["RELKIT_LOCK_TIMEOUT"] = "10"
        let tip = try repository.git("rev-parse", "26.11")
        let runs = try (0..<4).map { _ in try start(["backport", "main~2..main", "--to", "26.11"], in: repository.path, environment: environment) }
        let results = runs.map(finish)
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(try repository.git("rev-list", "--count", "\(tip)..26.11") == "2", "each fix picked exactly once")
        #expect(try repository.git("log", "--format=%s", "26.11", "-2") == "fix: common (#91)\nfix: requirements (#90)")
        #expect(try repository.git("fsck", "--no-dangling").isEmpty)
    }
}
