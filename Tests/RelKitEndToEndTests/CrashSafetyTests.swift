import Foundation
import RelKitTestSupport
import Testing

/// Each failure of issue 21 as a plain test (no strace): Tests/Faults/faults.py kills relkit at
/// every system call; these reproduce the states it found, one by one.
@Suite("Crash safety: what a killed relkit leaves, the next one finishes")
struct CrashSafetyTests {
    func withFault(_ step: String) -> [String: String] {
        var environment = releaseEnvironment
        environment["RELKIT_FAULT_AT"] = step
        return environment
    }

    func fsckClean(_ repository: ScratchRepository) throws -> Bool {
        try repository.git("fsck", "--full", "--no-dangling", "--no-progress").isEmpty
    }

    /// `relkit cut 26.11` succeeds, every object is there, and git checks the new branch out.
    func cutAndCheckOut(_ repository: ScratchRepository) throws {
        let cut = try relkit(["cut", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(try fsckClean(repository))
        try repository.git("checkout", "-q", "26.11")
    }

    /// Killed after each object written: the objects there name only objects that are there, and
    /// the next cut ends with a branch whose every tree can be checked out.
    @Test(arguments: 1...6)
    func killedWhileWritingObjects(after count: Int) throws {
        let repository = try prepared([])
        defer { repository.remove() }
        let killed = try relkit(["cut", "26.11"], in: repository.path, environment: withFault("object-written-\(count)"))
        #expect(killed.status == 9, "\(killed.stderr)")
        #expect(try fsckClean(repository))
        try cutAndCheckOut(repository)
        #expect(try repository.read("VERSION") == "26.11.0\n")
    }

    /// A tree already in the repository whose subtrees are not (what the earlier order of writes
    /// left after a kill): relkit writes what is missing under it instead of trusting it.
    @Test func aPresentTreeWithMissingChildrenIsCompleted() throws {
        let twin = try prepared([])
        defer { twin.remove() }
        #expect(try relkit(["cut", "26.11"], in: twin.path, environment: releaseEnvironment).status == 0)
        let tree = try twin.git("rev-parse", "26.11^{tree}")
        let listing = try twin.git("ls-tree", "26.11")

        let repository = try prepared([])
        defer { repository.remove() }
        let planted = try runProcess("git", ["-C", repository.path, "mktree", "--missing"], stdin: Data((listing + "\n").utf8), environment: gitEnvironment)
        #expect(planted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == tree)
        let source = try twin.git("rev-parse", "26.11:src")
        #expect(
            try runProcess("git", ["-C", repository.path, "cat-file", "-e", source], environment: gitEnvironment).status != 0,
            "the changed subtree is missing under the planted tree")
        try cutAndCheckOut(repository)
        #expect(try repository.read("src/ai/backend/common/VERSION") == "26.11.0\n")
    }

    /// Killed after the journal, before any ref moved: `status` says so, and the same cut again
    /// finishes it (both refs), says it was done, and does not cut twice.
    @Test func anInterruptedCutIsFinishedOnceByTheSameCommand() throws {
        let twin = try prepared([])
        defer { twin.remove() }
        #expect(try relkit(["cut", "26.11"], in: twin.path, environment: releaseEnvironment).status == 0)
        let expected = try RepositoryState(twin)

        let repository = try prepared([])
        defer { repository.remove() }
        let before = try RepositoryState(repository)
        #expect(try relkit(["cut", "26.11"], in: repository.path, environment: withFault("journal-written")).status == 9)
        #expect(try RepositoryState(repository).refs == before.refs, "no ref moved yet")
        let status = try relkit(["status"], in: repository.path, environment: releaseEnvironment)
        #expect(status.stdout.contains("interrupted: `relkit cut` was interrupted while moving 26.11, main and the checkout of main"), "\(status.stdout)")
        let again = try relkit(["cut", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("finished its move of 26.11 to"), "\(again.stderr)")
        #expect(again.stderr.contains("That was this very command: it is done now"), "\(again.stderr)")
        #expect(try RepositoryState(repository) == expected)
        #expect(try fsckClean(repository))
        #expect(!(try relkit(["status"], in: repository.path, environment: releaseEnvironment).stdout.contains("interrupted:")))
    }

    /// One ref moved, the other still locked (a kill between libgit2's two ref writes): any later
    /// writing command removes the lock relkit left and moves the other ref.
    @Test func aHalfMovedCutIsFinishedByTheNextCommand() throws {
        let repository = try prepared([])
        defer { repository.remove() }
        #expect(try relkit(["cut", "26.11"], in: repository.path, environment: withFault("journal-written")).status == 9)
        let journal = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repository.scratch.file(".git/relkit/journal")))) as? [String: Any])
        let moves = try #require(journal["references"] as? [[String: String]])
        let branch = try #require(moves.first { $0["name"] == "refs/heads/26.11" }?["to"])
        let main = try #require(moves.first { $0["name"] == "refs/heads/main" }?["to"])
        try repository.git("update-ref", "refs/heads/26.11", branch)
        FileManager.default.createFile(atPath: repository.scratch.file(".git/refs/heads/main.lock"), contents: Data())
        let next = try relkit(["backport", "--status"], in: repository.path, environment: releaseEnvironment)
        #expect(next.stderr.contains("refs/heads/main.lock, which it left; finished its move of main to"), "\(next.stderr)")
        #expect(try repository.git("rev-parse", "main") == main)
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file(".git/refs/heads/main.lock")))
        #expect(try repository.read("VERSION") == "26.12.0.dev0\n", "the checkout followed main")
        #expect(try repository.git("status", "--porcelain").isEmpty)
    }

    /// A lock relkit did not leave (no journal names it) is never removed: the message names the
    /// file and the command that removes it, and nothing moves.
    @Test func aForeignGitLockIsNamedNotRemoved() throws {
        let repository = try prepared([])
        defer { repository.remove() }
        let before = try RepositoryState(repository)
        let lock = repository.scratch.file(".git/refs/heads/main.lock")
        FileManager.default.createFile(atPath: lock, contents: Data("0123\n".utf8))
        let cut = try relkit(["cut", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(cut.status == 3)
        #expect(cut.stderr.contains("refs/heads/main is locked: \(lock) exists"), "\(cut.stderr)")
        #expect(cut.stderr.contains("`rm '\(lock)'`"), "\(cut.stderr)")
        #expect(cut.stderr.contains("nothing was changed"), "\(cut.stderr)")
        #expect(FileManager.default.fileExists(atPath: lock))
        #expect(try RepositoryState(repository) == before)
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file(".git/relkit/journal")))
    }

    /// relkit's own lock: an empty one (an older relkit killed while writing it) is recovered once
    /// it is a few seconds old; one whose pid now names another process (started at another time)
    /// too. Temporary files of dead relkits go.
    @Test func staleRelkitLocksAreRecovered() throws {
        let repository = try prepared([])
        defer { repository.remove() }
        let directory = repository.scratch.file(".git/relkit")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/lock", contents: Data())
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: directory + "/lock")
        let dead = try runProcess("/bin/sh", ["-c", "echo $$"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for name in ["lock.\(dead).tmp", "journal.relkit-\(dead).tmp"] {
            FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("x".utf8))
        }
        let first = try relkit(["cut", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("left its lock"), "\(first.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "no lock, no temporary file left")

        // A pid that runs (this test process), recorded with another start time: a reused pid.
        let reused = "pid=\(getpid())\nstart=1\nhost=\(thisHost())\ncommand=relkit tag\nstarted=2026-01-01T00:00:00Z\n"
        try reused.write(toFile: directory + "/lock", atomically: true, encoding: .utf8)
        let second = try relkit(["tag", "--branch", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("a relkit that no longer runs (pid \(getpid())"), "\(second.stderr)")
    }

    /// Killed after main moved, before the checkout: a version file left cut short and the index
    /// locked. The same cut again completes the checkout: the files and the index are main's, so
    /// that committing cannot undo the bump.
    @Test func anInterruptedCheckoutIsCompleted() throws {
        let repository = try prepared([])
        defer { repository.remove() }
        #expect(try relkit(["cut", "26.11"], in: repository.path, environment: withFault("refs-moved")).status == 9)
        try repository.write("VERSION", "26.1")
        FileManager.default.createFile(atPath: repository.scratch.file(".git/index.lock"), contents: Data())
        let again = try relkit(["cut", "26.11"], in: repository.path, environment: releaseEnvironment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("updated the work tree to the new tip of main"), "\(again.stderr)")
        #expect(try repository.read("VERSION") == "26.12.0.dev0\n")
        #expect(try repository.git("status", "--porcelain").isEmpty)
        #expect(try repository.git("diff", "--cached", "--name-only").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file(".git/index.lock")))
    }

    /// Killed after the stopped backport's state, before its worktree was made: --status prepares
    /// it, --abort drops it; no temporary branch, fsck clean.
    @Test func aBackportKilledBeforeItsWorktreeIsSeenAndAborted() throws {
        let repository = try backportScene(conflict: true)
        defer { repository.remove() }
        let command = ["backport", "main~2..main", "--to", "26.11"]
        #expect(try relkit(command, in: repository.path, environment: withFault("state-written")).status == 9)
        let status = try relkit(["backport", "--status"], in: repository.path, environment: releaseEnvironment)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("26.11: "), "\(status.stdout)")
        #expect(try repository.read(".git/relkit/backport-26.11/requirements.txt").contains("<<<<<<< "))
        #expect(try fsckClean(repository))
        #expect(try repository.git("branch", "--list", "relkit-worktree-*").isEmpty)
        let abort = try relkit(["backport", "--abort"], in: repository.path, environment: releaseEnvironment)
        #expect(abort.status == 0, "\(abort.stderr)")
        #expect(try repository.git("worktree", "list", "--porcelain").components(separatedBy: "worktree ").count == 2)
        #expect(try fsckClean(repository))
    }

    /// --continue killed while it writes: the user's resolution is still in the worktree, no index
    /// lock is left there, and --continue again commits it.
    @Test func aKilledContinueKeepsTheResolution() throws {
        let repository = try backportScene(conflict: true)
        defer { repository.remove() }
        #expect(try relkit(["backport", "main~2..main", "--to", "26.11"], in: repository.path, environment: releaseEnvironment).status == 1)
        try repository.write(".git/relkit/backport-26.11/requirements.txt", "release and main\n")
        #expect(try relkit(["backport", "--continue"], in: repository.path, environment: withFault("objects-written")).status == 9)
        #expect(try repository.read(".git/relkit/backport-26.11/requirements.txt") == "release and main\n")
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file(".git/worktrees/backport-26.11/index.lock")))
        let again = try relkit(["backport", "--continue"], in: repository.path, environment: releaseEnvironment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try repository.git("show", "26.11~1:requirements.txt") == "release and main")
        #expect(try fsckClean(repository))
    }
}

func thisHost() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, buffer.count)
    return String(cString: buffer)
}
