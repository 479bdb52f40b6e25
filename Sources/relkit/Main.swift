import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
#else
import Foundation
#endif
import GitKit
import RelKit
import RelKitCore

/// Exit codes shared by every command: RelKit's ExitCodes, the one table of them.
typealias ExitStatus = ExitCodes

/// An error the CLI reports as one line on stderr, with its exit code.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32 = ExitStatus.usage) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}

struct RelKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relkit",
        abstract: "Release and versioning toolchain for calendar-versioned monorepos.",
        discussion: """
            Versions are YY.0M.P (or YY.N.P), with aN, bN, rcN pre-releases and .devN development releases; Python requirement pins use the PEP 440 form without leading zeros. Configuration comes from .release.toml at the repository root (for the version commands, the nearest one above the current directory); without one, relkit uses its defaults.

            Exit codes: \(ExitCodes.general.map { "\($0.code) \($0.meaning.replacing("`", with: ""))" }.joined(separator: "; ")). Each command's help says what its codes mean.
            """,
        subcommands: [CheckCommand.self, StatusCommand.self, InitCommand.self, BumpCommand.self, CutCommand.self, TagCommand.self, BackportCommand.self, TrailersCommand.self, VersionCommand.self, UpgradeCommand.self]
    )

    // Here and not as the configuration's `version`: ArgumentParser would give every subcommand
    // this flag too (commandLineMistake says why that misled).
    @Flag(name: .customLong("version"), help: "Show relkit's version.") var showVersion = false

    func run() throws {
        guard showVersion else { throw CleanExit.helpRequest(self) }
        Console.out(RelKitInfo.version)
    }
}

@main
enum Main {
    /// Commands that never open a repository: no libgit2 to warm up for them.
    static let commandsWithoutRepository: Set<String> = ["version", "trailers", "help", "-h", "--help", "--version",
                                                           "--generate-completion-script", "--experimental-dump-help"]

    static func main() {
        ProcessMemory.configure()
        let arguments = CommandLine.arguments
        RepositoryLock.invocation = arguments.dropFirst().joined(separator: "\u{1F}")
        // A directory removed under the shell (getcwd fails): every path relkit derives from it
        // would be empty. Said once, here.
        if arguments.count > 1, !commandsWithoutRepository.contains(arguments[1]), currentDirectory() == nil {
            Console.error("error: cannot read the current directory (\(String(cString: strerror(errno)))); was it deleted? cd to the repository again")
            exit(ExitStatus.usage)
        }
        if BackportCommand.asksForItsHelp(Array(arguments.dropFirst())) {
            Console.out(BackportCommand.help())
            exit(0)
        }
        if let mistake = commandLineMistake(Array(arguments.dropFirst())) {
            Console.error("error: \(mistake)")
            printJSONError(mistake, exitCode: ExitStatus.usage, arguments: arguments)
            exit(ExitStatus.usage)
        }
        // Commands that open a repository initialise libgit2 on a second thread meanwhile; only
        // once the command line is known good: exiting while that thread is in libgit2's
        // initialisation could crash instead of exiting 2.
        if arguments.count > 1, !commandsWithoutRepository.contains(arguments[1]) { LibGit2WarmUp.start() }
        do {
            var command = try RelKitCommand.parseAsRoot()
            try command.run()
        } catch let error as CLIError {
            Console.error(error.exitCode == 0 ? error.message : "error: \(error.message)")
            if error.exitCode != 0 { printJSONError(error.message, exitCode: error.exitCode, arguments: arguments) }
            exit(error.exitCode)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            // ArgumentParser's own errors: help and --version exit 0; usage errors exit 2, not 64.
            let code = RelKitCommand.exitCode(for: error)
            let message = RelKitCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { Console.out(message) }
                exit(0)
            }
            if !message.isEmpty { Console.error(lowercasedErrorPrefix(message)) }
            let status = code == .validationFailure ? ExitStatus.usage : code.rawValue
            printJSONError(lowercasedErrorPrefix(message).split(separator: "\n").first.map(String.init) ?? "", exitCode: status, arguments: arguments)
            exit(status)
        }
    }
}

