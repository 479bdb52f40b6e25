import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One relkit writer at a time: a lock file in the git directory, shared by every worktree.
/// The lock appears whole (written aside, then linked into place), names its process by pid and
/// start time, and is recovered once that process is provably gone. Whatever that process left
/// unfinished (its journal) is finished by the next relkit that takes the lock.
public final class RepositoryLock {
    /// The arguments of this process's command (`cut 26.11`), set by the CLI; recorded in journals.
    nonisolated(unsafe) public static var invocation: String?

    /// A short digest of `invocation` (FNV-1a, 64 bits) for the lock file's one-line fields.
    static var invocationDigest: String? {
        guard let invocation else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in invocation.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    let directory: String
    let lockPath: String
    let repository: Repository
    private var held = false
    /// Set when taking the lock finished an interrupted run of this very command (the same
    /// arguments): what was finished, and how that is said when the command has nothing left to do.
    private var finished: (work: String, done: String)?
    /// What was said of this very command's interrupted run, finished now: the command has
    /// nothing left to do. nil when there was none.
    public var finishedThisCommand: String? { finished?.done }

    /// The same, for a command whose local work is finished but which goes on (a push): `next`
    /// says what it does now.
    ///
    /// - Parameter next: what the command goes on to do ("pushing it now").
    /// - Returns: the line to say, or nil when nothing of this command was interrupted.
    public func finishedThisCommand(goingOn next: String) -> String? { finished.map { "\($0.work); \(next)" } }

    var journalPath: String { directory + "/journal" }
    var backupDirectory: String { directory + "/backup" }

    /// Waits up to `RELKIT_LOCK_TIMEOUT` seconds (default 2) for another relkit to finish.
    ///
    /// - Parameters:
    ///   - repository: the repository.
    ///   - command: the command, named in the lock.
    ///   - notice: told of what an interrupted run left and this one finished.
    /// - Returns: the lock, held.
    /// - Throws: `OperationError` (repository state) when another relkit holds it.
    public static func acquire(
        _ repository: Repository, command: String,
        notice: (String) -> Void
    ) throws(OperationError) -> RepositoryLock {
        let lock = RepositoryLock(repository: repository)
        lock.command = command
        let timeout = Double(environmentValue("RELKIT_LOCK_TIMEOUT") ?? "") ?? 2.0
        let deadline = Date().addingTimeInterval(timeout)
        do { try SystemCalls.createDirectories(lock.directory) } catch {
            throw OperationError(.repositoryState, "cannot create \(lock.directory): \(error.reason)")
        }
        // The text first, in a file of this process's own, then linked into place: a lock is never
        // seen empty or half written, whenever relkit is killed.
        let temporary = lock.directory + "/lock.\(getpid()).tmp"
        let text = lock.lockText(command: command, done: false)
        do { try AtomicFiles.create(temporary, with: Array(text.utf8), durable: false) } catch {
            throw OperationError(.repositoryState, "cannot take the lock \(lock.lockPath): \(error.message)")
        }
        defer { unlink(temporary) }
        while true {
            if link(temporary, lock.lockPath) == 0 {
                lock.held = true
                FaultInjection.point("locked")
                lock.sweepTemporaryFiles()
                try lock.finishInterrupted(notice: notice)
                return lock
            }
            guard errno == EEXIST else {
                throw OperationError(.repositoryState, "cannot create \(lock.lockPath): \(SystemCalls.reason(errno))")
            }
            var info = stat()
            let written = stat(lock.lockPath, &info) == 0 ? Int(info.st_mtim.tv_sec) : nil
            let owner = Owner(text: (try? SystemCalls.readFile(lock.lockPath, limit: 4096)).map { String(decoding: $0, as: UTF8.self) } ?? "", written: written)
            if owner.isGone {
                lock.removeStaleLock(of: owner, notice: notice)
                if owner.done, let digest = Self.invocationDigest, owner.invocation == digest {
                    let work = "relkit: this very command (\(owner.summary)) had finished its work but was killed before it could say so"
                    lock.finished = (work, work + "; it is done")
                }
                continue
            }
            if Date() >= deadline {
                throw OperationError(
                    .repositoryState,
                    """
                    another relkit is writing to this repository (\(owner.summary)); wait for it to finish. \
                    If no relkit runs, remove \(lock.lockPath)
                    """)
            }
            usleep(100_000)
        }
    }

    /// What an interrupted relkit left in `repository` (its journal), in a line; nil when nothing.
    /// Read only: `status` reports it, the next writing command finishes it.
    ///
    /// - Parameter repository: the repository.
    /// - Returns: the line, or nil.
    public static func interruptedOperation(_ repository: Repository) -> String? {
        let lock = RepositoryLock(repository: repository)
        guard let data = FileManager.default.contents(atPath: lock.journalPath) else { return nil }
        guard let journal = try? JSONDecoder().decode(Journal.self, from: data) else {
            return "\(lock.journalPath) cannot be read; inspect the files it names, then remove it"
        }
        var parts: [String] = []
        if let references = journal.references {
            parts.append("moving " + references.map { ReferenceMoves.shortName($0.name) }.joined(separator: ", "))
        }
        if let branch = journal.checkoutBranch { parts.append("the checkout of \(branch)") }
        if let files = journal.files { parts.append("writing \(files.count) file\(files.count == 1 ? "" : "s")") }
        return "\(journal.command.map { "`\($0)`" } ?? "a relkit command") was interrupted while \(parts.joined(separator: " and ")); the next relkit cut, tag, bump or backport finishes it"
    }

    /// When this system booted, in seconds since the epoch: the wall clock less the time since
    /// the boot. Nil where that cannot be told.
    static func bootTime() -> Int? {
        #if os(Linux)
        var sinceBoot = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &sinceBoot) == 0 else { return nil }
        return Int(time(nil)) - Int(sinceBoot.tv_sec)
        #else
        return nil
        #endif
    }

