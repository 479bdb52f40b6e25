internal import Clibgit2

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
    /// - Returns: the merged contents and whether they merged cleanly.
    /// - Throws: `GitError` naming the failed call.
    public func mergeFile(path: String, ancestor: FileSide, ours: FileSide, theirs: FileSide) throws(GitError) -> MergedFile {
        var options = git_merge_file_options()
        try check("git_merge_file_options_init", git_merge_file_options_init(&options, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION)))
        var result = git_merge_file_result()
        defer { git_merge_file_result_free(&result) }
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
        if git_index_has_conflicts(index) == 1 { return .conflicts(try Repository.conflictPaths(in: index!)) }
        var tree = git_oid()
        try check("git_index_write_tree_to", git_index_write_tree_to(&tree, index, pointer))
        return .clean(tree: ObjectID(tree))
    }
}

extension Repository {
    /// The paths with unmerged entries in an index, sorted.
    static func conflictPaths(in index: OpaquePointer) throws(GitError) -> [String] {
        var iterator: OpaquePointer?
        try check("git_index_conflict_iterator_new", git_index_conflict_iterator_new(&iterator, index))
        defer { git_index_conflict_iterator_free(iterator) }
        var paths: [String] = []
        var ancestor: UnsafePointer<git_index_entry>?
        var ours: UnsafePointer<git_index_entry>?
        var theirs: UnsafePointer<git_index_entry>?
        while git_index_conflict_next(&ancestor, &ours, &theirs, iterator) == 0 {
            if let entry = ours ?? theirs ?? ancestor { paths.append(String(cString: entry.pointee.path)) }
        }
        return paths.sorted()
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
