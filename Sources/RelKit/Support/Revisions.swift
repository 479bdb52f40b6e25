import GitKit
import RelKitCore

extension Repository {
    /// The commit a revision names (`main`, `26.11.0`, `HEAD~2`, an id), or a usage error that
    /// says which revision could not be read: one wording for every command that takes one.
    func commit(named revision: String) throws(OperationError) -> ObjectID {
        do { return try resolveCommit(revision) } catch { throw Self.unreadable(revision, error) }
    }

    /// The files of the commit a revision names, labelled as messages show them (`26.11.0 (1a2b3c4d5e6f)`).
    func commitTree(named revision: String) throws(OperationError) -> (tree: CommitTree, commit: ObjectID) {
        let commit = try commit(named: revision)
        do { return (try CommitTree(repository: self, commit: commit, label: "\(revision) (\(commit.short))"), commit) } catch {
            throw Self.unreadable(revision, error)
        }
    }

    private static func unreadable(_ revision: String, _ error: GitError) -> OperationError {
        OperationError(.usage, "cannot read revision '\(revision.displayable())': \(error.message)")
    }
}
