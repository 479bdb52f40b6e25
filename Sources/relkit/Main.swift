import ArgumentParser
import GitKit
import RelKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct RelKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relkit",
        abstract: "Release and versioning toolchain for calendar-versioned monorepos.",
        discussion: """
            Versions are YY.0M.P (or YY.N.P), with aN, bN, rcN pre-releases and .devN development releases; Python requirement pins use the PEP 440 form without leading zeros. Configuration comes from .release.toml at the repository root (for the version commands, the nearest one above the current directory); without one, relkit uses its defaults.

            Exit codes: \(ExitCodes.general.map { "\($0.code) \($0.meaning.replacing("`", with: ""))" }.joined(separator: "; ")). Each command's help says what its codes mean.
            """,
        subcommands: [
            CheckCommand.self, StatusCommand.self, InitCommand.self, LinesCommand.self, BumpCommand.self, CutCommand.self, TagCommand.self, BackportCommand.self, TrailersCommand.self,
            VersionCommand.self,
            UpgradeCommand.self, NotesCommand.self
        ]
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
    static let commandsWithoutRepository: Set<String> = [
        "version", "trailers", "help", "-h", "--help", "--version",
        "--generate-completion-script", "--experimental-dump-help"
    ]

    static func main() {
        ProcessMemory.configure()
        let arguments = CommandLine.arguments
        RepositoryLock.invocation = arguments.dropFirst().joined(separator: "\u{1F}")
        // A directory removed under the shell (getcwd fails): every path relkit derives from it
        // would be empty. Said once, here.
        if arguments.count > 1, !commandsWithoutRepository.contains(arguments[1]), currentDirectory() == nil {
            Console.error("error: cannot read the current directory (\(String(cString: strerror(errno)))); was it deleted? cd to the repository again")
            exit(ExitCodes.usage)
        }
        if BackportCommand.asksForItsHelp(Array(arguments.dropFirst())) {
            Console.out(BackportCommand.help())
            exit(ExitCodes.success)
        }
        if let mistake = commandLineMistake(Array(arguments.dropFirst())) {
            Console.error("error: \(mistake)")
            printJSONError(mistake, exitCode: ExitCodes.usage, arguments: arguments)
            exit(ExitCodes.usage)
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
                exit(ExitCodes.success)
            }
            if !message.isEmpty { Console.error(lowercasedErrorPrefix(message)) }
            let status = code == .validationFailure ? ExitCodes.usage : code.rawValue
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
    let given =
        options[index].hasPrefix("--version=")
        ? String(options[index].dropFirst("--version=".count))
        : (index + 1 < options.count && !options[index + 1].hasPrefix("-") ? options[index + 1] : nil)
    var message = "--version is not an option of 'relkit \(first)'; relkit's own version is 'relkit --version'"
    if first == "bump", let given { message += "; to set the version: relkit bump \(given.displayable())" }
    return message
}

/// The current directory (getcwd: FileManager would set up more than this needs).
func currentDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return nil }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
