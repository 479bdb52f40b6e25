import ArgumentParser
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
            The fragments are checked by relkit check --notes (docs/notes.md).
            """,
        subcommands: [NotesShowCommand.self]
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
