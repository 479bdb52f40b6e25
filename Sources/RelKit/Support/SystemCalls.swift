import GitKit
internal import SystemLibc

/// The few operating-system calls relkit makes for itself, each behind one small function with a
/// message that says what failed and why (strerror). Not Foundation's FileHandle, Process or
/// NSLock: those live in the half of Foundation that brings ICU and CoreFoundation along, and
/// linking it made every relkit command start about 2.5 ms later.
public enum SystemCalls {
    /// The text of an errno value ("Permission denied").
    ///
    /// - Parameter code: an errno value.
    /// - Returns: its text.
    public static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Writes all of `text` to a file descriptor (1 standard output, 2 standard error).
    ///
    /// - Parameters:
    ///   - text: what to write.
    ///   - descriptor: where.
    public static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { _ = FileSystem.writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    }

    /// Writes all of `bytes` to a file descriptor.
    ///
    /// - Parameters:
    ///   - bytes: what to write.
    ///   - descriptor: where.
    public static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { _ = FileSystem.writeAll(descriptor, $0) }
    }

    /// Everything readable from a file descriptor (standard input: 0), refusing more than `limit`.
    ///
    /// - Parameters:
    ///   - descriptor: what to read.
    ///   - limit: the most bytes accepted.
    /// - Returns: the bytes.
    /// - Throws: `SystemError` when reading fails or the input is larger.
    public static func readAll(from descriptor: Int32, limit: Int = Int.max) throws(SystemError) -> [UInt8] {
        do { return try FileSystem.readAll(from: descriptor, limit: limit) } catch { throw SystemError(error, limit: limit) }
    }

    /// A file's bytes, refusing one larger than `limit`.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the most bytes accepted.
    /// - Returns: the bytes.
    /// - Throws: `SystemError` when reading fails or the file is larger.
    public static func readFile(_ path: String, limit: Int) throws(SystemError) -> [UInt8] {
        do { return try FileSystem.readFile(path, limit: limit) } catch { throw SystemError(error, limit: limit) }
    }

    /// `mkdir -p`: the directory and any missing parents.
    ///
    /// - Parameter path: the directory.
    /// - Throws: `SystemError` when one cannot be made, or the path is not a directory.
    public static func createDirectories(_ path: String) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o777) != 0 && errno != EEXIST { throw .system(errno: errno) }
        }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory }
    }

    /// Runs `/bin/sh -c <script> <arguments...>` with the terminal and the environment relkit has,
    /// and waits for it; returns its exit status (128 + the signal for a process killed by one).
    ///
    /// - Parameters:
    ///   - script: the shell script.
    ///   - arguments: its positional arguments.
    /// - Returns: its exit status.
    /// - Throws: `SystemError` when it cannot be started.
    public static func runShell(_ script: String, arguments: [String]) throws(SystemError) -> Int32 {
        let argv = (["/bin/sh", "-c", script] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard spawned == 0 else { throw .system(errno: spawned) }
        return try waitForExit(pid)
    }

    /// Waits for a child process; its exit status, or 128 + the signal that killed it.
    static func waitForExit(_ pid: pid_t) throws(SystemError) -> Int32 {
        var status: Int32 = 0
        if FileSystem.retryingInterrupts({ waitpid(pid, &status, 0) }) < 0 { throw .system(errno: errno) }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which are macros in C.
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

/// A failed system call, kept as what it is (an errno, a size over the limit, a path that is not a
/// directory) and put into words once, in `description`.
public enum SystemError: Error, Equatable, CustomStringConvertible {
    /// The system refused: its errno (`ENOENT`, `EACCES`...), to match on.
    case system(errno: Int32)
    /// A file or input larger than `limit` bytes (`readFile`'s and `readAll`'s limit).
    case tooLarge(limit: Int)
    /// A path that should be a directory is something else.
    case notADirectory

    /// A file refused for its size, not for an error of the system's.
    public var isTooLarge: Bool {
        if case .tooLarge = self { return true }
        return false
    }

    /// Why, in the system's words ("Permission denied", "larger than 16 MiB").
    public var description: String {
        switch self {
        case .system(let code): return SystemCalls.reason(code)
        case .tooLarge(let limit): return "larger than \(limit >> 20) MiB"
        case .notADirectory: return "not a directory"
        }
    }

    /// Why, in the system's words (the description).
    public var reason: String { description }

    init(_ failure: FileSystem.ReadFailure, limit: Int) {
        switch failure {
        case .system(let code): self = .system(errno: code)
        case .tooLarge: self = .tooLarge(limit: limit)
        }
    }
}
