import ArgumentParser
import GitKit
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarize versions, the branch and releases on one screen.",
        discussion: """
            Shows the scheme (and the earlier ones of [[version.earlier]], with the lines each applies to), each group's and independent component's version (scheme and PEP 440 forms), the API version, the branch and its role, the latest tag of each release line, the maintained branches, and a relkit command that was interrupted (the next cut, tag, bump or backport finishes it). \(ExitCodes.help(for: "status"))
            """
    )

    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    /// Every key is written, an absent value as `null`, as in every other relkit document
    /// (`NullWhenAbsent`: Swift's synthesized encoding would leave the key out).
    struct Report: Encodable {
        struct Unit: Encodable {
            let name: String
            let members: [String]
            @NullWhenAbsent var version: String?
            @NullWhenAbsent var pep440: String?
        }
        struct Line: Encodable {
            let line: String
            @NullWhenAbsent var branch: String?
            @NullWhenAbsent var latestTag: String?
            let tags: Int
            /// What check --tags finds wrong with the latest tag; null when nothing.
            @NullWhenAbsent var problem: String?
        }
        struct Maintained: Encodable {
            let branch: String
            /// null when the branch does not exist, here or on the remote.
            @NullWhenAbsent var tip: String?
            /// regular, lts or listed.
            let kind: String
            @NullWhenAbsent var retireAfter: String?
            /// The branch as read: `origin/26.04` when only the remote-tracking one exists.
            @NullWhenAbsent var ref: String?
        }
        struct SchemePeriod: Encodable {
            let scheme: String
            let applies: String
        }
        let scheme: String
        /// Every scheme, oldest first, with the release lines it applies to.
        let schemes: [SchemePeriod]
        @NullWhenAbsent var configuration: String?
        @NullWhenAbsent var branch: String?
        let role: String
        let releaseUnit: String
        let versions: [Unit]
        @NullWhenAbsent var apiVersion: String?
        let lines: [Line]
        let maintained: [Maintained]
        /// An interrupted relkit command that the next writing one finishes; null when none.
        @NullWhenAbsent var interrupted: String?
    }

    func run() throws {
        let summary: Status.Summary
        let today = try todayUTC()
        do { summary = try Status.run(directory: FileManager.default.currentDirectoryPath, today: today) } catch { throw error.cliError }
        for note in summary.notes { Console.error("relkit status: note: \(note)") }
        let report = Report(
            scheme: summary.configuration.scheme.name,
            schemes: summary.configuration.schemePeriods.map { .init(scheme: $0.scheme.name, applies: $0.applies) },
            configuration: summary.configurationFile, branch: summary.branch, role: summary.role,
            releaseUnit: summary.configuration.releaseUnit,
            versions: summary.versions.map { .init(name: $0.name, members: $0.members, version: $0.version?.description, pep440: $0.version?.pep440.description) },
            apiVersion: summary.apiVersion,
            lines: summary.lines.map { .init(line: $0.line.description, branch: $0.branch, latestTag: $0.latestTag, tags: $0.count, problem: $0.problem) },
            maintained: summary.maintained.map {
                .init(branch: $0.name, tip: $0.tip?.short, kind: $0.kind.rawValue, retireAfter: $0.retireAfter?.description, ref: $0.read)
            },
            interrupted: summary.interrupted)
        if format == .json { return try printJSON(report) }
        var lines = [
            "scheme:      \(report.scheme)" + (report.configuration.map { " (\($0))" } ?? " (defaults: no .release.toml)")
        ]
        if report.schemes.count > 1 {
            lines += report.schemes.map { "  \(padded($0.scheme, to: 6))  \($0.applies)" }
        }
        lines += [
            "branch:      \(report.branch ?? "-") (\(report.role))",
            "versions:"
        ]
        let width = report.versions.map(\.name.count).max() ?? 0
        for unit in report.versions {
            let name = padded(unit.name, to: width)
            let version = unit.version.map { "\($0)  (PEP 440: \(unit.pep440!))" } ?? "unreadable (run relkit check)"
            let members = unit.members == [unit.name] ? "" : "  group of \(unit.members.joined(separator: ", "))"
            lines.append("  \(name)  \(version)\(unit.name == report.releaseUnit ? "  [release]" : "")\(members)")
        }
        if let api = report.apiVersion { lines.append("api version: \(api)") }
        lines.append("release lines:" + (report.lines.isEmpty ? " none (no release branch or tag yet)" : ""))
        for line in report.lines.prefix(Status.shownLines) {
            guard let latest = line.latestTag else {
                lines.append("  \(line.line)  branch \(line.branch ?? line.line), not tagged yet")
                continue
            }
            lines.append(
                "  \(line.line)  latest \(latest), \(NumberText.counted(line.tags, "tag"))"
                    + (line.problem.map { "  (! \($0): relkit check --tags)" } ?? ""))
        }
        if report.lines.count > Status.shownLines { lines.append("  ... \(NumberText.counted(report.lines.count - Status.shownLines, "older line"))") }
        lines.append(
            "maintained:  "
                + (report.maintained.isEmpty
                    ? "none configured"
                    : report.maintained.map { line in
                        let kind = line.kind == "lts" ? "LTS through \(line.retireAfter ?? "?"), " : ""
                        let read = line.ref.map { $0 == line.branch ? "" : "\($0) " } ?? ""
                        return "\(line.branch) (\(kind)\(read)\(line.tip ?? "missing"))"
                    }.joined(separator: ", ")))
        if let interrupted = report.interrupted { lines.append("interrupted: \(interrupted)") }
        Console.out(lines.joined(separator: "\n"))
    }
}
