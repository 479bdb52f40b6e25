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
/// Without a commit-graph, that walk reads every commit of both since the branch point, one after
/// the other. This starts reading those histories (the source branch's and the targets' named on
/// the command line, in the walk's order) on a second thread when the process starts, before the
/// arguments are even parsed; the walk then finds most of it read (`CommitHeaderCache`). It only
/// reads, never writes, and gives up silently on anything unusual (no repository, no
/// configuration, no such branch): the command then reads what it needs itself and reports any
/// problem. What it reads is only ever a head start: a wrong guess (say, arguments ArgumentParser
/// reads differently) costs time, never an answer.
public enum SourceHistoryReadAhead {
    /// Reading stops after this many commits (a few hundred milliseconds of the second core on
    /// this project's benchmark machine), or when the command says it has walked what it needed.
    static let commitLimit = 50_000

    public static func start(directory: String, arguments: [String]) {
        let box = Unmanaged.passRetained(RequestBox(directory, arguments))
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            let request = Unmanaged<RequestBox>.fromOpaque(argument!).takeRetainedValue()
            SourceHistoryReadAhead.read(directory: request.directory, arguments: request.arguments)
            return nil
        }, box.toOpaque())
        if started == 0 { pthread_detach(thread) } else { box.release() }
    }

    /// The command walked what it needed: the second thread stops at its next commit.
    public static func stop() { CommitHeaderCache.stopReadingAhead() }

    private static func read(directory: String, arguments: [String]) {
        // Neither Workspace.open (its trace marks belong to the command's thread) nor libgit2
        // (another thread is initialising it meanwhile).
        // With nothing to read (a commit-graph answers; no repository here), the thread
        // initialises libgit2 instead, as commands without reading ahead do on a second thread.
        guard let files = RepositoryFiles.discover(from: directory), files.wouldReadHistoryAhead,
              let branches = branches(workTree: files.workTree, arguments: arguments),
              let sourceTip = files.branchTip(branches.source),
              files.readHistoryAhead(from: [sourceTip] + branches.targets.compactMap(files.branchTip), limit: commitLimit) else {
            LibGit2WarmUp.runHere()
            return
        }
    }

    /// The source branch and the target branches of `relkit backport ARGUMENTS...` (`--to`,
    /// `--maintained`, `--from`, as `BackportCommand` reads them). The configuration is read only
    /// when its text mentions a setting that names branches: otherwise reading starts without
    /// waiting for the TOML parser. Nil when there is a configuration it cannot read.
    static func branches(workTree: String, arguments: [String]) -> (source: String, targets: [String])? {
        var lines: [String] = [], maintained = false, from: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            func value(_ option: String) -> String? {
                if argument == option, index + 1 < arguments.count {
                    index += 1
                    return arguments[index]
                }
                return argument.hasPrefix(option + "=") ? String(argument.dropFirst(option.count + 1)) : nil
            }
            if argument == "--" { break }
            if argument == "--maintained" { maintained = true } else if let line = value("--to") { lines.append(line) } else if let source = value("--from") { from = source }
            index += 1
        }
        let path = workTree + "/" + ConfigurationLoader.fileName
        var configuration = ReleaseConfiguration.defaults
        if let bytes = try? SystemCalls.readFile(path, limit: 1 << 20) {
            // On the bytes: the standard library's first String search costs this thread ~0.3 ms.
            if ["main", "source", "release-pattern", "maintained", "scheme"].contains(where: { ASCII.contains(bytes, Array($0.utf8)) }) {
                // Parsed from the bytes read (the command reads and checks the file itself).
                guard let text = String(validating: bytes, as: UTF8.self),
                      let read = try? ConfigurationLoader.load(text: text, file: ConfigurationLoader.fileName) else { return nil }
                configuration = read
            }
        } else if access(path, F_OK) == 0 {
            return nil
        }
        let targets = (try? Backport.targetBranches(lines: lines, maintained: maintained, configuration: configuration)) ?? []
        return (from ?? configuration.backportSource, targets)
    }

    private final class RequestBox {
        let directory: String, arguments: [String]
        init(_ directory: String, _ arguments: [String]) {
            self.directory = directory
            self.arguments = arguments
        }
    }
}