    /// When a process started, in clock ticks since the boot (Linux's /proc/PID/stat, field 22):
    /// with the pid, it names one process, even after the pid is reused. Nil elsewhere.
    static func processStart(_ pid: Int32) -> UInt64? {
        #if os(Linux)
        guard let bytes = try? SystemCalls.readFile("/proc/\(pid)/stat", limit: 4096) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // The command name, in parentheses, may hold spaces and parentheses: count after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
        #else
        return nil
        #endif
    }

    /// The lock file's text: who holds it, and (`done`) that its work is complete, so that a
    /// re-run of the same command after a kill at the very end knows it has nothing to do.
    func lockText(command: String, done: Bool) -> String {
        "pid=\(getpid())\nstart=\(Self.processStart(getpid()).map(String.init) ?? "")\nhost=\(Self.hostName())\ncommand=\(command)\n" + "started=\(startedAt)\n"
            + (Self.invocationDigest.map { "invocation=\($0)\n" } ?? "") + (done ? "done=1\n" : "")
    }

    private lazy var startedAt = Self.timestamp()
    private var command = ""

    /// Records in the lock that this command's work is complete (written aside, renamed over it).
    func markDone() {
        guard held else { return }
        let temporary = directory + "/lock.\(getpid()).tmp"
        unlink(temporary)
        guard (try? AtomicFiles.create(temporary, with: Array(lockText(command: command, done: true).utf8), durable: false)) != nil else { return }
        if rename(temporary, lockPath) != 0 { unlink(temporary) }
    }

    init(repository: Repository) {
        self.repository = repository
        directory = (repository.commonDirectory.hasSuffix("/") ? String(repository.commonDirectory.dropLast()) : repository.commonDirectory) + "/relkit"
        lockPath = directory + "/lock"
    }

    deinit { release() }

    /// Removes the lock, once.
    public func release() {
        guard held else { return }
        unlink(lockPath)
        held = false
    }

    /// Now in UTC, ISO 8601 (`2026-11-21T18:44:32Z`), without Foundation's formatter (milliseconds to set up).
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Who holds a lock, from the lock file.
    struct Owner {
        var pid: Int32?
        /// The process's start time (`processStart`), when the lock's system records one.
        var start: UInt64?
        var host: String?
        var command: String?
        var started: String?
        /// The digest of the command's arguments (`RepositoryLock.invocationDigest`).
        var invocation: String?
        /// Its work was complete: it was killed (or crashed) only while ending.
        var done = false

        /// When the lock file was last written (seconds since the epoch), when known.
        var written: Int?

