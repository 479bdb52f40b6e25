#if canImport(FoundationEssentials)
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
#else
import Foundation
#endif
import GitKit
import RelKitCore

/// `relkit backport` (and its audit) needs the merge base of each target and the source branch.
/// Without a commit-graph, that walk reads every source commit since the branch point, one after
/// the other. This starts reading the configured source branch's history on a second thread when
/// the process starts, before the arguments are even parsed; the walk then finds most of it read
/// (`CommitHeaderCache`). It only reads, never writes, and gives up silently on anything unusual
/// (no repository, no configuration, no such branch): the command then reads what it needs itself
/// and reports any problem.
public enum SourceHistoryReadAhead {
    /// Reading stops after this many commits (a few hundred milliseconds of the second core on
    /// this project's benchmark machine), or when the command says it has walked what it needed.
    static let commitLimit = 50_000

    public static func start(directory: String) {
        let box = Unmanaged.passRetained(DirectoryBox(directory))
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            let directory = Unmanaged<DirectoryBox>.fromOpaque(argument!).takeRetainedValue().directory
            SourceHistoryReadAhead.read(directory: directory)
            return nil
        }, box.toOpaque())
        if started == 0 { pthread_detach(thread) } else { box.release() }
    }

    /// The command walked what it needed: the second thread stops at its next commit.
    public static func stop() { CommitHeaderCache.stopReadingAhead() }

    private static func read(directory: String) {
        // Neither Workspace.open (its trace marks belong to the command's thread) nor libgit2
        // (another thread is initialising it meanwhile).
        // With nothing to read (a commit-graph answers; no repository here), the thread
        // initialises libgit2 instead, as commands without reading ahead do on a second thread.
        guard let files = RepositoryFiles.discover(from: directory), let source = sourceBranch(workTree: files.workTree),
              let tip = files.branchTip(source), files.readHistoryAhead(from: tip, limit: commitLimit) else {
            LibGit2WarmUp.runHere()
            return
        }
    }

    /// The configured source branch. A configuration whose text does not even mention `main` or
    /// `source` (or no configuration) leaves it at main's default, "main": reading starts without
    /// waiting for the TOML parser. (A name spelled with escapes would only make this read the
    /// wrong branch ahead: time lost, never a wrong answer.)
    static func sourceBranch(workTree: String) -> String? {
        let path = workTree + "/" + ConfigurationLoader.fileName
        if let bytes = try? SystemCalls.readFile(path, limit: 1 << 20) {
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.contains("main") || text.contains("source") else { return BranchPolicy().main }
            return (try? Workspace.configuration(in: WorkingTree(root: workTree)).0)?.backportSource
        }
        return access(path, F_OK) == 0 ? nil : BranchPolicy().main
    }

    private final class DirectoryBox {
        let directory: String
        init(_ directory: String) { self.directory = directory }
    }
}
