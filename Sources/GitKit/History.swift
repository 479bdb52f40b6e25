internal import Clibgit2

/// A commit, copied out of libgit2.
public struct CommitInfo: Sendable, Equatable {
    /// The commit's id.
    public let id: ObjectID
    /// Its parents' ids, first parent first.
    public let parents: [ObjectID]
    /// The id of its tree.
    public let tree: ObjectID
    /// The whole message, as stored.
    public let message: String
    /// Who wrote the change, and when.
    public let author: Identity
    /// Who made the commit, and when.
    public let committer: Identity

    /// The first line of the message.
    public let subject: String

    /// A commit's values (tests, and readers that parsed a commit themselves).
    ///
    /// - Parameters:
    ///   - id: the commit's id.
    ///   - parents: its parents' ids.
    ///   - tree: its tree's id.
    ///   - message: its message.
    ///   - author: its author.
    ///   - committer: its committer.
    public init(id: ObjectID, parents: [ObjectID], tree: ObjectID, message: String, author: Identity, committer: Identity) {
        self.id = id
        self.parents = parents
        self.tree = tree
        self.message = message
        self.author = author
        self.committer = committer
        // As bytes: audits take the subject of thousands of commits.
        let utf8 = message.utf8
        subject = String(message[..<(utf8.firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex)])
    }
    /// Whether it has more than one parent.
    public var isMerge: Bool { parents.count > 1 }
}

