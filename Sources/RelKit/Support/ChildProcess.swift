import GitKit
internal import SystemLibc

/// A program relkit runs and waits for, its output captured: `git push` and `gh pr create`
/// (docs/ARCHITECTURE.md says why those two are run, not linked). Found on `PATH`; the
/// environment is relkit's own, so the user's credential helpers, ssh agent and configuration
/// apply as they do for them.
public struct ChildProcess {
    /// What a finished program left.
    public struct Result: Sendable {
        /// Its exit status (128 + the signal for a program killed by one).
        public let status: Int32
        /// What it wrote to standard output.
        public let stdout: String
        /// What it wrote to standard error.
        public let stderr: String
    }

    /// Whether `program` is an executable on `PATH`.
    ///
    /// - Parameter program: its name.
    /// - Returns: whether it is found.
    public static func isInstalled(_ program: String) -> Bool {
        guard let path = environmentValue("PATH") else { return false }
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }

    /// Runs `program` with `arguments` in `directory`, feeding it `input`, and waits for it.
    ///
    /// - Parameters:
    ///   - program: the program, found on `PATH`.
    ///   - arguments: its arguments.
    ///   - directory: where it runs.
    ///   - input: its standard input (nothing: an empty one).
    ///   - environment: variables set for it (an empty value unsets one), over relkit's own.
    /// - Returns: its status and output.
    /// - Throws: `SystemError` when it cannot be started.
    public static func run(
        _ program: String, _ arguments: [String], in directory: String, input: [UInt8] = [], environment: [String: String] = [:]
    ) throws(SystemError) -> Result {
        // `cd` in a shell: posix_spawn's chdir action is not in every C library relkit builds on;
        // `env` sets and unsets the variables given.
        // (env takes its -u options before the assignments.)
        let sorted = environment.sorted { $0.key < $1.key }
        let settings = sorted.filter { $0.value.isEmpty }.flatMap { ["-u", $0.key] } + sorted.filter { !$0.value.isEmpty }.map { "\($0.key)=\($0.value)" }
        let command = settings.isEmpty ? [program] : ["env"] + settings + [program]
        let argv = (["/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", directory] + command + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0 else { throw .system(errno: errno) }
        guard pipe(&outPipe) == 0 else {
            close(inPipe[0])
            close(inPipe[1])
            throw .system(errno: errno)
        }
        guard pipe(&errPipe) == 0 else {
            for descriptor in inPipe + outPipe { close(descriptor) }
            throw .system(errno: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for descriptor in inPipe + outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, descriptor) }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            throw .system(errno: spawned)
        }
        // The three pipes at once: a program that writes much before it reads all its input
        // must not wait on relkit while relkit waits on it. A closed reader is no reason to stop.
        signal(SIGPIPE, SIG_IGN)
        var written = 0
        var stdinOpen = true
        if input.isEmpty {
            close(inPipe[1])
            stdinOpen = false
        }
        var output: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while open[0] || open[1] || stdinOpen {
            var fds: [pollfd] = []
            if open[0] { fds.append(pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0)) }
            if open[1] { fds.append(pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)) }
            if stdinOpen { fds.append(pollfd(fd: inPipe[1], events: Int16(POLLOUT), revents: 0)) }
            let ready = FileSystem.retryingInterrupts { poll(&fds, nfds_t(fds.count), -1) }
            if ready < 0 { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == inPipe[1] {
                    let count = input.withUnsafeBytes { bytes in write(inPipe[1], bytes.baseAddress! + written, min(input.count - written, 65_536)) }
                    if count > 0 { written += count }
                    if count < 0 && errno != EINTR && errno != EAGAIN || written == input.count {
                        close(inPipe[1])
                        stdinOpen = false
                    }
                    continue
                }
                let index = entry.fd == outPipe[0] ? 0 : 1
                let count = FileSystem.retryingInterrupts { buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress!, $0.count) } }
                if count > 0 { output[index] += buffer[0..<count] } else { open[index] = false }
            }
        }
        if stdinOpen { close(inPipe[1]) }
        close(outPipe[0])
        close(errPipe[0])
        return Result(
            status: try SystemCalls.waitForExit(pid),
            stdout: String(decoding: output[0], as: UTF8.self), stderr: String(decoding: output[1], as: UTF8.self))
    }

    /// `text` with the credentials of any URL in it replaced (`https://***@host/...`): what git
    /// prints of a remote may carry a token, and relkit never shows one.
    ///
    /// - Parameter text: text that may hold URLs.
    /// - Returns: the text, redacted.
    public static func redactingCredentials(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let scheme = rest.firstRange(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == " " || $0 == "\n" || $0 == "'" || $0 == "\"" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                result += "***@"
                rest = rest[rest.index(after: at)...]
            }
        }
        return result + rest
    }
}
