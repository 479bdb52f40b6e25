import ArgumentParser
import GitKit
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct LinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lines",
        abstract: "List the registered release lines and their lifecycle; --retire drops the due ones.",
        discussion: """
            Reads the registry of .release.toml ([[lines]]: name, lts, retire-after; or the plain [branches] maintained list of older configurations) and applies the lifecycle policy on today's date (UTC; --today or RELKIT_TODAY for reproducible runs): an LTS line is maintained through its retire-after date and due the day after; a regular line is maintained while it is the newest registered line. For each line it shows its kind, retire-after, its branch (local, else the remote-tracking branch of [branches] remote, default origin; a local branch behind or diverged from it is said on stderr), its latest tag, and whether it is maintained or due. Release branches that are not registered are listed after.

            --retire commits on main (never the work tree alone, as relkit cut does: objects first, then main by compare-and-swap, its checkout following when main is checked out) a .release.toml without the due lines. When nothing is due it says so and changes nothing (exit 0), so a weekly job can run it every time; --dry-run shows the diff.

            \(ExitCodes.help(for: "lines"))

              relkit lines
              relkit lines --today 2027-05-01 --format json
              relkit lines --retire --dry-run
            """
    )

    @Option(help: ArgumentHelp("The day the policy is applied on (UTC; default: today, or RELKIT_TODAY).", valueName: "YYYY-MM-DD")) var today: CalendarDate?
    @Flag(help: "Commit on main a .release.toml without the lines due for retirement.") var retire = false
    @OptionGroup var options: PlanOptions

    /// Every key is written, an absent value as `null`.
    struct Report: Encodable {
        struct Branch: Encodable {
            let name: String
            /// `origin/26.04` when only the remote-tracking branch exists.
            let ref: String
            let local: Bool
            let tip: String
            let ahead: Int
            let behind: Int
        }
        struct Line: Encodable {
            let name: String
            let kind: String
            @NullWhenAbsent var retireAfter: String?
            let maintained: Bool
            let due: Bool
            let reason: String
            let branchName: String
            @NullWhenAbsent var branch: Branch?
            @NullWhenAbsent var latestTag: String?
        }
        let today: String
        let lines: [Line]
        let unregistered: [String]
    }

    func run() throws {
        let day = try today ?? todayUTC()
        if retire {
            try PlanRendering.run(command: "lines", options: options) { context throws(OperationError) in
                try Lines.planRetire(context, today: day)
            }
            return
        }
        if options.dryRun { throw CLIError("--dry-run goes with --retire; relkit lines alone changes nothing") }
        let report: Lines.Report
        do { report = try Lines.run(directory: FileManager.default.currentDirectoryPath, today: day) } catch { throw error.cliError }
        for note in report.notes { Console.error("relkit lines: note: \(note)") }
        if options.format == .json {
            return try printJSON(
                Report(
                    today: day.description,
                    lines: report.entries.map { entry in
                        Report.Line(
                            name: entry.registered.name, kind: entry.registered.kind.rawValue, retireAfter: entry.registered.retireAfter?.description,
                            maintained: entry.standing.maintained, due: entry.due, reason: entry.standing.reason, branchName: entry.branchName,
                            branch: entry.branch.map {
                                .init(name: $0.name, ref: $0.displayName, local: $0.isLocal, tip: $0.tip.description, ahead: $0.ahead, behind: $0.behind)
                            },
                            latestTag: entry.latestTag)
                    },
                    unregistered: report.unregistered))
        }
        var lines: [String] = []
        if report.entries.isEmpty {
            lines.append("relkit lines: no release line is registered in .release.toml ([[lines]]; relkit init proposes them, relkit cut registers new ones)")
        } else {
            lines.append("release lines on \(day)" + (report.listedTheOldWay ? " ([branches] maintained: a plain list, no lifecycle)" : "") + ":")
            let rows = report.entries.map { entry -> [String] in
                let state = entry.standing.maintained ? "maintained" : entry.due ? "due for retirement" : "not maintained"
                return [
                    entry.registered.name, entry.registered.kind.rawValue, entry.registered.retireAfter?.description ?? "-",
                    entry.branch?.displayName ?? "no branch", entry.latestTag ?? "untagged", "\(state) (\(entry.standing.reason))"
                ]
            }
            let header = ["line", "kind", "retire-after", "branch", "latest tag", "status"]
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            for row in [header] + rows {
                lines.append("  " + row.indices.map { $0 == row.count - 1 ? row[$0] : padded(row[$0], to: widths[$0]) }.joined(separator: "  "))
            }
            let due = report.entries.filter(\.due).map(\.registered.name)
            if !due.isEmpty { lines.append("due for retirement: \(due.joined(separator: ", ")) (relkit lines --retire drops them)") }
            if report.entries.contains(where: { $0.standing.maintained && $0.branch == nil }) {
                lines.append("a maintained line has no branch, here or on the remote: relkit check reports it (line-branch-missing)")
            }
        }
        if !report.unregistered.isEmpty { lines.append("release branches not registered: \(report.unregistered.joined(separator: ", "))") }
        Console.out(lines.joined(separator: "\n"))
    }
}
