import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Cherry-picks in memory. The fast path costs in proportion to the change, not the repository:
/// it diffs the picked commit against its parent (equal subtrees are skipped), takes the picked
/// side of every path the target still has as it was, merges only the paths that differ with
/// git's file merge, and builds the new tree with the changed paths alone. Anything else (a path
/// missing or added on both sides, type or mode conflicts, symlinks and submodules to merge,
/// content that does not merge cleanly, root commits) goes to libgit2's whole-tree cherry-pick,
/// which detects renames; both give the tree `git cherry-pick` gives.
///
/// Paths of `[backport] keep-target` keep the target's content: the picked side is taken as if it
/// had left them as its parent had them, so the merge keeps ours (what a `merge=ours` attribute
/// does for git), and they never conflict.
struct PickEngine {
    let repository: Repository
    /// `[backport] keep-target`.
    var keepTarget: [Glob] = []
    /// Test and benchmark switch: `RELKIT_FULL_MERGE=1` skips the fast path, so that the two paths
    /// can be compared with each other and with git.
    static let fullMergeOnly = environmentValue("RELKIT_FULL_MERGE") == "1"

    enum Result: Equatable {
        case tree(ObjectID, fastPath: Bool)
        case conflicts([String])
    }

    func pick(_ commit: CommitInfo, mainline: Int?, onto ours: CommitInfo) throws(GitError) -> Result {
        let parentTree = try self.parentTree(of: commit, mainline: mainline)
        let theirs = try pickedTree(commit, parentTree: parentTree)
        if !Self.fullMergeOnly, let parentTree, let tree = try fastPick(theirs: theirs, parentTree: parentTree, onto: ours) {
            return .tree(tree, fastPath: true)
        }
        // libgit2's cherry-pick itself when nothing is kept: the reference the fast path agrees with.
        let outcome =
            theirs == commit.tree
            ? try repository.cherryPickInMemory(commit.id, onto: ours.id, mainline: UInt32(mainline ?? 0))
            : try repository.mergeTrees(ancestor: parentTree, ours: ours.tree, theirs: theirs)
        switch outcome {
        case .clean(let tree): return .tree(tree, fastPath: false)
        case .conflicts(let paths): return .conflicts(paths)
        }
    }

    /// The pick with its conflicts committed as they are (`--commit-conflicts`): conflict markers
    /// in the files, labelled with the target and the picked commit, as `git cherry-pick` writes them.
    func pickCommittingConflicts(_ commit: CommitInfo, mainline: Int?, onto ours: CommitInfo, target: String) throws(GitError) -> MergeWithMarkers {
        let parentTree = try self.parentTree(of: commit, mainline: mainline)
        return try repository.mergeTreesCommittingConflicts(
            ancestor: parentTree, ours: ours.tree, theirs: try pickedTree(commit, parentTree: parentTree),
            labels: (target, "\(commit.id.short) (\(commit.subject))"))
    }

    /// The paths of `changes` that keep the target's content.
    func keptPaths(_ paths: [String]) -> [String] {
        keepTarget.isEmpty ? [] : paths.filter { path in keepTarget.contains { $0.matches(path) } }
    }

    /// The paths a pick of `commit` keeps as the target has them.
    func keptPaths(of commit: CommitInfo, mainline: Int?) throws(GitError) -> [String] {
        try keptChanges(of: commit, parentTree: try parentTree(of: commit, mainline: mainline)).map(\.path)
    }

    /// The tree of the parent whose change a pick takes (`mainline` for a merge); nil for a root.
    private func parentTree(of commit: CommitInfo, mainline: Int?) throws(GitError) -> ObjectID? {
        let parent: ObjectID? = mainline.map { commit.parents[$0 - 1] } ?? commit.parents.first
        return try parent.map { id throws(GitError) in try repository.treeID(ofCommit: id) }
    }

    /// The commit's changes at kept paths.
    private func keptChanges(of commit: CommitInfo, parentTree: ObjectID?) throws(GitError) -> [TreeChange] {
        guard !keepTarget.isEmpty else { return [] }
        let changes = try repository.treeChanges(from: parentTree, to: commit.tree)
        let kept = Set(keptPaths(changes.map(\.path)))
        return changes.filter { kept.contains($0.path) }
    }

    /// The picked commit's tree, with the kept paths as its parent had them.
    private func pickedTree(_ commit: CommitInfo, parentTree: ObjectID?) throws(GitError) -> ObjectID {
        let kept = try keptChanges(of: commit, parentTree: parentTree)
        guard !kept.isEmpty else { return commit.tree }
        let updates = kept.map { change in
            change.old.map { Repository.TreeUpdate(path: change.path, blob: $0.id, mode: $0.mode) } ?? .remove(change.path)
        }
        return try repository.createTree(fromTreeID: commit.tree, updating: updates)
    }

    /// The new tree, or nil when the change needs the complete merge.
    private func fastPick(theirs theirsTree: ObjectID, parentTree: ObjectID, onto ours: CommitInfo) throws(GitError) -> ObjectID? {
        var updates: [Repository.TreeUpdate] = []
        let changes = try repository.treeChanges(from: parentTree, to: theirsTree)
        // A file replaced by a directory (or the reverse) is for the complete merge.
        let paths = Set(changes.map(\.path))
        if changes.contains(where: { change in
            var parent = change.path
            while let slash = parent.lastIndex(of: "/") {
                parent = String(parent[..<slash])
                if paths.contains(parent) { return true }
            }
            return false
        }) {
            return nil
        }
        for change in changes {
            let path = change.path
            let base = change.old
            let theirs = change.new
            let current = try repository.entry(inTree: ours.tree, path: path)
            func same(_ a: (id: ObjectID, mode: UInt32)?, _ b: (id: ObjectID, mode: UInt32)?) -> Bool {
                a?.id == b?.id && a?.mode == b?.mode
            }
            // Submodules and directories in the way are for the complete merge.
            let modes: [UInt32] = [base?.mode, theirs?.mode, current?.mode].compactMap { $0 }
            if modes.contains(where: { $0 == 0o160000 || $0 == 0o040000 }) { return nil }
            if same(current, base) {
                updates.append(theirs.map { Repository.TreeUpdate(path: path, blob: $0.id, mode: $0.mode) } ?? .remove(path))
                continue
            }
            if same(current, theirs) { continue }
            guard let base, let theirs, let current else { return nil }
            // Both sides changed the file: merge its contents; modes must not conflict.
            let mode: UInt32
            if current.mode == base.mode { mode = theirs.mode } else if theirs.mode == base.mode { mode = current.mode } else { return nil }
            guard mode != 0o120000, base.mode != 0o120000, current.mode != 0o120000 else { return nil }
            if current.id == theirs.id {
                updates.append(Repository.TreeUpdate(path: path, blob: current.id, mode: mode))
                continue
            }
            let merged = try repository.mergeFile(
                path: path,
                ancestor: .init(contents: try repository.blobContents(base.id), mode: base.mode),
                ours: .init(contents: try repository.blobContents(current.id), mode: current.mode),
                theirs: .init(contents: try repository.blobContents(theirs.id), mode: theirs.mode))
            guard merged.automergeable else { return nil }
            updates.append(Repository.TreeUpdate(path: path, blob: try repository.createBlob(merged.contents), mode: mode))
        }
        return updates.isEmpty ? ours.tree : try repository.createTree(fromTreeID: ours.tree, updating: updates)
    }
}
