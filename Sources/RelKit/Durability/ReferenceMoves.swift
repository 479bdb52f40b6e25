import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Refs moved all or nothing, and the checkout that follows them, for every command that moves
/// refs (cut, tag, bump --commit, backport, backport --continue).
///
/// The journal names every move first; then libgit2 locks every ref and checks each against the
/// plan (compare-and-swap), and only then writes the refs, one by one. A failure part-way puts the
/// moved refs back; a kill part-way (or a failed putting back) leaves the journal, and the next
/// relkit that takes the lock finishes the move (`finish`) and the checkout (`completeCheckout`).
enum ReferenceMoves {
    struct Checkout {
        let branch: String
        let from: ObjectID
        let to: ObjectID
        let paths: [String]
    }

    /// `thenWrite`: a file written once the refs have moved (by the next run, if this one is killed).
    static func apply(
        _ updates: [Repository.ReferenceUpdate], checkout: Checkout?, lock: RepositoryLock, command: String,
        committer: Identity, reflogMessage: String, thenWrite: Journal.FollowingFile? = nil
    ) throws(OperationError) {
        let repository = lock.repository
        let journal = Journal(
            command: command, invocation: RepositoryLock.invocation,
            references: updates.map { .init(name: $0.name, from: $0.expected?.description, to: $0.target?.description) },
            checkoutBranch: checkout?.branch, checkoutFrom: checkout?.from.description,
            checkoutTo: checkout?.to.description, checkoutPaths: checkout?.paths, thenWrite: thenWrite)
        // The journal before any ref is locked: whenever a ref's lock file exists, the journal that
        // names it does, and the next run can tell that lock file for relkit's own.
        try lock.writeJournal(journal)
        FaultInjection.point("journal-written")
        do throws(ReferenceUpdateError) {
            try repository.updateReferences(updates, committer: committer, reflogMessage: reflogMessage)
        } catch {
            switch error {
            case .partial(let moved, let gitError):
                // Put back what moved; if that fails too, the journal stays for the next run to finish.
                let back = updates.filter { moved.contains($0.name) }.map { Repository.ReferenceUpdate(name: $0.name, expected: $0.target, target: $0.expected) }
                do {
                    try repository.updateReferences(back, committer: committer, reflogMessage: reflogMessage + " (undone)")
                } catch {
                    throw OperationError(
                        .repositoryState,
                        "cannot move the references: \(gitError); \(moved.joined(separator: ", ")) moved and could not be put back (\(error)): the next relkit command finishes the move (\(lock.journalPath))"
                    )
                }
                lock.removeJournal()
                throw OperationError(.repositoryState, "cannot move the references: \(gitError); those that had moved were put back, nothing was changed")
            case .moved, .locked:
                lock.removeJournal()
                throw OperationError(.repositoryState, "\(error); nothing was changed (the new objects are unreferenced); run the command again")
            case .git(let gitError):
                lock.removeJournal()
                throw OperationError(.repositoryState, "cannot move the references: \(gitError); nothing was changed")
            }
        }
        FaultInjection.point("refs-moved")
        if let checkout {
            do { try repository.checkout(to: checkout.to, from: checkout.from) } catch {
                throw OperationError(
                    .repositoryState,
                    "\(checkout.branch) moved to \(checkout.to.short), but the work tree could not follow: \(error); the next relkit command completes it (or run `git checkout HEAD -- \(checkout.paths.joined(separator: " "))`)"
                )
            }
            FaultInjection.point("checked-out")
        }
        if let thenWrite { try AtomicFiles.replace(thenWrite.path, with: Array(thenWrite.contents.utf8), keepingModeOf: nil) }
        lock.markDone()
        lock.removeJournal()
    }

