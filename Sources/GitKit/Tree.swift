internal import Clibgit2

/// What a tree entry is, from its file mode.
public enum TreeEntryKind: Sendable, Equatable {
    case file(executable: Bool)
    case symlink
    case directory
    case submodule
}

/// A tree of a commit. It keeps its repository alive and frees its handle once.
public final class Tree {
    /// The repository the tree is read from (kept alive as long as the tree).
    public let repository: Repository
    let pointer: OpaquePointer

    init(repository: Repository, pointer: OpaquePointer) {
        self.repository = repository
        self.pointer = pointer
    }

    deinit { git_tree_free(pointer) }

    /// The tree's id (`git_tree_id`).
    public var id: ObjectID { ObjectID(git_tree_id(pointer)) }

    /// One entry of a tree, found by path.
    public struct Entry: Sendable, Equatable {
        /// Its path from the tree's root.
        public let path: String
        /// File, symlink, directory or submodule, from its mode.
        public let kind: TreeEntryKind
        /// The id of its blob, tree or (submodule) commit.
        public let id: ObjectID
    }

    /// The entry at a slash-separated path, or nil when there is none.
    ///
    /// Calls `git_tree_entry_bypath`.
    /// - Parameter path: the path from the tree's root.
    /// - Returns: the entry, or nil.
    /// - Throws: `GitError` naming the failed call.
    public func entry(at path: String) throws(GitError) -> Entry? {
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, pointer, path)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("git_tree_entry_bypath", result)
        defer { git_tree_entry_free(entry) }
        return Entry(path: path, kind: Self.kind(git_tree_entry_filemode(entry)), id: ObjectID(git_tree_entry_id(entry)))
    }

    /// The contents of a blob of this repository.
    ///
    /// - Parameter id: the blob's id.
    /// - Returns: its bytes.
    /// - Throws: `GitError` naming the failed call.
    public func blobContents(_ id: ObjectID) throws(GitError) -> [UInt8] {
        try repository.blobContents(id)
    }

    /// The entries of one directory ("" for the root); empty when it is not a directory.
    ///
    /// - Parameter directory: the directory's path.
    /// - Returns: its entries, files and directories.
    /// - Throws: `GitError` naming the failed call.
    public func children(of directory: String) throws(GitError) -> [Entry] {
        var start = pointer
        var owned: OpaquePointer?
        if !directory.isEmpty {
            guard let entry = try entry(at: directory), entry.kind == .directory else { return [] }
            var oid = entry.id.raw
            try check("git_tree_lookup", git_tree_lookup(&owned, repository.pointer, &oid))
            start = owned!
        }
        defer { if owned != nil { git_tree_free(owned) } }
        let base = directory.isEmpty ? "" : directory + "/"
        return (0..<git_tree_entrycount(start)).compactMap { index in
            guard let entry = git_tree_entry_byindex(start, index) else { return nil }
            return Entry(
                path: base + String(cString: git_tree_entry_name(entry)), kind: Self.kind(git_tree_entry_filemode(entry)),
                id: ObjectID(git_tree_entry_id(entry)))
        }
    }

    static func kind(_ mode: git_filemode_t) -> TreeEntryKind {
        switch mode {
        case GIT_FILEMODE_TREE: return .directory
        case GIT_FILEMODE_LINK: return .symlink
        case GIT_FILEMODE_COMMIT: return .submodule
        case GIT_FILEMODE_BLOB_EXECUTABLE: return .file(executable: true)
        default: return .file(executable: false)
        }
    }
}

extension Repository {
    /// The commit a revision names (`main`, `v1.0`, `HEAD~2`, an id), through tags.
    ///
    /// Calls `git_revparse_single` and `git_object_peel`.
    /// - Parameter revision: the revision.
    /// - Returns: the commit's id.
    /// - Throws: `GitError` (`.ambiguous` in relkit's words for a short id of several objects).
    public func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        let status = git_revparse_single(&object, pointer, revision)
        // Recognised by its code, in relkit's words: libgit2's message changed between versions
        // ("ambiguous SHA1 prefix" in 1.5, "ambiguous OID prefix" in 1.9).
        if status == GIT_EAMBIGUOUS.rawValue {
            throw GitError(
                function: "git_revparse_single", code: .ambiguous, category: GitError.Category(rawValue: git_error_last()?.pointee.klass ?? 0),
                message: "ambiguous abbreviated id: more than one object's id starts with it; give more hex digits")
        }
        try check("git_revparse_single", status)
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check("git_object_peel", git_object_peel(&commit, object, GIT_OBJECT_COMMIT))
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }

    /// The tree of a commit.
    ///
    /// Calls `git_commit_lookup` and `git_commit_tree`.
    /// - Parameter id: the commit's id.
    /// - Returns: its tree.
    /// - Throws: `GitError` naming the failed call.
    public func tree(ofCommit id: ObjectID) throws(GitError) -> Tree {
        var oid = id.raw
        var commit: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commit, pointer, &oid))
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check("git_commit_tree", git_commit_tree(&tree, commit))
        return Tree(repository: self, pointer: tree!)
    }

    /// The bytes of a blob.
    ///
    /// Calls `git_blob_lookup`.
    /// - Parameter id: the blob's id.
    /// - Returns: its bytes.
    /// - Throws: `GitError` naming the failed call.
    public func blobContents(_ id: ObjectID) throws(GitError) -> [UInt8] {
        var oid = id.raw
        var blob: OpaquePointer?
        try check("git_blob_lookup", git_blob_lookup(&blob, pointer, &oid))
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// The size of an object, read from its header alone (a 10 MB blob is not loaded to learn
    /// that it is too large).
    ///
    /// Calls `git_odb_read_header`.
    /// - Parameter id: the object's id.
    /// - Returns: its size in bytes.
    /// - Throws: `GitError` naming the failed call.
    public func objectSize(_ id: ObjectID) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try check("git_repository_odb", git_repository_odb(&odb, pointer))
        defer { git_odb_free(odb) }
        var oid = id.raw
        var size = 0
        var type = GIT_OBJECT_ANY
        try check("git_odb_read_header", git_odb_read_header(&size, &type, odb, &oid))
        return size
    }

    /// Whether `name` is a local branch.
    ///
    /// Calls `git_branch_lookup`.
    /// - Parameter name: the branch's short name.
    /// - Returns: whether it exists.
    public func hasBranch(_ name: String) -> Bool {
        var reference: OpaquePointer?
        let result = git_branch_lookup(&reference, pointer, name, GIT_BRANCH_LOCAL)
        if result == 0 { git_reference_free(reference) }
        return result == 0
    }
}
