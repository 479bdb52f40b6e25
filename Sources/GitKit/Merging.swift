internal import Clibgit2
internal import SystemLibc

/// A three-way merge of one file's contents.
public struct MergedFile: Sendable {
    /// The merged bytes (with conflict markers when not automergeable).
    public let contents: [UInt8]
    /// False when the sides conflict (the contents then have conflict markers).
    public let automergeable: Bool
    /// The git file mode of the result.
    public let mode: UInt32
}

/// The outcome of an in-memory cherry-pick.
public enum CherryPickOutcome: Sendable, Equatable {
    case clean(tree: ObjectID)
    case conflicts([String])
}

extension Repository {
    /// One side of a file merge: contents and git file mode.
    public struct FileSide {
        /// The file's bytes on this side.
        public let contents: [UInt8]
        /// Its git file mode (0o100644, 0o100755 or 0o120000).
        public let mode: UInt32
        /// One side of a merge.
        /// - Parameters:
        ///   - contents: the bytes.
        ///   - mode: the git file mode.
        public init(contents: [UInt8], mode: UInt32) {
            self.contents = contents
            self.mode = mode
        }
    }

    /// Merges one file's three versions as git does (xdiff, the `merge` conflict style).
    ///
    /// Calls `git_merge_file`.
    /// - Parameters:
    ///   - path: the file's path, for the conflict markers.
    ///   - ancestor: the merge base's version.
    ///   - ours: the target's version.
    ///   - theirs: the picked commit's version.
    ///   - labels: the names on the conflict markers of our and their side (default: the path).
    /// - Returns: the merged contents and whether they merged cleanly.
    /// - Throws: `GitError` naming the failed call.
    public func mergeFile(path: String, ancestor: FileSide, ours: FileSide, theirs: FileSide, labels: (ours: String, theirs: String)? = nil) throws(GitError) -> MergedFile {
        var options = git_merge_file_options()
        try check("git_merge_file_options_init", git_merge_file_options_init(&options, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION)))
        var result = git_merge_file_result()
        defer { git_merge_file_result_free(&result) }
        let ourLabel = labels.map { strdup($0.ours) }
        let theirLabel = labels.map { strdup($0.theirs) }
        defer {
            free(ourLabel ?? nil)
            free(theirLabel ?? nil)
        }
        options.our_label = UnsafePointer(ourLabel ?? nil)
        options.their_label = UnsafePointer(theirLabel ?? nil)
        let status: Int32 = path.withCString { cPath in
            ancestor.contents.withUnsafeBytes { a in
                ours.contents.withUnsafeBytes { o in
                    theirs.contents.withUnsafeBytes { t in
                        func input(_ bytes: UnsafeRawBufferPointer, _ mode: UInt32) -> git_merge_file_input {
                            var input = git_merge_file_input()
                            git_merge_file_input_init(&input, UInt32(GIT_MERGE_FILE_INPUT_VERSION))
                            input.ptr = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                            input.size = bytes.count
                            input.path = cPath
                            input.mode = mode
                            return input
                        }
                        var ancestorInput = input(a, ancestor.mode)
                        var oursInput = input(o, ours.mode)
                        var theirsInput = input(t, theirs.mode)
                        return git_merge_file(&result, &ancestorInput, &oursInput, &theirsInput, &options)
                    }
                }
            }
        }
        try check("git_merge_file", status)
        let contents = result.ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: result.len)) } ?? []
        return MergedFile(contents: contents, automergeable: result.automergeable != 0, mode: result.mode)
    }

    /// libgit2's whole-tree cherry-pick of `pick` onto `ours`, in memory: the slow, complete path
    /// (rename detection, every kind of change). `mainline` is 1-based for merges, 0 otherwise.
    ///
    /// Calls `git_cherrypick_commit`.
    /// - Parameters:
    ///   - pick: the commit picked.
    ///   - ours: the commit it is picked onto.
    ///   - mainline: the parent whose change a merge commit's pick takes (0: not a merge).
    /// - Returns: the new tree, or the conflicting paths.
    /// - Throws: `GitError` naming the failed call.
    public func cherryPickInMemory(_ pick: ObjectID, onto ours: ObjectID, mainline: UInt32) throws(GitError) -> CherryPickOutcome {
        var pickOID = pick.raw
        var oursOID = ours.raw
        var pickCommit: OpaquePointer?
        var oursCommit: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&pickCommit, pointer, &pickOID))
        defer { git_commit_free(pickCommit) }
        try check("git_commit_lookup", git_commit_lookup(&oursCommit, pointer, &oursOID))
        defer { git_commit_free(oursCommit) }
        var options = git_merge_options()
        try check("git_merge_options_init", git_merge_options_init(&options, UInt32(GIT_MERGE_OPTIONS_VERSION)))
        var index: OpaquePointer?
        try check("git_cherrypick_commit", git_cherrypick_commit(&index, pointer, pickCommit, oursCommit, mainline, &options))
        defer { git_index_free(index) }
        return try outcome(of: index!)
    }

    /// A merged index's conflicting paths, or its tree written.
    func outcome(of index: OpaquePointer) throws(GitError) -> CherryPickOutcome {
        if git_index_has_conflicts(index) == 1 { return .conflicts(try Repository.conflictPaths(in: index)) }
        var tree = git_oid()
        try check("git_index_write_tree_to", git_index_write_tree_to(&tree, index, pointer))
        return .clean(tree: ObjectID(tree))
    }
}

