internal import Clibgit2
internal import SystemLibc

extension Repository {
    /// The paths, of those given, that differ between HEAD, the index and the work tree: one
    /// status scan for all of them (`git_status_file` rescans the work tree for each path).
    ///
    /// Calls `git_status_list_new` once.
    /// - Parameter paths: paths relative to the work tree's root.
    /// - Returns: those of them that are modified, staged or untracked.
    /// - Throws: `GitError` naming the failed call.
    public func modifiedPaths(_ paths: [String]) throws(GitError) -> [String] {
        guard !paths.isEmpty else { return [] }
        var options = git_status_options()
        try check("git_status_options_init", git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)))
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        let cPaths = paths.map { strdup($0) }
        defer { for path in cPaths { free(path) } }
        var list: OpaquePointer?
        var mutablePaths = cPaths
        let result = mutablePaths.withUnsafeMutableBufferPointer { buffer -> Int32 in
            options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_status_list_new(&list, pointer, &options)
        }
        try check("git_status_list_new", result)
        defer { git_status_list_free(list) }
        var modified: [String] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index), entry.pointee.status.rawValue & ~GIT_STATUS_IGNORED.rawValue != 0 else { continue }
            let delta = entry.pointee.index_to_workdir ?? entry.pointee.head_to_index
            if let path = delta?.pointee.old_file.path ?? delta?.pointee.new_file.path { modified.append(String(cString: path)) }
        }
        return modified.sorted()
    }

    /// Whether the index already holds the tree of `commit` (a checkout to it has been done).
    ///
    /// Compares with `git_diff_tree_to_index`.
    /// - Parameter commit: the commit whose tree is compared.
    /// - Returns: whether the index holds exactly that tree.
    /// - Throws: `GitError` naming the failed call.
    public func indexMatches(commit: ObjectID) throws(GitError) -> Bool {
        var commitOID = commit.raw
        var commitObject: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commitObject, pointer, &commitOID))
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check("git_commit_tree", git_commit_tree(&tree, commitObject))
        defer { git_tree_free(tree) }
        var index: OpaquePointer?
        try check("git_repository_index", git_repository_index(&index, pointer))
        defer { git_index_free(index) }
        var diff: OpaquePointer?
        try check("git_diff_tree_to_index", git_diff_tree_to_index(&diff, pointer, tree, index, nil))
        defer { git_diff_free(diff) }
        return git_diff_num_deltas(diff) == 0
    }

    /// Writes every file of `commit` into `directory`, a directory of relkit's own (a scratch
    /// copy for a program to work in); this repository's index and work tree are not touched.
    ///
    /// Calls `git_checkout_tree` with `target_directory`.
    /// - Parameters:
    ///   - commit: the commit whose files are written.
    ///   - directory: where.
    /// - Throws: `GitError` naming the failed call.
    public func exportTree(ofCommit commit: ObjectID, to directory: String) throws(GitError) {
        var options = git_checkout_options()
        try check("git_checkout_options_init", git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)))
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue
        let targetTree = try tree(ofCommit: commit)
        let result = directory.withCString { path -> Int32 in
            options.target_directory = path
            return git_checkout_tree(pointer, targetTree.pointer, &options)
        }
        try check("git_checkout_tree", result)
    }

    /// Makes an empty repository at `directory` (its `.git` there), for a program that runs git
    /// commands in a directory relkit made: they stay inside it.
    ///
    /// Calls `git_repository_init`.
    /// - Parameter directory: where.
    /// - Throws: `GitError` naming the failed call.
    public static func initializeEmpty(at directory: String) throws(GitError) {
        var repository: OpaquePointer?
        try check("git_repository_init", git_repository_init(&repository, directory, 0))
        git_repository_free(repository)
    }

    /// Writes the given paths of `commit` into the index and the work tree, whatever is there
    /// (the completion of a checkout that was interrupted: the caller checked each file first).
    ///
    /// Calls `git_checkout_tree` with a forced strategy, limited to `paths`.
    /// - Parameters:
    ///   - paths: the paths to write.
    ///   - commit: the commit whose files are written.
    /// - Throws: `GitError` naming the failed call.
    public func forceCheckout(paths: [String], of commit: ObjectID) throws(GitError) {
        guard !paths.isEmpty else { return }
        var options = git_checkout_options()
        try check("git_checkout_options_init", git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)))
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
        let targetTree = try tree(ofCommit: commit)
        let cPaths = paths.map { strdup($0) }
        defer { for path in cPaths { free(path) } }
        var mutablePaths = cPaths
        let result = mutablePaths.withUnsafeMutableBufferPointer { buffer -> Int32 in
            options.paths = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_checkout_tree(pointer, targetTree.pointer, &options)
        }
        try check("git_checkout_tree", result)
    }

    /// Sets the index entries of `paths` to those of `commit`, the work tree untouched (`git reset
    /// COMMIT -- PATHS`).
    ///
    /// Calls `git_reset_default`.
    /// - Parameters:
    ///   - paths: the index entries to set.
    ///   - commit: the commit whose entries they take.
    /// - Throws: `GitError` naming the failed call.
    public func resetIndex(paths: [String], to commit: ObjectID) throws(GitError) {
        guard !paths.isEmpty else { return }
        var oid = commit.raw
        var object: OpaquePointer?
        try check("git_object_lookup", git_object_lookup(&object, pointer, &oid, GIT_OBJECT_COMMIT))
        defer { git_object_free(object) }
        let cPaths = paths.map { strdup($0) }
        defer { for path in cPaths { free(path) } }
        var mutablePaths = cPaths
        let result = mutablePaths.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var list = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_reset_default(pointer, object, &list)
        }
        try check("git_reset_default", result)
    }

    /// Brings the index and work tree from commit `baseline` to commit `target`, refusing to
    /// overwrite local changes (a safe checkout). Only what differs between the two trees is
    /// written; other paths, modified or untracked, are not touched.
    ///
    /// Calls `git_checkout_tree` with the safe strategy and `baseline`.
    /// - Parameters:
    ///   - target: the commit to bring the checkout to.
    ///   - baseline: the commit the checkout is at.
    /// - Throws: `GitError` (`.conflict`) when a local change is in the way; nothing is written then.
    public func checkout(to target: ObjectID, from baseline: ObjectID) throws(GitError) {
        var options = git_checkout_options()
        try check("git_checkout_options_init", git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)))
        options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
        let targetTree = try tree(ofCommit: target)
        let baselineTree = try tree(ofCommit: baseline)
        options.baseline = baselineTree.pointer
        try check("git_checkout_tree", git_checkout_tree(pointer, targetTree.pointer, &options))
    }
}
