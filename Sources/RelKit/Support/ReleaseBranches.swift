import GitKit
import RelKitCore

/// A branch found as git's own commands find it: the local branch if there is one, else the
/// remote-tracking branch of the configured remote (`origin/26.04` in a CI clone, where
/// `git clone` made only main local).
public struct ResolvedBranch: Sendable, Equatable {
    /// The branch's short name (`26.04`).
    public let name: String
    /// The commit relkit works from: the local branch's tip, else the remote-tracking one's.
    public let tip: ObjectID
    /// Whether a local branch exists.
    public let isLocal: Bool
    /// The remote whose remote-tracking branches stand in for missing local ones.
    public let remote: String
    /// The remote-tracking branch's tip, when there is one.
    public let remoteTip: ObjectID?
    /// Commits the local branch has that the remote-tracking one has not (0 without both).
    public let ahead: Int
    /// Commits the remote-tracking branch has that the local one has not (0 without both).
    public let behind: Int

    /// The remote-tracking branch's name (`origin/26.04`).
    public var remoteTrackingName: String { "\(remote)/\(name)" }

    /// How messages name what relkit read: `26.04`, or `origin/26.04` when there is no local branch.
    public var displayName: String { isLocal ? name : remoteTrackingName }

    /// A local branch behind or diverged from its remote-tracking branch, said in one sentence
    /// (nil when they agree, or when only one exists).
    public var divergence: String? {
        guard isLocal, remoteTip != nil else { return nil }
        func commits(_ count: Int) -> String { count == 1 ? "1 commit" : "\(count) commits" }
        switch (ahead, behind) {
        case (0, 0): return nil
        case (0, let behind): return "local branch \(name) is \(commits(behind)) behind \(remoteTrackingName) (git pull, or git fetch and reset, brings it up to date); relkit used the local branch"
        case (let ahead, 0): return "local branch \(name) is \(commits(ahead)) ahead of \(remoteTrackingName) (not pushed yet); relkit used the local branch"
        case (let ahead, let behind):
            return "local branch \(name) and \(remoteTrackingName) have diverged (\(commits(ahead)) only here, \(commits(behind)) only there); relkit used the local branch"
        }
    }
}

/// Finds release branches locally and on the configured remote's remote-tracking branches.
public struct BranchResolver {
    /// The repository.
    public let repository: Repository
    /// The remote (`[branches] remote`, default `origin`).
    public let remote: String

    /// A resolver.
    /// - Parameters:
    ///   - repository: the repository.
    ///   - remote: the remote whose remote-tracking branches count.
    public init(repository: Repository, remote: String) {
        self.repository = repository
        self.remote = remote
    }

    /// The branch `name`: local, else remote-tracking; nil when neither exists.
    ///
    /// - Parameter name: the branch's short name.
    /// - Returns: the branch, or nil.
    /// - Throws: `GitError` when the references cannot be read.
    public func resolve(_ name: String) throws(GitError) -> ResolvedBranch? {
        // Branches point at commits directly (no tag objects to peel).
        let local = try repository.referenceTarget("refs/heads/" + name)
        let tracking = try repository.referenceTarget("refs/remotes/\(remote)/\(name)")
        return try make(name, local: local, tracking: tracking)
    }

    /// The branch `name`, or a usage error that says where it was looked for: one wording for
    /// every command.
    ///
    /// - Parameter name: the branch's short name.
    /// - Returns: the branch.
    /// - Throws: `OperationError` (usage) when it exists nowhere or cannot be read.
    public func require(_ name: String) throws(OperationError) -> ResolvedBranch {
        let resolved: ResolvedBranch?
        do { resolved = try resolve(name) } catch { throw OperationError(.usage, "cannot read branch \(name.displayable()): \(error)") }
        guard let resolved else {
            throw OperationError(
                .usage, "there is no branch '\(name.displayable())', here or as \(remote)/\(name.displayable()) (git fetch \(remote) brings the remote's branches)")
        }
        return resolved
    }

    /// Every branch known here or on the remote, each once, sorted by name.
    ///
    /// - Returns: the branches.
    /// - Throws: `GitError` when the references cannot be read.
    public func allBranches() throws(GitError) -> [ResolvedBranch] {
        var local: [String: ObjectID] = [:]
        for branch in try repository.branches() { local[branch.name] = branch.commit }
        var tracking: [String: ObjectID] = [:]
        for branch in try repository.remoteTrackingBranches(of: remote) { tracking[branch.name] = branch.commit }
        var result: [ResolvedBranch] = []
        for name in Set(local.keys).union(tracking.keys).sorted() {
            if let branch = try make(name, local: local[name], tracking: tracking[name]) { result.append(branch) }
        }
        return result
    }

    private func make(_ name: String, local: ObjectID?, tracking: ObjectID?) throws(GitError) -> ResolvedBranch? {
        guard let tip = local ?? tracking else { return nil }
        var ahead = 0
        var behind = 0
        if let local, let tracking, local != tracking { (ahead, behind) = try repository.aheadBehind(local, tracking) }
        return ResolvedBranch(name: name, tip: tip, isLocal: local != nil, remote: remote, remoteTip: tracking, ahead: ahead, behind: behind)
    }
}
