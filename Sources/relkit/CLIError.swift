import ArgumentParser
import RelKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension OperationError {
    var cliError: CLIError { CLIError(message, exitCode: exitCode) }
}

/// An error the CLI reports as one line on stderr, with its exit code.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32 = ExitCodes.usage) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}

/// ArgumentParser's "Error: Unknown option" as relkit says every error: "error: unknown option".
func lowercasedErrorPrefix(_ message: String) -> String {
    guard message.hasPrefix("Error: ") else { return message }
    let rest = message.dropFirst("Error: ".count)
    return "error: " + rest.prefix(1).lowercased() + rest.dropFirst()
}
