import Foundation

/// What a finished process printed and how it exited.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

public struct ProcessLaunchError: Error, CustomStringConvertible {
    public let description: String
}

/// A child that exits before it has read all of its input (a usage error, say) must not take the
/// test process with it: writing to its closed pipe then fails with EPIPE instead of raising
/// SIGPIPE, whose default action ends the process (seen on Debian 13).
private let brokenPipesAreErrors: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

/// Runs a program to completion. `stdin` is written while output is read, so large inputs and
/// outputs cannot deadlock on full pipes.
@discardableResult
public func runProcess(
    _ executable: String, _ arguments: [String], stdin: Data = Data(),
    environment: [String: String]? = nil, directory: String? = nil
) throws -> ProcessResult {
    brokenPipesAreErrors
    let process = Process()
    if executable.contains("/") {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
    }
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let input = Pipe()
    let output = Pipe()
    let error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    do { try process.run() } catch { throw ProcessLaunchError(description: "cannot run \(executable): \(error)") }

    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        outData = output.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    group.enter()
    DispatchQueue.global().async {
        errData = error.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    if !stdin.isEmpty { try? input.fileHandleForWriting.write(contentsOf: stdin) }
    try? input.fileHandleForWriting.close()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh directory under the system's temporary directory, removed by `remove()`.
public struct ScratchDirectory {
    public let path: String

    public init(_ label: String = "relkit") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        // Resolve symlinks (/tmp may be one) so paths compare equal to what git reports.
        path = base.resolvingSymlinksInPath().path
    }

    public func file(_ relative: String) -> String { path + "/" + relative }

    public func write(_ relative: String, _ contents: String) throws {
        let url = URL(fileURLWithPath: file(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The package's root directory, from this file's place in it.
public let packageRoot: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}()

/// A git server on 127.0.0.1 that a test starts and stops: smart HTTP with basic authentication
/// (git's git-http-backend behind Tests/Servers/git_http_server.py).
public final class LoopbackGitServer {
    public let port: Int
    private let process: Process

    /// Serves the bare repositories under `root` to `user` with `token`; `hangUp` drops every
    /// push's connection after reading its pack.
    public init(httpRoot root: String, user: String, token: String, hangUp: Bool = false) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot + "/Tests/Servers/git_http_server.py", root, user, token] + (hangUp ? ["hang-up"] : [])
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw GitCommandError(description: "the HTTP git server did not start")
        }
        self.port = port
    }

    /// The URL of a repository under the root, without credentials.
    public func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// Kills the server (SIGKILL: a test runner's children may have SIGTERM blocked).
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// An ssh server on 127.0.0.1 that a test starts and stops: Debian's openssh-server on a free
/// port, with a host key and a client key made for the test. The client key lives only in an
/// ssh-agent (its file is removed once added); the client reaches the server by a host alias of
/// an ssh configuration file (`sshCommand`, for GIT_SSH_COMMAND: ssh reads `~/.ssh/config` from
/// the passwd entry's home, which a test must not write).
public final class LoopbackSSHServer {
    public let port: Int
    /// The host alias of `configFile`: `<alias>:/path/to/repository.git` is a remote URL.
    public let alias = "relkit-test-origin"
    /// The agent's socket (SSH_AUTH_SOCK).
    public let agentSocket: String
    public let configFile: String
    private let directory: ScratchDirectory
    private let server: pid_t
    private let agent: pid_t
    /// Once stopped, the pids may belong to other processes: never signalled again.
    private var stopped = false

    public init() throws {
        directory = try ScratchDirectory("relkit-ssh")
        let path = directory.path
        func keygen(_ file: String) throws {
            let made = try runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "relkit-test", "-f", path + "/" + file])
            guard made.status == 0 else { throw GitCommandError(description: "ssh-keygen failed: \(made.stderr)") }
        }
        try keygen("host_key")
        try keygen("client_key")
        try FileManager.default.copyItem(atPath: path + "/client_key.pub", toPath: path + "/authorized_keys")
        chmod(path, 0o700)
        // sshd's privilege separation directory (Debian's packages make it at boot, not at install).
        if getuid() == 0 { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        port = try Self.freePort()
        let user = String(cString: getpwuid(getuid())!.pointee.pw_name)
        try directory.write(
            "sshd_config",
            """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(path)/host_key
            AuthorizedKeysFile \(path)/authorized_keys
            PidFile \(path)/sshd.pid
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            AllowUsers \(user)

            """)
        let sshd = ["/usr/sbin/sshd", "/usr/local/sbin/sshd"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let sshd else { throw GitCommandError(description: "sshd is not installed (openssh-server; make deps installs it)") }
        server = try Self.spawn(sshd, ["-D", "-e", "-f", path + "/sshd_config"])
        agentSocket = path + "/agent.sock"
        agent = try Self.spawn("/usr/bin/ssh-agent", ["-D", "-a", agentSocket])
        configFile = path + "/ssh_config"
        try directory.write(
            "known_hosts", "[127.0.0.1]:\(port) " + (try String(contentsOfFile: path + "/host_key.pub", encoding: .utf8)))
        try directory.write(
            "ssh_config",
            """
            Host \(alias)
                HostName 127.0.0.1
                Port \(port)
                User \(user)
                UserKnownHostsFile \(path)/known_hosts
                StrictHostKeyChecking yes
                BatchMode yes
                IdentityAgent \(agentSocket)

            """)
        // Both up: a key in the agent (its socket may exist a moment before it listens: "Connection
        // refused", seen on Debian 13), then the server answering.
        for attempt in 0..<100 {
            let added = try runProcess("ssh-add", ["-q", path + "/client_key"], environment: ["SSH_AUTH_SOCK": agentSocket, "PATH": "/usr/bin:/bin"])
            if added.status == 0 { break }
            if attempt == 99 || kill(agent, 0) != 0 {
                stop()
                throw GitCommandError(description: "ssh-add failed: \(added.stderr)")
            }
            usleep(50_000)
        }
        try FileManager.default.removeItem(atPath: path + "/client_key")
        for attempt in 0..<100 {
            let probe = try runProcess("ssh", ["-F", configFile, alias, "true"], environment: ["SSH_AUTH_SOCK": agentSocket, "PATH": "/usr/bin:/bin"])
            if probe.status == 0 { break }
            if attempt == 99 || kill(server, 0) != 0 {
                stop()
                throw GitCommandError(description: "the ssh server on port \(port) does not answer: \(probe.stderr)")
            }
            usleep(50_000)
        }
    }

    /// GIT_SSH_COMMAND: ssh with this server's configuration file.
    public var sshCommand: String { "ssh -F \(configFile)" }

    /// The remote URL of a repository on this machine, through the alias.
    public func url(_ path: String) -> String { "\(alias):\(path)" }

    /// Starts a daemon by posix_spawn, its output to /dev/null. Not by Foundation's Process: sshd
    /// and ssh-agent close every inherited descriptor at start, which Process takes for their
    /// exit (it then blocks in wait4, and with it every other process the tests run).
    static func spawn(_ executable: String, _ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard status == 0 else { throw GitCommandError(description: "cannot start \(executable): error \(status)") }
        return pid
    }

    /// A port no one listens on now (the kernel's pick; sshd binds it right after).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw GitCommandError(description: "socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw GitCommandError(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Kills the server and the agent (SIGKILL: a test runner's children may have SIGTERM
    /// blocked), and removes the keys.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        for pid in [server, agent] where kill(pid, SIGKILL) == 0 {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        directory.remove()
    }

    deinit { stop() }
}
