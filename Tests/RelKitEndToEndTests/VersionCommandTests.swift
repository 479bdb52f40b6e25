import Foundation
import RelKitTestSupport
import Testing

/// The built `relkit` binary: `RELKIT_BINARY` when set, else the one `swift test` just built.
let relkitBinary: String = {
    if let path = ProcessInfo.processInfo.environment["RELKIT_BINARY"] { return path }
    let besideTests = Bundle.main.bundleURL.appendingPathComponent("relkit").path
    if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
    return packageRoot + "/.build/debug/relkit"
}()

/// Runs relkit in `directory` (a scratch directory without configuration by default).
func relkit(_ arguments: [String], stdin: String = "", in directory: String? = nil, environment: [String: String]? = nil) throws -> ProcessResult {
    try runProcess(
        relkitBinary, arguments, stdin: Data(stdin.utf8), environment: environment,
        directory: directory ?? FileManager.default.temporaryDirectory.path)
}

@Suite("relkit version, end to end")
struct VersionCommandEndToEndTests {
    @Test func validateReportsEachInvalidVersionWithPlaceReasonAndSuggestion() throws {
        let result = try relkit(["version", "validate", "24.03.0", "24.3.0", "24.13.0"])
        #expect(result.status == 1)
        #expect(
            result.stdoutLines == [
                "argument 1: ok 24.03.0",
                "argument 2: invalid '24.3.0' in yy.0m: month '3' needs two digits: '03' (suggestion: 24.03.0)",
                "argument 3: invalid '24.13.0' in yy.0m: month '13' is not a month (01 to 12)"
            ])
        #expect(result.stderr.isEmpty)
        #expect(try relkit(["version", "validate", "24.03.0", "24.04.0.dev0"]).status == 0)
    }

    @Test func validateReadsStandardInputWithLineNumbers() throws {
        let result = try relkit(["version", "validate", "-"], stdin: "24.03.0\r\n24.03.0-dev0\n25.14.2\n")
        #expect(result.status == 1)
        #expect(
            result.stdoutLines == [
                "line 1: ok 24.03.0",
                "line 2: invalid '24.03.0-dev0' in yy.0m: dev release '-dev0' is written '.dev0' (suggestion: 24.03.0.dev0)",
                "line 3: invalid '25.14.2' in yy.0m: month '14' is not a month (01 to 12)"
            ])
        #expect(try relkit(["version", "validate", "--scheme", "yy.n", "-"], stdin: "25.14.2\n").status == 0)
    }

    @Test func validateJSONHasAStableShape() throws {
        let result = try relkit(["version", "validate", "--format", "json", "24.03.0rc1", "v24.3.0"])
        #expect(result.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["scheme"] as? String == "yy.0m")
        #expect(report["valid"] as? Bool == false)
        let results = try #require(report["results"] as? [[String: Any]])
        #expect(results.count == 2)
        #expect(results[0]["valid"] as? Bool == true)
        #expect(results[0]["pep440"] as? String == "24.3.0rc1")
        #expect(results[1]["suggestion"] as? String == "24.03.0")
        let codes = (results[1]["problems"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
        #expect(codes == ["v-prefix", "month-digits"])
    }

    @Test func normalizePrintsPEP440FormsAndReportsInvalidLinesOnStderr() throws {
        let result = try relkit(["version", "normalize", "-"], stdin: "20.09.0\n24.03.0-RC.01\nnot-a-version\n24.03.0dev")
        #expect(result.status == 1)
        #expect(result.stdoutLines == ["20.9.0", "24.3.0rc1", "24.3.0.dev0"])
        #expect(result.stderr == "line 3: invalid version 'not-a-version': unexpected 'n' at column 1\n")

        let arguments = try relkit(["version", "normalize", "20.09.0", "1.0.0-1"])
        #expect(arguments.status == 0)
        #expect(arguments.stdout == "20.9.0\n1.0.0.post1\n")
    }

    /// Standard error is buffered as standard output is; when both go to one file (`2>&1`, a
    /// terminal) the error lines come through the output's buffer, in the order of the input.
    @Test func errorsStayInOrderWithTheOutputWhenBothGoToOneFile() throws {
        let directory = try ScratchDirectory("normalize-order")
        defer { directory.remove() }
        var input = ""
        var merged = ""
        var separateOut = ""
        var separateErr = ""
        for number in 1...20_000 {
            if number % 10 == 3 {
                input += "bad-\(number)\n"
                let line = "line \(number): invalid version 'bad-\(number)': unexpected 'b' at column 1\n"
                merged += line
                separateErr += line
            } else {
                input += "24.03.\(number)\n"
                merged += "24.3.\(number)\n"
                separateOut += "24.3.\(number)\n"
            }
        }
        try directory.write("input.txt", input)
        let together = try runProcess("sh", ["-c", "\"$0\" version normalize - <input.txt >both.txt 2>&1", relkitBinary], directory: directory.path)
        #expect(together.status == 1)
        #expect(try String(contentsOfFile: directory.file("both.txt"), encoding: .utf8) == merged)
        for (name, arguments) in [("normalize", ["version", "normalize", "-"]), ("sort", ["version", "sort", "-"])] {
            let apart = try relkit(arguments, stdin: input)
            #expect(apart.status == 1, "\(name)")
            #expect(apart.stderr == separateErr, "\(name)")
        }
        #expect(try relkit(["version", "normalize", "-"], stdin: input).stdout == separateOut)
    }

    @Test func nextComputesAndRefusesToGoBackwards() throws {
        #expect(try relkit(["version", "next", "24.03.1", "--patch"]).stdout == "24.03.2\n")
        #expect(try relkit(["version", "next", "24.03.0b2", "--pre", "rc"]).stdout == "24.03.0rc1\n")
        #expect(try relkit(["version", "next", "24.03.0rc2", "--final"]).stdout == "24.03.0\n")
        #expect(try relkit(["version", "next", "24.04.0.dev0", "--dev"]).stdout == "24.04.0.dev1\n")
        #expect(try relkit(["version", "next", "24.12.0", "--next-line"]).stdout == "25.01.0.dev0\n")
        #expect(try relkit(["version", "next", "24.09.0", "--next-line", "--cadence", "3,9"]).stdout == "25.03.0.dev0\n")
        #expect(try relkit(["version", "next", "25.14.2", "--next-line", "--scheme", "yy.n"]).stdout == "25.15.0.dev0\n")

        let backwards = try relkit(["version", "next", "24.03.0rc1", "--pre", "a"])
        #expect(backwards.status == 1)
        #expect(backwards.stderr == "error: 24.03.0rc1 is already a release candidate; an alpha would go backwards (rc -> a)\n")

        let invalid = try relkit(["version", "next", "24.13.0", "--patch"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("month 13"))

        let noKind = try relkit(["version", "next", "24.03.0"])
        #expect(noKind.status == 2)
        #expect(noKind.stderr.contains("give exactly one of --patch"))
        #expect(try relkit(["version", "next", "24.03.0", "--patch", "--final"]).status == 2)
        #expect(try relkit(["version", "next", "24.03.0", "--pre", "x"]).status == 2)
    }

    @Test func compareAndSortFollowPEP440() throws {
        #expect(try relkit(["version", "compare", "24.03.0rc1", "24.03.0"]).stdout == "<\n")
        #expect(try relkit(["version", "compare", "24.3.0", "24.03.0"]).stdout == "=\n")
        #expect(try relkit(["version", "compare", "24.03.0.post1", "24.03.0"]).stdout == ">\n")
        let bad = try relkit(["version", "compare", "x", "1"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "error: invalid version 'x': unexpected 'x' at column 1\n")

        let sorted = try relkit(["version", "sort"], stdin: "1.0\n1.0.dev0\n1.0a1\n1.0.post1\n1.0rc1\n1.0.0\n")
        #expect(sorted.status == 0)
        #expect(sorted.stdoutLines == ["1.0.dev0", "1.0a1", "1.0rc1", "1.0", "1.0.0", "1.0.post1"])
        let reversed = try relkit(["version", "sort", "--reverse", "-"], stdin: "24.03.0\noops\n24.04.0.dev0\n")
        #expect(reversed.status == 1)
        #expect(reversed.stdoutLines == ["24.04.0.dev0", "24.03.0"])
        #expect(reversed.stderr.hasPrefix("line 2: invalid version 'oops'"))
    }

    @Test func showConvertsBetweenForms() throws {
        let result = try relkit(["version", "show", "--format", "json", "24.3.0rc1"])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["version"] as? String == "24.03.0rc1")
        #expect(report["pep440"] as? String == "24.3.0rc1")
        #expect(report["line"] as? String == "24.03")
        #expect(report["canonical"] as? Bool == false)
    }

    @Test func schemeComesFromTheNearestReleaseToml() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write(".release.toml", "[version]\nscheme = \"yy.n\"\n")
        try scratch.write("pkg/sub/.keep", "")
        #expect(try relkit(["version", "validate", "25.14.2"], in: scratch.file("pkg/sub")).status == 0)
        #expect(try relkit(["version", "validate", "--scheme", "yy.0m", "25.14.2"], in: scratch.file("pkg/sub")).status == 1)

        try scratch.write(".release.toml", "[version]\nschme = \"yy.n\"\n")
        let broken = try relkit(["version", "validate", "25.14.2"], in: scratch.file("pkg"))
        #expect(broken.status == 2)
        #expect(broken.stderr == "error: \(scratch.file(".release.toml")):2:1: unknown key 'schme' in [version]; did you mean 'scheme'?\n")
    }

    @Test func usageErrorsExitTwoAndHelpAndVersionExitZero() throws {
        #expect(try relkit(["version", "validate"]).status == 2)
        #expect(try relkit(["version", "bogus"]).status == 2)
        #expect(try relkit(["--bogus"]).status == 2)
        let version = try relkit(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("26."))
        let help = try relkit(["help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes"))
        #expect(try relkit(["version", "validate", "--help"]).stdout.contains("Exit codes: 0 all valid; 1 any invalid"))
        let completion = try relkit(["--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.stdout.contains("relkit"))
    }
}
