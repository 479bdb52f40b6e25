import Foundation
import RelKit
import RelKitCore
import RelKitTestSupport
import Testing

@Suite("Configuration: [version]")
struct VersionConfigurationTests {
    func load(_ text: String) throws(ConfigurationError) -> ReleaseConfiguration {
        try ConfigurationLoader.load(text: text, file: ".release.toml")
    }

    func error(_ text: String) -> String? {
        do {
            _ = try load(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func defaultsWithoutAVersionTable() throws {
        let configuration = try load("")
        #expect(configuration.scheme == .yearMonth)
        #expect(configuration.nextLine == .nextMonth)
    }

    /// `[[version.earlier]]`: schemes of earlier years, each up to its last line; each text is
    /// read in the scheme of its time.
    @Test func earlierSchemesAndTheSchemeOfEachTime() throws {
        let configuration = try load(
            """
            [version]
            scheme = "yy.n"

            [[version.earlier]]
            scheme = "yy.0m"
            until = "24.12"
            """)
        #expect(configuration.earlierSchemes.map(\.scheme) == [.yearMonth])
        #expect(configuration.scheme(of: "23.09") == .yearMonth)
        #expect(configuration.scheme(of: "v24.12.3rc1") == .yearMonth)
        #expect(configuration.scheme(of: "24.3.0") == .yearMonth, "misspelt in its own scheme, not valid in another")
        #expect(configuration.scheme(of: "25.1") == .yearSequence)
        #expect(configuration.scheme(of: "26.15.0") == .yearSequence)
        #expect(configuration.scheme(of: "main") == .yearSequence)
        #expect(try configuration.releaseLine(parsing: "23.09").description == "23.09")
        #expect(try configuration.releaseLine(parsing: "25.14").description == "25.14")
        #expect(configuration.releaseVersion(ofTag: "23.09.8.rc1")?.canonical == false)
        #expect(configuration.releaseVersion(ofTag: "25.2.0")?.canonical == true)
        #expect(configuration.schemeDescription == "yy.n (yy.0m up to 24.12)")
        #expect(configuration.schemePeriods.map(\.applies) == ["up to 24.12", "after 24.12"])
        // Mistakes name file, line and column.
        #expect(error("[version]\nscheme = \"yy.n\"\n[[version.earlier]]\nscheme = \"yy.mm\"\nuntil = \"24.12\"\n")?.contains(":4:") == true)
        #expect(error("[version]\nscheme = \"yy.n\"\n[[version.earlier]]\nscheme = \"yy.0m\"\nuntil = \"24.13\"\n")?.contains("is not a release line of yy.0m") == true)
        #expect(error("[version]\nscheme = \"yy.n\"\n[[version.earlier]]\nscheme = \"yy.0m\"\n")?.contains("until") == true)
        #expect(
            error("[version]\n[[version.earlier]]\nscheme = \"yy.0m\"\nuntil = \"22.12\"\n[[version.earlier]]\nscheme = \"yy.n\"\nuntil = \"21.4\"\n")?
                .contains("oldest first") == true)
        #expect(error("[version]\nearlier = \"yy.0m\"\n")?.contains("array of tables") == true)
        // Maintained branches of an earlier scheme are release branches.
        #expect(
            try load("[version]\nscheme = \"yy.n\"\n[[version.earlier]]\nscheme = \"yy.0m\"\nuntil = \"24.12\"\n[branches]\nmaintained = [\"24.09\", \"25.3\"]\n")
                .branches.maintained == ["24.09", "25.3"])
        #expect(error("[version]\nscheme = \"yy.n\"\n[branches]\nmaintained = [\"24.09\"]\n") != nil, "without the earlier scheme 24.09 is no yy.n line")
    }

    @Test func readsEveryKey() throws {
        let configuration = try load(
            """
            [version]
            scheme = "yy.0m"
            allow-post = true
            next-line = "cadence"
            cadence = [3, 9]
            """)
        #expect(configuration.scheme.allowsPost)
        #expect(configuration.nextLine == .cadence([3, 9]))
        #expect(try load("[version]\nscheme = \"yy.n\"\nnext-line = \"none\"").scheme == .yearSequence)
    }

    @Test func errorsNameFileLineAndColumn() {
        #expect(error("[version]\nschme = \"yy.0m\"") == ".release.toml:2:1: unknown key 'schme' in [version]; did you mean 'scheme'?")
        #expect(error("[version]\n  scheme = 3") == ".release.toml:2:3: 'version.scheme' must be a string, not an integer")
        #expect(error("[version]\nscheme = \"yy.mm\"") == ".release.toml:2:1: unknown scheme 'yy.mm'; use one of: yy.0m, yy.n")
        #expect(error("[version]\nnext-line = \"cadence\"\ncadence = [3, 13]") == ".release.toml:3:1: the cadence lists 13, which is not a month (1 to 12)")
        #expect(error("[version]\nnext-line = \"cadence\"\ncadence = [3, \"9\"]") == ".release.toml:3:15: 'version.cadence[1]' must be an integer, not a string")
        #expect(error("[version]\nnext-line = \"cadence\"") == ".release.toml:2:1: next-line = \"cadence\" needs a list of months: cadence = [3, 9]")
        #expect(error("[version]\ncadence = [3]") == ".release.toml:2:1: cadence is used only with next-line = \"cadence\"")
        #expect(error("[verison]\n") == ".release.toml:1:2: unknown key 'verison'; did you mean 'version'?")
        #expect(error("version = 1") == ".release.toml:1:1: 'version' must be a table, not an integer")
    }

    @Test func syntaxErrorsComeFromTOMLKitWithPosition() throws {
        let message = try #require(error("[version]\nscheme = = 1"))
        #expect(message.hasPrefix(".release.toml:2:"), "\(message)")
        #expect(message.contains("TOML syntax error"))
        // An unclosed string is said so, at its opening quote.
        #expect(error("[version]\nscheme = \"yy.0m")?.hasPrefix(".release.toml:2:10: this string is not closed") == true)
    }

    @Test func nearestFileIsFoundFromASubdirectory() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write(".release.toml", "[version]\nscheme = \"yy.n\"\n")
        try scratch.write("a/b/c/.keep", "")
        let (configuration, file) = try ConfigurationLoader.loadNearest(from: scratch.file("a/b/c"))
        #expect(file == scratch.file(".release.toml"))
        #expect(configuration.scheme == .yearSequence)
    }
}

