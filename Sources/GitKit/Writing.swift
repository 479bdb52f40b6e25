internal import Clibgit2
internal import SystemLibc

extension Repository {
    /// Writes a blob.
    ///
    /// Calls `git_blob_create_from_buffer`.
    /// - Parameter bytes: the contents.
    /// - Returns: the blob's id.
    /// - Throws: `GitError` naming the failed call.
    public func createBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
        var oid = git_oid()
        let result = bytes.withUnsafeBytes { git_blob_create_from_buffer(&oid, pointer, $0.baseAddress, $0.count) }
        try check("git_blob_create_from_buffer", result)
        return ObjectID(oid)
    }

    /// A change to a tree: put a blob at a path (with its file mode), or remove the path.
    public struct TreeUpdate: Sendable {
        /// The path, relative to the tree's root.
        public let path: String
        /// nil removes the path.
        public let blob: ObjectID?
        /// A git file mode: 0o100644, 0o100755 or 0o120000 (a symlink).
        public let mode: UInt32

        /// Puts a blob at a path, as a regular file.
        /// - Parameters:
        ///   - path: where, from the tree's root.
        ///   - blob: the blob's id.
        ///   - executable: whether the file is executable (mode 0o100755).
        public init(path: String, blob: ObjectID, executable: Bool) {
            self.init(path: path, blob: blob, mode: executable ? 0o100755 : 0o100644)
        }

        /// Puts a blob at a path with a git file mode, or removes the path.
        /// - Parameters:
        ///   - path: where, from the tree's root.
        ///   - blob: the blob's id; nil removes the path.
        ///   - mode: 0o100644, 0o100755 or 0o120000.
        public init(path: String, blob: ObjectID?, mode: UInt32) {
            self.path = path
            self.blob = blob
            self.mode = mode
        }

        /// Removes a path.
        /// - Parameter path: the path to remove.
        /// - Returns: the update that removes it.
        public static func remove(_ path: String) -> TreeUpdate { TreeUpdate(path: path, blob: nil, mode: 0) }
    }

    /// A new tree: `base` with the given paths replaced, added or removed. Only the changed
    /// subtrees are written.
    ///
    /// Calls `git_tree_create_updated`.
    /// - Parameters:
    ///   - base: the tree to start from.
    ///   - updates: the paths to put or remove.
    /// - Returns: the new tree's id.
    /// - Throws: `GitError` naming the failed call.
    public func createTree(from base: Tree, updating updates: [TreeUpdate]) throws(GitError) -> ObjectID {
        try createTree(fromTreeID: base.id, updating: updates)
    }

    /// A new tree: the tree `baseID` with the given paths changed (`git_tree_create_updated`).
    /// - Parameters:
    ///   - baseID: the tree to start from.
    ///   - updates: the paths to put or remove.
    /// - Returns: the new tree's id.
    /// - Throws: `GitError` when a tree cannot be read or written.
    public func createTree(fromTreeID baseID: ObjectID, updating updates: [TreeUpdate]) throws(GitError) -> ObjectID {
        let base = try lookupTree(baseID)
        defer { git_tree_free(base) }
        var oid = git_oid()
        let paths = updates.map { strdup($0.path)! }
        defer { for path in paths { free(path) } }
        var raw = updates.enumerated().map { index, update in
            git_tree_update(
                action: update.blob == nil ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT,
                id: update.blob?.raw ?? git_oid(), filemode: git_filemode_t(update.mode),
                path: UnsafePointer(paths[index]))
        }
        let result = raw.withUnsafeMutableBufferPointer { git_tree_create_updated(&oid, pointer, base, $0.count, $0.baseAddress) }
        try check("git_tree_create_updated", result)
        return ObjectID(oid)
    }

    /// Writes a commit without moving any reference (refs move later, all together).
    ///
    /// Calls `git_commit_create`.
    /// - Parameters:
    ///   - tree: the commit's tree.
    ///   - parents: its parents.
    ///   - message: its message.
    ///   - author: its author.
    ///   - committer: its committer.
    /// - Returns: the commit's id.
    /// - Throws: `GitError` naming the failed call.
    public func createCommit(tree: ObjectID, parents: [ObjectID], message: String, author: Identity, committer: Identity) throws(GitError) -> ObjectID {
        var treeOID = tree.raw
        var treeObject: OpaquePointer?
        try check("git_tree_lookup", git_tree_lookup(&treeObject, pointer, &treeOID))
        defer { git_tree_free(treeObject) }
        var parentObjects: [OpaquePointer?] = []
        defer { for parent in parentObjects { git_commit_free(parent) } }
        for parent in parents {
            var oid = parent.raw
            var commit: OpaquePointer?
            try check("git_commit_lookup", git_commit_lookup(&commit, pointer, &oid))
            parentObjects.append(commit)
        }
        let authorSignature = try author.signature()
        defer { git_signature_free(authorSignature) }
        let committerSignature = try committer.signature()
        defer { git_signature_free(committerSignature) }
        var oid = git_oid()
        let result = parentObjects.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: OpaquePointer?.self) { parentsPointer in
                git_commit_create(
                    &oid, pointer, nil, authorSignature, committerSignature, "UTF-8", message, treeObject,
                    parents.count, parentsPointer.baseAddress)
            }
        }
        try check("git_commit_create", result)
        return ObjectID(oid)
    }

    /// Writes an annotated tag object (no reference yet).
    ///
    /// Calls `git_tag_annotation_create`.
    /// - Parameters:
    ///   - name: the tag's name.
    ///   - target: the object tagged.
    ///   - message: the tag's message.
    ///   - tagger: who tags.
    /// - Returns: the tag object's id.
    /// - Throws: `GitError` naming the failed call.
    public func createTagObject(name: String, target: ObjectID, message: String, tagger: Identity) throws(GitError) -> ObjectID {
        var targetOID = target.raw
        var object: OpaquePointer?
        try check("git_object_lookup", git_object_lookup(&object, pointer, &targetOID, GIT_OBJECT_COMMIT))
        defer { git_object_free(object) }
        let signature = try tagger.signature()
        defer { git_signature_free(signature) }
        var oid = git_oid()
        try check("git_tag_annotation_create", git_tag_annotation_create(&oid, pointer, name, object, signature, message))
        return ObjectID(oid)
    }
}
