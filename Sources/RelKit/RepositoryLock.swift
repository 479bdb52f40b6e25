#if canImport(FoundationEssentials)
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
#else
import Foundation
#endif
import GitKit
import RelKitCore

/// Test-only: `RELKIT_FAULT_AT=<step>` kills relkit with SIGKILL at that step, so that the tests
/// can check what an interrupted command leaves behind; `RELKIT_PAUSE_AT=<step>:<seconds>` pauses
/// there, so that a second relkit meets the first one holding the lock. Steps: `locked`,
/// `objects-written`, `journal-written`, `file-renamed`, `files-written`, `refs-moved`,
/// `checked-out`; for backport also `worktree-added`, `state-written`, `worktree-removed`.
public enum FaultInjection {
    static let step = environmentValue("RELKIT_FAULT_AT")
    static let pause: (step: String, seconds: Double)? = {
        guard let value = environmentValue("RELKIT_PAUSE_AT"), let colon = value.lastIndex(of: ":"),
              let seconds = Double(value[value.index(after: colon)...]) else { return nil }
        return (String(value[..<colon]), seconds)
    }()

    public static func point(_ name: String) {
        if step == name { kill(getpid(), SIGKILL) }
        if let pause, pause.step == name { usleep(UInt32(pause.seconds * 1_000_000)) }
    }
}

/// What a killed relkit must finish or undo, written before a multi-step change of the work tree.
struct Journal: Codable {
    struct FileBackup: Codable {
        /// The file written, absolute.
        let path: String
        /// A copy of its old contents, absolute; nil when the file was new.
        let backup: String?
    }

    /// Files being replaced: an interrupted write is rolled back from the backups.
    var files: [FileBackup]?
    /// A checkout that follows a branch relkit moved: an interrupted one is completed.
    var checkoutBranch: String?
    var checkoutFrom: String?
    var checkoutTo: String?
    var checkoutPaths: [String]?
}

/// One relkit writer at a time: a lock file in the git directory, shared by every worktree.
/// A lock left by a killed relkit is recognized (its process is gone), explained, and cleaned up:
/// an interrupted file write is rolled back, an interrupted checkout completed.
public final class RepositoryLock {
    let directory: String
    let lockPath: String
    let repository: Repository
    private var held = false

    var journalPath: String { directory + "/journal" }
    var backupDirectory: String { directory + "/backup" }

