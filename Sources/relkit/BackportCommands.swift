import ArgumentParser
import Foundation
import RelKit
import RelKitCore

struct BackportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backport",
        abstract: "Find the fixes a release branch is still missing.",
        subcommands: [Audit.self]
    )

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the commits of the source branch since the branch point, and which a release branch has.",
            discussion: """
                For each commit of the source branch (default: [backport] source, else main) since the target's branch point (or --since), not counting merges: whether the release branch has it, and how it was recognized: message (the backport names the commit, as cherry-pick -x does, or a trailer does), pr-number (the commit's pull request number, the last (#N) of its subject, is in the backport's subject or a Backport trailer: squash-merged backports keep "subject (#orig) (#backport)"), patch-id (the same change, as git patch-id --stable computes it), or subject (the same subject only: weak). --only-fixes keeps fixes: conventional fix: / fix(scope): subjects or [backport] fix-subjects, or commits adding a changelog fragment of [backport] fix-fragments (changes/*.fix.md).

                Exit codes: 0; 1 with --fail-on-missing when a commit is missing (for CI); 2 usage or configuration error.

                  relkit backport audit --to 26.09 --only-fixes
                  relkit backport audit --to 26.09 --fail-on-missing --format json
                """
        )

        @Option(help: ArgumentHelp("The release line to audit, e.g. 26.09.", valueName: "X.Y")) var to: String
        @Option(help: ArgumentHelp("The source branch (default: [backport] source, else the main branch).", valueName: "branch")) var from: String?
        @Option(help: ArgumentHelp("Start after this commit instead of the branch point.", valueName: "rev")) var since: String?
        @Flag(help: "Only fixes.") var onlyFixes = false
        @Flag(help: "Exit 1 when any commit is missing.") var failOnMissing = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() throws {
            let report: BackportAudit.Report
            do {
                report = try BackportAudit.run(directory: FileManager.default.currentDirectoryPath, line: to, source: from, since: since, onlyFixes: onlyFixes)
            } catch {
                throw error.cliError
            }
            if format == .json {
                let document: [String: Any] = [
                    "source": report.source, "target": report.target, "since": report.since?.description ?? NSNull(),
                    "summary": ["commits": report.entries.count, "missing": report.missing.count, "backported": report.entries.count - report.missing.count],
                    "commits": report.entries.map { entry -> [String: Any] in
                        ["id": entry.commit.id.description, "subject": entry.commit.subject, "fix": entry.isFix,
                         "status": entry.match == nil ? "missing" : "backported",
                         "match": entry.match.map { ["kind": $0.kind.rawValue, "by": $0.by.id.description, "detail": $0.detail] as [String: Any] } ?? NSNull()]
                    },
                ]
                let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                Console.out(String(decoding: data, as: UTF8.self))
            } else {
                var lines = ["relkit backport audit: \(report.source) -> \(report.target)" + (report.since.map { " since \($0.short)" } ?? "") + (onlyFixes ? " (fixes only)" : "")]
                for entry in report.entries {
                    let head = "  \(entry.match == nil ? "missing   " : "backported") \(entry.commit.id.short)  \(entry.commit.subject.displayable())"
                    if let match = entry.match {
                        lines.append(head + "  <- \(match.by.id.short) (\(match.kind.rawValue): \(match.detail))")
                    } else {
                        lines.append(head)
                    }
                }
                lines.append("\(report.entries.count) commit\(report.entries.count == 1 ? "" : "s"): \(report.missing.count) missing, \(report.entries.count - report.missing.count) backported")
                Console.out(lines.joined(separator: "\n"))
            }
            if failOnMissing && !report.missing.isEmpty { throw ExitCode(ExitStatus.findings) }
        }
    }
}
