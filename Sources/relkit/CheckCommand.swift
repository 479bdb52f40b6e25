import ArgumentParser
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, github
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that every version in the monorepo is valid and consistent (for CI).",
        discussion: """
            Finds every problem, not just the first: version strings valid for their scheme and form; groups whose members must agree exactly; internal requirement pins in PEP 440 form matching their group's version; the API version vN.yyyymmdd (a real date, not in the future); and git consistency (a release branch X.Y carries a version of line X.Y, no dev version on a release branch, a tag on HEAD equals the version, and with --tags every release tag matches the files at its commit: each tag in the scheme of its time ([[version.earlier]]), against the files of its time (the tagged commit's own .release.toml when it has one; a configured file that did not exist yet is not a finding). Symlinked version files are read once, through their target.

            With --notes, the release notes' news fragments ([notes] in .release.toml, towncrier's configuration for the rest): each commit since --base (default: where HEAD left the source branch) that needs a fragment has one (it adds one, its pull request's (#N) has one, or, for the commits of a pull request not yet merged, another commit of the range adds one); commits of the types [notes] no-fragment-types lists (chore, ci...) and subjects matching exempt-subjects need none. Each fragment is named <pull request>.<type>[.md] or +<name>.<type>[.md] (an orphan), of a type towncrier knows, UTF-8 text that is not empty and under 64 KiB, and a file, not a symlink.

            Rules: \(Finding.rules.map(\.id).joined(separator: ", ")); with --notes: \(NotesRules.rules.map(\.id).joined(separator: ", ")).

            \(ExitCodes.help(for: "check"))

              relkit check
              relkit check --ref 26.03.1 --format json
              relkit check --tags --format github
              relkit check --notes --format github
            """
    )

    @Option(help: "Output format: text, json, or github (workflow commands).") var format: CheckFormat = .text
    @Option(help: ArgumentHelp("Check the files of this revision without checking it out.", valueName: "rev")) var ref: String?
    @Flag(help: "Also check every tag against the version files at the commit it points to.") var tags = false
    @Flag(help: "Also check the release notes' news fragments ([notes]): each change since --base has one, each one is well formed.") var notes = false
    @Option(help: ArgumentHelp("Where the changes --notes looks at start (default: where HEAD left the source branch).", valueName: "rev")) var base: String?

    func run() throws {
        let report: Check.Report
        let today = try todayUTC()
        guard base == nil || notes else { throw OperationError(.usage, "--base goes with --notes (where the changes the notes check looks at start)").cliError }
        do {
            var request = Check.Request(directory: FileManager.default.currentDirectoryPath, revision: ref, checkTags: tags, today: today)
            request.checkNotes = notes
            request.notesBase = base
            report = try Check.run(request)
        } catch {
            throw error.cliError
        }
        switch format {
        case .text: Console.out(CheckRendering.text(report, colour: Console.useColour))
        case .json: Console.out(CheckRendering.json(report))
        case .github: Console.out(CheckRendering.github(report))
        }
        if report.errorCount > 0 { throw ExitCode(ExitCodes.findings) }
    }
}

enum CheckRendering {
    static func text(_ report: Check.Report, colour: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { Console.paint(text, code, colour: colour) }
        var lines: [String] = []
        var currentFile: String??
        for finding in report.findings {
            if currentFile != .some(finding.file) {
                currentFile = .some(finding.file)
                lines.append(paint(finding.file ?? "(repository)", "1"))
            }
            let place = finding.line.map { "\($0):\(finding.column ?? 1)" } ?? "-"
            let severity = finding.severity == .error ? paint("error", "31") : paint("warning", "33")
            var line = "  \(padded(place, to: max(place.count, 7))) \(severity)  \(finding.message)  [\(finding.rule)]"
            if let suggestion = finding.suggestion { line += "\n      suggestion: \(suggestion)" }
            lines.append(line)
        }
        // "No findings", not "clean": git may well show modified and untracked files.
        let files = Set(report.findings.compactMap(\.file)).count
        let target = report.target == "working tree" ? "the working tree" : report.target
        let read = NumberText.counted(report.filesRead, "file") + " read"
        let summary =
            report.findings.isEmpty
            ? "relkit check: no findings in \(target); \(read)"
            : "relkit check: \(NumberText.counted(report.errorCount, "error")) and \(NumberText.counted(report.warningCount, "warning")) in \(target)"
                + (files == 0 ? "" : ", in \(NumberText.counted(files, "file"))") + "; \(read)"
        lines.append(report.findings.isEmpty ? paint(summary, "32") : summary)
        return lines.joined(separator: "\n")
    }

    /// Schema 1: {schema, target, configuration, summary: {errors, warnings, files_read}, findings: [{rule,
    /// severity, file, line, column, message, suggestion}]}; absent values are null.
    static func json(_ report: Check.Report) -> String {
        let document: JSONValue = [
            "schema": 1,
            "target": JSONValue(report.target),
            "configuration": JSONValue(report.configurationFile),
            "summary": ["errors": JSONValue(report.errorCount), "warnings": JSONValue(report.warningCount), "files_read": JSONValue(report.filesRead)],
            "findings": .array(
                report.findings.map { finding -> JSONValue in
                    [
                        "rule": JSONValue(finding.rule), "severity": JSONValue(finding.severity.rawValue), "file": JSONValue(finding.file),
                        "line": JSONValue(finding.line), "column": JSONValue(finding.column), "message": JSONValue(finding.message),
                        "suggestion": JSONValue(finding.suggestion)
                    ]
                })
        ]
        return document.text()
    }

    /// GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=T::message`.
    static func github(_ report: Check.Report) -> String {
        func escapeData(_ text: String) -> String {
            text.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
        }
        func escapeProperty(_ text: String) -> String {
            escapeData(text).replacing(":", with: "%3A").replacing(",", with: "%2C")
        }
        var lines = report.findings.map { finding -> String in
            var properties: [String] = []
            if let file = finding.file { properties.append("file=\(escapeProperty(file))") }
            if let line = finding.line { properties.append("line=\(line)") }
            if let column = finding.column { properties.append("col=\(column)") }
            properties.append("title=\(escapeProperty("relkit " + finding.rule))")
            let message = finding.message + (finding.suggestion.map { " (suggestion: \($0))" } ?? "")
            return "::\(finding.severity == .error ? "error" : "warning") \(properties.joined(separator: ","))::\(escapeData(message))"
        }
        lines.append("relkit check: \(report.errorCount) error\(report.errorCount == 1 ? "" : "s"), \(report.warningCount) warning\(report.warningCount == 1 ? "" : "s") (\(report.target))")
        return lines.joined(separator: "\n")
    }
}