/// A three-way merge of trees whose conflicts were committed as they are.
public struct MergeWithMarkers: Sendable, Equatable {
    /// The merged tree: conflict markers in the files whose contents conflict.
    public let tree: ObjectID
    /// The paths that conflicted, sorted.
    public let conflicted: [String]
}

extension Repository {
    /// libgit2's three-way merge of whole trees (what `git_cherrypick_commit` runs, with the picked
    /// commit's parent as the ancestor), in memory.
    ///
    /// Calls `git_merge_trees`.
    /// - Parameters:
    ///   - ancestor: the merge base's tree (nil: none, as for a root commit).
    ///   - ours: the target's tree.
    ///   - theirs: the picked side's tree.
    /// - Returns: the new tree, or the conflicting paths.
    /// - Throws: `GitError` naming the failed call.
    public func mergeTrees(ancestor: ObjectID?, ours: ObjectID, theirs: ObjectID) throws(GitError) -> CherryPickOutcome {
        try withMergedIndex(ancestor: ancestor, ours: ours, theirs: theirs) { index throws(GitError) in try outcome(of: index) }
    }

    /// The three-way merge of trees with every conflict committed as it is, as a person who commits
    /// without resolving would: files whose contents conflict get git's conflict markers (the
    /// `merge` style, labelled with `labels`); a file deleted on one side keeps the other side's
    /// version; a conflict that markers cannot show (a symlink, a submodule, a mode) keeps ours.
    ///
    /// Calls `git_merge_trees`, `git_merge_file` and `git_index_add`.
    /// - Parameters:
    ///   - ancestor: the merge base's tree (nil: none).
    ///   - ours: the target's tree.
    ///   - theirs: the picked side's tree.
    ///   - labels: the names on the markers of our side and theirs.
    /// - Returns: the tree and the paths that conflicted.
    /// - Throws: `GitError` naming the failed call.
    public func mergeTreesCommittingConflicts(ancestor: ObjectID?, ours: ObjectID, theirs: ObjectID, labels: (ours: String, theirs: String)) throws(GitError) -> MergeWithMarkers {
        try withMergedIndex(ancestor: ancestor, ours: ours, theirs: theirs) { index throws(GitError) in
            let conflicts = try Repository.conflictEntries(in: index)
            for conflict in conflicts {
                let kept: ConflictSide?
                if let mine = conflict.ours, let other = conflict.theirs, Self.isRegularFile(mine.mode), Self.isRegularFile(other.mode),
                    conflict.ancestor.map({ Self.isRegularFile($0.mode) }) ?? true
                {
                    let merged = try mergeFile(
                        path: conflict.path,
                        ancestor: .init(contents: try conflict.ancestor.map { side throws(GitError) in try blobContents(side.id) } ?? [], mode: conflict.ancestor?.mode ?? mine.mode),
                        ours: .init(contents: try blobContents(mine.id), mode: mine.mode),
                        theirs: .init(contents: try blobContents(other.id), mode: other.mode),
                        labels: labels)
                    kept = (try createBlob(merged.contents), merged.mode == 0 ? mine.mode : merged.mode)
                } else {
                    kept = conflict.ours ?? conflict.theirs
                }
                try check("git_index_conflict_remove", git_index_conflict_remove(index, conflict.path))
                guard let kept else { continue }
                var entry = git_index_entry()
                entry.id = kept.id.raw
                entry.mode = kept.mode
                let added: Int32 = conflict.path.withCString { path in
                    entry.path = path
                    return git_index_add(index, &entry)
                }
                try check("git_index_add", added)
            }
            var tree = git_oid()
            try check("git_index_write_tree_to", git_index_write_tree_to(&tree, index, pointer))
            return MergeWithMarkers(tree: ObjectID(tree), conflicted: conflicts.map(\.path).sorted())
        }
    }