        init(text: String, written: Int? = nil) {
            self.written = written
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "pid": pid = Int32(parts[1])
                case "start": start = UInt64(parts[1])
                case "host": host = parts[1]
                case "command": command = parts[1]
                case "started": started = parts[1]
                case "invocation": invocation = parts[1]
                case "done": done = parts[1] == "1"
                default: break
                }
            }
        }

        /// The process is known to be gone: same host, and no such process, or a process of that
        /// pid that started at another time (the pid was reused). A lock that names no process
        /// (an older relkit killed while writing it; relkit now links a whole lock into place) is
        /// stale once it is a few seconds old or from before this boot.
        var isGone: Bool {
            if pid == nil, host == nil, let written {
                if let boot = RepositoryLock.bootTime(), written < boot { return true }
                return Int(time(nil)) - written >= 5
            }
            guard let pid, host == RepositoryLock.hostName() else { return false }
            if kill(pid, 0) != 0 && errno == ESRCH { return true }
            if let start, let running = RepositoryLock.processStart(pid), running != start { return true }
            return false
        }

        var summary: String {
            "pid \(pid.map(String.init) ?? "?")\(command.map { ", `\($0)`" } ?? "")\(started.map { ", since \($0)" } ?? "")"
        }
    }

    /// Removes the lock of a relkit that no longer runs, and the temporary branches it may have left.
    func removeStaleLock(of owner: Owner, notice: (String) -> Void) {
        var actions: [String] = []
        if let pid = owner.pid, let deleted = try? repository.deleteTemporaryWorktreeBranches(ofProcess: pid), !deleted.isEmpty {
            actions.append("deleted its temporary branch\(deleted.count == 1 ? "" : "es") \(deleted.joined(separator: ", "))")
        }
        let objects = repository.commonDirectory + "objects"
        let leftovers =
            FileSystem.directoryEntries(objects).filter { $0.hasPrefix("tmp_object_git2_") }.map { objects + "/" + $0 }
            + FileSystem.directoryEntries(objects + "/pack").filter { $0.hasPrefix("pack_git2_") }.map { objects + "/pack/" + $0 }
        let removed = GitLockFile.leftBy(owner, among: leftovers)
        for path in removed { unlink(path) }
        if !removed.isEmpty { actions.append("removed \(removed.count) temporary object file\(removed.count == 1 ? "" : "s") of its own") }
        unlink(lockPath)
        notice("relkit: a relkit that no longer runs (\(owner.summary)) left its lock; " + (actions.isEmpty ? "" : actions.joined(separator: ", ") + "; ") + "removed the lock")
    }

    /// Temporary files of relkits that no longer run: `lock.PID.tmp` and `NAME.relkit-PID.tmp`.
    func sweepTemporaryFiles() {
        for name in FileSystem.directoryEntries(directory) {
            guard let pid = Self.temporaryFileProcess(name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(directory + "/" + name)
        }
    }

    /// The pid in a temporary file's name, when it is one of relkit's.
    static func temporaryFileProcess(_ name: String) -> Int32? {
        guard name.hasSuffix(".tmp") else { return nil }
        let stem = name.dropLast(4)
        if stem.hasPrefix("lock.") { return Int32(stem.dropFirst(5)) }
        let parts = stem.split(separator: ".relkit-", omittingEmptySubsequences: false)
        return parts.count >= 2 ? Int32(parts[parts.count - 1]) : nil
    }

    /// What an earlier relkit left unfinished: its journal, finished or undone now.
    func finishInterrupted(notice: (String) -> Void) throws(OperationError) {
        guard let data = FileManager.default.contents(atPath: journalPath) else {
            try? FileManager.default.removeItem(atPath: backupDirectory)
            return
        }
        guard let journal = try? JSONDecoder().decode(Journal.self, from: data) else {
            throw OperationError(.repositoryState, "an interrupted relkit left \(journalPath), which cannot be read; inspect the files it names, then remove it")
        }
        let writtenAt = Self.modificationTime(journalPath) ?? 0
        var actions: [String] = []
        if let files = journal.files {
            for file in files {
                if let backup = file.backup, let old = FileManager.default.contents(atPath: backup) {
                    try AtomicFiles.replace(file.path, with: [UInt8](old), keepingModeOf: file.path)
                }
                let parent = PathText.deletingLastComponent(file.path)
                let name = PathText.lastComponent(file.path)
                for entry in FileSystem.directoryEntries(parent) where entry.hasPrefix(name + ".relkit-") && Self.temporaryFileProcess(entry) != nil {
                    unlink(parent + "/" + entry)
                }
            }
            actions.append("restored \(files.count) file\(files.count == 1 ? "" : "s") it was writing")
        }
        for path in journal.lockFiles ?? [] where GitLockFile.isLeftByRelkit(path, journalWrittenAt: writtenAt, acceptedContents: nil) {
            unlink(path)
            actions.append("removed \(path), which it left")
        }
        var finishedForward = false
        if let references = journal.references {
            let finished = try ReferenceMoves.finish(references, journalWrittenAt: writtenAt, repository: repository)
            actions += finished.actions
            finishedForward = finished.forward
        }
        if let branch = journal.checkoutBranch, let from = journal.checkoutFrom.flatMap(ObjectID.init(hex:)),
            let to = journal.checkoutTo.flatMap(ObjectID.init(hex:)), let paths = journal.checkoutPaths
        {
            if let done = try ReferenceMoves.completeCheckout(
                branch: branch, from: from, to: to, paths: paths,
                journalWrittenAt: writtenAt, repository: repository)
            {
                actions.append(done)
            }
        }
        if finishedForward, let following = journal.thenWrite {
            try AtomicFiles.replace(following.path, with: Array(following.contents.utf8), keepingModeOf: nil)
            actions.append("wrote \(following.path)")
        }
        removeJournal()
        let said = "relkit: \(journal.command.map { "`\($0)`" } ?? "an earlier relkit") was interrupted; " + (actions.isEmpty ? "nothing of it was left to finish" : actions.joined(separator: "; "))
        if finishedForward, let invocation = journal.invocation, invocation == Self.invocation {
            finished = (said, said + ". That was this very command: it is done now")
            return
        }
        notice(said)
    }

    /// A file's modification time in nanoseconds since the epoch.
    static func modificationTime(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
    }

    func writeJournal(_ journal: Journal) throws(OperationError) {
        let data: Data
        do { data = try JSONEncoder().encode(journal) } catch {
            throw OperationError(.repositoryState, "cannot write \(journalPath): \(error)")
        }
        try AtomicFiles.replace(journalPath, with: [UInt8](data), keepingModeOf: nil)
    }

    func removeJournal() {
        unlink(journalPath)
        try? FileManager.default.removeItem(atPath: backupDirectory)
    }
}
