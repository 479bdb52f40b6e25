import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a mutating command will do. `--dry-run` prints it; apply carries out exactly it.
public struct ReleasePlan {
    /// A commit to create: new contents for some files on top of `parent`.
    public struct Commit {
        /// The branch the commit goes on.
        public let branch: String
        /// Its parent: the branch's tip when planned.
        public let parent: ObjectID
        /// The commit message.
        public let message: String
        /// The files it changes.
        public let edits: [FileEdit]
        /// The files it removes (the news fragments a release's notes took in).
        public var removals: [String] = []
    }

    /// What a new reference points to: a commit of this plan, or an existing one.
    public enum Target {
        case planned(commit: Int)
        case existing(ObjectID)
    }

    /// A tag to create.
    public struct Tag {
        /// The tag's name.
        public let name: String
        /// What it points to.
        public let target: Target
        /// Whether it is an annotated tag object.
        public let annotated: Bool
        /// The tag object's message (annotated tags).
        public let message: String
    }

    /// A branch to create.
    public struct BranchCreation {
        /// The branch's name.
        public let name: String
        /// Where it starts.
        public let target: Target
    }

    /// A branch that moves to a commit of this plan.
    public struct BranchMove {
        /// The branch's name.
        public let name: String
        /// Where it is now (the move is a compare-and-swap from here).
        public let from: ObjectID
        /// The index of the commit in `commits`.
        public let commit: Int
    }

    /// The checked-out branch moves: its index and work tree follow for these paths.
    public struct Checkout {
        /// The branch checked out.
        public let branch: String
        /// Its tip before the move.
        public let from: ObjectID
        /// The index of the commit it moves to in `commits`.
        public let commit: Int
        /// The paths that differ, rewritten in the work tree.
        public let paths: [String]
    }

    /// The command that planned it (`cut`, `tag`, `bump`).
    public let command: String
    /// One line: what the command does.
    public let summary: String
    /// Files written in the work tree, without a commit (`relkit bump`).
    public var workTreeEdits: [FileEdit] = []
    /// Commits to create, in order.
    public var commits: [Commit] = []
    /// Tags to create.
    public var tags: [Tag] = []
    /// Branches to create.
    public var newBranches: [BranchCreation] = []
    /// Branches that move.
    public var branchMoves: [BranchMove] = []
    /// The checkout that follows the checked-out branch, when it moves.
    public var checkout: Checkout?
    /// Things worth knowing that do not change the plan.
    public var notes: [String] = []
    /// The version the command releases or sets.
    public var version: SchemeVersion?

    /// An empty plan.
    /// - Parameters:
    ///   - command: the command's name.
    ///   - summary: one line of what it does.
    public init(command: String, summary: String) {
        self.command = command
        self.summary = summary
    }

    /// The reflog message of every reference it moves.
    public var reflogMessage: String { "relkit \(command): \(summary)" }

    /// Whether the plan writes objects or moves references (beyond work-tree files).
    public var changesReferences: Bool { !(commits.isEmpty && tags.isEmpty && newBranches.isEmpty && branchMoves.isEmpty) }
}

/// What applying a plan created.
public struct AppliedPlan {
    /// The ids of the commits created, in the plan's order.
    public let commits: [ObjectID]
    /// The ids of the tag objects created.
    public let tags: [ObjectID]
}

