import ArgumentParser
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

enum UpgradeFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

struct UpgradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Report what moving a deployment or checkout from one ref to another takes.",
        discussion: """
            Reads both refs' trees (never the checkout) and reports: for each alembic history of [[upgrade.migrations]], the heads at each ref, the revisions to downgrade before switching and those `alembic upgrade` applies after, with the exact commands; for the configuration samples of [upgrade] config-samples (TOML, JSON), the keys added, removed and whose default changed; for the compose files of [upgrade] compose, each service whose image changed, flagging a PostgreSQL, etcd or Redis major version change; and the release version at each ref, the kind of move and the internal pins that changed. Revision files are read without running Python: only literal top-level assignments count, and anything else is a finding.

            The [upgrade] table comes from TO's .release.toml, else from the checkout's.

            Finding rules: \(UpgradeFindings.rules.map(\.id).joined(separator: ", ")).

            \(ExitCodes.help(for: "upgrade"))

              relkit upgrade 26.03.1                  # from a tag to HEAD
              relkit upgrade 26.03.1 26.09.0 --format markdown
              relkit upgrade 26.09 main --format json --fail-on any
            """
    )

    @Argument(help: ArgumentHelp("The ref the deployment or checkout is at (branch, tag, commit).", valueName: "from")) var from: String
    @Argument(help: ArgumentHelp("The ref to move to (default: HEAD).", valueName: "to")) var to: String?
    @Option(help: "Output format: text, json, or markdown (for release notes).") var format: UpgradeFormat = .text
    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp("Comma-separated finding rules, or error, warning, any, none: which findings make the exit status 1.", valueName: "rules"))
    var failOn: String?

    func validate() throws {
        if let failOn {
            for entry in failOnList(failOn) where !UpgradePolicy.failOnChoices.contains(entry) {
                throw ValidationError(
                    "--fail-on: unknown entry '\(entry.displayable())'; use \(UpgradePolicy.failOnClasses.joined(separator: ", ")) or a rule: \(UpgradeFindings.rules.map(\.id).joined(separator: ", "))"
                )
            }
        }
    }

    func failOnList(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    func run() throws {
        let report: Upgrade.Report
        do {
            report = try Upgrade.run(
                Upgrade.Request(directory: FileManager.default.currentDirectoryPath, from: from, to: to),
                failOn: failOn.map(failOnList))
        } catch {
            throw error.cliError
        }
        switch format {
        case .text: Console.out(UpgradeRendering.text(report))
        case .json: Console.out(UpgradeRendering.json(report))
        case .markdown: Console.out(UpgradeRendering.markdown(report))
        }
        if !report.blockingFindings.isEmpty { throw ExitCode(ExitCodes.findings) }
    }
}

enum UpgradeRendering {
    static func version(_ side: Upgrade.Side) -> String { side.version?.description ?? "(unknown)" }

    static func revisionLine(_ id: String, in history: AlembicHistory?) -> String {
        guard let revision = history?.revisions[id] else { return id }
        let merge = revision.isMerge ? " [merge of \(revision.downRevisions.joined(separator: ", "))]" : ""
        return "\(id)  \(revision.message.isEmpty ? "(no message)" : revision.message)\(merge)  (\(revision.file))"
    }

    static func heads(_ history: AlembicHistory?) -> String {
        guard let history else { return "(none)" }
        let heads = history.heads
        return heads.isEmpty ? "(empty)" : heads.joined(separator: ", ")
    }

    static func keyLine(_ change: ConfigKeyChange) -> String {
        switch change.kind {
        case .added: return "+ \(change.key) = \(change.new!)"
        case .removed: return "- \(change.key) (was \(change.old!))"
        case .changed: return "~ \(change.key): \(change.old!) -> \(change.new!)"
        }
    }

    static func imageLine(_ change: ImageChange) -> String {
        var line = "\(change.service): \(change.old ?? "(no service)") -> \(change.new ?? "(removed)")"
        if let product = change.product, let procedure = change.procedure {
            line += "  [\(product) \(change.oldMajor!) -> \(change.newMajor!): \(procedure)]"
        }
        return line
    }

    static func summary(_ report: Upgrade.Report) -> String {
        let (errors, warnings) = (report.errorCount, report.warningCount)
        let blocking = report.blockingFindings.count
        return "relkit upgrade: \(report.from.revision) -> \(report.to.revision): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            + (blocking > 0 ? ", \(blocking) blocking (--fail-on \(report.failOn.joined(separator: ",")))" : "")
    }

