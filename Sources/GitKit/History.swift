import Clibgit2

/// A commit, copied out of libgit2.
public struct CommitInfo: Sendable, Equatable {
    public let id: ObjectID
    public let parents: [ObjectID]
    public let tree: ObjectID
    /// The whole message, as stored.
    public let message: String
    public let author: Identity
    public let committer: Identity

    /// The first line of the message.
    public var subject: String { String(message.prefix { $0 != "\n" }) }
    public var isMerge: Bool { parents.count > 1 }
}

/// How a file changed between two trees.
public struct FileChange: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case added, deleted, modified, renamed, copied, typeChanged, other
    }

    public let status: Status
    public let oldPath: String
    public let newPath: String
    public let oldID: ObjectID
    public let newID: ObjectID
    public let oldMode: UInt32
    public let newMode: UInt32
}

extension Repository {
    public func commit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        var oid = id.raw
        var commit: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commit, pointer, &oid))
        defer { git_commit_free(commit) }
        func identity(_ signature: UnsafePointer<git_signature>) -> Identity {
            Identity(name: String(cString: signature.pointee.name), email: String(cString: signature.pointee.email),
                     time: Int64(signature.pointee.when.time), offsetMinutes: Int32(signature.pointee.when.offset))
        }
        let parents = (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0).map { ObjectID($0) } }
        return CommitInfo(id: id, parents: parents, tree: ObjectID(git_commit_tree_id(commit)),
                          message: git_commit_message_raw(commit).map { String(cString: $0) } ?? "",
                          author: identity(git_commit_author(commit)), committer: identity(git_commit_committer(commit)))
    }

    /// Commits reachable from `include` and not from `exclude`, oldest first (topological, then
    /// by time, as `git log --reverse --topo-order`).
    public func commits(reachableFrom include: [ObjectID], excluding exclude: [ObjectID]) throws(GitError) -> [ObjectID] {
        var walk: OpaquePointer?
        try check("git_revwalk_new", git_revwalk_new(&walk, pointer))
        defer { git_revwalk_free(walk) }
        try check("git_revwalk_sorting", git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue))
        for id in include {
            var oid = id.raw
            try check("git_revwalk_push", git_revwalk_push(walk, &oid))
        }
        for id in exclude {
            var oid = id.raw
            try check("git_revwalk_hide", git_revwalk_hide(walk, &oid))
        }
        var result: [ObjectID] = []
        var oid = git_oid()
        while true {
            let status = git_revwalk_next(&oid, walk)
            if status == GIT_ITEROVER.rawValue { break }
            try check("git_revwalk_next", status)
            result.append(ObjectID(oid))
        }
        return result
    }

    /// The best common ancestor of two commits, or nil when they share no history.
    public func mergeBase(_ a: ObjectID, _ b: ObjectID) throws(GitError) -> ObjectID? {
        var out = git_oid(), x = a.raw, y = b.raw
        let status = git_merge_base(&out, pointer, &x, &y)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check("git_merge_base", status)
        return ObjectID(out)
    }

    /// The diff of a commit against its first parent (the empty tree for a root commit), or
    /// against `parent` when given (the mainline of a merge).
    func diff(of commit: CommitInfo, parent: ObjectID? = nil) throws(GitError) -> OpaquePointer {
        let newTree = try lookupTree(commit.tree)
        defer { git_tree_free(newTree) }
        var oldTree: OpaquePointer?
        if let parentID = parent ?? commit.parents.first {
            let parentCommit = try self.commit(parentID)
            oldTree = try lookupTree(parentCommit.tree)
        }
        defer { if oldTree != nil { git_tree_free(oldTree) } }
        var options = git_diff_options()
        try check("git_diff_options_init", git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        var diff: OpaquePointer?
        try check("git_diff_tree_to_tree", git_diff_tree_to_tree(&diff, pointer, oldTree, newTree, &options))
        return diff!
    }

    func lookupTree(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var oid = id.raw
        var tree: OpaquePointer?
        try check("git_tree_lookup", git_tree_lookup(&tree, pointer, &oid))
        return tree!
    }

    /// What a commit changed against its first parent (or `parent`).
    public func changes(of commit: CommitInfo, parent: ObjectID? = nil) throws(GitError) -> [FileChange] {
        let diff = try self.diff(of: commit, parent: parent)
        defer { git_diff_free(diff) }
        return (0..<git_diff_num_deltas(diff)).compactMap { index in
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { return nil }
            let status: FileChange.Status
            switch delta.status {
            case GIT_DELTA_ADDED: status = .added
            case GIT_DELTA_DELETED: status = .deleted
            case GIT_DELTA_MODIFIED: status = .modified
            case GIT_DELTA_RENAMED: status = .renamed
            case GIT_DELTA_COPIED: status = .copied
            case GIT_DELTA_TYPECHANGE: status = .typeChanged
            default: status = .other
            }
            return FileChange(status: status, oldPath: String(cString: delta.old_file.path), newPath: String(cString: delta.new_file.path),
                              oldID: ObjectID(delta.old_file.id), newID: ObjectID(delta.new_file.id),
                              oldMode: UInt32(delta.old_file.mode), newMode: UInt32(delta.new_file.mode))
        }
    }

    /// The patch-id of a commit (what `git patch-id --stable` prints for its diff): the same change
    /// has the same patch-id wherever it was applied.
    public func patchID(of commit: CommitInfo) throws(GitError) -> ObjectID {
        let diff = try self.diff(of: commit)
        defer { git_diff_free(diff) }
        var options = git_diff_patchid_options()
        try check("git_diff_patchid_options_init", git_diff_patchid_options_init(&options, UInt32(GIT_DIFF_PATCHID_OPTIONS_VERSION)))
        var oid = git_oid()
        try check("git_diff_patchid", git_diff_patchid(&oid, diff, &options))
        return ObjectID(oid)
    }
}
