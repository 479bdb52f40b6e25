import ArgumentParser
import GitKit
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter .release.toml from the version files found in the repository.",
        discussion: """
            Looks for the root VERSION file and the symlinks to it, other VERSION files, pyproject.toml files with a static project.version and package.json files with a version, and groups those that carry the root's version now. It finds the pins of the monorepo's own packages (the names of its pyproject.toml and package.json files) in pyproject.toml dependencies and optional dependencies, requirements and constraints files, and configures them ([[requirements]]), so that cut, tag and bump move them and check flags a stale one. Without --scheme it infers the scheme from the versions, release tags and release branches (24.03 is yy.0m, 25.1 or 25.14 is yy.n), and an earlier scheme when the history switched; it proposes the latest release branches as maintained, and alembic versions/ and Django migrations/ directories as sensitive paths. Only pyproject.toml gets form = "pep440", and only when its value is in that form. It never overwrites an existing .release.toml. --dry-run prints the file instead of writing it, also when one exists.

            \(ExitCodes.help(for: "init"))
            """
    )

    @Flag(help: "Print the file that would be written; write nothing.") var dryRun = false
    @OptionGroup var schemeOptions: SchemeOptions

    func run() throws {
        let scheme = try schemeOptions.scheme.map { name in
            guard let scheme = VersionScheme(named: name) else { throw CLIError(VersionScheme.unknownName(name)) }
            return scheme
        }
        let plan: Init.Plan
        let today = try todayUTC()
        do { plan = try Init.plan(directory: FileManager.default.currentDirectoryPath, scheme: scheme, today: today) } catch { throw error.cliError }
        for note in plan.notes { Console.error("note: \(note)") }
        if dryRun {
            if plan.exists { Console.error("note: \(plan.path) exists already; relkit init would not overwrite it (this is what it finds)") }
            Console.out("# would write \(plan.path):")
            Console.out(plan.contents)
            return
        }
        if plan.exists { throw CLIError("\(plan.path) exists already; relkit init does not overwrite it (--dry-run shows what it finds)", exitCode: ExitCodes.findings) }
        do { try Init.apply(plan) } catch { throw error.cliError }
        Console.out(
            "wrote \(plan.path): \(plan.components.count) component\(plan.components.count == 1 ? "" : "s")"
                + (plan.group.isEmpty ? "" : ", group core of \(plan.group.joined(separator: ", "))") + "; run relkit check")
    }
}
