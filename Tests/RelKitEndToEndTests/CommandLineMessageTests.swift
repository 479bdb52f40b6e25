import Foundation
import RelKitTestSupport
import Testing

/// What a new user meets first on the command line (issue 22): every message true.
@Suite("relkit's command line: the messages a new user meets")
struct CommandLineMessageTests {
    @Test func versionIsRelkitsOwnOnlyAtTheTop() throws {
        let top = try relkit(["--version"])
        #expect(top.status == 0)
        #expect(!top.stdout.isEmpty && top.stderr.isEmpty)
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let before = try RepositoryState(repository)
        let bump = try relkit(["bump", "--version", "26.08.0.dev1"], in: repository.path, environment: releaseEnvironment)
        #expect(bump.status == 2)
        #expect(bump.stdout.isEmpty)
        #expect(bump.stderr == "error: --version is not an option of 'relkit bump'; relkit's own version is 'relkit --version'; to set the version: relkit bump 26.08.0.dev1\n")
        #expect(try RepositoryState(repository) == before)
        #expect(try relkit(["check", "--version"], in: repository.path).status == 2)
        #expect(!(try relkit(["bump", "--help"]).stdout.contains("--version")), "no subcommand offers --version")
        #expect(try relkit(["--help"]).stdout.contains("--version"))
    }

    @Test func aMisspeltCommandGetsASuggestionAndEveryErrorSaysErrorTheSameWay() throws {
        let misspelt = try relkit(["chek"])
        #expect(misspelt.status == 2)
        #expect(misspelt.stderr == "error: 'chek' is not a relkit command; did you mean 'relkit check'? (relkit --help lists them)\n")
        let unknownOption = try relkit(["check", "--bogus"])
        #expect(unknownOption.status == 2)
        #expect(unknownOption.stderr.hasPrefix("error: unknown option '--bogus'"), "\(unknownOption.stderr)")
    }

    @Test func withoutAnyConfigurationTheMessageSaysSoAndNamesInit() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for arguments in [["check"], ["status"]] {
            let result = try relkit(arguments, in: directory.path)
            #expect(result.status == 2)
            #expect(
                result.stderr
                    == "error: there is no .release.toml here, and relkit's default configuration (one VERSION file at the root) does not fit: 'VERSION' does not exist in the working tree; run relkit init to make a .release.toml for this repository\n",
                "\(arguments)")
        }
    }

    @Test func backportHelpShowsHowToBackport() throws {
        for arguments in [["backport", "--help"], ["help", "backport"]] {
            let help = try relkit(arguments)
            #expect(help.status == 0)
            for option in ["--to <X.Y>", "--continue", "--maintained", "--dry-run", "USAGE: relkit backport [<options>] [<rev> ...]", "audit", "targets", "--auto"] {
                #expect(help.stdout.contains(option), "\(arguments) shows \(option)")
            }
            #expect(!help.stdout.contains("relkit backport pick [<rev>"))
        }
    }
}

@Suite("relkit's command line: a broken .release.toml")
struct BrokenConfigurationMessageTests {
    @Test func anUnclosedStringIsSaidSoWhereItStarts() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for (text, expected) in [
            ("[version]\nscheme = \"yy.0m\nallow-post = false\n", ".release.toml:2:10: this string is not closed: add the closing \""),
            ("[version]\nscheme = 'yy.0m", ".release.toml:2:10: this string is not closed: add the closing '"),
            ("# \"quoted\" in a comment\n[version]\nscheme = \"a\\\"b\nx = 1\n", ".release.toml:3:10: this string is not closed: add the closing \""),
            ("[version]\nscheme = \"\"\"yy.0m\n\nx = 1\n", ".release.toml:2:10: this multi-line string is not closed before the end of the file: add the closing \"\"\"")
        ] {
            try directory.write(".release.toml", text)
            let result = try relkit(["check"], in: directory.path)
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("error: \(expected)"), "\(text.debugDescription): \(result.stderr)")
            #expect(!result.stderr.contains("control characters"))
        }
    }

    @Test func aSchemeGivenOnTheCommandLineNeedsNoConfiguration() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write(".release.toml", "[version]\nscheme = \"yy.0m\n")
        let given = try relkit(["version", "validate", "--scheme", "yy.0m", "26.01.0"], in: directory.path)
        #expect(given.status == 0, "\(given.stderr)")
        #expect(given.stdout == "argument 1: ok 26.01.0\n")
        #expect(try relkit(["version", "validate", "26.01.0"], in: directory.path).status == 2, "without --scheme the file is needed")
    }
}

