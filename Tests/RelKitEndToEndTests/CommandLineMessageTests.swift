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
            #expect(result.stderr == "error: there is no .release.toml here, and relkit's default configuration (one VERSION file at the root) does not fit: 'VERSION' does not exist in the working tree; run relkit init to make a .release.toml for this repository\n", "\(arguments)")
        }
    }

    @Test func backportHelpShowsHowToBackport() throws {
        for arguments in [["backport", "--help"], ["help", "backport"]] {
            let help = try relkit(arguments)
            #expect(help.status == 0)
            for option in ["--to <X.Y>", "--continue", "--maintained", "--dry-run", "USAGE: relkit backport [<rev> ...]", "audit"] {
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
            ("[version]\nscheme = \"\"\"yy.0m\n\nx = 1\n", ".release.toml:2:10: this multi-line string is not closed before the end of the file: add the closing \"\"\""),
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
