import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What an interrupted relkit must finish or undo, written before a change that takes several
/// steps (files of the work tree, several refs, a checkout). The next relkit command that takes
/// the lock finishes it (`RepositoryLock.finishInterrupted`); `relkit status` reports it.
struct Journal: Codable {
    struct FileBackup: Codable {
        /// The file written, absolute.
        let path: String
        /// A copy of its old contents, absolute; nil when the file was new.
        let backup: String?
    }

    /// One ref of a move made all together: from `from` (nil: it did not exist) to `to` (nil: deleted).
    struct ReferenceMove: Codable {
        let name: String
        let from: String?
        let to: String?
    }

    /// The command that wrote it (`relkit cut`), for the messages.
    var command: String?
    /// Its arguments as given (`cut 26.11`): a run with the same ones, finding this journal
    /// finished, has nothing left to do (a second `relkit tag` would tag the next release).
    var invocation: String?
    /// Files being replaced: an interrupted write is rolled back from the backups.
    var files: [FileBackup]?
    /// Refs being moved together: an interrupted move is finished (or undone when the objects
    /// they would name are not all there).
    var references: [ReferenceMove]?
    /// A checkout that follows a branch relkit moved: an interrupted one is completed.
    var checkoutBranch: String?
    var checkoutFrom: String?
    var checkoutTo: String?
    var checkoutPaths: [String]?
    /// A file written once the refs have moved (a stopped backport's state, naming the conflicts
    /// left for --continue): written by the recovery too when it finishes the move.
    struct FollowingFile: Codable {
        let path: String
        let contents: String
    }
    var thenWrite: FollowingFile?
    /// git lock files a libgit2 call is about to take (`.git/config.lock` while the repository's
    /// configuration is written): one a kill left is removed, as a ref's lock is.
    var lockFiles: [String]?
}
