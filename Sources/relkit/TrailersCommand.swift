import ArgumentParser
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct TrailersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trailers",
        abstract: "Check the trailers of a commit message (for a commit-msg hook).",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check that a commit message's backport trailers are where git reads them, once each, with valid values.",
            discussion: """
                Reads the message as git gives it to a commit-msg hook (comment lines and a `git commit -v` diff below the scissors line are fine) and parses its trailers by git's rules, with the same parser relkit backport uses. Errors: a configured trailer ([backport] trailers, default Backported-From: {source} and Backported-To: {target}) outside the trailer block, where git does not read it (in the body, or after a '---' line); the same trailer twice; a trailer without a value; a value that does not fit its template ({target} a release line of the scheme, {source} a branch name, {commit} a full commit id, {short-commit} an abbreviated one, {pr} a number); the configured trailers not all there together. A key in another case (backported-to) is a warning. --require-backport also makes a message without them an error (a commit-msg hook on release branches). Configuration comes from the nearest .release.toml.

                \(ExitCodes.help(for: "trailers check"))

                  relkit trailers check .git/COMMIT_EDITMSG
                  git log -1 --format=%B | relkit trailers check -
                """
        )

        @Argument(help: ArgumentHelp("The commit message file, or - for standard input.", valueName: "file"))
        var file: String

        @Flag(help: "Require the backport trailers (for commits on release branches).")
        var requireBackport = false

        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() throws {
            let bytes: [UInt8]
            do {
                bytes = file == "-" ? try SystemCalls.readAll(from: 0) : try SystemCalls.readFile(file, limit: 16 << 20)
            } catch {
                throw CLIError("\(file): cannot be read (\(error.reason.lowercased()))")
            }
            guard let message = String(validating: bytes, as: UTF8.self) else {
                throw CLIError("\(file): the message is not UTF-8 text")
            }
            let configuration: ReleaseConfiguration
            do {
                configuration = try ConfigurationLoader.loadNearest(from: FileManager.default.currentDirectoryPath).0
            } catch {
                throw CLIError(error.description)
            }
            let report = TrailerCheck.run(
                message: message, policy: configuration.backport, schemeOf: configuration.scheme(of:),
                requireBackport: requireBackport)
            let name = file == "-" ? "(stdin)" : file
            switch format {
            case .text:
                for finding in report.findings {
                    Console.out("\(name):\(finding.line): \(finding.severity.rawValue): \(finding.message) [\(finding.code)]")
                }
                let errors = report.errorCount
                let warnings = report.findings.count - errors
                Console.out(
                    report.findings.isEmpty
                        ? "relkit trailers check: \(name) is fine (\(report.trailers.count) trailer\(report.trailers.count == 1 ? "" : "s"))"
                        : "relkit trailers check: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s") in \(name)")
            case .json:
                let object: JSONValue = [
                    "file": JSONValue(name),
                    "errors": JSONValue(report.errorCount),
                    "trailers": .array(report.trailers.map { ["line": JSONValue($0.line), "key": JSONValue($0.trailer.key), "value": JSONValue($0.trailer.value)] }),
                    "findings": .array(
                        report.findings.map {
                            ["line": JSONValue($0.line), "severity": JSONValue($0.severity.rawValue), "code": JSONValue($0.code), "message": JSONValue($0.message)]
                        })
                ]
                Console.out(object.text(compact: true))
            }
            if report.errorCount > 0 { throw ExitCode(ExitCodes.findings) }
        }
    }
}