/// What a terminal shows of `relkit arguments` (script(1) gives it one), with `environment`;
/// with `stdout`, standard output goes to that file and the terminal shows standard error only.
func onATerminal(_ arguments: [String], in directory: String, environment: [String: String], stdout: String? = nil) throws -> String {
    let quoted = ([relkitBinary] + arguments).map { "'\($0)'" }.joined(separator: " ") + (stdout.map { " >'\($0)'" } ?? "")
    var environment = environment
    environment["TERM"] = "xterm"
    return try runProcess("script", ["-qec", quoted, "/dev/null"], environment: environment, directory: directory).stdout
}

@Suite("relkit's command line: colour and JSON errors")
struct ColourAndJSONErrorTests {
    @Test func diffsAndTheAuditAreColouredOnATerminalUnlessNoColour() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("branch", "26.11")
        try repository.commit(["src/fix.py": "x\n"], message: "fix: x (#5)")
        var environment = releaseEnvironment
        environment.removeValue(forKey: "NO_COLOR")
        let diff = try onATerminal(["bump", "26.12.0", "--dry-run"], in: repository.path, environment: environment)
        #expect(diff.contains("\u{1B}[32m+26.12.0"), "\(diff.debugDescription)")
        #expect(diff.contains("\u{1B}[31m-26.11.0.dev0"))
        let audit = try onATerminal(["backport", "audit", "--to", "26.11"], in: repository.path, environment: environment)
        #expect(audit.contains("\u{1B}[31mmissing"), "\(audit.debugDescription)")
        environment["NO_COLOR"] = "1"
        #expect(!(try onATerminal(["bump", "26.12.0", "--dry-run"], in: repository.path, environment: environment)).contains("\u{1B}["))
        let piped = try relkit(["bump", "26.12.0", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(!piped.stdout.contains("\u{1B}["), "not a terminal")
    }

    @Test func withJSONAnErrorIsADocumentOnStdoutToo() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for arguments in [["check", "--format", "json"], ["check", "--format=json", "--bogus"], ["status", "--format", "json"]] {
            let result = try relkit(arguments, in: directory.path)
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("error: "), "the text stays on stderr")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(arguments): \(result.stdout)")
            #expect(document["schema"] as? Int == 1)
            let error = try #require(document["error"] as? [String: Any])
            #expect(error["exit_code"] as? Int == 2)
            #expect((error["message"] as? String).map { result.stderr.contains($0) } == true, "\(arguments)")
        }
        #expect(try relkit(["check"], in: directory.path).stdout.isEmpty, "text output: stderr only")
    }
}

@Suite("relkit's command line: exit codes in every help")
struct ExitCodeHelpTests {
    /// Each row of docs/exit-codes.md (itself checked against Sources/RelKit/Support/ExitCodes.swift) is
    /// what the command's --help says.
    @Test func everyHelpSaysWhatTheTableSays() throws {
        let table = try String(contentsOfFile: packageRoot + "/docs/exit-codes.md", encoding: .utf8)
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("| `") }
        #expect(rows.count >= 12)
        for row in rows {
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let command = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let expected = "Exit codes: " + (0...4).compactMap { code in cells[2 + code] == "—" ? nil : "\(code) \(cells[2 + code])" }.joined(separator: "; ") + "."
            for name in command.components(separatedBy: ", ") {
                let help = try relkit(name.split(separator: " ").map(String.init) + ["--help"], environment: ["COLUMNS": "100000"])
                #expect(help.status == 0)
                #expect(help.stdout.replacingOccurrences(of: "\n", with: " ").contains(expected), "relkit \(name) --help says: \(expected)")
            }
        }
    }
}