    /// Finishes the journaled moves: each ref still at its old value moves to its new one, once
    /// every object it would name is there; when one is missing, the refs already moved go back.
    /// Refs someone else moved meanwhile are left and said.
    static func finish(_ moves: [Journal.ReferenceMove], journalWrittenAt: Int, repository: Repository) throws(OperationError) -> (actions: [String], forward: Bool) {
        var actions: [String] = []
        var pending: [Repository.ReferenceUpdate] = []
        var done: [Repository.ReferenceUpdate] = []
        for move in moves {
            let from = move.from.flatMap(ObjectID.init(hex:))
            let to = move.to.flatMap(ObjectID.init(hex:))
            let lockFile = repository.commonDirectory + move.name + ".lock"
            if GitLockFile.isLeftByRelkit(lockFile, journalWrittenAt: journalWrittenAt, acceptedContents: ["", (to?.description ?? "") + "\n"]) {
                unlink(lockFile)
                actions.append("removed \(lockFile), which it left")
            }
            let current: ObjectID?
            do { current = try repository.referenceTarget(move.name) } catch {
                throw OperationError(.repositoryState, "cannot read \(move.name) to finish an interrupted relkit: \(error)")
            }
            if current == to {
                done.append(.init(name: move.name, expected: from, target: to))
            } else if current == from {
                pending.append(.init(name: move.name, expected: from, target: to))
            } else {
                actions.append("\(move.name) was moved by someone else meanwhile (to \(current?.short ?? "nothing")); left it there")
            }
        }
        guard !pending.isEmpty else { return (actions, true) }
        let complete = pending.allSatisfy { $0.target.map { repository.isComplete($0) } ?? true }
        let identity = Identity(name: "relkit", email: "relkit@localhost", time: Int64(time(nil)), offsetMinutes: 0)
        let committer = (try? IdentityResolver.resolve(.committer, repository: repository)) ?? identity
        let updates = complete ? pending : done.map { Repository.ReferenceUpdate(name: $0.name, expected: $0.target, target: $0.expected) }
        do {
            try repository.updateReferences(updates, committer: committer, reflogMessage: complete ? "relkit: finish an interrupted move" : "relkit: undo an interrupted move")
        } catch {
            throw OperationError(.repositoryState, "an interrupted relkit left refs half moved, and relkit cannot finish the move: \(error)")
        }
        if complete {
            actions.append("finished its move of " + pending.map { "\(shortName($0.name)) to \($0.target?.short ?? "nothing")" }.joined(separator: ", "))
        } else {
            actions.append("undid its move of " + done.map { shortName($0.name) }.joined(separator: ", ") + " (the objects of the rest were not all written)")
        }
        return (actions, complete)
    }

    static func shortName(_ reference: String) -> String {
        for prefix in ["refs/heads/", "refs/tags/"] where reference.hasPrefix(prefix) { return "\(prefix == "refs/tags/" ? "tag " : "")\(reference.dropFirst(prefix.count))" }
        return reference
    }

    /// Completes a checkout that followed a branch relkit moved: each file relkit was writing is
    /// either as it was, as it should be, missing or cut short (a kill inside the write), and is
    /// then written whole, with its index entry. A file the user changed since is left as it is,
    /// and only its index entry is set to the branch's (so that committing cannot undo the move).
    static func completeCheckout(
        branch: String, from: ObjectID, to: ObjectID, paths: [String], journalWrittenAt: Int,
        repository: Repository
    ) throws(OperationError) -> String? {
        guard let root = repository.workingDirectory,
            let head = try? repository.head(), case .branch(let name, _) = head, name == branch,
            (try? repository.referenceTarget("refs/heads/" + branch)) == to
        else { return nil }
        let indexLock = repository.gitDirectory + "index.lock"
        if access(indexLock, F_OK) == 0 {
            guard GitLockFile.isLeftByRelkit(indexLock, journalWrittenAt: journalWrittenAt, acceptedContents: nil) else {
                throw OperationError(
                    .repositoryState,
                    "relkit moved \(branch) to \(to.short) but was interrupted before the work tree followed, and \(indexLock) exists. A git command may be running; if none is (`pgrep -a git` lists none), remove it with `rm '\(indexLock)'`, then run relkit again: it completes the checkout"
                )
            }
            unlink(indexLock)
        }
        let oldTree: Tree
        let newTree: Tree
        do {
            oldTree = try repository.tree(ofCommit: from)
            newTree = try repository.tree(ofCommit: to)
        } catch {
            throw OperationError(.repositoryState, "cannot read \(branch) to complete an interrupted checkout: \(error)")
        }
        func contents(_ tree: Tree, _ path: String) -> [UInt8]? {
            guard let entry = try? tree.entry(at: path) else { return nil }
            return try? tree.blobContents(entry.id)
        }
        var rewrite: [String] = []
        var userChanged: [String] = []
        for path in paths {
            let present = try? SystemCalls.readFile(root + path, limit: 64 << 20)
            let old = contents(oldTree, path)
            let new = contents(newTree, path)
            if present == new && new != nil { continue }
            // A file the new tip removes: gone as it was (unlink is done again by a re-run).
            if new == nil {
                if present == old || present == nil { unlink(root + path) } else { userChanged.append(path) }
                continue
            }
            if present == nil || present == old || (new.map { present!.count < $0.count && Array($0.prefix(present!.count)) == present! } ?? false) {
                rewrite.append(path)
            } else {
                userChanged.append(path)
            }
        }
        do {
            try repository.forceCheckout(paths: rewrite, of: to)
            try repository.resetIndex(paths: paths, to: to)
        } catch {
            throw OperationError(.repositoryState, "relkit moved \(branch) to \(to.short), but cannot bring the work tree along: \(error); run `git checkout HEAD -- \(paths.joined(separator: " "))`")
        }
        var said = "updated the work tree to the new tip of \(branch)"
        if !userChanged.isEmpty {
            said += " (\(userChanged.joined(separator: ", ")) changed since; left as they are, compare with `git diff HEAD`)"
        }
        return said
    }
}
