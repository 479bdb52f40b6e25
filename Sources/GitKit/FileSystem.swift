internal import SystemLibc

/// The few file-system calls GitKit and relkit make without libgit2 (git's own files: lock files,
/// worktrees' HEADs, commit-graph chains, relkit's lock and journal), each retrying a call that a
/// signal interrupted.
public enum FileSystem {
    /// Runs a system call again while it fails with EINTR (a signal arrived before it did
    /// anything); returns its last result, errno set as it left it.
    ///
    /// - Parameter call: the system call.
    /// - Returns: its result.
    @inline(__always)
    public static func retryingInterrupts<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// Why reading failed.
    public enum ReadFailure: Error, Sendable {
        /// The system refused: its errno.
        case system(Int32)
        /// More bytes than the limit.
        case tooLarge
    }

    /// Everything readable from a file descriptor, refusing more than `limit` bytes.
    ///
    /// - Parameters:
    ///   - descriptor: what to read.
    ///   - limit: the most bytes accepted.
    /// - Returns: the bytes.
    /// - Throws: `ReadFailure`.
    public static func readAll(from descriptor: Int32, limit: Int = Int.max) throws(ReadFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: min(limit, 65_535) + 1)
        while bytes.count <= limit {
            let got = retryingInterrupts { buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) } }
            if got < 0 { throw .system(errno) }
            if got == 0 { return bytes }
            bytes += buffer[0..<got]
        }
        throw .tooLarge
    }

    /// A file's bytes, refusing a file larger than `limit`.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the most bytes accepted.
    /// - Returns: the bytes.
    /// - Throws: `ReadFailure`.
    public static func readFile(_ path: String, limit: Int) throws(ReadFailure) -> [UInt8] {
        let descriptor = retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw .system(errno) }
        defer { close(descriptor) }
        return try readAll(from: descriptor, limit: limit)
    }

    /// A file's bytes, or nil when it cannot be read or is larger than `limit`.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the most bytes accepted.
    /// - Returns: the bytes, or nil.
    public static func readSmallFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? { try? readFile(path, limit: limit) }

    /// Writes all of `bytes`, in as many calls as the system takes.
    ///
    /// - Parameters:
    ///   - descriptor: where.
    ///   - bytes: what.
    /// - Returns: false when a write failed (errno says why).
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = retryingInterrupts { write(descriptor, bytes.baseAddress! + offset, bytes.count - offset) }
            if written < 0 { return false }
            offset += written
        }
        return true
    }

    /// The names in a directory (not "." and ".."); none when it cannot be listed.
    ///
    /// - Parameter path: the directory.
    /// - Returns: the names, in the order the directory lists them.
    public static func directoryEntries(_ path: String) -> [String] {
        guard let listing = opendir(path) else { return [] }
        defer { closedir(listing) }
        var names: [String] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
