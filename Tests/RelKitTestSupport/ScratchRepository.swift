import Foundation

/// The committed fixture trees (copied into scratch repositories by the tests).
public let fixturesDirectory = packageRoot + "/Tests/Fixtures"

/// Identity and isolation for the git CLI, which the tests use to build repositories and as
/// an independent oracle — never inside relkit.
public let gitEnvironment: [String: String] = {
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_AUTHOR_NAME"] = "Test Author"
    environment["GIT_AUTHOR_EMAIL"] = "author@example.invalid"
    environment["GIT_COMMITTER_NAME"] = "Test Committer"
    environment["GIT_COMMITTER_EMAIL"] = "committer@example.invalid"
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    // A fixed "today" for relkit (maintained lines, cut's default month): tests do not change with the date.
    environment["RELKIT_TODAY"] = "2026-12-07"
    // Fixed dates: the same steps give the same commit ids in every scratch repository.
    environment["GIT_AUTHOR_DATE"] = "@1795000000 +0000"
    environment["GIT_COMMITTER_DATE"] = "@1795000000 +0000"
    return environment
}()

public struct GitCommandError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A throwaway git repository, optionally filled from a fixture directory.
public struct ScratchRepository {
    public let scratch: ScratchDirectory
    public var path: String { scratch.path }

    /// `fixture` is a directory under Tests/Fixtures, copied with its symlinks; everything is committed.
    public init(fixture: String? = nil, commit: Bool = true) throws {
        scratch = try ScratchDirectory("relkit-repo")
        if let fixture {
            try runProcess("/bin/cp", ["-a", fixturesDirectory + "/" + fixture + "/.", path])
        }
        try git("init", "-q", "-b", "main")
        if commit && fixture != nil {
            try git("add", "-A")
            try git("commit", "-q", "-m", "initial import")
        }
    }

    /// A `git clone` of `origin` (its remote is `origin`): main is the only local branch, the
    /// others are remote-tracking branches, as in a CI clone.
    /// With `bare`, a bare mirror of every ref (what a server holds).
    public init(cloning origin: ScratchRepository, bare: Bool = false) throws {
        scratch = try ScratchDirectory("relkit-clone")
        let result = try runProcess("git", ["clone", "-q"] + (bare ? ["--mirror"] : []) + [origin.path, path], environment: gitEnvironment)
        guard result.status == 0 else { throw GitCommandError(description: "git clone failed: \(result.stderr)") }
    }

    /// Runs git in the repository; throws with its stderr when it fails.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try git(arguments)
    }

    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        let result = try runProcess("git", ["-C", path] + arguments, environment: gitEnvironment)
        guard result.status == 0 else {
            throw GitCommandError(description: "git \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func write(_ relative: String, _ contents: String) throws { try scratch.write(relative, contents) }

    public func read(_ relative: String) throws -> String { try String(contentsOfFile: scratch.file(relative), encoding: .utf8) }

    /// Writes and commits in one step.
    public func commit(_ files: [String: String], message: String) throws {
        for (relative, contents) in files { try write(relative, contents) }
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
    }

    /// A real partial clone of this repository in `path` (`git clone --filter=blob:none
    /// --no-checkout` from its `file://` URL, `uploadpack.allowFilter` set here): no blob is
    /// fetched. `branches` are made local branches of the clone.
    public func partialClone(to path: String, branches: [String]) throws {
        try git("config", "uploadpack.allowFilter", "true")
        let cloned = try runProcess("git", ["clone", "-q", "--filter=blob:none", "--no-checkout", "file://" + self.path, path], environment: gitEnvironment)
        guard cloned.status == 0 else { throw GitCommandError(description: "git clone --filter=blob:none failed: \(cloned.stderr)") }
        for branch in branches {
            let made = try runProcess("git", ["-C", path, "branch", "-q", branch, "origin/" + branch], environment: gitEnvironment)
            guard made.status == 0 else { throw GitCommandError(description: "git branch \(branch) in the clone failed: \(made.stderr)") }
        }
    }

    /// Runs `git fast-import` on `stream` here; returns the ids of marks 1 to `commits`.
    public func fastImport(_ stream: String, commits: Int) throws -> [String] {
        let marks = scratch.file("marks")
        let result = try runProcess("git", ["-C", path, "fast-import", "--quiet", "--export-marks=\(marks)"], stdin: Data(stream.utf8), environment: gitEnvironment)
        guard result.status == 0 else { throw GitCommandError(description: "fast-import: \(result.stderr)") }
        var ids = [String](repeating: "", count: commits)
        for line in try String(contentsOfFile: marks, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if let mark = Int(parts[0].dropFirst()), (1...commits).contains(mark) { ids[mark - 1] = String(parts[1]) }
        }
        return ids
    }

    /// Every pack unpacked into loose objects (each its own zlib file).
    public func unpackAllPacks() throws {
        let directory = path + "/.git/objects/pack/"
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".pack") {
            let moved = scratch.file("moved-\(name)")
            try FileManager.default.moveItem(atPath: directory + name, toPath: moved)
            try FileManager.default.removeItem(atPath: directory + name.dropLast(5) + ".idx")
            let unpacked = try runProcess("git", ["-C", path, "unpack-objects", "-q"], stdin: try Data(contentsOf: URL(fileURLWithPath: moved)), environment: gitEnvironment)
            guard unpacked.status == 0 else { throw GitCommandError(description: "git unpack-objects failed: \(unpacked.stderr)") }
        }
    }

    /// Everything repacked into one pack with delta chains up to 50 deep (commits and trees
    /// included), the bases named by offset or, with `referenceDeltas`, by id.
    public func repackWithDeepDeltas(referenceDeltas: Bool = false) throws {
        try git((referenceDeltas ? ["-c", "repack.useDeltaBaseOffset=false"] : []) + ["repack", "-a", "-d", "-f", "--window=50", "--depth=50"])
    }

    public func remove() { scratch.remove() }
}
