import ArgumentParser
import GitKit
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--dry-run` and `--format`, shared by the commands that write.
struct PlanOptions: ParsableArguments {
    @Flag(help: "Print the plan (with the diff of every file) and change nothing.") var dryRun = false
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text
}

enum PlanRendering {
    static func target(_ target: ReleasePlan.Target, _ applied: AppliedPlan?) -> String {
        switch target {
        case .existing(let id): return id.short
        case .planned(let index): return applied.map { $0.commits[index].short } ?? "new commit \(index + 1)"
        }
    }

    static func text(_ plan: ReleasePlan, applied: AppliedPlan?, dryRun: Bool) -> String {
        var lines = ["relkit \(plan.command): \(plan.summary)\(dryRun ? " (dry run: nothing is changed)" : "")"]
        if !plan.workTreeEdits.isEmpty {
            lines.append("  write \(plan.workTreeEdits.count) file\(plan.workTreeEdits.count == 1 ? "" : "s") in the work tree: \(plan.workTreeEdits.map(\.path).joined(separator: ", "))")
        }
        for (index, commit) in plan.commits.enumerated() {
            let id = applied.map { " \($0.commits[index].short)" } ?? " (new commit \(index + 1))"
            // The subject in quotes; the trailer lines after it, as they are.
            let messageLines = commit.message.split(separator: "\n").map(String.init)
            lines.append("  commit\(id) on \(commit.branch), parent \(commit.parent.short): \"\(messageLines.first ?? "")\"\(messageLines.dropFirst().map { " + \($0)" }.joined())")
            lines.append("      \(commit.edits.count) file\(commit.edits.count == 1 ? "" : "s"): \(commit.edits.map(\.path).joined(separator: ", "))")
            if !commit.removals.isEmpty {
                lines.append("      removes \(commit.removals.count) file\(commit.removals.count == 1 ? "" : "s"): \(commit.removals.joined(separator: ", "))")
            }
        }
        for tag in plan.tags {
            lines.append("  tag \(tag.name) -> \(target(tag.target, applied)) (\(tag.annotated ? "annotated: \"\(tag.message)\"" : "lightweight"))")
        }
        for branch in plan.newBranches { lines.append("  create branch \(branch.name) -> \(target(branch.target, applied))") }
        for move in plan.branchMoves {
            lines.append("  move \(move.name): \(move.from.short) -> \(target(.planned(commit: move.commit), applied))")
        }
        if let checkout = plan.checkout {
            lines.append("  update the checkout of \(checkout.branch): \(checkout.paths.joined(separator: ", "))")
        }
        for note in plan.notes { lines.append("  note: \(note)") }
        if dryRun {
            for edit in plan.workTreeEdits { lines.append(Console.paintDiff(edit.diff.trimmingNewlines())) }
            for (index, commit) in plan.commits.enumerated() {
                lines.append(Console.paint("# new commit \(index + 1) on \(commit.branch):", "1"))
                for edit in commit.edits { lines.append(Console.paintDiff(edit.diff.trimmingNewlines())) }
            }
        } else {
            lines.append("done")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ plan: ReleasePlan, applied: AppliedPlan?, dryRun: Bool) -> String {
        func file(_ edit: FileEdit) -> JSONValue {
            ["path": JSONValue(edit.path), "diff": JSONValue(edit.diff)]
        }
        let document: JSONValue = [
            "command": JSONValue(plan.command),
            "summary": JSONValue(plan.summary),
            "dry_run": JSONValue(dryRun),
            "version": JSONValue(plan.version?.description),
            "work_tree_files": .array(plan.workTreeEdits.map(file)),
            "commits": .array(
                plan.commits.enumerated().map { index, commit -> JSONValue in
                    [
                        "branch": JSONValue(commit.branch), "parent": JSONValue(commit.parent.description), "message": JSONValue(commit.message),
                        "id": JSONValue(applied?.commits[index].description), "files": .array(commit.edits.map(file)), "removed": JSONValue(commit.removals)
                    ]
                }),
            "tags": .array(
                plan.tags.enumerated().map { index, tag -> JSONValue in
                    [
                        "name": JSONValue(tag.name), "target": JSONValue(target(tag.target, applied)), "annotated": JSONValue(tag.annotated),
                        "message": JSONValue(tag.message), "id": JSONValue(applied?.tags[index].description)
                    ]
                }),
            "branches": .array(plan.newBranches.map { ["name": JSONValue($0.name), "target": JSONValue(target($0.target, applied))] }),
            "moves": .array(
                plan.branchMoves.map {
                    ["branch": JSONValue($0.name), "from": JSONValue($0.from.description), "to": JSONValue(target(.planned(commit: $0.commit), applied))]
                }),
            "checkout": plan.checkout.map { ["branch": JSONValue($0.branch), "paths": JSONValue($0.paths)] } ?? .null,
            "notes": JSONValue(plan.notes)
        ]
        return document.text()
    }

    /// Plans under the lock, prints the plan (dry run) or applies it and prints what was done;
    /// `then` runs after the apply (a push), still under the lock, and says what it did.
    static func run(
        command: String, options: PlanOptions, plan makePlan: (ReleaseContext) throws(OperationError) -> ReleasePlan,
        then: ((ReleaseContext, ReleasePlan) throws(OperationError) -> [String])? = nil
    ) throws {
        do throws(OperationError) {
            let context = try ReleaseContext.open(FileManager.default.currentDirectoryPath, command: command, dryRun: options.dryRun) { Console.error($0) }
            defer { context.lock.release() }
            // This very command was interrupted, and taking the lock finished it: planning again
            // would do it twice (a second tag, a second cut). With a push to follow, the push may
            // not have happened: the plan (which finds the refs made) goes on to it.
            if let finished = context.lock.finishedThisCommand {
                guard then != nil else { throw OperationError(.alreadyDone, finished) }
                Console.error(context.lock.finishedThisCommand(goingOn: "pushing it now") ?? finished)
            }
            let plan = try makePlan(context)
            var applied: AppliedPlan?
            if !options.dryRun {
                applied = try PlanExecutor.apply(plan, repository: context.repository, lock: context.lock, root: context.workspace.root)
            }
            Console.out(options.format == .json ? json(plan, applied: applied, dryRun: options.dryRun) : text(plan, applied: applied, dryRun: options.dryRun))
            if !options.dryRun, let then {
                for line in try then(context, plan) { Console.error(line) }
            }
        } catch {
            throw error.cliError
        }
    }
}

/// `--pre a|b|rc`: ArgumentParser refuses any other value, naming the three.
extension PreReleaseKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(letters: argument) }
    public static var allValueStrings: [String] { allCases.map(\.description) }
}

let releaseExitCodes = ExitCodes.help(for: "cut, tag, bump")

struct BumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bump",
        abstract: "Set a version in every configured file of a group, all or nothing.",
        discussion: """
            Writes VERSION (spelled as the scheme wants) into every file of the release group (or --component), in the form each file wants, and updates the ==, === and ~= internal requirement pins of it. Every replacement is computed and checked before any file is written; files are replaced atomically, keeping permissions, line endings, a BOM and every other byte; a symlinked file is written once, through its target. If anything fails midway, the files already written are restored. It refuses to go lower than the current version.

            \(releaseExitCodes)

              relkit bump 26.11.1 --dry-run
              relkit bump 26.11.1 --commit
              relkit bump 26.05.0 --component client
            """
    )

    @Argument(help: "The new version, e.g. 26.11.1.") var version: String
    @Flag(help: "Commit the change on the checked-out branch (the index and work tree follow).") var commit = false
    @Option(help: ArgumentHelp("The group or component to set (default: [version] release).", valueName: "name")) var component: String?
    @Flag(help: "Allow a version lower than the current one.") var allowLower = false
    @OptionGroup var options: PlanOptions

    func run() throws {
        try PlanRendering.run(command: "bump", options: options) { context throws(OperationError) in
            try Bump.plan(context, version: version, unit: component, commit: commit, allowLower: allowLower)
        }
    }
}

struct CutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cut",
        abstract: "Create release branch X.Y with its first version, and move main to the next development version.",
        discussion: """
            Creates branch X.Y (default: the line of today's month in yy.0m, the next sprint in yy.n) at REV (default: the tip of main; REV must be on main), with a commit setting the version files to X.Y.0 (or X.Y.0rc1, b1, a1 with --pre). On main it commits the next development version by the next-line policy (default X.(Y+1).0.dev0). The line registers in main's .release.toml in the same commit ([[lines]]; --lts as an LTS line with its retire-after date), and regular lines it supersedes leave the registry.

            --at REV cuts at a release commit merged into main ("release: 26.11.0rc1 (#N)"): when its version is X.Y.0rc1 (or X.Y.0 for a line that starts without a pre-release) REV is tagged and branch X.Y created there, main moving as above; any other version cuts nothing (exit 0, said). With --push REMOTE the tag and the branch reach the remote together or not at all (git push --atomic, with the credentials your git has); a run whose push failed is finished by running it again. It refuses, changing nothing, when the branch exists (here or on the remote), when X.Y is not later than every existing release line, or when REV is not on main. Objects are written first; the new branch and main move last, together, each by compare-and-swap.

            \(releaseExitCodes)

              relkit cut 26.11 --dry-run
              relkit cut 26.11 --pre rc
              relkit cut 26.11 --lts
              relkit cut 26.12 --from main~1
              relkit cut --at main --dry-run
            """
    )

    @Argument(help: ArgumentHelp("The release line to cut, e.g. 26.11.", valueName: "X.Y")) var line: String?
    @Option(help: ArgumentHelp("The commit of main to branch from (default: main's tip).", valueName: "rev")) var from: String?
    @Option(help: ArgumentHelp("Start the line with a pre-release.", valueName: "a|b|rc")) var pre: PreReleaseKind?
    @Flag(help: "Register the line as LTS: maintained through retire-after, the last day of the month [branches] lts-support (12 months) from today.")
    var lts = false
    @Option(help: ArgumentHelp("Cut at a release commit of main: its version X.Y.0rc1 (or X.Y.0) is tagged there and branch X.Y made there; any other version cuts nothing.", valueName: "rev"))
    var at: String?
    @Option(help: ArgumentHelp("With --at: push the tag and the branch to this remote, together or not at all (git push --atomic).", valueName: "remote"))
    var push: String?
    @OptionGroup var options: PlanOptions

    func validate() throws {
        if at != nil && (line != nil || from != nil || pre != nil) { throw ValidationError("--at reads the line and its first version from the release commit; give it without X.Y, --from or --pre") }
        if push != nil && at == nil { throw ValidationError("--push goes with --at (relkit cut --at REV --push origin)") }
    }

    func run() throws {
        let today = try todayUTC()
        guard let at else {
            try PlanRendering.run(command: "cut", options: options) { context throws(OperationError) in
                try Cut.plan(context, line: line, from: from, pre: pre, lts: lts, today: today)
            }
            return
        }
        var pushStep: ((ReleaseContext, ReleasePlan) throws(OperationError) -> [String])?
        if let push {
            pushStep = { context, plan throws(OperationError) in
                guard let version = plan.version else { return [] }
                return try Cut.push(context, version: version, to: push)
            }
        }
        try PlanRendering.run(
            command: "cut", options: options,
            plan: { context throws(OperationError) in try Cut.planAt(context, revision: at, lts: lts, today: today, pushing: push != nil) },
            then: pushStep)
    }
}

struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Tag the next release of a release line.",
        discussion: """
            Works on the checked-out release branch, or --branch X.Y. If the version in the branch tip's files has no tag yet, that version is tagged as it is. Otherwise the next version is computed (--patch by default, --pre rc for the next release candidate, --final to finalize a pre-release), committed to the version files ("release: X.Y.Z") and tagged. Tags are annotated unless configured lightweight, and prefixed as configured. relkit never reuses or moves a tag, never tags a version of another line, and never goes backwards.

            After relkit cut 26.11: relkit tag -> 26.11.0; relkit tag -> 26.11.1; relkit tag --pre rc -> 26.11.2rc1; relkit tag --pre rc -> 26.11.2rc2; relkit tag --final -> 26.11.2.

            \(releaseExitCodes)
            """
    )

    @Flag(help: "The next patch release (the default).") var patch = false
    @Option(help: ArgumentHelp("The next pre-release of a kind.", valueName: "a|b|rc")) var pre: PreReleaseKind?
    @Flag(help: "The final release of the current pre-release.") var final = false
    @Option(help: ArgumentHelp("The release line to tag (default: the checked-out release branch).", valueName: "X.Y")) var branch: String?
    @OptionGroup var options: PlanOptions

    func validate() throws {
        if [patch, pre != nil, final].filter({ $0 }).count > 1 { throw ValidationError("give at most one of --patch, --pre, --final") }
    }

    func run() throws {
        let request: NextVersionRequest?
        if let pre { request = .pre(pre) } else if final { request = .final } else if patch { request = .patch } else { request = nil }
        let today = try todayUTC()
        try PlanRendering.run(command: "tag", options: options) { context throws(OperationError) in
            try Tag.plan(context, request: request, line: branch, today: today)
        }
    }
}
