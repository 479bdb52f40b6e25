import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// git's `*.lock` files: relkit removes one only when it is provably its own leftover.
enum GitLockFile {
    /// Whether `path` was left by the interrupted relkit whose journal was written at
    /// `journalWrittenAt` (nanoseconds): made after the journal (relkit takes its locks after
    /// writing it), holding what relkit writes there (`acceptedContents`; nil: anything), and
    /// unchanged over a tenth of a second (a running git holds a lock for an instant and writes
    /// it at once). Anything else may be another git's, and is never removed.
    static func isLeftByRelkit(_ path: String, journalWrittenAt: Int, acceptedContents: [String]?) -> Bool {
        guard let first = RepositoryLock.modificationTime(path), first >= journalWrittenAt - 1_000_000_000 else { return false }
        if let acceptedContents {
            guard let bytes = try? SystemCalls.readFile(path, limit: 4096),
                acceptedContents.contains(String(decoding: bytes, as: UTF8.self))
            else { return false }
        }
        return !unchangedAfterAMoment([(path, first)]).isEmpty
    }

    /// Of files with their modification times (nanoseconds), those still so a tenth of a second later.
    static func unchangedAfterAMoment(_ candidates: [(path: String, modified: Int)]) -> [String] {
        guard !candidates.isEmpty else { return [] }
        usleep(100_000)
        return candidates.filter { RepositoryLock.modificationTime($0.path) == $0.modified }.map(\.path)
    }
}

extension GitLockFile {
    /// Of the temporary files libgit2 writes before renaming them into place (`tmp_object_git2_*`,
    /// `pack_git2_*`), those the relkit of `owner` left: written since its lock was taken, and
    /// unchanged over a tenth of a second (another libgit2 program writing one finishes at once).
    static func leftBy(_ owner: RepositoryLock.Owner, among paths: [String]) -> [String] {
        guard let since = owner.written, !paths.isEmpty else { return [] }
        return unchangedAfterAMoment(
            paths.compactMap { path in
                RepositoryLock.modificationTime(path).flatMap { $0 >= (since - 1) * 1_000_000_000 ? (path, $0) : nil }
            })
    }
}