/// Mistakes ArgumentParser would accept or report badly: a misspelt command (it says only
/// "Unexpected argument"), and `--version` after a command (ArgumentParser gives every
/// subcommand relkit's own `--version`, so `relkit bump --version 26.08.0` printed relkit's
/// version and changed nothing).
func commandLineMistake(_ arguments: [String]) -> String? {
    guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
    let commands = RelKitCommand.configuration.subcommands.map { $0._commandName } + ["help"]
    guard commands.contains(first) else {
        let guess = Spelling.nearest(to: first, among: commands).map { "; did you mean 'relkit \($0)'?" } ?? ""
        return "'\(first.displayable())' is not a relkit command\(guess) (relkit --help lists them)"
    }
    let options = arguments.prefix { $0 != "--" }
    guard let index = options.firstIndex(where: { $0 == "--version" || $0.hasPrefix("--version=") }) else { return nil }
    let given = options[index].hasPrefix("--version=") ? String(options[index].dropFirst("--version=".count))
        : (index + 1 < options.count && !options[index + 1].hasPrefix("-") ? options[index + 1] : nil)
    var message = "--version is not an option of 'relkit \(first)'; relkit's own version is 'relkit --version'"
    if first == "bump", let given { message += "; to set the version: relkit bump \(given.displayable())" }
    return message
}

/// With `--format json`, an error is a JSON document on stdout too (the text stays on stderr):
/// a pipeline reading stdout gets a document whatever happened.
/// `{"schema": 1, "error": {"message": "...", "exit_code": 2}}`
func printJSONError(_ message: String, exitCode: Int32, arguments: [String]) {
    let options = arguments.prefix { $0 != "--" }
    let json = options.contains("--format=json") || zip(options, options.dropFirst()).contains { $0 == "--format" && $1 == "json" }
    guard json else { return }
    let text = message.hasPrefix("error: ") ? String(message.dropFirst("error: ".count)) : message
    Console.out(JSONValue.object(["error": ["message": JSONValue(text), "exit_code": .integer(Int(exitCode))]]).text())
}

/// ArgumentParser's "Error: Unknown option" as relkit says every error: "error: unknown option".
func lowercasedErrorPrefix(_ message: String) -> String {
    guard message.hasPrefix("Error: ") else { return message }
    let rest = message.dropFirst("Error: ".count)
    return "error: " + rest.prefix(1).lowercased() + rest.dropFirst()
}

/// The current directory (getcwd: FileManager would set up more than this needs).
func currentDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return nil }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Writing to the terminal; colour only on a terminal and never with NO_COLOR.
enum Console {
    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    static var useColour: Bool {
        let noColour = environmentValue("NO_COLOR").map { !$0.isEmpty } ?? false
        return isatty(1) == 1 && !noColour
    }

    static func out(_ text: String) { SystemCalls.write(text + "\n", to: 1) }

    /// `text` in an SGR colour (`"31"` red, `"32"` green, `"1"` bold) when `colour`.
    static func paint(_ text: String, _ code: String, colour: Bool = useColour) -> String {
        colour && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A unified diff, each line coloured as git colours it (headers bold, hunks cyan, removed red,
    /// added green) when `colour`.
    static func paintDiff(_ diff: String, colour: Bool = useColour) -> String {
        guard colour else { return diff }
        return diff.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let text = String(line)
            if text.hasPrefix("+++") || text.hasPrefix("---") || text.hasPrefix("# ") { return paint(text, "1", colour: true) }
            if text.hasPrefix("@@") { return paint(text, "36", colour: true) }
            if text.hasPrefix("+") { return paint(text, "32", colour: true) }
            if text.hasPrefix("-") { return paint(text, "31", colour: true) }
            return text
        }.joined(separator: "\n")
    }
    static func error(_ text: String) { SystemCalls.write(text + "\n", to: 2) }
}

/// `text` followed by spaces up to `width` characters (never cut).
func padded(_ text: String, to width: Int) -> String {
    let count = text.count
    return count >= width ? text : text + String(repeating: " ", count: width - count)
}