/// Applies a plan: objects first (blobs, trees, commits, tag objects), then every reference in
/// one locked compare-and-swap transaction, then the checkout of the branch that is checked out.
/// The caller holds the repository lock from planning to the end.
public enum PlanExecutor {
    /// Carries out a plan.
    /// - Parameters:
    ///   - plan: what to do.
    ///   - repository: where (nil: work-tree edits only).
    ///   - lock: the repository lock, held since planning.
    ///   - root: the work tree's root, for work-tree edits.
    /// - Returns: what was created.
    /// - Throws: `OperationError`; nothing moved unless the journal says what the next run finishes.
    public static func apply(_ plan: ReleasePlan, repository: Repository?, lock: RepositoryLock, root: String?) throws(OperationError) -> AppliedPlan {
        if !plan.workTreeEdits.isEmpty {
            guard let root else { throw OperationError(.usage, "writing files needs a work tree") }
            try writeWorkTree(plan.workTreeEdits, root: root, lock: lock)
        }
        guard let repository, plan.changesReferences else {
            return AppliedPlan(commits: [], tags: [])
        }
        let committer = try IdentityResolver.resolve(.committer, repository: repository)
        let author = try IdentityResolver.resolve(.author, repository: repository)

        // 1. Objects, collected in memory and written as one pack. Nothing is visible until the
        //    references move.
        let batch: ObjectBatch
        do { batch = try repository.beginObjectBatch() } catch { throw OperationError(.repositoryState, "cannot write objects: \(error)") }
        var commitIDs: [ObjectID] = []
        do {
            let writer = batch.repository
            for commit in plan.commits {
                let parentTree = try writer.tree(ofCommit: commit.parent)
                let updates =
                    try commit.edits.map { edit throws(GitError) in
                        Repository.TreeUpdate(path: edit.path, blob: try writer.createBlob(edit.after), executable: edit.executable)
                    } + commit.removals.map { Repository.TreeUpdate(path: $0, blob: nil, mode: 0) }
                let tree = try writer.createTree(from: parentTree, updating: updates)
                // git ends every message with a line break; libgit2 stores what it is given.
                commitIDs.append(
                    try writer.createCommit(
                        tree: tree, parents: [commit.parent], message: commit.message + "\n",
                        author: author, committer: committer))
            }
            try batch.write(commits: commitIDs) { FaultInjection.point("object-written-\($0)") }
        } catch {
            throw OperationError(.repositoryState, "cannot write the commits: \(error)")
        }
        func resolve(_ target: ReleasePlan.Target) -> ObjectID {
            switch target {
            case .planned(let index): return commitIDs[index]
            case .existing(let id): return id
            }
        }
        var tagIDs: [ObjectID] = []
        var updates: [Repository.ReferenceUpdate] = []
        do {
            for tag in plan.tags {
                let target = resolve(tag.target)
                let id = tag.annotated ? try repository.createTagObject(name: tag.name, target: target, message: tag.message + "\n", tagger: committer) : target
                tagIDs.append(id)
                updates.append(.init(name: "refs/tags/" + tag.name, expected: nil, target: id))
            }
        } catch {
            throw OperationError(.repositoryState, "cannot write the tag: \(error)")
        }
        for branch in plan.newBranches { updates.append(.init(name: "refs/heads/" + branch.name, expected: nil, target: resolve(branch.target))) }
        for move in plan.branchMoves { updates.append(.init(name: "refs/heads/" + move.name, expected: move.from, target: commitIDs[move.commit])) }
        FaultInjection.point("objects-written")

        // 2. References, all or none, each against the tip it was planned from, journaled so that
        //    an interrupted move is finished by the next run; then the checkout that follows.
        let checkout = plan.checkout.map { ReferenceMoves.Checkout(branch: $0.branch, from: $0.from, to: commitIDs[$0.commit], paths: $0.paths) }
        try ReferenceMoves.apply(
            updates, checkout: checkout, lock: lock, command: "relkit \(plan.command)", committer: committer,
            reflogMessage: plan.reflogMessage)
        return AppliedPlan(commits: commitIDs, tags: tagIDs)
    }

    /// Replaces files in the work tree: all or nothing. Old contents are journaled first, so that
    /// a failure restores them and a killed relkit's next run does.
    static func writeWorkTree(_ edits: [FileEdit], root: String, lock: RepositoryLock) throws(OperationError) {
        do { try SystemCalls.createDirectories(lock.backupDirectory) } catch {
            throw OperationError(.repositoryState, "cannot create \(lock.backupDirectory): \(error.reason)")
        }
        var backups: [Journal.FileBackup] = []
        for (index, edit) in edits.enumerated() {
            let backup = lock.backupDirectory + "/\(index)"
            try AtomicFiles.replace(backup, with: edit.before, keepingModeOf: nil)
            backups.append(.init(path: root + "/" + edit.path, backup: backup))
        }
        try lock.writeJournal(Journal(command: "relkit bump", files: backups))
        FaultInjection.point("journal-written")
        var written: [Int] = []
        do {
            for (index, edit) in edits.enumerated() {
                try AtomicFiles.replace(root + "/" + edit.path, with: edit.after, keepingModeOf: root + "/" + edit.path)
                written.append(index)
                FaultInjection.point("file-renamed")
            }
        } catch {
            for index in written {
                try? AtomicFiles.replace(root + "/" + edits[index].path, with: edits[index].before, keepingModeOf: root + "/" + edits[index].path)
            }
            lock.removeJournal()
            throw OperationError(.repositoryState, "\(error.message); the files already written were restored")
        }
        FaultInjection.point("files-written")
        lock.removeJournal()
    }
}
