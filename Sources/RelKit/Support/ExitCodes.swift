/// relkit's exit codes: the one table the help texts, README.md and docs/exit-codes.md are made
/// from (the CLI interpolates `help(for:)`; a test compares the documents with `markdown`).
public enum ExitCodes {
    /// Success.
    public static let success: Int32 = 0
    /// Findings, nothing to do, or refused by policy.
    public static let findings: Int32 = 1
    /// Usage, a bad argument or a bad configuration.
    public static let usage: Int32 = 2
    /// Repository state: uncommitted changes, the lock, a ref moved, objects missing.
    public static let repositoryState: Int32 = 3
    /// The remote: unreachable, authentication refused, or the push failed part-way.
    public static let remote: Int32 = 4

    /// What each code means for every command.
    public static let general: [(code: Int32, meaning: String)] = [
        (success, "success"),
        (findings, "findings, nothing to do, or refused by policy (what each command's are: its --help, docs/exit-codes.md)"),
        (usage, "usage error, invalid version argument, unknown revision, or bad `.release.toml` (reported as `file:line:column`)"),
        (
            repositoryState,
            "repository state: uncommitted changes in files relkit must write, another relkit holds the lock, a ref moved meanwhile, history or objects missing (shallow or partial clone)"
        ),
        (remote, "the remote (`--push`): it cannot be reached, refused the credentials, or failed during the push; nothing is reported as pushed that the remote did not take")
    ]

    /// Each command's own meanings; a code a command never returns is not listed.
    public static let commands: [(command: String, codes: [(code: Int32, meaning: String)])] = [
        (
            "check",
            [
                (0, "no error findings (warnings allowed)"), (1, "findings of severity error (--notes: a fragment missing or malformed)"),
                (2, "usage or configuration error (bad .release.toml, a glob that matches nothing, a pattern that does not match its file, an unknown revision; --notes without [notes])")
            ]
        ),
        ("status", [(0, "shown"), (2, "usage or configuration error")]),
        ("init", [(0, "written (or printed with --dry-run)"), (1, "refused: .release.toml exists, it is never overwritten"), (2, "usage error")]),
        (
            "lines",
            [
                (0, "shown; --retire: done, planned with --dry-run, or nothing due"), (2, "usage or configuration error (a bad date, an unknown key, no repository)"),
                (3, "--retire: repository state (uncommitted changes in .release.toml on the checked-out main, another relkit holds the lock, main moved meanwhile)")
            ]
        ),
        (
            "cut, tag, bump",
            [
                (0, "done (or planned with --dry-run; or an interrupted run of the same command that relkit finished)"),
                (
                    1,
                    "nothing to do or refused by policy (branch exists, line not later, not on main, would go backwards, tag exists; cut --at --push: the remote refused, and took neither ref; tag: towncrier failed to write the notes)"
                ),
                (2, "usage or configuration error (tag with [notes]: towncrier is not installed)"),
                (3, "repository state (uncommitted changes in files relkit must write, another relkit holds the lock, a branch moved meanwhile)"),
                (4, "cut --at --push: the remote cannot be reached, refused the credentials, or failed; nothing is reported as pushed")
            ]
        ),
        (
            "backport",
            [
                (0, "done: every pick made or already on the target (--status, --abort: shown, dropped)"),
                (
                    1,
                    "stopped on a conflict (a dry run too: where it would stop), or refused (not on the source branch, a range that names no commit, only relkit's own version moves, nothing to continue; --push: a conflicting pick, the remote refused, a branch of the same name that is not relkit's; --open-pr: gh is not installed)"
                ),
                (2, "usage or configuration error"),
                (3, "repository state (another relkit holds the lock, uncommitted changes where the checkout must follow, a branch moved, a target checked out in another worktree)"),
                (4, "--push: the remote cannot be reached, refused the credentials, or failed; --open-pr: gh failed")
            ]
        ),
        (
            "backport targets",
            [
                (0, "answered (no targets included: not a fix, Backport: none, not on the source branch)"),
                (1, "refused: a Backport: trailer names a line that is not maintained, or none of the --to lines is maintained"),
                (2, "usage or configuration error (an unknown revision, a bad date)")
            ]
        ),
        (
            "backport audit",
            [
                (0, "the report is made"), (1, "--fail-on-missing and a commit is missing (for CI)"), (2, "usage or configuration error"),
                (3, "a commit is unknown: its objects are missing (partial clone); the report is printed, and incomplete")
            ]
        ),
        ("trailers check", [(0, "no errors (warnings allowed)"), (1, "errors"), (2, "usage error (the file cannot be read or is not UTF-8, a bad .release.toml)")]),
        ("version validate", [(0, "all valid"), (1, "any invalid"), (2, "usage or configuration error")]),
        ("version normalize", [(0, "all valid"), (1, "any invalid (the valid ones are still printed)"), (2, "usage error")]),
        ("version next", [(0, "done"), (1, "refused: it would go backwards, or there is nothing to finalize"), (2, "invalid version or usage error")]),
        ("version compare", [(0, "compared"), (2, "invalid version or usage error")]),
        ("version sort", [(0, "sorted"), (1, "any invalid (reported on stderr with its line and left out)"), (2, "usage error")]),
        ("version show", [(0, "shown"), (2, "invalid version or usage error")]),
        (
            "upgrade",
            [
                (0, "the report is made and nothing blocks"), (1, "a finding blocks under --fail-on (default: [upgrade] fail-on, else findings of severity error)"),
                (2, "usage or configuration error, an unknown revision, or no repository")
            ]
        ),
        (
            "notes sync",
            [
                (0, "done (or planned with --dry-run), or nothing to carry (a pre-release, no notes file at the tag, main has it already)"),
                (1, "refused: a branch changelog-sync/<version> that is not this sync, here or on the remote"),
                (2, "usage or configuration error: no [notes], a version that does not parse or has no tag"),
                (3, "repository state (another relkit holds the lock, objects or refs cannot be written)"),
                (4, "--push: the remote cannot be reached, refused the credentials, or failed; nothing is reported as pushed")
            ]
        ),
        (
            "notes show",
            [
                (0, "shown (a notes file or section that is not there is said in the output)"),
                (2, "usage or configuration error: no [notes], a version that does not parse or has no tag")
            ]
        )
    ]

    /// The "Exit codes:" paragraph of a command's help (`command` as in `commands`).
    ///
    /// - Parameter command: a command as `commands` names it.
    /// - Returns: the paragraph.
    public static func help(for command: String) -> String {
        let codes = commands.first { $0.command == command }?.codes ?? general
        return "Exit codes: " + codes.map { "\($0.code) \($0.meaning)" }.joined(separator: "; ") + "."
    }

    /// The general table (README.md) and the table of every command (docs/exit-codes.md).
    public static var generalMarkdown: String {
        (["| code | meaning |", "|---:|---|"] + general.map { "| \($0.code) | \($0.meaning) |" }).joined(separator: "\n")
    }

    /// The table of every command's codes (docs/exit-codes.md).
    public static var commandsMarkdown: String {
        var lines = ["| command | 0 | 1 | 2 | 3 | 4 |", "|---|---|---|---|---|---|"]
        for (command, codes) in commands {
            let cells = (Int32(0)...remote).map { code in codes.first { $0.code == code }?.meaning ?? "—" }
            lines.append("| `\(command)` | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