@Suite("Fuzz findings: .release.toml")
struct ConfigurationFuzzRegressionTests {
    /// A NUL byte ended the text for toml++ (TOMLKit passes a C string): the rest of the file was
    /// ignored, and relkit's source map, which reads it all, looped on what followed.
    @Test(.timeLimit(.minutes(1))) func nulBytesAreRefusedAndTheSourceMapMovesOn() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/fuzz/configuration-timeout.toml"))
        let text = String(decoding: bytes, as: UTF8.self) // as the fuzz target reads it
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(text: text, file: ".release.toml") }
        #expect(error?.description == ".release.toml:1:11: a NUL byte; TOML text cannot contain one")
        let truncated = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(text: "[version]\nscheme = \"yy.0m\"\n\u{0}\n[bogus]\n", file: "t")
        }
        #expect(truncated?.description == "t:3:1: a NUL byte; TOML text cannot contain one", "not the defaults, silently")
    }

    /// toml++ 3 (in TOMLKit 0.6.0) aborted the process on an assertion for a table name that starts
    /// with a character that cannot start a key; relkit reports it as a syntax error first, and any
    /// character above ASCII outside strings and comments too.
    @Test func tableNamesThatAbortedTomlPlusPlusAreSyntaxErrors() throws {
        for (fixture, expected) in [
            ("configuration-crash.toml", "t:1:2: TOML syntax error: a table name cannot start with '\u{FFFD}' (U+FFFD)"),
            ("configuration-crash-2.toml", "t:3:3: TOML syntax error: a table name cannot start with '!' (U+0021)")
        ] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/fuzz/" + fixture))
            let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(text: String(decoding: bytes, as: UTF8.self), file: "t") }
            #expect(error?.description == expected)
        }
        for (text, expected) in [
            ("[é]\n", "1:2: TOML syntax error: a table name cannot start with 'é' (U+00E9)"),
            ("[[ !x]]\n", "1:4: TOML syntax error: a table name cannot start with '!' (U+0021)"),
            ("[.a]\n", "1:2: TOML syntax error: a table name cannot start with '.' (U+002E)"),
            ("a = [[[[[}  }\n", "1:10: TOML syntax error: '}' inside an array, where a value or ']' is expected"),
            ("a = [1,\n  }\n", "2:3: TOML syntax error: '}' inside an array, where a value or ']' is expected"),
            ("a=5499-!---% 2 ", "1:3: TOML syntax error: '5499-!---% 2' is not a date-time (a time has hours, minutes and seconds)"),
            ("a = [1979-05-27 2,]\n", "1:6: TOML syntax error: '1979-05-27 2' is not a date-time (a time has hours, minutes and seconds)"),
            ("a=54\u{1}\"-!---% 2 ", "1:5: TOML syntax error: control character U+0001"),
            ("a=54\"-!---% 2 ", "1:3: TOML syntax error: '54\"-!---% 2' is not a date-time (a time has hours, minutes and seconds)"),
            ("a=5499-2--[% 2 ", "1:3: TOML syntax error: '5499-2--[% 2' is not a date-time (a time has hours, minutes and seconds)"),
            ("a = [{b = [1979-05-27 2]}]\n", "1:12: TOML syntax error: '1979-05-27 2' is not a date-time (a time has hours, minutes and seconds)"),
            ("a = 1\n  [b.é]\n", "2:6: TOML syntax error: unexpected character 'é' (U+00E9); outside quotes and comments TOML is ASCII")
        ] {
            let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(text: text, file: "t") }
            #expect(error?.description == "t:" + expected, "\(text)")
        }
        // In strings, comments and nested arrays, anything goes.
        #expect(try ConfigurationLoader.load(text: "[version]\nscheme = \"yy.0m\" # 1979-05-27 2 \n", file: "t").scheme.name == "yy.0m")
        let fine = "# réglages [!]\n[components.root]\nfiles = [\n  \"VERSION\", # é ] }\n]\n[backport]\ntrailers = ['Backported-From: {source} ✓', \"\"\"Backported-To: {target} é\n[!x]\"\"\"]\n"
        #expect(try ConfigurationLoader.load(text: fine, file: "t").backport.trailers == ["Backported-From: {source} ✓", "Backported-To: {target} é\n[!x]"])
    }

    /// The source map looped forever on a '}' where an array element should start: valid TOML
    /// has one in a comment after an array's opening bracket.
    @Test(.timeLimit(.minutes(1))) func sourceMapMovesOnPastABraceInAComment() throws {
        let configuration = try ConfigurationLoader.load(text: "[components.root]\nfiles = [ # the root file } and more\n  \"VERSION\",\n]\n", file: "t")
        #expect(configuration.components.map(\.name) == ["root"])
        #expect(configuration.components.first?.files.map(\.path) == ["VERSION"])
    }
}

