import ArgumentParser
import GitKit
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct NotesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notes",
        abstract: "Release notes kept as news fragments and collated by towncrier ([notes]).",
        discussion: """
            The fragments are checked by relkit check --notes; relkit tag runs towncrier to write a release's notes into its commit; sync carries a final release's notes file back to main; show prints a release page (docs/notes.md).
            """,
        subcommands: [NotesShowCommand.self, NotesSyncCommand.self]
    )
}

enum NotesFormat: String, ExpressibleByArgument, CaseIterable {
    case text, markdown, json
}

struct NotesShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "A release's notes and its upgrade report: the body of a release page.",
        discussion: """
            The release's section of its line's notes file ([notes] file) at its tag, then the upgrade report (relkit upgrade) from the release before it: the previous release of the line (for a final release, the previous final one), or for the first of a line the latest final release of the lines before. A notes file or section that is not there is said, not an error.

            \(ExitCodes.help(for: "notes show"))

              relkit notes show 26.09.0 --format markdown
              relkit notes show 26.03.1 --format json
            """
    )

    @Argument(help: "The release, in any spelling of the scheme (26.09.0, 26.9.0).") var version: String
    @Option(help: "Output format: text, markdown (a release page), or json.") var format: NotesFormat = .text

    func run() throws {
        let page: NotesShow.Page
        do { page = try NotesShow.page(directory: FileManager.default.currentDirectoryPath, version: version) } catch { throw error.cliError }
        switch format {
        case .text, .markdown:
            var text = format == .markdown ? "# \(page.version)\n\n" : "Release \(page.version) (\(page.tag))\n\n"
            text += page.section ?? "(no release notes: \(page.sectionMissing ?? ""))\n"
            if let upgrade = page.upgrade {
                text += "\n" + (format == .markdown ? UpgradeRendering.markdown(upgrade) : UpgradeRendering.text(upgrade))
            } else {
                text += "\n(no earlier release to upgrade from)"
            }
            Console.out(text)
        case .json:
            let document: JSONValue = [
                "schema": 1, "version": JSONValue(page.version.description), "tag": JSONValue(page.tag), "notes_file": JSONValue(page.file),
                "notes": JSONValue(page.section), "notes_missing": JSONValue(page.sectionMissing), "previous": JSONValue(page.previousTag),
                "upgrade": page.upgrade.map(UpgradeRendering.jsonDocument) ?? .null
            ]
            Console.out(document.text())
        }
    }
}

struct NotesSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Carry a final release's notes file back to main, as a pull request branch.",
        discussion: """
            After a final release: one commit on top of main that changes only the line's notes file ([notes] file) to its content at the tag, built in memory (main and its checkout are not touched), on a branch changelog-sync/<version>; --push pushes it with your git, and the pull request's title and body are printed (title "release: sync <file> of <version> to main", "Backport: none" in the body). Nothing to carry is said plainly, exit 0: a pre-release (its final release writes into the same file), a file that does not exist at the tag, a file already the same on main. Run again after an interruption, it takes the branch it made and pushes it.

            \(ExitCodes.help(for: "notes sync"))

              relkit notes sync 26.09.0 --dry-run
              relkit notes sync 26.09.0 --push origin --format json
            """
    )

    @Argument(help: "The final release, in any spelling of the scheme (26.09.0, 26.9.0).") var version: String
    @Option(help: ArgumentHelp("Push the branch to this remote (your git's credentials).", valueName: "remote")) var push: String?
    @OptionGroup var options: PlanOptions

    func run() throws {
        do throws(OperationError) {
            let context = try ReleaseContext.open(FileManager.default.currentDirectoryPath, command: "notes sync", dryRun: options.dryRun) { Console.error($0) }
            defer { context.lock.release() }
            let outcome = try NotesSync.run(context, version: version, push: push, dryRun: options.dryRun)
            if options.format == .json {
                let spec = outcome.pullRequest
                let document: JSONValue = [
                    "version": JSONValue(outcome.version.description), "file": JSONValue(outcome.file), "dry_run": JSONValue(options.dryRun),
                    "nothing_to_do": JSONValue(outcome.nothingToDo), "branch": JSONValue(outcome.branch), "commit": JSONValue(outcome.commit?.description),
                    "pushed_to": JSONValue(outcome.pushedTo.map(ChildProcess.redactingCredentials)),
                    "pull_request": spec.map { spec -> JSONValue in
                        ["head": JSONValue(spec.head), "base": JSONValue(spec.base), "title": JSONValue(spec.title), "body": JSONValue(spec.body), "labels": JSONValue(spec.labels)]
                    } ?? .null
                ]
                Console.out(document.text())
                return
            }
            if let reason = outcome.nothingToDo {
                Console.out("relkit notes sync: \(reason)")
                return
            }
            var lines = ["relkit notes sync: \(outcome.file) of \(outcome.version) onto \(outcome.base)\(options.dryRun ? " (dry run: nothing is changed)" : "")"]
            if let branch = outcome.branch {
                lines.append("  branch \(branch)" + (outcome.commit.map { " at \($0.short)" } ?? " (new commit on \(outcome.base)'s tip)"))
            }
            if let remote = outcome.pushedTo { lines.append("  pushed \(outcome.branch ?? "") to \(ChildProcess.redactingCredentials(remote))") }
            if let spec = outcome.pullRequest {
                lines.append("  pull request into \(spec.base): \"\(spec.title)\"")
            }
            Console.out(lines.joined(separator: "\n"))
        } catch {
            throw error.cliError
        }
    }
}
