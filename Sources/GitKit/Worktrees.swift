internal import Clibgit2

extension Repository {
    /// Adds a worktree at `path` whose HEAD is detached at `commit`, with that commit checked out.
    /// libgit2 checks out a branch into a new worktree, so a temporary branch carries it there and
    /// is deleted right after: no branch is left behind.
    ///
    /// Calls `git_worktree_add` and `git_repository_set_head_detached`.
    /// - Parameters:
    ///   - name: the worktree's name.
    ///   - path: its directory.
    ///   - commit: the commit checked out there.
    /// - Returns: the worktree, opened.
    /// - Throws: `GitError` naming the failed call.
    public func addDetachedWorktree(name: String, path: String, at commit: ObjectID) throws(GitError) -> Repository {
        let temporaryBranch = "relkit-worktree-\(getpid())-\(name)"
        var commitOID = commit.raw
        var commitObject: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commitObject, pointer, &commitOID))
        defer { git_commit_free(commitObject) }
        var branch: OpaquePointer?
        try check("git_branch_create", git_branch_create(&branch, pointer, temporaryBranch, commitObject, 0))
        defer {
            git_branch_delete(branch)
            git_reference_free(branch)
        }
        var options = git_worktree_add_options()
        try check("git_worktree_add_options_init", git_worktree_add_options_init(&options, UInt32(GIT_WORKTREE_ADD_OPTIONS_VERSION)))
        options.ref = branch
        var worktree: OpaquePointer?
        try check("git_worktree_add", git_worktree_add(&worktree, pointer, name, path, &options))
        git_worktree_free(worktree)
        let opened = try Repository.open(at: path)
        try check("git_repository_set_head_detached", git_repository_set_head_detached(opened.pointer, &commitOID))
        return opened
    }

    /// The temporary branches `addDetachedWorktree` of process `pid` may have left (if killed).
    ///
    /// - Parameter pid: the process.
    /// - Returns: the branches deleted.
    /// - Throws: `GitError` naming the failed call.
    public func deleteTemporaryWorktreeBranches(ofProcess pid: Int32) throws(GitError) -> [String] {
        try deleteTemporaryWorktreeBranches { $0.hasPrefix("relkit-worktree-\(pid)-") }
    }

    /// Deletes the temporary worktree branches whose names `matching` accepts. Their lock files go
    /// first: a `relkit-worktree-*` branch is made and deleted only by relkit under its repository
    /// lock, so a lock file of one is what a killed relkit left (it would block the deletion).
    ///
    /// - Parameter matching: whether a branch name is one to delete.
    /// - Returns: the branches deleted.
    /// - Throws: `GitError` naming the failed call.
    public func deleteTemporaryWorktreeBranches(matching: (String) -> Bool) throws(GitError) -> [String] {
        let heads = commonDirectory + "refs/heads/"
        for entry in FileSystem.directoryEntries(heads) where entry.hasPrefix("relkit-worktree-") && entry.hasSuffix(".lock") && matching(String(entry.dropLast(5))) {
            unlink(heads + entry)
        }
        var deleted: [String] = []
        for branch in try branches() where branch.name.hasPrefix("relkit-worktree-") && matching(branch.name) {
            var reference: OpaquePointer?
            try check("git_branch_lookup", git_branch_lookup(&reference, pointer, branch.name, GIT_BRANCH_LOCAL))
            defer { git_reference_free(reference) }
            // A worktree may still have it checked out (killed before its HEAD was detached).
            if git_branch_delete(reference) == 0 { deleted.append(branch.name) }
        }
        return deleted
    }

    /// Removes a worktree: its directory and its administrative files.
    ///
    /// Calls `git_worktree_prune`.
    /// - Parameter name: the worktree's name.
    /// - Throws: `GitError` naming the failed call.
    public func removeWorktree(name: String) throws(GitError) {
        var worktree: OpaquePointer?
        let status = git_worktree_lookup(&worktree, pointer, name)
        // Already removed: libgit2 1.5 answers -1, not "not found", once the admin files are gone.
        if status == GIT_ENOTFOUND.rawValue || (status < 0 && access(commonDirectory + "worktrees/" + name, F_OK) != 0) { return }
        try check("git_worktree_lookup", status)
        defer { git_worktree_free(worktree) }
        var options = git_worktree_prune_options()
        try check("git_worktree_prune_options_init", git_worktree_prune_options_init(&options, UInt32(GIT_WORKTREE_PRUNE_OPTIONS_VERSION)))
        options.flags = GIT_WORKTREE_PRUNE_VALID.rawValue | GIT_WORKTREE_PRUNE_WORKING_TREE.rawValue | GIT_WORKTREE_PRUNE_LOCKED.rawValue
        try check("git_worktree_prune", git_worktree_prune(worktree, &options))
    }

    /// Cherry-picks onto the checked-out HEAD, writing the index and work tree, conflict markers
    /// included (what `git cherry-pick` leaves for a conflict). Returns the conflicting paths.
    ///
    /// Calls `git_cherrypick`.
    /// - Parameters:
    ///   - pick: the commit picked.
    ///   - mainline: the parent whose change a merge commit's pick takes (0: not a merge).
    /// - Returns: the conflicted paths.
    /// - Throws: `GitError` naming the failed call.
    public func cherryPickIntoWorkTree(_ pick: ObjectID, mainline: UInt32) throws(GitError) -> [String] {
        var oid = pick.raw
        var commit: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commit, pointer, &oid))
        defer { git_commit_free(commit) }
        var options = git_cherrypick_options()
        try check("git_cherrypick_options_init", git_cherrypick_options_init(&options, UInt32(GIT_CHERRYPICK_OPTIONS_VERSION)))
        options.mainline = mainline
        try check("git_cherrypick", git_cherrypick(pointer, commit, &options))
        return try conflictedPaths()
    }

    /// Paths with unmerged entries in the index.
    public func conflictedPaths() throws(GitError) -> [String] {
        var index: OpaquePointer?
        try check("git_repository_index", git_repository_index(&index, pointer))
        defer { git_index_free(index) }
        guard git_index_has_conflicts(index) == 1 else { return [] }
        return try Repository.conflictPaths(in: index!)
    }

    /// Stages work-tree files (resolving their conflicts) in memory and writes that index as a
    /// tree. The index file itself is not written: a kill then leaves no `index.lock`, and the
    /// worktree as the user left it (the worktree goes once its branch has moved).
    ///
    /// Calls `git_index_add_bypath` and `git_index_write_tree`.
    /// - Parameter paths: the paths to stage.
    /// - Returns: the tree's id.
    /// - Throws: `GitError` naming the failed call.
    public func stageAndWriteTree(_ paths: [String]) throws(GitError) -> ObjectID {
        var index: OpaquePointer?
        try check("git_repository_index", git_repository_index(&index, pointer))
        defer { git_index_free(index) }
        for path in paths {
            if access((workingDirectory ?? "") + path, F_OK) == 0 {
                try check("git_index_add_bypath", git_index_add_bypath(index, path))
            } else {
                try check("git_index_remove_bypath", git_index_remove_bypath(index, path))
            }
        }
        var tree = git_oid()
        try check("git_index_write_tree", git_index_write_tree(&tree, index))
        return ObjectID(tree)
    }

    /// Ends a cherry-pick state (CHERRY_PICK_HEAD, MERGE_MSG) in this work tree.
    public func clearOperationState() throws(GitError) {
        try check("git_repository_state_cleanup", git_repository_state_cleanup(pointer))
    }

    /// Checks out `commit` with HEAD detached there, overwriting the work tree (for relkit's own
    /// worktrees only).
    ///
    /// Calls `git_checkout_tree` (forced) and `git_repository_set_head_detached`.
    /// - Parameter commit: the commit.
    /// - Throws: `GitError` naming the failed call.
    public func forceCheckoutDetached(_ commit: ObjectID) throws(GitError) {
        var oid = commit.raw
        var object: OpaquePointer?
        try check("git_object_lookup", git_object_lookup(&object, pointer, &oid, GIT_OBJECT_COMMIT))
        defer { git_object_free(object) }
        var options = git_checkout_options()
        try check("git_checkout_options_init", git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)))
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue
        try check("git_checkout_tree", git_checkout_tree(pointer, object, &options))
        try check("git_repository_set_head_detached", git_repository_set_head_detached(pointer, &oid))
    }

}
