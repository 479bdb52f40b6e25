internal import Clibgit2
internal import SystemLibc

/// An open repository. It owns its libgit2 handle and frees it exactly once.
public final class Repository {
    let pointer: OpaquePointer
    /// Merge bases already computed (`mergeBases`), by the pair of commits.
    var knownMergeBases: [Set<ObjectID>: [ObjectID]] = [:]
    /// The fast readers of history (Sources/GitKit/FastReaders): answers where they can give
    /// them, nil where libgit2 is to answer.
    lazy var fastHistory = FastHistory(repository: self)

    private init(pointer: OpaquePointer) { self.pointer = pointer }

    deinit { git_repository_free(pointer) }

    /// Opens the repository that contains `path`, searching upwards as git does.
    ///
    /// Calls `git_repository_discover`, then opens what it finds.
    /// - Parameter path: where to start.
    /// - Returns: the repository.
    /// - Throws: `GitError` (`.notFound` outside a repository, `.owner` for one another user owns).
    public static func discover(from path: String) throws(GitError) -> Repository {
        LibGit2.ensureInitialized()
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let found = git_repository_discover(&buffer, path, 0, nil)
        if found == GIT_EOWNER.rawValue, let gitDirectory = enclosingGitDirectory(of: path) {
            // libgit2 1.7 and later refuse another user's repository already while discovering it.
            throw ownershipError(gitDirectory) ?? GitError.last("git_repository_discover", found)
        }
        try check("git_repository_discover", found)
        let gitDirectory = String(cString: buffer.ptr)
        do {
            return try open(at: gitDirectory)
        } catch  where error.isNotFound || error.code == .owner {
            // libgit2 refuses a repository owned by another user (as git does, unless
            // safe.directory trusts it): 1.5 with "not found" and a stale message, 1.9 with
            // GIT_EOWNER and its own wording. Say what it is, the same way under each.
            throw ownershipError(gitDirectory) ?? error
        }
    }

    /// The nearest `.git` at or above `path` (for the refusal's message only).
    static func enclosingGitDirectory(of path: String) -> String? {
        var directory = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        while !directory.isEmpty {
            if access(directory + "/.git", F_OK) == 0 { return directory + "/.git" }
            guard let slash = directory.lastIndex(of: "/") else { return nil }
            directory = String(directory[..<slash])
        }
        return nil
    }

    /// The error for a repository another user owns, or nil when the current user owns it.
    static func ownershipError(_ gitDirectory: String) -> GitError? {
        let trimmed = gitDirectory.hasSuffix("/") ? String(gitDirectory.dropLast()) : gitDirectory
        let workTree = trimmed.hasSuffix("/.git") ? String(trimmed.dropLast(5)) : trimmed
        var status = stat()
        guard stat(workTree, &status) == 0, status.st_uid != geteuid() else { return nil }
        return GitError(
            function: "git_repository_open", code: .owner,
            message:
                "the repository at \(workTree) is owned by another user (uid \(status.st_uid)), and git does not trust it; if it is yours to use, trust it with: git config --global --add safe.directory \(workTree)"
        )
    }

    /// Opens the repository whose git directory or work tree is `path`.
    ///
    /// Calls `git_repository_open`.
    /// - Parameter path: the git directory or the work tree.
    /// - Returns: the repository.
    /// - Throws: `GitError` naming the failed call.
    public static func open(at path: String) throws(GitError) -> Repository {
        LibGit2.ensureInitialized()
        var handle: OpaquePointer?
        try check("git_repository_open", git_repository_open(&handle, path))
        return Repository(pointer: handle!)
    }

    /// The work tree, with a trailing slash; nil for a bare repository.
    public var workingDirectory: String? { git_repository_workdir(pointer).map { String(cString: $0) } }

    /// The git directory (`.git/` or a worktree's own), with a trailing slash.
    public var gitDirectory: String { String(cString: git_repository_path(pointer)) }

    /// The directory shared by all worktrees (where refs and locks live).
    public var commonDirectory: String { String(cString: git_repository_commondir(pointer)) }

