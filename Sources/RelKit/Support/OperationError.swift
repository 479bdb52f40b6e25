import GitKit

/// A command that cannot go on: what went wrong, and the exit code it maps to.
public struct OperationError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, which decides the exit code.
    public enum Kind: Sendable {
        /// Bad arguments or configuration: exit 2.
        case usage
        /// Refused by policy or nothing to do: exit 1.
        case refused
        /// The repository is in a state that forbids the command (dirty, locked, moved): exit 3.
        case repositoryState
        /// The remote cannot be reached, refused the credentials, or failed mid-push: exit 4.
        case remote
        /// What was asked is already done: an interrupted run of the very same command was
        /// finished by this one. Exit 0, the message said as a notice.
        case alreadyDone
    }

    /// What kind of failure.
    public let kind: Kind
    /// What went wrong, in the user's terms.
    public let message: String

    /// An error.
    /// - Parameters:
    ///   - kind: what kind.
    ///   - message: what went wrong.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A configuration error, as a usage error.
    ///
    /// - Parameter error: the configuration error.
    /// - Returns: a usage error with its text.
    public static func configuration(_ error: ConfigurationError) -> OperationError { OperationError(.usage, error.description) }

    /// The exit code of the kind (`ExitCodes`).
    public var exitCode: Int32 {
        switch kind {
        case .usage: return ExitCodes.usage
        case .refused: return ExitCodes.findings
        case .repositoryState: return ExitCodes.repositoryState
        case .remote: return ExitCodes.remote
        case .alreadyDone: return ExitCodes.success
        }
    }

    /// The message.
    public var description: String { message }
}

extension OperationError {
    /// `body`'s failure as one `OperationError`: its own pass as they are, any other (libgit2's,
    /// a file's) becomes `convert(error)`, said in the words of what was being done.
    static func converting<Value>(_ body: () throws -> Value, otherwise convert: (any Error) -> OperationError) throws(OperationError) -> Value {
        do {
            return try body()
        } catch let error as OperationError {
            throw error
        } catch {
            throw convert(error)
        }
    }
}

extension GitError {
    /// libgit2's refusal of a repository owned by someone else, explained.
    var explained: String {
        // GIT_EOWNER carries relkit's own message (Repository.discover), whichever libgit2 raised it.
        if isNotOwner { return message }
        return description
    }
}

extension OperationError {
    /// A failure while walking history. In a shallow clone libgit2 1.5 walks past the boundary and
    /// finds no parent object: say so, and how to get the history, rather than "object not found".
    static func history(_ error: any Error, in repository: Repository, _ what: String, kind: Kind = .usage) -> OperationError {
        // (git_merge_bases fails with -1 in the object database's class, the revwalk with -3: both a missing parent.)
        if repository.isShallow, let gitError = error as? GitError, gitError.isMissingObject {
            return OperationError(
                .repositoryState, "\(what): this is a shallow clone, and the history relkit needs goes past its boundary; fetch it with `git fetch --unshallow` (or `--deepen N`) [\(gitError.message)]"
            )
        }
        return OperationError(kind, "\(what): \(error)")
    }
}
