import ArgumentParser
import GitKit
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--dry-run` and `--format` of `relkit backport`: its dry run lists picks, not diffs.
struct BackportOutputOptions: ParsableArguments {
    @Flag(help: "Print what each pick would do (the commit it would make, already there, or the conflict where the target would stop) and change nothing.")
    var dryRun = false
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text
}

struct BackportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backport",
        abstract: "Backport fixes to release branches, and find the ones still missing.",
        subcommands: [Pick.self, Audit.self, Targets.self],
        defaultSubcommand: Pick.self
    )

    /// `relkit backport --help` (and `relkit help backport`): how to backport, that is the help of
    /// `pick` (the default subcommand, whose options a user types after `relkit backport`), and
    /// then the audit. ArgumentParser alone would list the two subcommands and no option.
    static func asksForItsHelp(_ arguments: [String]) -> Bool {
        arguments == ["backport", "--help"] || arguments == ["backport", "-h"] || arguments == ["help", "backport"]
    }

    static func help() -> String {
        let pick = RelKitCommand.helpMessage(for: Pick.self).replacing("relkit backport pick", with: "relkit backport")
        return pick.trimmingNewlines() + """

            SUBCOMMANDS:
              pick (default)          The above: relkit backport REV... is relkit backport pick REV...
              audit                   \(Audit.configuration.abstract) (relkit backport audit --help)
              targets                 \(Targets.configuration.abstract) (relkit backport targets --help)
            """
    }

    struct Pick: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pick",
            abstract: "Cherry-pick commits from the source branch to release branches, with the backport trailers.",
            discussion: """
                relkit backport REV... (--to X.Y ... | --maintained): REVs are commits or ranges (A..B), picked in the source branch's history order onto each target. A commit not on the source branch (default: [backport] source, else main) is refused unless --allow-off-source; a merge needs --mainline N. Picks are made in memory: no checkout or work tree is touched unless there is a conflict, and each target branch moves once, by compare-and-swap, when all its picks are made (its checkout follows if it is checked out here). The author is kept; the committer is you (GIT_COMMITTER_* first). The message is the original one with (cherry picked from commit <id>), as cherry-pick -x writes it ([backport] record-picked-commit), and the [backport] trailers (default Backported-From: {source} and Backported-To: {target}), joined to its trailer block or after one blank line, never duplicated. Commits relkit made to move versions (Relkit-Bookkeeping trailer: cut, tag, bump) are never picked. A pick whose change is on the target already (the result changes nothing, or a commit there names it, carries its pull request number or its patch-id, while the pick's files differ from the branch point) is skipped and reported, never an empty commit. Paths of [backport] sensitive-paths (migrations) are flagged.

                On a conflict, that target stops: relkit makes a worktree for it under the git directory, leaves the conflict markers there, and prints the files and the next commands; other targets still complete (exit 1). --status shows what is stopped; --continue checks that no conflict markers are left, stages the resolved files, commits with the trailers, and goes on; --abort removes the worktree and the state (no branch moved for a stopped target). If a target branch moved meanwhile, --continue refuses and says what moved. Paths of [backport] keep-target keep the target's content in every pick.

                With --push REMOTE, each target's picks are made on REMOTE's branch as last fetched, on a branch of their own ([backport] branch-template, default backport/{pr}-to-{target}) that is pushed for a pull request; the target does not move. A conflict stops as above, and --continue pushes the branch; with --commit-conflicts the markers are committed and pushed instead (the pull request spec says "conflicted"). --open-pr opens each pull request with gh.

                \(ExitCodes.help(for: "backport"))

                  relkit backport main --to 26.09
                  relkit backport main~3..main --maintained --dry-run
                  relkit backport main --auto --dry-run
                  relkit backport --continue
                """
        )

        @Argument(help: ArgumentHelp("Commits or ranges (A..B) to backport.", valueName: "rev")) var revisions: [String] = []
        @Option(name: .customLong("to"), help: ArgumentHelp("A target release line (repeatable).", valueName: "X.Y")) var lines: [String] = []
        @Flag(help: "Every maintained line of .release.toml's registry.") var maintained = false
        @Flag(help: "The lines relkit backport targets names for the commit (a fix: every maintained line; a Backport: trailer: its lines, or none).")
        var auto = false
        @Option(help: ArgumentHelp("The source branch (default: [backport] source, else main).", valueName: "branch")) var from: String?
        @Option(help: ArgumentHelp("For a merge: the parent (1-based) whose changes are taken as the mainline.", valueName: "N")) var mainline: Int?
        @Flag(help: "Edit each message in your editor (GIT_EDITOR, core.editor, VISUAL, EDITOR).") var edit = false
        @Flag(help: "Pick commits that are not on the source branch.") var allowOffSource = false
        @Option(help: ArgumentHelp("Push each target's picks to REMOTE on a branch of their own ([backport] branch-template) for a pull request; the target does not move.", valueName: "remote"))
        var push: String?
        @Flag(help: "With --push (or --continue of a pushed backport): open each pull request with gh pr create (gh must be installed and logged in).") var openPr = false
        @Flag(help: "With --push: commit a conflicting pick with its conflict markers and push it, instead of stopping (CI, where nobody resolves); the pull request spec says \"conflicted\".")
        var commitConflicts = false
        @Flag(help: "Show what is stopped on a conflict.") var status = false
        @Flag(name: .customLong("continue"), help: "Commit the resolved conflict and go on.") var resume = false
        @Flag(help: "Drop a stopped backport: its worktrees and state go; no branch moved for it.") var abort = false
        @OptionGroup var options: BackportOutputOptions

        func validate() throws {
            if [status, resume, abort].filter({ $0 }).count > 1 { throw ValidationError("give one of --status, --continue, --abort") }
            if (status || resume || abort) && (!revisions.isEmpty || !lines.isEmpty || maintained || auto) {
                throw ValidationError("--status, --continue and --abort take no commits or targets")
            }
            if openPr && push == nil && !resume { throw ValidationError("--open-pr goes with --push REMOTE (or --continue of a pushed backport)") }
            if commitConflicts && push == nil { throw ValidationError("--commit-conflicts goes with --push REMOTE") }
            if push != nil && (status || resume || abort || edit) { throw ValidationError("--push makes pull requests of clean picks; it does not go with --status, --continue, --abort or --edit") }
            if auto && (!lines.isEmpty || maintained) { throw ValidationError("--auto decides the targets itself; give it without --to or --maintained") }
            if auto && (revisions.count != 1 || revisions[0].contains("..")) { throw ValidationError("--auto takes one commit (its subject and trailers decide the targets)") }
        }

        /// `gh pr create` for each pushed branch; the one step not tested against a real host.
        func openPullRequests(_ report: Backport.Report, directory: String) throws {
            let specs = report.targets.compactMap(\.pullRequest)
            guard !specs.isEmpty else { return }
            guard ChildProcess.isInstalled("gh") else {
                throw CLIError(
                    "pushed \(specs.map(\.head).joined(separator: ", ")), but gh (GitHub's CLI) is not installed, so no pull request was opened; open \(specs.count == 1 ? "it" : "them") from the spec above (--format json)",
                    exitCode: ExitCodes.findings)
            }
            for spec in specs {
                let arguments = ["pr", "create", "--head", spec.head, "--base", spec.base, "--title", spec.title, "--body-file", "-"] + spec.labels.flatMap { ["--label", $0] }
                let result: ChildProcess.Result
                do { result = try ChildProcess.run("gh", arguments, in: directory, input: Array(spec.body.utf8)) } catch {
                    throw CLIError("cannot run gh: \(error)", exitCode: ExitCodes.remote)
                }
                guard result.status == 0 else {
                    throw CLIError("gh pr create for \(spec.head) failed: \(ChildProcess.redactingCredentials(result.stderr.trimmingNewlines()))", exitCode: ExitCodes.remote)
                }
                Console.out("relkit backport: opened \(result.stdout.trimmingNewlines())")
            }
        }

        func run() throws {
            let directory = FileManager.default.currentDirectoryPath
            let editor: ((String) throws(OperationError) -> String)? =
                edit
                ? { message throws(OperationError) in
                    try MessageEditor.edit(message, directory: directory)
                } : nil
            do {
                if status {
                    guard let report = try Backport.status(directory: directory, notice: { Console.error($0) }) else {
                        Console.out("relkit backport: nothing is stopped")
                        return
                    }
                    var lines = ["relkit backport: stopped on conflicts (from \(report.source))"]
                    for target in report.targets {
                        lines.append("  \(target.branch): \(target.conflicting) conflicts in \(target.paths.joined(separator: ", ")); \(target.remaining) more to pick")
                        lines.append("      resolve in \(target.worktree), then: relkit backport --continue  (or --abort)")
                    }
                    Console.out(lines.joined(separator: "\n"))
                    return
                }
                if abort {
                    let branches = try Backport.abort(directory: directory, notice: { Console.error($0) })
                    Console.out("relkit backport: aborted; \(branches.joined(separator: ", ")) \(branches.count == 1 ? "is" : "are") where \(branches.count == 1 ? "it was" : "they were")")
                    return
                }
                let report: Backport.Report
                if resume {
                    report = try Backport.resume(directory: directory, notice: { Console.error($0) }, editMessage: editor)
                } else {
                    let progress = ProgressLine(json: options.format == .json)
                    defer { progress.finish() }
                    var targetLines = lines
                    if auto {
                        let answer = try BackportTargets.run(BackportTargets.Request(directory: directory, revision: revisions[0], today: try todayUTC()))
                        guard !answer.targets.isEmpty else {
                            Console.out("relkit backport: \(answer.commit.id.short) goes to no line: \(answer.explanation); nothing to backport")
                            return
                        }
                        targetLines = answer.targets.map(\.line.description)
                        Console.error("relkit backport: \(answer.commit.id.short) goes to \(targetLines.joined(separator: ", ")): \(answer.explanation)")
                    }
                    var request = Backport.Request(
                        directory: directory, revisions: revisions, lines: targetLines, maintained: maintained,
                        source: from, mainline: mainline, allowOffSource: allowOffSource,
                        dryRun: options.dryRun, editMessage: editor,
                        progress: { target, done, total in
                            progress.update("relkit backport: \(target): \(done) of \(total) commits", final: done == total)
                        })
                    request.today = try todayUTC()
                    request.push = push
                    request.commitConflicts = commitConflicts
                    report = try Backport.run(
                        request,
                        notice: {
                            progress.finish()
                            Console.error($0)
                        })
                }
                Console.out(options.format == .json ? BackportRendering.json(report) : BackportRendering.text(report))
                for pick in report.targets.flatMap(\.picks) where !pick.sensitivePaths.isEmpty {
                    Console.error("warning: \(pick.commit.id.short) changes sensitive paths: \(pick.sensitivePaths.joined(separator: ", "))")
                }
                for spec in report.targets.compactMap(\.pullRequest) where spec.conflicted {
                    Console.error("warning: \(spec.head) carries conflict markers in \(spec.files.joined(separator: ", ")); resolve them on that branch before its pull request is merged")
                }
                if openPr && !options.dryRun { try openPullRequests(report, directory: directory) }
                if report.hasConflicts { throw ExitCode(ExitCodes.findings) }
            } catch let error as OperationError {
                throw error.cliError
            }
        }
    }

    struct Targets: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "targets",
            abstract: "Say which maintained lines a change must reach.",
            discussion: """
                The rules (defaults; fix subjects are [backport] fix-subjects): a change whose subject, or --title (the pull request's title, when the commit's differs), is a fix (fix:, fix(scope):, fix!:) goes to every maintained line of the registry; a Backport: trailer of its message, or a Backport: line of --body (the pull request's description), names the lines outright (Backport: 26.4, 26.8; commas or spaces) or opts out (Backport: none, any case), whatever the subject says, and a line it names that is not maintained makes the whole answer an error: never a partial backport. Lines given with --to (from a /backport 26.4 comment) override both: those not maintained are reported and dropped while one is left. A change that is not on the source branch has no targets (it is itself a backport). Lines may be written 26.4 or 26.04.

                For each target: the line, its branch (local, else origin/X.Y; "missing" when neither exists), the commit, its subject, its pull request number (the last (#N)), its author, and the paths it changes that match [backport] sensitive-paths (a backported migration must be idempotent on both branches). relkit backport REV --auto picks to exactly these lines.

                \(ExitCodes.help(for: "backport targets"))

                  relkit backport targets main
                  relkit backport targets main --to 26.09 --format json
                """
        )

        @Argument(help: ArgumentHelp("The change: a commit of the source branch.", valueName: "rev")) var revision: String
        @Option(help: ArgumentHelp("The pull request's title, when it differs from the commit's subject.", valueName: "title")) var title: String?
        @Option(help: ArgumentHelp("The pull request's description (its Backport: lines count).", valueName: "body")) var body: String?
        @Option(name: .customLong("to"), help: ArgumentHelp("A line given outright (repeatable); overrides the rules.", valueName: "X.Y")) var lines: [String] = []
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() throws {
            let today = try todayUTC()
            let answer: BackportTargets.Answer
            do {
                answer = try BackportTargets.run(
                    BackportTargets.Request(directory: FileManager.default.currentDirectoryPath, revision: revision, title: title, body: body, to: lines, today: today))
            } catch {
                throw error.cliError
            }
            let commit = answer.commit
            if format == .json {
                let document: JSONValue = [
                    "commit": JSONValue(commit.id.description), "subject": JSONValue(title ?? commit.subject), "pull_request": JSONValue(answer.pullRequest),
                    "author": ["name": JSONValue(commit.author.name), "email": JSONValue(commit.author.email)],
                    "source": JSONValue(answer.source), "reason": JSONValue(answer.decision.reason.rawValue), "explanation": JSONValue(answer.explanation),
                    "sensitive_paths": JSONValue(answer.sensitivePaths),
                    "targets": .array(
                        answer.targets.map { target -> JSONValue in
                            [
                                "line": JSONValue(target.line.description), "branch": JSONValue(target.branch), "branch_exists": JSONValue(target.branchRef != nil),
                                "branch_ref": JSONValue(target.branchRef), "commit": JSONValue(commit.id.description), "subject": JSONValue(title ?? commit.subject),
                                "pull_request": JSONValue(answer.pullRequest), "author_name": JSONValue(commit.author.name), "author_email": JSONValue(commit.author.email),
                                "sensitive_paths": JSONValue(answer.sensitivePaths), "touches_sensitive_paths": JSONValue(!answer.sensitivePaths.isEmpty)
                            ]
                        }),
                    "dropped": .array(answer.decision.dropped.map { ["line": JSONValue($0.name), "reason": JSONValue($0.reason)] })
                ]
                Console.out(document.text())
            } else {
                var out = ["relkit backport targets: \(commit.id.short) \(commit.subject.displayable())" + (answer.pullRequest.map { " (pull request #\($0))" } ?? "")]
                if answer.targets.isEmpty {
                    out.append("  no targets: \(answer.explanation)")
                } else {
                    out.append("  \(answer.explanation):")
                    for target in answer.targets {
                        out.append("  \(target.line)  branch \(target.branchRef ?? "\(target.branch) (missing, here and on the remote)")")
                    }
                }
                for dropped in answer.decision.dropped { out.append("  dropped \(dropped.name): \(dropped.reason)") }
                if !answer.sensitivePaths.isEmpty {
                    out.append("  sensitive paths (a backported migration must be idempotent on both branches): \(answer.sensitivePaths.joined(separator: ", "))")
                }
                Console.out(out.joined(separator: "\n"))
            }
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "List the commits of the source branch since the branch point, and which a release branch has.",
            discussion: """
                For each commit of the source branch (default: [backport] source, else main) since the target's branch point (or --since), not counting merges and relkit's own version moves (Relkit-Bookkeeping trailer): whether the release branch has it, and how it was recognized: message (the backport names the commit, as cherry-pick -x does, or a trailer does), pr-number (the commit's pull request number, the last (#N) of its subject, is in the backport's subject or a Backport trailer: squash-merged backports keep "subject (#orig) (#backport)"), patch-id (the same change, as git patch-id --stable computes it), or subject (the same subject only: weak). --only-fixes keeps fixes: conventional fix: / fix(scope): subjects or [backport] fix-subjects, or commits adding a changelog fragment of [backport] fix-fragments (changes/*.fix.md).

                Large histories: relkit reads git's commit-graph when there is one (git gc writes it); written with changed-path filters (git commit-graph write --reachable --changed-paths), it lets the audit rule out most commits without reading their trees.

                A commit whose patch-id cannot be compared (a blob it or a target commit needs is not in the repository: a partial clone made with --filter=blob:none, a damaged mirror) is listed as unknown, with the reason; the others are still audited.

                \(ExitCodes.help(for: "backport audit"))

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

        static func status(of entry: BackportAudit.Entry) -> String {
            entry.match != nil ? "backported" : entry.unknown != nil ? "unknown" : "missing"
        }

        func run() throws {
            let report: BackportAudit.Report
            do {
                report = try BackportAudit.run(
                    directory: FileManager.default.currentDirectoryPath, line: to, source: from, since: since, onlyFixes: onlyFixes,
                    classifyFixes: format == .json)
            } catch {
                throw error.cliError
            }
            let backported = report.entries.count - report.missing.count - report.unknown.count
            for note in report.notes { Console.error("relkit backport audit: note: \(note)") }
            if format == .json {
                // Streamed: at 30,000 commits the whole document in memory cost 0.3 s and tens of MiB.
                var document = StreamedJSONDocument()
                document.startList("commits")
                for entry in report.entries {
                    document.element([
                        "id": JSONValue(entry.commit.id.description), "subject": JSONValue(entry.commit.subject), "fix": JSONValue(entry.isFix),
                        "status": JSONValue(Self.status(of: entry)), "detail": JSONValue(entry.unknown),
                        "match": entry.match.map { ["kind": JSONValue($0.kind.rawValue), "by": JSONValue($0.by.id.description), "detail": JSONValue($0.detail)] } ?? .null
                    ])
                }
                document.endList()
                document.member("schema", .integer(JSONSchema.version))
                document.member("since", JSONValue(report.since?.description))
                document.member("source", JSONValue(report.source))
                document.member("source_ref", JSONValue(report.sourceRead))
                document.member(
                    "summary",
                    [
                        "commits": JSONValue(report.entries.count), "missing": JSONValue(report.missing.count),
                        "backported": JSONValue(backported), "unknown": JSONValue(report.unknown.count)
                    ])
                document.member("target", JSONValue(report.target))
                document.member("target_ref", JSONValue(report.targetRead))
                document.finish()
            } else {
                var lines = [
                    "relkit backport audit: \(report.sourceRead) -> \(report.targetRead)" + (report.since.map { " since \($0.short)" } ?? " since the branch point")
                        + (onlyFixes ? " (fixes only)" : "")
                ]
                for entry in report.entries {
                    let status = Self.status(of: entry)
                    let colour = status == "missing" ? "31" : status == "backported" ? "32" : "33"
                    let head = "  \(Console.paint(padded(status, to: 10), colour)) \(entry.commit.id.short)  \(entry.commit.subject.displayable())"
                    if let match = entry.match {
                        lines.append(head + "  <- \(match.by.id.short) (\(match.kind.rawValue): \(match.detail))")
                    } else if let unknown = entry.unknown {
                        lines.append(head + "  (\(unknown))")
                    } else {
                        lines.append(head)
                    }
                }
                lines.append(
                    "\(report.entries.count) commit\(report.entries.count == 1 ? "" : "s"): \(report.missing.count) missing, \(backported) backported"
                        + (report.unknown.isEmpty ? "" : ", \(report.unknown.count) unknown"))
                Console.out(lines.joined(separator: "\n"))
            }
            if !report.unknown.isEmpty { throw ExitCode(ExitCodes.repositoryState) }
            if failOnMissing && !report.missing.isEmpty { throw ExitCode(ExitCodes.findings) }
        }
    }
}

enum BackportRendering {
    static func describe(_ pick: Backport.Pick) -> (status: String, detail: String) {
        switch pick.outcome {
        case .picked(let id, let fastPath):
            if !pick.committedConflicts.isEmpty { return ("picked", "\(id.short) (conflict markers committed in \(pick.committedConflicts.joined(separator: ", ")))") }
            return ("picked", "\(id.short)\(pick.resolved ? " (conflict resolved)" : fastPath ? "" : " (full merge)")")
        case .alreadyThere(let by): return ("already there", by)
        case .conflict(let paths): return ("conflict", paths.joined(separator: ", "))
        case .notReached: return ("not reached", "")
        }
    }

    static func text(_ report: Backport.Report) -> String {
        var lines = ["relkit backport from \(report.source)\(report.dryRun ? " (dry run: nothing is changed)" : "")"]
        for target in report.targets {
            var head = "  \(target.branch) (at \(target.from.short))"
            if let tip = target.newTip { head += report.dryRun ? " would move to \(tip.short)" : " -> \(tip.short)" } else if !target.stoppedOnConflict { head += ": nothing to pick" }
            lines.append(head)
            for pick in target.picks {
                let (status, detail) = describe(pick)
                lines.append(
                    "    \(padded(status, to: 13)) \(pick.commit.id.short)  \(pick.commit.subject.displayable())\(detail.isEmpty ? "" : "  [\(detail)]")\(pick.sensitivePaths.isEmpty ? "" : "  (sensitive: \(pick.sensitivePaths.joined(separator: ", ")))")"
                )
            }
            if let spec = target.pullRequest {
                lines.append("    \(report.dryRun ? "would push" : "pushed") \(spec.head); pull request into \(spec.base): \"\(spec.title.displayable())\" [\(spec.labels.joined(separator: ", "))]")
                if spec.conflicted {
                    lines.append("    conflict markers committed in \(spec.files.joined(separator: ", ")): the pull request's checks fail until a person resolves them")
                }
            }
            if let worktree = target.worktree {
                lines.append(
                    "    stopped: resolve the conflicts in \(worktree), then run: relkit backport --continue  (or: relkit backport --abort)\(report.pushing ? "; --continue pushes the branch" : "")")
            } else if target.stoppedOnConflict {
                // A dry run stops at the conflict too, and writes no worktree to resolve it in.
                lines.append("    would stop on this conflict; the picks after it are not tried (a real run leaves it in a worktree to resolve)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: Backport.Report) -> String {
        let document: JSONValue = [
            "source": JSONValue(report.source),
            "dry_run": JSONValue(report.dryRun),
            "targets": .array(
                report.targets.map { target -> JSONValue in
                    [
                        "branch": JSONValue(target.branch), "from": JSONValue(target.from.description), "to": JSONValue(target.newTip?.description),
                        "worktree": JSONValue(target.worktree),
                        "pull_request": target.pullRequest.map { spec -> JSONValue in
                            [
                                "head": JSONValue(spec.head), "base": JSONValue(spec.base), "title": JSONValue(spec.title), "body": JSONValue(spec.body),
                                "labels": JSONValue(spec.labels), "conflicted": JSONValue(spec.conflicted), "files": JSONValue(spec.files)
                            ]
                        } ?? .null,
                        "picks": .array(
                            target.picks.map { pick -> JSONValue in
                                let (status, detail) = describe(pick)
                                var entry: [String: JSONValue] = [
                                    "commit": JSONValue(pick.commit.id.description), "subject": JSONValue(pick.commit.subject),
                                    "status": JSONValue(status), "detail": JSONValue(detail),
                                    "sensitive": JSONValue(!pick.sensitivePaths.isEmpty), "sensitive_paths": JSONValue(pick.sensitivePaths)
                                ]
                                if case .picked(let id, let fastPath) = pick.outcome {
                                    entry["new_commit"] = JSONValue(id.description)
                                    entry["fast_path"] = JSONValue(fastPath)
                                    entry["resolved"] = JSONValue(pick.resolved)
                                    entry["conflict_markers"] = JSONValue(pick.committedConflicts)
                                }
                                return .object(entry)
                            })
                    ]
                })
        ]
        return document.text()
    }
}
