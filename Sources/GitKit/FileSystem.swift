#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// A file's bytes, or nil when it cannot be read or is larger than `limit`.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the most bytes accepted.
    /// - Returns: the bytes, or nil.
    public static func readSmallFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let descriptor = retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let got = retryingInterrupts { buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 4096) } }
            if got <= 0 { return got == 0 ? bytes : nil }
            bytes += buffer[0..<got]
        }
        return nil
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