    static func text(_ report: Upgrade.Report) -> String {
        var lines = ["From \(report.from.label) to \(report.to.label)"]
        lines.append("")
        lines.append("Version of \(report.releaseUnit): \(version(report.from)) -> \(version(report.to))" + (report.move.map { " (\($0.phrase))" } ?? ""))
        for pin in report.pins {
            lines.append("  pin \(pin.package) in \(pin.file): \(pin.old ?? "(none)") -> \(pin.new ?? "(removed)")")
        }
        if !report.migrations.isEmpty {
            lines.append("")
            lines.append("Database migrations")
            for migration in report.migrations {
                lines.append("  \(migration.spec.name) (\(migration.spec.path)): heads \(heads(migration.from)) -> \(heads(migration.to))")
                guard let plan = migration.plan else {
                    lines.append("    \(migration.planProblem ?? "no plan")")
                    continue
                }
                if plan.downgrade.isEmpty && plan.upgrade.isEmpty { lines.append("    nothing to downgrade or apply") }
                if !plan.downgrade.isEmpty {
                    lines.append("    downgrade at \(report.from.revision), before switching (\(plan.downgrade.count)):")
                    lines += plan.downgrade.map { "      " + revisionLine($0, in: migration.from) }
                }
                if !plan.upgrade.isEmpty {
                    lines.append("    apply at \(report.to.revision), after switching (\(plan.upgrade.count)):")
                    lines += plan.upgrade.map { "      " + revisionLine($0, in: migration.to) }
                }
                if !plan.downgrade.isEmpty || !plan.upgrade.isEmpty {
                    lines.append("    commands:")
                    for command in migration.downgradeCommands {
                        lines.append("      \(command)" + (migration.relativeDowngradeCommand.map { "    (or: \($0))" } ?? ""))
                    }
                    if !plan.downgrade.isEmpty { lines.append("      (then switch the checkout or deployment to \(report.to.revision))") }
                    if let upgrade = migration.upgradeCommand { lines.append("      \(upgrade)") }
                }
            }
        }
        func section<Change>(_ title: String, _ files: [Upgrade.FileChange<Change>], _ line: (Change) -> String) {
            guard !files.isEmpty else { return }
            lines += ["", title]
            for file in files {
                lines.append("  \(file.file) (\(file.status.rawValue))")
                lines += file.changes.map { "    " + line($0) }
            }
        }
        section("Configuration samples", report.samples, keyLine)
        section("Service images", report.compose, imageLine)
        if !report.findings.isEmpty {
            lines.append("")
            lines.append("Findings")
            for finding in report.findings {
                let place = finding.file.map { $0 + (finding.line.map { ":\($0)" } ?? "") } ?? "(repository)"
                lines.append("  \(finding.severity.rawValue)  \(place)  \(finding.message)  [\(finding.rule)]")
            }
        }
        lines.append("")
        lines.append(summary(report))
        return lines.joined(separator: "\n")
    }

