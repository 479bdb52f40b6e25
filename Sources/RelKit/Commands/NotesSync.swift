import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `relkit notes sync VERSION`: after a final release, its line's notes file carried back to main
/// as a pull request: one commit on top of main that changes that file alone to its content at the
/// tag, on a branch `changelog-sync/<version>` (main and its checkout untouched), pushed with
/// `--push`. A pre-release is not carried (its final release writes into the same file).
public enum NotesSync {
    /// What the command did, or why there was nothing to do.
    public struct Outcome {
        /// The release.
        public var version: SchemeVersion
        /// The notes file.
        public var file: String
        /// Why nothing is carried (a pre-release, no file at the tag, main has it already).
        public var nothingToDo: String?
        /// The branch made (or planned, in a dry run).
        public var branch: String?
        /// Its commit (nil in a dry run).
        public var commit: ObjectID?
        /// The main branch it goes into.
        public var base: String
        /// What the pull request says.
        public var pullRequest: Backport.PullRequestSpec?
        /// The remote pushed to.
        public var pushedTo: String?
    }

    /// Carries the notes file of `requested` to main.
    ///
    /// - Parameters:
    ///   - context: the repository and its lock.
    ///   - requested: the release, in any spelling of the scheme.
    ///   - remote: push the branch there.
    ///   - dryRun: plan only.
    /// - Returns: what was done.
    /// - Throws: `OperationError`: usage (no `[notes]`, no such release), refused (a branch of that
    ///   name that is not this sync), repository state, remote.
    public static func run(_ context: ReleaseContext, version requested: String, push remote: String?, dryRun: Bool) throws(OperationError) -> Outcome {
        let repository = context.repository
        let configuration = try context.baseConfiguration()
        let release = try NotesRelease(requested, configuration: configuration, command: "sync")
        let (version, tagName, file) = (release.version, release.tag, release.file)
        let tagged: ObjectID
        do { tagged = try repository.commit(named: tagName, remote: configuration.branches.remote) } catch { throw release.notReleased }
        let main = try BranchResolver(repository: repository, remote: configuration.branches.remote).require(configuration.branches.main)
        var outcome = Outcome(version: version, file: file, base: configuration.branches.main)
        if version.pre != nil || version.dev != nil {
            outcome.nothingToDo = "\(version) is a pre-release: its notes go to \(main.name) with its final release (the same file)"
            return outcome
        }
        let atTag: [UInt8]?
        let onMain: [UInt8]?
        do {
            atTag = try CommitTree(repository: repository, commit: tagged, label: tagName).readIfFile(file)
            onMain = try CommitTree(repository: repository, commit: main.tip, label: main.displayName).readIfFile(file)
        } catch {
            throw OperationError.history(error, in: repository, "cannot read \(file)")
        }
        guard let atTag else {
            outcome.nothingToDo = "\(file) does not exist at \(tagName): nothing to carry to \(main.name)"
            return outcome
        }
        if atTag == onMain {
            outcome.nothingToDo = "\(file) on \(main.displayName) is already as at \(tagName): nothing to carry"
            return outcome
        }
        let branch = "changelog-sync/\(version)"
        let title = "release: sync \(file) of \(version.pep440) to \(main.name)"
        let body = "The release notes of \(version) (\(tagName)), as \(file) has them there, for \(main.name).\n\nBackport: none\n"
        outcome.branch = branch
        outcome.pullRequest = Backport.PullRequestSpec(head: branch, base: main.name, title: title, body: body, labels: ["release-notes"], conflicted: false, files: [])
        if dryRun { return outcome }

        // The commit, in memory until it is written as one pack; then the branch, journaled.
        let reference = "refs/heads/" + branch
        let existing: ObjectID?
        do { existing = try repository.referenceTarget(reference) } catch { throw OperationError(.repositoryState, "cannot read \(branch): \(error)") }
        let committer = try IdentityResolver.resolve(.committer, repository: repository)
        let author = try IdentityResolver.resolve(.author, repository: repository)
        let commit: ObjectID
        do {
            let mainTree = try repository.tree(ofCommit: main.tip)
            let batch = try repository.beginObjectBatch()
            let writer = batch.repository
            let tree = try writer.createTree(from: mainTree, updating: [.init(path: file, blob: try writer.createBlob(atTag), executable: false)])
            // A branch of an earlier run of this sync (killed before its push) is taken as it is.
            if let existing, let earlier = try? repository.commit(existing), earlier.tree == tree, earlier.parents == [main.tip] {
                commit = existing
            } else {
                if existing != nil {
                    throw OperationError(.refused, "a branch \(branch) exists and is not this sync of \(file) onto \(main.name)'s tip; delete it, then run relkit notes sync again")
                }
                commit = try writer.createCommit(tree: tree, parents: [main.tip], message: title + "\n\nBackport: none\n", author: author, committer: committer)
                try batch.write(commits: [commit]) { FaultInjection.point("object-written-\($0)") }
            }
        } catch let error as OperationError {
            throw error
        } catch {
            throw OperationError(.repositoryState, "cannot write the commit: \(error)")
        }
        if existing != commit {
            try ReferenceMoves.apply(
                [Repository.ReferenceUpdate(name: reference, expected: existing, target: commit)], checkout: nil, lock: context.lock, command: "relkit notes sync",
                committer: committer, reflogMessage: "relkit notes sync: \(file) of \(version)", thenWrite: nil)
        }
        outcome.commit = commit
        if let remote {
            let target = GitRemote(gitDirectory: repository.commonDirectory, directory: context.workspace.root, name: remote)
            let onRemote = try target.lookup(reference)
            if let onRemote, onRemote != commit {
                try target.fetchObjects(of: reference)
                let theirs = try? repository.commit(onRemote)
                guard let theirs, theirs.message.hasPrefix(title) else {
                    throw OperationError(.refused, "\(remote) has a branch \(branch) that is not relkit's sync of \(file); relkit will not overwrite it")
                }
            }
            try target.push([.init(source: reference, destination: reference, expected: onRemote)], atomic: true)
            outcome.pushedTo = remote
        }
        return outcome
    }
}