    /// Whether the repository has no work tree (`git_repository_is_bare`).
    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }
    /// A shallow clone: history ends at the commits listed in `.git/shallow`.
    public var isShallow: Bool { git_repository_is_shallow(pointer) == 1 }

    /// What HEAD is: a branch (with its commit, or none yet), or a detached commit.
    public enum Head: Sendable, Equatable {
        /// HEAD names a branch that has commits.
        case branch(name: String, commit: ObjectID)
        /// HEAD points at a commit directly.
        case detached(commit: ObjectID)
        /// HEAD names a branch that has no commit yet.
        case unborn(branch: String)

        /// The branch HEAD names, nil when detached.
        public var branchName: String? {
            switch self {
            case .branch(let name, _): return name
            case .unborn(let name): return name
            case .detached: return nil
            }
        }

        /// The commit HEAD is at, nil on an unborn branch.
        public var commit: ObjectID? {
            switch self {
            case .branch(_, let commit), .detached(let commit): return commit
            case .unborn: return nil
            }
        }
    }

    /// What HEAD is (`git_repository_head`, `git_repository_head_detached`).
    /// - Returns: the branch and its commit, an unborn branch, or the detached commit.
    /// - Throws: `GitError` when HEAD cannot be read.
    public func head() throws(GitError) -> Head {
        var reference: OpaquePointer?
        let result = git_repository_head(&reference, pointer)
        if result == GIT_EUNBORNBRANCH.rawValue || result == GIT_ENOTFOUND.rawValue {
            // HEAD is symbolic to a branch without commits: read the name it points to.
            var symbolic: OpaquePointer?
            try check("git_reference_lookup", git_reference_lookup(&symbolic, pointer, "HEAD"))
            defer { git_reference_free(symbolic) }
            let target = git_reference_symbolic_target(symbolic).map { String(cString: $0) } ?? "HEAD"
            return .unborn(branch: Self.shortBranchName(target))
        }
        try check("git_repository_head", result)
        defer { git_reference_free(reference) }
        let commit = try peeledCommit(reference!)
        if git_repository_head_detached(pointer) == 1 { return .detached(commit: commit) }
        return .branch(name: String(cString: git_reference_shorthand(reference)), commit: commit)
    }

    /// A branch (local or remote-tracking) and its commit.
    public struct Branch: Sendable, Equatable {
        /// The short name (`26.11`).
        public let name: String
        /// The commit it points to.
        public let commit: ObjectID
    }

    /// Local branches, sorted by name.
    public func branches() throws(GitError) -> [Branch] {
        var result: [Branch] = []
        try forEachReference(glob: "refs/heads/*") { (name: String, reference: OpaquePointer) throws(GitError) in
            result.append(Branch(name: String(name.dropFirst("refs/heads/".count)), commit: try peeledCommit(reference)))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// The remote-tracking branches of `remote` (`refs/remotes/origin/*`, its `HEAD` left out),
    /// by their short name on the remote (`26.04`), sorted by name.
    ///
    /// Calls `git_reference_iterator_glob_new` and `git_reference_peel`.
    /// - Parameter remote: the remote's name.
    /// - Returns: the branches.
    /// - Throws: `GitError` naming the failed call.
    public func remoteTrackingBranches(of remote: String) throws(GitError) -> [Branch] {
        var result: [Branch] = []
        let prefix = "refs/remotes/\(remote)/"
        try forEachReference(glob: prefix + "*") { (name: String, reference: OpaquePointer) throws(GitError) in
            let short = String(name.dropFirst(prefix.count))
            // origin/HEAD names the remote's default branch; it is no branch of its own.
            guard short != "HEAD", let commit = try? peeledCommit(reference) else { return }
            result.append(Branch(name: short, commit: commit))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// How many commits `local` has that `upstream` has not, and the other way round.
    ///
    /// Calls `git_graph_ahead_behind`.
    /// - Parameters:
    ///   - local: one commit.
    ///   - upstream: the other.
    /// - Returns: commits only `local` reaches (ahead) and only `upstream` reaches (behind).
    /// - Throws: `GitError` naming the failed call.
    public func aheadBehind(_ local: ObjectID, _ upstream: ObjectID) throws(GitError) -> (ahead: Int, behind: Int) {
        var ahead = 0
        var behind = 0
        var a = local.raw
        var b = upstream.raw
        try check("git_graph_ahead_behind", git_graph_ahead_behind(&ahead, &behind, pointer, &a, &b))
        return (ahead, behind)
    }

    /// A tag, lightweight or annotated.
    public struct Tag: Sendable, Equatable {
        /// The short name (`26.11.0`).
        public let name: String
        /// The commit the tag points to, through any annotated tag objects.
        public let commit: ObjectID
        /// Whether it is an annotated tag object rather than a plain reference.
        public let isAnnotated: Bool
    }

    /// Tags that point (possibly through tag objects) to commits, sorted by name.
    public func tags() throws(GitError) -> [Tag] {
        var result: [Tag] = []
        try forEachReference(glob: "refs/tags/*") { (name: String, reference: OpaquePointer) throws(GitError) in
            guard let target = git_reference_target(reference) else { return }
            var object: OpaquePointer?
            try check("git_object_lookup", git_object_lookup(&object, pointer, target, GIT_OBJECT_ANY))
            defer { git_object_free(object) }
            let annotated = git_object_type(object) == GIT_OBJECT_TAG
            // A tag of a tree or blob is not a release tag; skip it.
            guard let commit = try? peeledCommit(reference) else { return }
            result.append(Tag(name: String(name.dropFirst("refs/tags/".count)), commit: commit, isAnnotated: annotated))
        }
        return result.sorted { $0.name < $1.name }
    }

    private func forEachReference(glob: String, _ body: (String, OpaquePointer) throws(GitError) -> Void) throws(GitError) {
        var iterator: OpaquePointer?
        try check("git_reference_iterator_glob_new", git_reference_iterator_glob_new(&iterator, pointer, glob))
        defer { git_reference_iterator_free(iterator) }
        while true {
            var reference: OpaquePointer?
            let result = git_reference_next(&reference, iterator)
            if result == GIT_ITEROVER.rawValue { return }
            try check("git_reference_next", result)
            defer { git_reference_free(reference) }
            try body(String(cString: git_reference_name(reference)), reference!)
        }
    }

    private func peeledCommit(_ reference: OpaquePointer) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check("git_reference_peel", git_reference_peel(&object, reference, GIT_OBJECT_COMMIT))
        defer { git_object_free(object) }
        return ObjectID(git_object_id(object))
    }

    static func shortBranchName(_ reference: String) -> String {
        reference.hasPrefix("refs/heads/") ? String(reference.dropFirst("refs/heads/".count)) : reference
    }
}

extension Repository {
    /// A value from a snapshot of the configuration (a live configuration refuses string reads).
    ///
    /// Calls `git_config_get_string` on `git_repository_config_snapshot`.
    /// - Parameter key: the configuration key (`user.name`).
    /// - Returns: the value, or nil when it is not set.
    /// - Throws: `GitError` naming the failed call.
    public func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check("git_repository_config_snapshot", git_repository_config_snapshot(&config, pointer))
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let result = git_config_get_string(&value, config, key)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("git_config_get_string", result)
        return value.map { String(cString: $0) }
    }

    /// Sets values in the repository's own configuration file (`.git/config`), as `git config`
    /// does: libgit2 writes the file under its lock and renames it into place.
    ///
    /// Calls `git_config_open_level` (the local level) and `git_config_set_string`.
    /// - Parameter values: keys and values, set in order.
    /// - Throws: `GitError` naming the failed call.
    public func setLocalConfig(_ values: [(key: String, value: String)]) throws(GitError) {
        var config: OpaquePointer?
        try check("git_repository_config", git_repository_config(&config, pointer))
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try check("git_config_open_level", git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL))
        defer { git_config_free(local) }
        for (key, value) in values {
            try check("git_config_set_string", git_config_set_string(local, key, value))
        }
    }
}