    static func markdown(_ report: Upgrade.Report) -> String {
        func code(_ text: String) -> String { "`" + text.replacing("`", with: "'") + "`" }
        var lines = ["## Upgrading from \(report.from.revision) to \(report.to.revision)", ""]
        lines.append("**Version** of \(report.releaseUnit): \(code(version(report.from))) → \(code(version(report.to)))" + (report.move.map { " (\($0.phrase))" } ?? ""))
        if !report.pins.isEmpty {
            lines.append("")
            lines += report.pins.map { "- pin \(code($0.package)) in \(code($0.file)): \(code($0.old ?? "(none)")) → \(code($0.new ?? "(removed)"))" }
        }
        if !report.migrations.isEmpty {
            lines += ["", "### Database migrations"]
            for migration in report.migrations {
                lines += ["", "#### \(migration.spec.name)", ""]
                lines.append("Heads: \(code(heads(migration.from))) → \(code(heads(migration.to)))")
                guard let plan = migration.plan else {
                    lines += ["", migration.planProblem ?? "No plan."]
                    continue
                }
                if plan.downgrade.isEmpty && plan.upgrade.isEmpty { lines += ["", "Nothing to downgrade or apply."] }
                if !plan.downgrade.isEmpty {
                    lines += ["", "Downgrade before switching:", ""]
                    lines += plan.downgrade.map { "- \(code($0)) \(migration.from?.revisions[$0]?.message ?? "")" }
                }
                if !plan.upgrade.isEmpty {
                    lines += ["", "Applied after switching:", ""]
                    lines += plan.upgrade.map { "- \(code($0)) \(migration.to?.revisions[$0]?.message ?? "")" }
                }
                if !plan.downgrade.isEmpty || !plan.upgrade.isEmpty {
                    lines += ["", "```sh"]
                    lines += migration.downgradeCommands
                    if let relative = migration.relativeDowngradeCommand { lines.append("# or: \(relative)") }
                    if let upgrade = migration.upgradeCommand {
                        if !plan.downgrade.isEmpty { lines.append("# switch to \(report.to.revision), then:") }
                        lines.append(upgrade)
                    } else {
                        lines.append("# then switch to \(report.to.revision)")
                    }
                    lines.append("```")
                }
            }
        }
        if !report.samples.isEmpty {
            lines += ["", "### Configuration samples"]
            for sample in report.samples {
                lines += ["", "\(code(sample.file)) (\(sample.status.rawValue))", ""]
                lines += sample.changes.map { "- " + code(keyLine($0)) }
            }
        }
        if !report.compose.isEmpty {
            lines += ["", "### Service images"]
            for file in report.compose {
                lines += ["", "\(code(file.file)) (\(file.status.rawValue))", ""]
                for change in file.changes {
                    var line = "- \(code(change.service)): \(code(change.old ?? "(no service)")) → \(code(change.new ?? "(removed)"))"
                    if let product = change.product, let procedure = change.procedure {
                        line += " — **\(product) \(change.oldMajor!) → \(change.newMajor!)**: \(procedure)"
                    }
                    lines.append(line)
                }
            }
        }
        if !report.findings.isEmpty {
            lines += ["", "### Findings", ""]
            for finding in report.findings {
                let place = finding.file.map { " " + code($0 + (finding.line.map { ":\($0)" } ?? "")) } ?? ""
                lines.append("- **\(finding.severity.rawValue)**\(place): \(finding.message) (\(finding.rule))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Schema 1: {schema, from, to, configuration, release_unit, move, pins, migrations,
    /// config_samples, compose, findings, summary}; absent values are null.
    static func json(_ report: Upgrade.Report) -> String { jsonDocument(report).text() }

    /// The document `json` prints (`relkit notes show --format json` embeds it).
    static func jsonDocument(_ report: Upgrade.Report) -> JSONValue {
        func side(_ side: Upgrade.Side) -> JSONValue {
            ["revision": JSONValue(side.revision), "commit": JSONValue(side.commit), "version": JSONValue(side.version?.description)]
        }
        func revisions(_ ids: [String], _ history: AlembicHistory?) -> JSONValue {
            .array(
                ids.map { id in
                    let revision = history?.revisions[id]
                    return [
                        "revision": JSONValue(id), "message": JSONValue(revision?.message), "file": JSONValue(revision?.file),
                        "down_revisions": JSONValue(revision?.downRevisions ?? []), "merge": JSONValue(revision?.isMerge ?? false)
                    ]
                })
        }
        let migrations: [JSONValue] = report.migrations.map { migration in
            let plan = migration.plan
            return [
                "name": JSONValue(migration.spec.name), "path": JSONValue(migration.spec.path), "command": JSONValue(migration.spec.command),
                "from_heads": migration.from.map { JSONValue($0.heads) } ?? .null,
                "to_heads": migration.to.map { JSONValue($0.heads) } ?? .null,
                "downgrade": plan.map { revisions($0.downgrade, migration.from) } ?? .null,
                "downgrade_steps": plan.map { plan in .array(plan.downgradeSteps.map { ["target": JSONValue($0.target), "revisions": JSONValue($0.removes)] }) } ?? .null,
                "relative_steps": JSONValue(plan?.relativeSteps),
                "upgrade": plan.map { revisions($0.upgrade, migration.to) } ?? .null,
                "upgrade_target": JSONValue(plan?.upgradeTarget),
                "repointed": plan.map { JSONValue($0.repointed) } ?? .null,
                "commands": [
                    "downgrade": JSONValue(migration.downgradeCommands), "downgrade_relative": JSONValue(migration.relativeDowngradeCommand),
                    "upgrade": JSONValue(migration.upgradeCommand)
                ],
                "plan_problem": JSONValue(migration.planProblem)
            ]
        }
        let samples: [JSONValue] = report.samples.map { sample in
            [
                "file": JSONValue(sample.file), "status": JSONValue(sample.status.rawValue),
                "keys": .array(sample.changes.map { ["key": JSONValue($0.key), "change": JSONValue($0.kind.rawValue), "old": JSONValue($0.old), "new": JSONValue($0.new)] })
            ]
        }
        let compose: [JSONValue] = report.compose.map { file in
            [
                "file": JSONValue(file.file), "status": JSONValue(file.status.rawValue),
                "services": .array(
                    file.changes.map { change in
                        [
                            "service": JSONValue(change.service), "old": JSONValue(change.old), "new": JSONValue(change.new), "product": JSONValue(change.product),
                            "old_major": JSONValue(change.oldMajor), "new_major": JSONValue(change.newMajor), "procedure": JSONValue(change.procedure)
                        ]
                    })
            ]
        }
        let document: JSONValue = [
            "schema": 1,
            "from": side(report.from), "to": side(report.to),
            "configuration": JSONValue(report.configurationFile),
            "release_unit": JSONValue(report.releaseUnit),
            "move": JSONValue(report.move?.rawValue),
            "pins": .array(report.pins.map { ["file": JSONValue($0.file), "package": JSONValue($0.package), "old": JSONValue($0.old), "new": JSONValue($0.new)] }),
            "migrations": .array(migrations),
            "config_samples": .array(samples),
            "compose": .array(compose),
            "findings": .array(
                report.findings.map { finding -> JSONValue in
                    [
                        "rule": JSONValue(finding.rule), "severity": JSONValue(finding.severity.rawValue), "file": JSONValue(finding.file),
                        "line": JSONValue(finding.line), "message": JSONValue(finding.message),
                        "blocking": JSONValue(UpgradePolicy.blocks(finding, under: report.failOn))
                    ]
                }),
            "summary": [
                "errors": JSONValue(report.errorCount), "warnings": JSONValue(report.warningCount),
                "blocking": JSONValue(report.blockingFindings.count), "fail_on": JSONValue(report.failOn)
            ]
        ]
        return document
    }
}
