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

/// `relkit backport` (and its audit) needs the merge base of each target and the source branch;
/// without a commit-graph that walk reads every commit of both since the branch point. The
/// command starts this right after its arguments are parsed: GitKit's `HistoryReadAhead` reads
/// those histories on a second thread while the command opens the repository and makes its
/// first pick. This side names the branches, as the command will: `--to` lines (or
/// `--maintained`) through the configuration's release pattern, and `--from` or the
/// configuration's source branch. The configuration is parsed only when its text mentions a
/// setting that names branches: otherwise reading starts without waiting for the TOML parser.
public enum SourceHistoryReadAhead {
    public static func start(directory: String, lines: [String], maintained: Bool, from: String?) {
        HistoryReadAhead.start(directory: directory) { workTree in
            branches(workTree: workTree, lines: lines, maintained: maintained, from: from)
        }
    }

    /// The command walked what it needed.
    public static func stop() { HistoryReadAhead.stop() }

    /// The source branch and the target branches; nil when there is a configuration it cannot read.
    static func branches(workTree: String, lines: [String], maintained: Bool, from: String?) -> (source: String, targets: [String])? {
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
}
