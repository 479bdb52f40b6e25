import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Replacing files whole: temporary file in the same directory, fsync, rename.
enum AtomicFiles {
    /// Writes a new file (it must not exist) with all of `bytes`; removed again if that fails.
    static func create(_ path: String, with bytes: [UInt8], durable: Bool) throws(OperationError) {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OperationError(.repositoryState, "cannot write \(path): \(SystemCalls.reason(errno))") }
        let ok = writeAll(descriptor, bytes) && (!durable || fsync(descriptor) == 0)
        let reason = SystemCalls.reason(errno)
        close(descriptor)
        guard ok else {
            unlink(path)
            throw OperationError(.repositoryState, "cannot write \(path): \(reason)")
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { FileSystem.writeAll(descriptor, $0) }
    }

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
        let ok = writeAll(descriptor, bytes)
        fchmod(descriptor, mode) // the umask must not change the file's permissions
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard ok && synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw OperationError(.repositoryState, "cannot write \(path): \(reason)")
        }
    }
}