extension Repository {
    /// A commit's values, copied out of libgit2 (`git_commit_lookup`).
    /// - Parameter id: the commit's id.
    /// - Returns: its parents, tree, message, author and committer.
    /// - Throws: `GitError` when the object is missing or not a commit.
    public func commit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        // A commit a merge-base walk read already is parsed from its content, not read again.
        if let read = fastHistory.commitAlreadyRead(id) ?? fastHistory.commitFromFiles(id) { return read }
        var oid = id.raw
        var commit: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commit, pointer, &oid))
        defer { git_commit_free(commit) }
        func identity(_ signature: UnsafePointer<git_signature>) -> Identity {
            Identity(
                name: String(cString: signature.pointee.name), email: String(cString: signature.pointee.email),
                time: Int64(signature.pointee.when.time), offsetMinutes: Int32(signature.pointee.when.offset))
        }
        let parents = (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0).map { ObjectID($0) } }
        return CommitInfo(
            id: id, parents: parents, tree: ObjectID(git_commit_tree_id(commit)),
            message: git_commit_message_raw(commit).map { String(cString: $0) } ?? "",
            author: identity(git_commit_author(commit)), committer: identity(git_commit_committer(commit)))
    }

    /// The tree of a commit, without reading the rest of it into Swift values.
    ///
    /// Calls `git_commit_tree_id`.
    /// - Parameter id: the commit's id.
    /// - Returns: its tree's id.
    /// - Throws: `GitError` naming the failed call.
    public func treeID(ofCommit id: ObjectID) throws(GitError) -> ObjectID {
        var oid = id.raw
        var commit: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commit, pointer, &oid))
        defer { git_commit_free(commit) }
        return ObjectID(git_commit_tree_id(commit))
    }

    /// The parents of a commit, in order, without reading the rest of it into Swift values.
    ///
    /// Calls `git_commit_parent_id`.
    /// - Parameter id: the commit's id.
    /// - Returns: its parents' ids, first parent first.
    /// - Throws: `GitError` naming the failed call.
    public func parentIDs(ofCommit id: ObjectID) throws(GitError) -> [ObjectID] {
        var oid = id.raw
        var commit: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commit, pointer, &oid))
        defer { git_commit_free(commit) }
        return (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0).map { ObjectID($0) } }
    }

    /// Commits reachable from `include` and not from `exclude`, oldest first (topological, then
    /// by time, as `git log --reverse --topo-order`).
    ///
    /// Answered from the commit-graph where it can, else by libgit2's revwalk (`git_revwalk_push`, `git_revwalk_hide`).
    /// - Parameters:
    ///   - include: the commits whose history is listed.
    ///   - exclude: the commits whose history is left out.
    /// - Returns: the ids, oldest first.
    /// - Throws: `GitError` naming the failed call.
    public func commits(reachableFrom include: [ObjectID], excluding exclude: [ObjectID]) throws(GitError) -> [ObjectID] {
        // With a commit-graph the set is found without reading commits; when it is one line of
        // history its order is the only possible one. Otherwise libgit2 orders it.
        if let line = try fastHistory.linearHistory(reachableFrom: include, excluding: exclude) { return line }
        // Hiding the merge bases instead of the excluded tips hides the same commits (every common
        // ancestor is reachable from a merge base) but lets libgit2 stop at the branch point: hiding
        // main's tip made it walk all of main's history (25 ms for 3,000 commits, here 0.3 ms).
        var hidden: [ObjectID] = []
        for id in include {
            for other in exclude {
                for base in try mergeBases(id, other) where !hidden.contains(base) { hidden.append(base) }
            }
        }
        if include.count == 1, let line = try singleParentLine(from: include[0], downTo: Set(hidden)) { return line }
        var result: [ObjectID] = []
        try walkOldestFirst(from: include, hiding: hidden) {
            result.append($0)
            return true
        }
        return result
    }

    /// libgit2's walk of what `include` reaches and `hidden` does not, oldest first (topological,
    /// then by time); `visit` returns false to stop.
    private func walkOldestFirst(from include: [ObjectID], hiding hidden: [ObjectID], _ visit: (ObjectID) -> Bool) throws(GitError) {
        var walk: OpaquePointer?
        try check("git_revwalk_new", git_revwalk_new(&walk, pointer))
        defer { git_revwalk_free(walk) }
        try check("git_revwalk_sorting", git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue))
        for id in include {
            var oid = id.raw
            try check("git_revwalk_push", git_revwalk_push(walk, &oid))
        }
        for id in hidden {
            var oid = id.raw
            try check("git_revwalk_hide", git_revwalk_hide(walk, &oid))
        }
        var oid = git_oid()
        while true {
            let status = git_revwalk_next(&oid, walk)
            if status == GIT_ITEROVER.rawValue { return }
            try check("git_revwalk_next", status)
            if !visit(ObjectID(oid)) { return }
        }
    }

    /// `ids` in history order, oldest first (topological, then by time, as `git log --reverse
    /// --topo-order`), in one walk of the history they span: from them down to their common
    /// ancestor (all of both histories when they have none).
    ///
    /// - Parameter ids: commits of one repository.
    /// - Returns: the same ids, oldest first.
    /// - Throws: `GitError` naming the failed call.
    public func historyOrder(of ids: [ObjectID]) throws(GitError) -> [ObjectID] {
        let wanted = Set(ids)
        guard wanted.count > 1 else { return Array(wanted) }
        var raw = ids.map(\.raw)
        var base = git_oid()
        let status = git_merge_base_octopus(&base, pointer, raw.count, &raw)
        var hidden: [ObjectID] = []
        if status == 0 {
            // Hiding the base's parents keeps the base itself, which may be one of `ids`.
            hidden = try parentIDs(ofCommit: ObjectID(base))
        } else if status != GIT_ENOTFOUND.rawValue {
            try check("git_merge_base_octopus", status)
        }
        var ordered: [ObjectID] = []
        try walkOldestFirst(from: Array(wanted), hiding: hidden) { id in
            if wanted.contains(id) { ordered.append(id) }
            return ordered.count < wanted.count
        }
        return ordered
    }

    /// Without a commit-graph: the commits from `tip` down to the first hidden one, oldest first,
    /// when each has exactly one parent (a line of history has one order only); nil otherwise.
    private func singleParentLine(from tip: ObjectID, downTo hidden: Set<ObjectID>) throws(GitError) -> [ObjectID]? {
        guard !hidden.isEmpty else { return nil }
        var line: [ObjectID] = []
        var current = tip
        while !hidden.contains(current) {
            // The merge-base walk that found the hidden commits read these already, when it could.
            var parents: [ObjectID]
            if let known = fastHistory.parentsAlreadyRead(of: current) { parents = known } else { parents = try parentIDs(ofCommit: current) }
            guard parents.count == 1 else { return nil }
            line.append(current)
            current = parents[0]
        }
        return line.reversed()
    }

    /// The best common ancestors of two commits (none when their histories are unrelated).
    ///
    /// Answered from the commit-graph or the object files where they can, else by `git_merge_bases`.
    /// - Parameters:
    ///   - one: a commit.
    ///   - two: another commit.
    /// - Returns: the merge bases.
    /// - Throws: `GitError` naming the failed call.
    public func mergeBases(_ one: ObjectID, _ two: ObjectID) throws(GitError) -> [ObjectID] {
        // Remembered: a command asks for the same pair more than once (either way round: the
        // answer is the same), and each costs a walk.
        let key: Set = [one, two]
        if let known = knownMergeBases[key] { return known }
        let bases: [ObjectID]
        if let fast = try fastHistory.mergeBases(one, two) {
            bases = fast
        } else {
            bases = try computeMergeBases(one, two)
        }
        knownMergeBases[key] = bases
        return bases
    }

    private func computeMergeBases(_ one: ObjectID, _ two: ObjectID) throws(GitError) -> [ObjectID] {
        var array = git_oidarray()
        var first = one.raw
        var second = two.raw
        let status = git_merge_bases(&array, pointer, &first, &second)
        if status == GIT_ENOTFOUND.rawValue {
            // libgit2 1.5 fails past a shallow clone's boundary (a parent object is missing);
            // 1.7 and later take the boundary commits as roots and find no common ancestor.
            // Either way the history needed is not there: say so the same way under each.
            if isShallow { throw GitError(function: "git_merge_bases", code: GitError.Code(rawValue: status), message: "no common ancestor within the shallow history") }
            return []
        }
        try check("git_merge_bases", status)
        defer { git_oidarray_dispose(&array) }
        return (0..<array.count).map { ObjectID(array.ids[$0]) }
    }

    func lookupTree(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var oid = id.raw
        var tree: OpaquePointer?
        try check("git_tree_lookup", git_tree_lookup(&tree, pointer, &oid))
        return tree!
    }

}

