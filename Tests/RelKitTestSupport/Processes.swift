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