    /// Waits up to `RELKIT_LOCK_TIMEOUT` seconds (default 2) for another relkit to finish.
    public static func acquire(_ repository: Repository, command: String,
                               notice: (String) -> Void) throws(OperationError) -> RepositoryLock {
        let lock = RepositoryLock(repository: repository)
        let timeout = Double(environmentValue("RELKIT_LOCK_TIMEOUT") ?? "") ?? 2.0
        let deadline = Date().addingTimeInterval(timeout)
        do { try SystemCalls.createDirectories(lock.directory) } catch {
            throw OperationError(.repositoryState, "cannot create \(lock.directory): \(error.reason)")
        }
        while true {
            let descriptor = open(lock.lockPath, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
            if descriptor >= 0 {
                // Not synced to disk (an fsync took ~0.4 ms of every command): the text matters while
                // this process may still run; after a system crash, a lock whose text was lost is
                // known stale by its date (see `Owner.isGone`).
                let text = "pid=\(getpid())\nhost=\(hostName())\ncommand=\(command)\nstarted=\(Self.timestamp())\n"
                _ = text.withCString { write(descriptor, $0, strlen($0)) }
                close(descriptor)
                lock.held = true
                FaultInjection.point("locked")
                return lock
            }
            guard errno == EEXIST else {
                throw OperationError(.repositoryState, "cannot create \(lock.lockPath): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            let written = stat(lock.lockPath, &info) == 0 ? Int(info.st_mtim.tv_sec) : nil
            let owner = Owner(text: (try? String(contentsOfFile: lock.lockPath, encoding: .utf8)) ?? "", written: written)
            if owner.isGone {
                try lock.recover(from: owner, notice: notice)
                continue
            }
            if Date() >= deadline {
                throw OperationError(.repositoryState, """
                    another relkit is writing to this repository (\(owner.summary)); wait for it to finish. \
                    If no relkit runs, remove \(lock.lockPath)
                    """)
            }
            usleep(100_000)
        }
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

    init(repository: Repository) {
        self.repository = repository
        directory = (repository.commonDirectory.hasSuffix("/") ? String(repository.commonDirectory.dropLast()) : repository.commonDirectory) + "/relkit"
        lockPath = directory + "/lock"
    }

    deinit { release() }

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
        var host: String?
        var command: String?
        var started: String?

        /// When the lock file was last written (seconds since the epoch), when known.
        var written: Int?

        init(text: String, written: Int? = nil) {
            self.written = written
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "pid": pid = Int32(parts[1])
                case "host": host = parts[1]
                case "command": command = parts[1]
                case "started": started = parts[1]
                default: break
                }
            }
        }

        /// The process is known to be gone: same host, and no such process. A lock that names no
        /// process (its text never reached the disk before a system crash) is known stale when
        /// it was written before this boot.
        var isGone: Bool {
            if pid == nil, host == nil, let written, let boot = RepositoryLock.bootTime(), written < boot { return true }
            guard let pid, host == RepositoryLock.hostName() else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }

        var summary: String {
            "pid \(pid.map(String.init) ?? "?")\(command.map { ", `\($0)`" } ?? "")\(started.map { ", since \($0)" } ?? "")"
        }
    }

    /// Finishes or undoes what a killed relkit left, then removes its lock.
    func recover(from owner: Owner, notice: (String) -> Void) throws(OperationError) {
        var actions: [String] = []
        if let data = FileManager.default.contents(atPath: journalPath) {
            guard let journal = try? JSONDecoder().decode(Journal.self, from: data) else {
                throw OperationError(.repositoryState, "a killed relkit (\(owner.summary)) left \(journalPath), which cannot be read; inspect the files it names, then remove \(directory)")
            }
            if let files = journal.files {
                for file in files {
                    if let backup = file.backup, let old = FileManager.default.contents(atPath: backup) {
                        try AtomicFiles.replace(file.path, with: [UInt8](old), keepingModeOf: file.path)
                    }
                }
                actions.append("restored \(files.count) file\(files.count == 1 ? "" : "s") it was writing")
            }
            if let branch = journal.checkoutBranch, let from = journal.checkoutFrom.flatMap(ObjectID.init(hex:)),
               let to = journal.checkoutTo.flatMap(ObjectID.init(hex:)), let paths = journal.checkoutPaths {
                // The branch moved before the checkout: bring the work tree along, unless it did not move.
                // (Killed after the checkout but before the journal was removed: the index is there already.)
                if (try? repository.referenceTarget("refs/heads/" + branch)) == to, (try? repository.indexMatches(commit: to)) != true {
                    do { try repository.checkout(to: to, from: from) } catch {
                        throw OperationError(.repositoryState, "a killed relkit (\(owner.summary)) moved \(branch) but did not update the work tree, and relkit cannot: \(error); run `git checkout -- \(paths.joined(separator: " "))`, then remove \(directory)")
                    }
                    actions.append("updated the work tree to the new tip of \(branch)")
                }
            }
            unlink(journalPath)
        }
        if let pid = owner.pid, let deleted = try? repository.deleteTemporaryWorktreeBranches(ofProcess: pid), !deleted.isEmpty {
            actions.append("deleted its temporary branch\(deleted.count == 1 ? "" : "es") \(deleted.joined(separator: ", "))")
        }
        try? FileManager.default.removeItem(atPath: backupDirectory)
        unlink(lockPath)
        notice("relkit: a relkit that no longer runs (\(owner.summary)) left its lock" + (actions.isEmpty ? "; every ref is at its old or new value; removed the lock" : "; \(actions.joined(separator: ", ")) and removed the lock"))
    }

    func writeJournal(_ journal: Journal) throws(OperationError) {
        do {
            let data = try JSONEncoder().encode(journal)
            try AtomicFiles.replace(journalPath, with: [UInt8](data), keepingModeOf: nil)
        } catch let error as OperationError {
            throw error
        } catch {
            throw OperationError(.repositoryState, "cannot write \(journalPath): \(error)")
        }
    }

    func removeJournal() {
        unlink(journalPath)
        try? FileManager.default.removeItem(atPath: backupDirectory)
    }
}

/// Replacing files whole: temporary file in the same directory, fsync, rename.
enum AtomicFiles {
    static func replace(_ path: String, with bytes: [UInt8], keepingModeOf original: String?) throws(OperationError) {
        var mode: mode_t = 0o644
        if let original {
            var info = stat()
            if stat(original, &info) == 0 { mode = info.st_mode & 0o7777 }
        }
        let temporary = path + ".relkit-\(getpid()).tmp"
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw OperationError(.repositoryState, "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        var offset = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        fchmod(descriptor, mode)  // the umask must not change the file's permissions
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard ok && synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw OperationError(.repositoryState, "cannot write \(path): \(reason)")
        }
    }
}
