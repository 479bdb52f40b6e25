internal import Clibgit2
#if canImport(Glibc)
import Glibc
#endif

/// A failed libgit2 call: which C function, its return code, and libgit2's error class and message.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public let function: String
    public let code: Int32
    public let errorClass: Int32
    public let message: String

    public init(function: String, code: Int32, errorClass: Int32 = 0, message: String) {
        self.function = function
        self.code = code
        self.errorClass = errorClass
        self.message = message
    }

    /// Reads libgit2's thread-local error right after the failing call (stale ones linger).
    static func last(_ function: String, _ code: Int32) -> GitError {
        if let error = git_error_last() {
            return GitError(function: function, code: code, errorClass: error.pointee.klass,
                            message: error.pointee.message.map { String(cString: $0) } ?? "unknown error")
        }
        return GitError(function: function, code: code, message: "failed with code \(code)")
    }

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    /// A repository another user owns, refused (GIT_EOWNER; Repository.discover gives every
    /// libgit2 version's refusal this code and relkit's own message).
    public var isNotOwner: Bool { code == GIT_EOWNER.rawValue }

    public var description: String { "\(message) (\(function) returned \(code))" }
}

/// Calls a libgit2 function and turns a negative result into a `GitError` naming it.
@discardableResult
@inline(__always)
func check(_ function: String, _ result: Int32) throws(GitError) -> Int32 {
    if result < 0 { throw GitError.last(function, result) }
    return result
}
