internal import Clibgit2

extension Repository {
    /// The id a reference points to directly, or nil when it does not exist.
    ///
    /// Calls `git_reference_lookup`.
    /// - Parameter name: the full reference name.
    /// - Returns: the id, or nil.
    /// - Throws: `GitError` naming the failed call.
    public func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var reference: OpaquePointer?
        let result = git_reference_lookup(&reference, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("git_reference_lookup", result)
        defer { git_reference_free(reference) }
        return git_reference_target(reference).map { ObjectID($0) }
    }

    /// One reference change of a transaction: `expected` nil means the reference must not exist;
    /// `target` nil deletes it.
    public struct ReferenceUpdate: Sendable {
        /// The full reference name (`refs/heads/26.11`).
        public let name: String
        /// Where it must be before the move; nil: it must not exist.
        public let expected: ObjectID?
        /// Where it goes; nil deletes it.
        public let target: ObjectID?

        /// One move of a transaction.
        /// - Parameters:
        ///   - name: the full reference name.
        ///   - expected: where it must be (nil: absent).
        ///   - target: where it goes (nil: deleted).
        public init(name: String, expected: ObjectID?, target: ObjectID?) {
            self.name = name
            self.expected = expected
            self.target = target
        }
    }

    /// Moves several references together: every one is locked first, then each is checked to be
    /// where the caller planned from (compare-and-swap); only then are all written, each with a
    /// reflog entry. If a lock or a check fails, nothing moves. libgit2 writes the locked
    /// references one by one: a failure part-way is `.partial`, naming those already moved (the
    /// caller puts them back, or journals them).
    ///
    /// Calls `git_transaction_lock_ref`, `git_transaction_set_target` and `git_transaction_commit`.
    /// - Parameters:
    ///   - updates: the moves.
    ///   - committer: who the reflog entries name.
    ///   - reflogMessage: the reflog entries' message.
    /// - Throws: `ReferenceUpdateError`: locked, moved, partial, or a libgit2 failure.
    public func updateReferences(_ updates: [ReferenceUpdate], committer: Identity, reflogMessage: String) throws(ReferenceUpdateError) {
        var transaction: OpaquePointer?
        do { try check("git_transaction_new", git_transaction_new(&transaction, pointer)) } catch { throw .git(error) }
        defer { git_transaction_free(transaction) }
        for update in updates {
            let result = git_transaction_lock_ref(transaction, update.name)
            if result < 0 {
                let error = GitError.last("git_transaction_lock_ref", result)
                throw result == GIT_ELOCKED.rawValue ? .locked(update.name, lockFile: commonDirectory + update.name + ".lock") : .git(error)
            }
        }
        for update in updates {
            let current: ObjectID?
            do { current = try referenceTarget(update.name) } catch { throw .git(error) }
            if current != update.expected { throw .moved(name: update.name, expected: update.expected, found: current) }
        }
        let signature: UnsafeMutablePointer<git_signature>
        do { signature = try committer.signature() } catch { throw .git(error) }
        defer { git_signature_free(signature) }
        for update in updates {
            let result: Int32
            if let target = update.target {
                var oid = target.raw
                result = git_transaction_set_target(transaction, update.name, &oid, signature, reflogMessage)
            } else {
                result = git_transaction_remove(transaction, update.name)
            }
            if result < 0 { throw .git(GitError.last("git_transaction_set_target", result)) }
        }
        let result = git_transaction_commit(transaction)
        if result < 0 {
            let error = GitError.last("git_transaction_commit", result)
            let moved = updates.filter { (try? referenceTarget($0.name)) == $0.target && $0.target != $0.expected }.map(\.name)
            throw moved.isEmpty ? .git(error) : .partial(moved: moved, error)
        }
    }
}

/// Why a set of reference moves did not happen.
public enum ReferenceUpdateError: Error, Sendable, CustomStringConvertible {
    /// A lock file of the reference exists: another git process holds it, or a killed one left it.
    case locked(String, lockFile: String)
    /// The reference is not where the plan expected it.
    case moved(name: String, expected: ObjectID?, found: ObjectID?)
    case git(GitError)
    /// Writing failed after these references had moved (the others did not).
    case partial(moved: [String], GitError)

    /// What failed, with the reference names.
    public var description: String {
        switch self {
        case .locked(let name, let lockFile):
            return "\(name) is locked: \(lockFile) exists. A git command may be running; if none is (`pgrep -a git` lists none), a killed one left it: remove it with `rm '\(lockFile)'`"
        case .moved(let name, let expected, let found):
            switch (expected, found) {
            case (nil, let found?): return "\(name) exists already (at \(found.short))"
            case (let expected?, nil): return "\(name) was deleted (it was at \(expected.short))"
            case (let expected?, let found?): return "\(name) moved from \(expected.short) to \(found.short) meanwhile"
            default: return "\(name) changed meanwhile"
            }
        case .git(let error): return error.description
        case .partial(let moved, let error): return "\(error) (after moving \(moved.joined(separator: ", ")))"
        }
    }
}

extension Repository {
    /// Whether a local branch is checked out in any worktree of this repository: a worktree's
    /// HEAD names it (the main one's HEAD, unless the repository is bare, and each
    /// `worktrees/*/HEAD`). Read as files: libgit2's git_branch_is_checked_out opens every worktree
    /// as a repository, configuration and all, for the same answer (a millisecond per backport).
    ///
    /// - Parameter name: the branch's short name.
    /// - Returns: whether a worktree has it checked out.
    public func isBranchCheckedOut(_ name: String) -> Bool {
        let wanted = Array("ref: refs/heads/\(name)".utf8)
        func names(_ path: String) -> Bool {
            guard var bytes = FileSystem.readSmallFile(path, limit: 4096) else { return false }
            while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 { bytes.removeLast() }
            return bytes == wanted
        }
        if !isBare, names(commonDirectory + "HEAD") { return true }
        return FileSystem.directoryEntries(commonDirectory + "worktrees").contains { names(commonDirectory + "worktrees/" + $0 + "/HEAD") }
    }
}
