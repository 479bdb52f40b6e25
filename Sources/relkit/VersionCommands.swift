import ArgumentParser
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Validate, normalize, compare, sort and compute versions.",
        subcommands: [Validate.self, Normalize.self, Next.self, Compare.self, Sort.self, Show.self]
    )
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--scheme`, `--allow-post`, and the nearest `.release.toml` behind them.
struct SchemeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The version scheme: yy.0m or yy.n (default: the nearest .release.toml's, each version in the scheme of its time with [[version.earlier]]; else yy.0m).", valueName: "scheme"))
    var scheme: String?

    @Flag(help: "Allow .postN releases (default: [version] allow-post of .release.toml, else no).")
    var allowPost = false

    /// The configuration with the command line's overrides applied.
    func configuration() throws -> ReleaseConfiguration {
        var configuration: ReleaseConfiguration
        do {
            configuration = try ConfigurationLoader.loadNearest(from: FileManager.default.currentDirectoryPath).0
        } catch {
            // With --scheme given, a .release.toml that cannot be read is not needed.
            guard scheme != nil else { throw CLIError(error.description) }
            configuration = .defaults
        }
        if let scheme {
            guard let named = VersionScheme(named: scheme, allowsPost: configuration.scheme.allowsPost) else {
                throw CLIError(VersionScheme.unknownName(scheme))
            }
            configuration.scheme = named
            if named.lineStyle == .sequence, case .cadence = configuration.nextLine { configuration.nextLine = .nextMonth }
        }
        if allowPost { configuration.scheme.allowsPost = true }
        if scheme != nil {
            configuration.earlierSchemes = []
        } else if allowPost {
            configuration.earlierSchemes = configuration.earlierSchemes.map { earlier in
                var scheme = earlier.scheme
                scheme.allowsPost = true
                return EarlierScheme(scheme: scheme, until: earlier.until)
            }
        }
        return configuration
    }
}

/// Versions from the arguments, or one a line from standard input for `-`.
struct VersionInputs: ParsableArguments {
    @Argument(help: ArgumentHelp("Versions to read, or - to read one a line from standard input.", valueName: "version"))
    var versions: [String] = []

    var readsStandardInput: Bool { versions == ["-"] }

    func validate() throws {
        if versions.count > 1 && versions.contains("-") {
            throw ValidationError("'-' reads standard input and cannot be mixed with versions")
        }
    }

    /// Each input with the place it came from ("line 3" or "argument 2").
    /// A line that is not UTF-8 carries what is wrong with it in `notUTF8`.
    func numbered() throws -> [(place: String, text: String, notUTF8: String?)] {
        if readsStandardInput || versions.isEmpty {
            return try LineReader(fileDescriptor: 0).lines().enumerated().map { ("line \($0.offset + 1)", $0.element.text, $0.element.notUTF8) }
        }
        return versions.enumerated().map { ("argument \($0.offset + 1)", $0.element, nil) }
    }
}

extension VersionCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check that versions are spelled as the scheme wants them.",
            discussion: """
                Reports every problem of each version with the corrected spelling when there is one.

                \(ExitCodes.help(for: "version validate"))

                  relkit version validate 24.03.0 24.3.0
                  git tag --list | relkit version validate --format json -
                """
        )

        @OptionGroup var schemeOptions: SchemeOptions
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @OptionGroup var inputs: VersionInputs

        func validate() throws {
            if inputs.versions.isEmpty { throw ValidationError("give at least one version, or - to read standard input") }
        }

        struct Result: Encodable {
            struct Problem: Encodable {
                let code: String
                let message: String
            }
            let place: String
            let input: String
            /// The scheme it was read in (the scheme of its time).
            let scheme: String
            let valid: Bool
            let canonical: String?
            let pep440: String?
            let problems: [Problem]
            let suggestion: String?
        }

        struct Report: Encodable {
            let scheme: String
            let valid: Bool
            let results: [Result]
        }

        func run() throws {
            // Each version in the scheme of its time ([[version.earlier]]), unless --scheme says.
            let configuration = try schemeOptions.configuration()
            let scheme = configuration.scheme
            var results: [Result] = []
            for (place, text, notUTF8) in try inputs.numbered() {
                if let notUTF8 {
                    results.append(
                        Result(
                            place: place, input: text, scheme: scheme.name, valid: false, canonical: nil, pep440: nil,
                            problems: [.init(code: "not-utf8", message: "not UTF-8 text: \(notUTF8)")], suggestion: nil))
                    continue
                }
                let scheme = configuration.scheme(of: text)
                switch scheme.validate(text) {
                case .valid(let version):
                    results.append(
                        Result(
                            place: place, input: text, scheme: scheme.name, valid: true, canonical: version.description,
                            pep440: version.pep440.description, problems: [], suggestion: nil))
                case .invalid(let problems, let suggestion):
                    results.append(
                        Result(
                            place: place, input: text, scheme: scheme.name, valid: false, canonical: nil, pep440: nil,
                            problems: problems.map { .init(code: $0.code, message: $0.message) },
                            suggestion: suggestion))
                }
            }
            let allValid = results.allSatisfy(\.valid)
            switch format {
            case .json:
                try printJSON(Report(scheme: scheme.name, valid: allValid, results: results))
            case .text:
                let streams = StandardStreams()
                for result in results {
                    if result.valid {
                        streams.out("\(result.place): ok \(result.input)")
                    } else {
                        var line = "\(result.place): invalid '\(result.input.displayable())' in \(result.scheme): "
                        line += result.problems.map(\.message).joined(separator: "; ")
                        if let suggestion = result.suggestion { line += " (suggestion: \(suggestion))" }
                        streams.out(line)
                    }
                }
                streams.flush()
            }
            if !allValid { throw ExitCode(ExitCodes.findings) }
        }
    }

    struct Normalize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "normalize",
            abstract: "Print the PEP 440 normal form of each version (what Python's packaging prints).",
            discussion: """
                Reads the versions given, or one a line from standard input for -, and prints each normal form on its own line in order (24.03.0 -> 24.3.0). An invalid version is reported on stderr with its line; the others are still printed. Exit 1 if any was invalid.

                  relkit version normalize 24.03.0-RC.01
                  relkit version normalize - < versions.txt

                \(ExitCodes.help(for: "version normalize"))
                """
        )

        @OptionGroup var inputs: VersionInputs

        func validate() throws {
            if inputs.versions.isEmpty { throw ValidationError("give at least one version, or - to read standard input") }
        }

        func run() throws {
            let invalid: Int
            let streams = StandardStreams()
            if inputs.readsStandardInput {
                invalid = try StreamNormalizer.run(input: 0, streams: streams)
            } else {
                var count = 0
                for (place, text, _) in try inputs.numbered() {
                    do {
                        streams.out(try Version(parsing: text).description)
                    } catch {
                        count += 1
                        streams.error("\(place): invalid version '\(text.displayable())': \(error.reason)")
                    }
                }
                streams.flush()
                invalid = count
            }
            if invalid > 0 { throw ExitCode(ExitCodes.findings) }
        }
    }

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Compute the next version.",
            discussion: """
                Accepts the version in any PEP 440 spelling that fits the scheme and prints the next one in the scheme's spelling. It never goes backwards: a request that would (rc -> a, --final on a final release, --patch on an unreleased pre-release) exits 1.

                  relkit version next 24.03.1 --patch           # 24.03.2
                  relkit version next 24.03.0b2 --pre rc        # 24.03.0rc1
                  relkit version next 24.12.0 --next-line       # 25.01.0.dev0
                  relkit version next 24.03.0 --next-line --cadence 3,9   # 24.09.0.dev0

                \(ExitCodes.help(for: "version next"))
                """
        )

        enum Kind: String, EnumerableFlag {
            case patch, final, dev, nextLine
            static func help(for value: Kind) -> ArgumentHelp? {
                switch value {
                case .patch: return "The next patch release (24.03.1 -> 24.03.2)."
                case .final: return "The final release of a pre-release (24.03.0rc2 -> 24.03.0)."
                case .dev: return "The next development release (24.04.0.dev0 -> 24.04.0.dev1)."
                case .nextLine: return "Main's version after cutting this line (24.03 -> 24.04.0.dev0)."
                }
            }
        }

        @Argument(help: "The current version.") var version: String
        @Flag var kind: Kind?
        @Option(help: ArgumentHelp("The next pre-release of a kind (24.03.0rc1 -> 24.03.0rc2).", valueName: "a|b|rc"))
        var pre: PreReleaseKind?
        @Option(help: ArgumentHelp("With --next-line: the release months, e.g. 3,9 (default: the next-line policy of .release.toml).", valueName: "months"))
        var cadence: String?
        @OptionGroup var schemeOptions: SchemeOptions

        func validate() throws {
            if (kind == nil) == (pre == nil) {
                throw ValidationError("give exactly one of --patch, --pre a|b|rc, --final, --dev, --next-line")
            }
            if cadence != nil && kind != .nextLine { throw ValidationError("--cadence goes with --next-line") }
        }

        func run() throws {
            var configuration = try schemeOptions.configuration()
            let request: NextVersionRequest
            if let pre {
                request = .pre(pre)
            } else {
                switch kind! {
                case .patch: request = .patch
                case .final: request = .final
                case .dev: request = .dev
                case .nextLine: request = .nextLine
                }
            }
            if let cadence {
                let months = cadence.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingSpaces()) }
                guard months.allSatisfy({ $0 != nil }) else { throw CLIError("--cadence takes months separated by commas, e.g. 3,9, not '\(cadence)'") }
                do { try ReleaseLine.validateCadence(months.map { $0! }) } catch { throw CLIError("--cadence: \(error.message)") }
                configuration.nextLine = .cadence(months.map { $0! })
            }
            let current: SchemeVersion
            do { current = try configuration.scheme(of: version).version(parsing: version) } catch { throw CLIError(error.message) }
            do {
                let next = configuration.inSchemeOfItsTime(try current.next(request, policy: configuration.nextLine))
                Console.out(next.description)
            } catch {
                throw CLIError(error.message, exitCode: ExitCodes.findings)
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Compare two versions in PEP 440 order; prints <, = or >.",
            discussion: """
                  relkit version compare 24.03.0rc1 24.03.0     # <
                  relkit version compare 24.3.0 24.03.0         # =

                An invalid version exits 2.

                \(ExitCodes.help(for: "version compare"))
                """
        )

        @Argument(help: "The first version.") var first: String
        @Argument(help: "The second version.") var second: String

        func run() throws {
            let a: Version
            let b: Version
            do {
                a = try Version(parsing: first)
                b = try Version(parsing: second)
            } catch {
                throw CLIError("invalid version '\(error.input.displayable())': \(error.reason)")
            }
            Console.out(a < b ? "<" : (a == b ? "=" : ">"))
        }
    }

    struct Sort: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sort",
            abstract: "Sort versions in PEP 440 order, printing them as given.",
            discussion: """
                Reads the versions given, or one a line from standard input (with - or no argument). Equal versions keep their input order. An invalid version is reported on stderr with its line and left out; exit 1 if any was invalid.

                  git tag --list | relkit version sort --reverse

                \(ExitCodes.help(for: "version sort"))
                """
        )

        @Flag(help: "Highest version first.") var reverse = false
        @OptionGroup var inputs: VersionInputs

        func run() throws {
            var parsed: [(version: Version, text: String)] = []
            var invalid = 0
            let streams = StandardStreams()
            for (place, text, notUTF8) in try inputs.numbered() {
                do throws(VersionParseError) {
                    if let notUTF8 { throw VersionParseError(input: text, reason: "not UTF-8 text: \(notUTF8)") }
                    parsed.append((try Version(parsing: text), text))
                } catch {
                    invalid += 1
                    streams.error("\(place): invalid version '\(text.displayable())': \(error.reason)")
                }
            }
            // Swift's sort is stable, so equal versions keep their order.
            let sorted = parsed.sorted { reverse ? $0.version > $1.version : $0.version < $1.version }
            for entry in sorted { streams.out(entry.text) }
            streams.flush()
            if invalid > 0 { throw ExitCode(ExitCodes.findings) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a version in the scheme's form and the PEP 440 form, with its release line.",
            discussion: """
                Accepts any PEP 440 spelling whose numbers fit the scheme:
                  relkit version show 24.3.0rc1      # scheme form 24.03.0rc1, line 24.03

                \(ExitCodes.help(for: "version show"))
                """
        )

        @Argument(help: "The version.") var version: String
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @OptionGroup var schemeOptions: SchemeOptions

        struct Report: Encodable {
            let input: String
            let scheme: String
            let version: String
            let pep440: String
            let line: String
            let kind: String
            let canonical: Bool
        }

        func run() throws {
            let configuration = try schemeOptions.configuration()
            let scheme = configuration.scheme(of: version)
            let value: SchemeVersion
            do { value = try scheme.version(parsing: version) } catch { throw CLIError(error.message) }
            let kind: String
            if let pre = value.pre {
                kind = pre.kind.longName + (value.dev != nil ? " (development)" : "")
            } else if value.dev != nil {
                kind = "development"
            } else if value.post != nil {
                kind = "post-release"
            } else {
                kind = "final"
            }
            let report = Report(
                input: version, scheme: scheme.name, version: value.description, pep440: value.pep440.description,
                line: value.line.description, kind: kind, canonical: scheme.validate(version).isValid)
            switch format {
            case .json:
                try printJSON(report)
            case .text:
                Console.out(
                    """
                    version:  \(report.version)
                    pep440:   \(report.pep440)
                    line:     \(report.line)
                    kind:     \(report.kind)
                    scheme:   \(report.scheme)\(report.canonical ? "" : " (input is not spelled canonically; see relkit version validate)")
                    """)
            }
        }
    }
}