@Suite("Configuration: [upgrade]")
struct UpgradeConfigurationTests {
    let loader = VersionConfigurationTests()
    func load(_ text: String) throws(ConfigurationError) -> ReleaseConfiguration { try loader.load(text) }
    func error(_ text: String) -> String? { loader.error(text) }

    @Test func historiesSamplesComposeAndPolicy() throws {
        let upgrade = try load(
            """
            [upgrade]
            config-samples = ["configs/*/sample*.toml"]
            compose = ["docker-compose.halfstack-*.yml"]
            fail-on = ["error", "image-major-change"]

            [[upgrade.migrations]]
            name = "manager"
            path = "./src/ai/backend/manager/models/alembic/versions/"
            command = "alembic -c alembic.ini"
            """
        ).upgrade
        #expect(
            upgrade.migrations == [
                MigrationHistorySpec(
                    name: "manager", path: "src/ai/backend/manager/models/alembic/versions",
                    command: "alembic -c alembic.ini", location: upgrade.migrations[0].location)
            ])
        #expect(upgrade.migrations[0].location.line == 6)
        #expect(upgrade.configSamples == ["configs/*/sample*.toml"])
        #expect(upgrade.compose == ["docker-compose.halfstack-*.yml"])
        #expect(upgrade.failOn == ["error", "image-major-change"])
        #expect(try load("").upgrade.failOn == ["error"] && !(try load("").upgrade.isConfigured))
    }

    @Test func mistakesAreNamedWithTheirPlace() {
        #expect(error("[upgrade]\nmigration = []\n") == ".release.toml:2:1: unknown key 'migration' in [upgrade]; did you mean 'migrations'?")
        #expect(error("[[upgrade.migrations]]\npath = \"v\"\n") == ".release.toml:1:3: a migration history needs name = \"...\"")
        #expect(error("[[upgrade.migrations]]\nname = \"m\"\n") == ".release.toml:1:3: a migration history needs path = \"...\" (its alembic versions directory)")
        #expect(error("[[upgrade.migrations]]\nname = \"m\"\npath = \"../v\"\n") == ".release.toml:3:1: '../v' leaves the repository ('..')")
        #expect(
            error("[[upgrade.migrations]]\nname = \"m\"\npath = \"v\"\n[[upgrade.migrations]]\nname = \"m\"\npath = \"w\"\n")
                == ".release.toml:5:1: migration history 'm' is named twice")
        #expect(error("[upgrade]\ncompose = [\"/etc/compose.yml\"]\n") == ".release.toml:2:12: '/etc/compose.yml' is absolute; paths are relative to the repository root")
        #expect(error("[upgrade]\nfail-on = [\"image-major\"]\n")?.contains("names fail-on entry 'image-major', which is not defined") == true)
        #expect(error("[[upgrade.migrations]]\nname = \"m\"\npath = \"v\"\ncommand = \"\"\n")?.contains("command must be one line") == true)
    }
}