/// One path that differs between two trees; a side is nil where the path does not exist.
public struct TreeChange: Sendable, Equatable {
    /// The path, relative to the tree's root.
    public let path: String
    /// Blob id and git file mode before the change; nil when the path was added.
    public let old: (id: ObjectID, mode: UInt32)?
    /// Blob id and git file mode after the change; nil when the path was removed.
    public let new: (id: ObjectID, mode: UInt32)?

    /// The same path, and the same sides.
    public static func == (lhs: TreeChange, rhs: TreeChange) -> Bool {
        lhs.path == rhs.path && lhs.old?.id == rhs.old?.id && lhs.old?.mode == rhs.old?.mode
            && lhs.new?.id == rhs.new?.id && lhs.new?.mode == rhs.new?.mode
    }
}

extension Repository {
    /// The first blob of `changes` (old or new side) that is not in the object database: what
    /// keeps a patch-id from being computed, with its path. A partial clone
    /// (`--filter=blob:none`) or a damaged mirror lacks some, and libgit2 does not fetch them.
    ///
    /// Asks `git_odb_exists` for each blob.
    /// - Parameter changes: the changes of a commit.
    /// - Returns: the first missing blob's path and id, or nil when all are there.
    public func firstMissingBlob(in changes: [TreeChange]) -> (path: String, id: ObjectID)? {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, pointer) == 0 else { return nil }
        defer { git_odb_free(odb) }
        for change in changes {
            for side in [change.old, change.new] {
                guard let side, side.mode & 0o170000 != 0o160000 else { continue } // not a submodule's commit
                var oid = side.id.raw
                if git_odb_exists(odb, &oid) != 1 { return (change.path, side.id) }
            }
        }
        return nil
    }

    /// The file-level differences of two trees. Subtrees with the same id are skipped without
    /// being read, so the cost follows the size of the change, not of the repository. A path that
    /// is a file on one side and a directory on the other shows as the file removed (or added)
    /// and the directory's files added (or removed).
    ///
    /// With `within`, only those paths (files, and the directories leading to them) are looked at:
    /// a quick look for changes at known places, which reads no other subtree.
    ///
    /// - Parameters:
    ///   - old: the old tree (nil: the empty tree).
    ///   - new: the new tree.
    ///   - within: only these paths (and the directories above them), when given.
    /// - Returns: the changed files, by path.
    /// - Throws: `GitError` naming the failed call.
    public func treeChanges(from old: ObjectID?, to new: ObjectID, within: Set<String>? = nil) throws(GitError) -> [TreeChange] {
        if let read = fastHistory.treeReader?.changes(from: old, to: new, within: within) { return read }
        return try treeChangesFromLibgit2(from: old, to: new, within: within)
    }

    /// `treeChanges(from:to:within:)` by libgit2 alone: the reference of the fast tree reader.
    @_spi(FastReaders) public func treeChangesFromLibgit2(from old: ObjectID?, to new: ObjectID, within: Set<String>? = nil) throws(GitError) -> [TreeChange] {
        var changes: [TreeChange] = []
        try compareTrees(old, new, prefix: "", within: within, into: &changes)
        return changes
    }

    private func compareTrees(
        _ old: ObjectID?, _ new: ObjectID?, prefix: String, within: Set<String>?,
        into changes: inout [TreeChange]
    ) throws(GitError) {
        if old == new { return }
        let a = try old.map { id throws(GitError) in try lookupTree(id) }
        defer { if let a { git_tree_free(a) } }
        let b = try new.map { id throws(GitError) in try lookupTree(id) }
        defer { if let b { git_tree_free(b) } }
        let countA = a.map { git_tree_entrycount($0) } ?? 0
        let countB = b.map { git_tree_entrycount($0) } ?? 0
        func side(_ entry: OpaquePointer) -> (id: ObjectID, mode: UInt32) {
            (ObjectID(git_tree_entry_id(entry)), UInt32(git_tree_entry_filemode(entry).rawValue))
        }
        func isTree(_ entry: OpaquePointer) -> Bool { git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE }
        // Both lists are in git's tree order: walk them together, comparing raw ids, and make
        // strings only for the entries that differ.
        var i = 0
        var j = 0
        while i < countA || j < countB {
            let ea = i < countA ? git_tree_entry_byindex(a, i) : nil
            let eb = j < countB ? git_tree_entry_byindex(b, j) : nil
            let order: Int32
            if let ea, let eb { order = git_tree_entry_cmp(ea, eb) } else { order = ea == nil ? 1 : -1 }
            if order == 0, let ea, let eb {
                i += 1
                j += 1
                if git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) == 1 && git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb) { continue }
                let path = prefix + String(cString: git_tree_entry_name(ea))
                if let within, !within.contains(path) { continue }
                if isTree(ea) && isTree(eb) {
                    try compareTrees(side(ea).id, side(eb).id, prefix: path + "/", within: within, into: &changes)
                } else {
                    changes.append(TreeChange(path: path, old: side(ea), new: side(eb)))
                }
            } else if order < 0, let ea {
                i += 1
                let path = prefix + String(cString: git_tree_entry_name(ea))
                if let within, !within.contains(path) { continue }
                if isTree(ea) { try compareTrees(side(ea).id, nil, prefix: path + "/", within: within, into: &changes) } else { changes.append(TreeChange(path: path, old: side(ea), new: nil)) }
            } else if let eb {
                j += 1
                let path = prefix + String(cString: git_tree_entry_name(eb))
                if let within, !within.contains(path) { continue }
                if isTree(eb) { try compareTrees(nil, side(eb).id, prefix: path + "/", within: within, into: &changes) } else { changes.append(TreeChange(path: path, old: nil, new: side(eb))) }
            }
        }
    }

    /// The patch-id (`git patch-id --stable`) of a set of changes, computed on two minimal trees
    /// that hold only the changed paths: the same patch-id as the whole commit's, at the cost of
    /// the change. The trees are written through `scratch`, a handle whose writes stay in memory.
    ///
    /// Calls `git_diff_tree_to_tree` and `git_diff_patchid`.
    /// - Parameters:
    ///   - changes: the changes.
    ///   - scratch: a batch whose in-memory database takes the two trees.
    /// - Returns: the patch-id.
    /// - Throws: `GitError` naming the failed call.
    public func patchID(of changes: [TreeChange], scratch: ObjectBatch) throws(GitError) -> ObjectID {
        let writer = scratch.repository
        let empty = try writer.emptyTree()
        let oldTree = try writer.createTree(
            fromTreeID: empty,
            updating: changes.compactMap { change in
                change.old.map { Repository.TreeUpdate(path: change.path, blob: $0.id, mode: $0.mode) }
            })
        let newTree = try writer.createTree(
            fromTreeID: empty,
            updating: changes.compactMap { change in
                change.new.map { Repository.TreeUpdate(path: change.path, blob: $0.id, mode: $0.mode) }
            })
        // Each tree owned as soon as it is looked up: the second lookup may fail.
        let a = Handle(try writer.lookupTree(oldTree), free: git_tree_free)
        let b = Handle(try writer.lookupTree(newTree), free: git_tree_free)
        defer { withExtendedLifetime((a, b)) {} } // the diff reads them until the patch-id is made
        var diff: OpaquePointer?
        try check("git_diff_tree_to_tree", git_diff_tree_to_tree(&diff, writer.pointer, a.pointer, b.pointer, nil))
        defer { git_diff_free(diff) }
        var options = git_diff_patchid_options()
        try check("git_diff_patchid_options_init", git_diff_patchid_options_init(&options, UInt32(GIT_DIFF_PATCHID_OPTIONS_VERSION)))
        var oid = git_oid()
        try check("git_diff_patchid", git_diff_patchid(&oid, diff, &options))
        return ObjectID(oid)
    }

    /// The empty tree, written if needed.
    func emptyTree() throws(GitError) -> ObjectID {
        var builder: OpaquePointer?
        try check("git_treebuilder_new", git_treebuilder_new(&builder, pointer, nil))
        defer { git_treebuilder_free(builder) }
        var oid = git_oid()
        try check("git_treebuilder_write", git_treebuilder_write(&oid, builder))
        return ObjectID(oid)
    }
}

extension Repository {
    /// Whether `commit` is `ancestor` or has it in its history.
    ///
    /// Answered from the commit-graph where it can, else by `git_graph_descendant_of`.
    /// - Parameters:
    ///   - commit: the descendant.
    ///   - ancestor: the possible ancestor.
    /// - Returns: whether `ancestor` is in `commit`'s history.
    /// - Throws: `GitError` naming the failed call.
    public func contains(_ commit: ObjectID, ancestor: ObjectID) throws(GitError) -> Bool {
        if commit == ancestor { return true }
        if let known = try fastHistory.isAncestor(ancestor, of: commit) { return known }
        var a = commit.raw
        var b = ancestor.raw
        let result = git_graph_descendant_of(pointer, &a, &b)
        try check("git_graph_descendant_of", result)
        return result == 1
    }
}