    static func isRegularFile(_ mode: UInt32) -> Bool { mode == 0o100644 || mode == 0o100755 }

    /// Runs `body` on the in-memory index of a three-way merge of trees.
    private func withMergedIndex<Result>(ancestor: ObjectID?, ours: ObjectID, theirs: ObjectID, _ body: (OpaquePointer) throws(GitError) -> Result) throws(GitError) -> Result {
        let ancestorTree = try ancestor.map { id throws(GitError) in try lookupTree(id) }
        defer { git_tree_free(ancestorTree) }
        let oursTree = try lookupTree(ours)
        defer { git_tree_free(oursTree) }
        let theirsTree = try lookupTree(theirs)
        defer { git_tree_free(theirsTree) }
        var options = git_merge_options()
        try check("git_merge_options_init", git_merge_options_init(&options, UInt32(GIT_MERGE_OPTIONS_VERSION)))
        var index: OpaquePointer?
        try check("git_merge_trees", git_merge_trees(&index, pointer, ancestorTree, oursTree, theirsTree, &options))
        defer { git_index_free(index) }
        return try body(index!)
    }

    /// The paths with unmerged entries in an index, sorted.
    static func conflictPaths(in index: OpaquePointer) throws(GitError) -> [String] { try conflictEntries(in: index).map(\.path).sorted() }

    /// One side of an unmerged index entry: its blob and mode.
    typealias ConflictSide = (id: ObjectID, mode: UInt32)

    /// The unmerged entries of an index, in its order: each path and its three sides (nil where
    /// that side has no file).
    static func conflictEntries(in index: OpaquePointer) throws(GitError) -> [(path: String, ancestor: ConflictSide?, ours: ConflictSide?, theirs: ConflictSide?)] {
        var iterator: OpaquePointer?
        try check("git_index_conflict_iterator_new", git_index_conflict_iterator_new(&iterator, index))
        defer { git_index_conflict_iterator_free(iterator) }
        var entries: [(path: String, ancestor: ConflictSide?, ours: ConflictSide?, theirs: ConflictSide?)] = []
        var ancestor: UnsafePointer<git_index_entry>?
        var ours: UnsafePointer<git_index_entry>?
        var theirs: UnsafePointer<git_index_entry>?
        func side(_ entry: UnsafePointer<git_index_entry>?) -> ConflictSide? { entry.map { (ObjectID($0.pointee.id), $0.pointee.mode) } }
        while git_index_conflict_next(&ancestor, &ours, &theirs, iterator) == 0 {
            if let entry = ours ?? theirs ?? ancestor { entries.append((String(cString: entry.pointee.path), side(ancestor), side(ours), side(theirs))) }
        }
        return entries
    }

    /// A tree entry's object id and raw git file mode, or nil when the path is not in the tree.
    ///
    /// Calls `git_tree_entry_bypath`.
    /// - Parameters:
    ///   - treeID: the tree.
    ///   - path: the path in it.
    /// - Returns: the entry's id and mode, or nil.
    /// - Throws: `GitError` naming the failed call.
    public func entry(inTree treeID: ObjectID, path: String) throws(GitError) -> (id: ObjectID, mode: UInt32)? {
        if let read = fastHistory.treeReader?.entry(inTree: treeID, path: path) { return read }
        return try entryFromLibgit2(inTree: treeID, path: path)
    }

    /// `entry(inTree:path:)` by libgit2 alone: the reference of the fast tree reader.
    @_spi(FastReaders) public func entryFromLibgit2(inTree treeID: ObjectID, path: String) throws(GitError) -> (id: ObjectID, mode: UInt32)? {
        let tree = try lookupTree(treeID)
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let status = git_tree_entry_bypath(&entry, tree, path)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check("git_tree_entry_bypath", status)
        defer { git_tree_entry_free(entry) }
        return (ObjectID(git_tree_entry_id(entry)), UInt32(git_tree_entry_filemode(entry).rawValue))
    }
}
