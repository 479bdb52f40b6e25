import GitKit
import RelKitCore

/// A remote, reached through the user's own `git` (docs/ARCHITECTURE.md, "Pushing"): its
/// credential helpers, `http.<url>.extraheader`, ssh agent and `~/.ssh/config`, `insteadOf`
/// rules and proxies apply as they do to `git push`. Every message is redacted of credentials.
public struct GitRemote {
    /// The repository's git directory (`git --git-dir`).
    public let gitDirectory: String
    /// Where git runs: the work tree's root (a remote's relative path is read from there, as
    /// `git push` run by hand reads it), or the git directory of a bare repository.
    public let directory: String
    /// The remote's name (or URL).
    public let name: String

    /// A remote of a repository.
    /// - Parameters:
    ///   - gitDirectory: the repository's git directory.
    ///   - directory: where git runs (the work tree's root).
    ///   - name: the remote.
    public init(gitDirectory: String, directory: String? = nil, name: String) {
        self.gitDirectory = gitDirectory
        self.directory = directory ?? gitDirectory
        self.name = name
    }

    /// One reference to push: `source` (a local ref or an id) to `destination`, only if the remote
    /// has `expected` there now (nil: the remote must not have it).
    public struct Update: Sendable {
        /// A local ref or an object id.
        public let source: String
        /// The remote's full ref name.
        public let destination: String
        /// What the remote must hold there now; nil: nothing.
        public let expected: ObjectID?

        /// An update.
        /// - Parameters:
        ///   - source: a local ref or an id.
        ///   - destination: the remote ref.
        ///   - expected: what it must hold now (nil: nothing).
        public init(source: String, destination: String, expected: ObjectID?) {
            self.source = source
            self.destination = destination
            self.expected = expected
        }
    }

    func git(_ arguments: [String], input: [UInt8] = []) throws(OperationError) -> ChildProcess.Result {
        guard ChildProcess.isInstalled("git") else {
            throw OperationError(.usage, "--push runs git (the user's own, for its credentials); git is not on PATH")
        }
        // Never a prompt: relkit runs where nobody answers (CI), and a prompt would hang it.
        // Credentials come from what git is configured with: helpers, headers, the ssh agent.
        do {
            return try ChildProcess.run("git", ["--git-dir=" + gitDirectory] + arguments, in: directory, input: input, environment: ["GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""])
        } catch {
            throw OperationError(.remote, "cannot run git: \(error)")
        }
    }

    /// Why git could not talk to the remote, in its own last words, credentials redacted.
    func failure(_ result: ChildProcess.Result, _ what: String) -> OperationError {
        let words = result.stderr.split(separator: "\n").map { $0.trimmingSpaces() }.filter { !$0.isEmpty && !$0.hasPrefix("hint:") }
        let said = ChildProcess.redactingCredentials(words.suffix(3).joined(separator: "; "))
        return OperationError(.remote, "\(what) \(ChildProcess.redactingCredentials(name)) failed: \(said.isEmpty ? "git exited with \(result.status)" : said)")
    }

    /// What the remote holds at `reference` (`git ls-remote`); nil when it has nothing there.
    ///
    /// - Parameter reference: a full ref name.
    /// - Returns: its id, or nil.
    /// - Throws: `OperationError` (remote) when the remote cannot be read.
    public func lookup(_ reference: String) throws(OperationError) -> ObjectID? {
        let result = try git(["ls-remote", "--", name, reference])
        guard result.status == 0 else { throw failure(result, "reading") }
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2, parts[1] == reference { return ObjectID(hex: String(parts[0])) }
        }
        return nil
    }

    /// Fetches the objects of `reference` (no ref is written but `FETCH_HEAD`).
    ///
    /// - Parameter reference: a full ref name.
    /// - Throws: `OperationError` (remote) when the fetch fails.
    public func fetchObjects(of reference: String) throws(OperationError) {
        // An empty --refmap: no remote-tracking ref is updated on the way (git would).
        let result = try git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--refmap=", name, reference])
        guard result.status == 0 else { throw failure(result, "fetching from") }
    }

    /// Pushes `updates`, all or nothing when `atomic` (git's `--atomic`: the server takes every
    /// ref or none), each with a lease on what the remote holds now. Success is said only for
    /// what the remote reported taking; anything else is an error naming each ref.
    ///
    /// - Parameters:
    ///   - updates: the references.
    ///   - atomic: all or nothing.
    /// - Throws: `OperationError`: refused (exit 1) when the remote rejected a ref (a hook, a
    ///   lease that no longer holds); remote (exit 4) when it could not be reached or failed.
    public func push(_ updates: [Update], atomic: Bool) throws(OperationError) {
        var arguments = ["push", "--porcelain"]
        if atomic { arguments.append("--atomic") }
        for update in updates { arguments.append("--force-with-lease=\(update.destination):\(update.expected?.description ?? "")") }
        arguments += ["--", name] + updates.map { "\($0.source):\($0.destination)" }
        let result = try git(arguments)
        // Porcelain: "<flag>\t<from>:<to>\t<summary>" per ref; ' ' '+' '*' '=' are taken.
        var taken = Set<String>()
        var rejected: [String] = []
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let flag = fields[0].first, let colon = fields[1].lastIndex(of: ":") else { continue }
            let destination = String(fields[1][fields[1].index(after: colon)...])
            if " +*=".contains(flag) {
                taken.insert(destination)
            } else {
                rejected.append("\(destination) (\(fields[2]))")
            }
        }
        if result.status == 0 && updates.allSatisfy({ taken.contains($0.destination) }) { return }
        if !rejected.isEmpty {
            throw OperationError(
                .refused,
                "\(ChildProcess.redactingCredentials(name)) refused the push\(atomic ? " (atomic: no ref was taken)" : ""): \(ChildProcess.redactingCredentials(rejected.joined(separator: ", ")))")
        }
        throw failure(result, "pushing to")
    }
}
