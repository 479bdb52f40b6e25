import GitKit
import RelKitCore

extension Repository {
    /// The commit a revision names (`main`, `26.11.0`, `HEAD~2`, an id), or a usage error that
    /// says which revision could not be read: one wording for every command that takes one.
    /// A branch that exists only as `remote`'s remote-tracking branch (`26.04` for
    /// `origin/26.04` in a CI clone) is read there, as `git switch 26.04` would find it.
    func commit(named revision: String, remote: String = "origin") throws(OperationError) -> ObjectID {
        do { return try resolveCommit(revision) } catch {
            if let tracking = try? referenceTarget("refs/remotes/\(remote)/\(revision)") { return tracking }
            throw Self.unreadable(revision, error)
        }
    }

    /// The files of the commit a revision names, labelled as messages show them (`26.11.0 (1a2b3c4d5e6f)`).
    func commitTree(named revision: String, remote: String = "origin") throws(OperationError) -> (tree: CommitTree, commit: ObjectID) {
        let commit = try commit(named: revision, remote: remote)
        do { return (try CommitTree(repository: self, commit: commit, label: "\(revision) (\(commit.short))"), commit) } catch {
            throw Self.unreadable(revision, error)
        }
    }

    private static func unreadable(_ revision: String, _ error: GitError) -> OperationError {
        OperationError(.usage, "cannot read revision '\(revision.displayable())': \(error.message)")
    }
}
