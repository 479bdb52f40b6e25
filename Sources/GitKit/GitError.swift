internal import Clibgit2

#if canImport(Glibc)
import Glibc
#endif

/// A failed libgit2 call: which C function, its return code and libgit2's error class (both
/// named, to be matched as `error.code == .notFound`), and libgit2's message. Made once, where
/// the call returns; said to a person by `description` (libgit2's message and, for a code
/// without a name, the call), the way every relkit message shows it.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// libgit2's return codes (`git_error_code`), the ones relkit decides by.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ code: git_error_code) { rawValue = code.rawValue }

        /// The generic failure (-1).
        public static let failure = Code(GIT_ERROR)
        public static let notFound = Code(GIT_ENOTFOUND)
        public static let exists = Code(GIT_EEXISTS)
        public static let ambiguous = Code(GIT_EAMBIGUOUS)
        public static let unbornBranch = Code(GIT_EUNBORNBRANCH)
        public static let locked = Code(GIT_ELOCKED)
        public static let modified = Code(GIT_EMODIFIED)
        public static let conflict = Code(GIT_ECONFLICT)
        public static let invalidSpec = Code(GIT_EINVALIDSPEC)
        /// A repository another user owns (safe.directory).
        public static let owner = Code(GIT_EOWNER)
    }

    /// libgit2's error classes (`git_error_t`): which part of libgit2 failed.
    public struct Category: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ category: git_error_t) { rawValue = Int32(category.rawValue) }

        public static let none = Category(rawValue: 0)
        /// The object database: an object that cannot be found or read.
        public static let objectDatabase = Category(GIT_ERROR_ODB)
        public static let reference = Category(GIT_ERROR_REFERENCE)
        public static let repository = Category(GIT_ERROR_REPOSITORY)
        public static let filesystem = Category(GIT_ERROR_FILESYSTEM)
    }

    public let function: String
    public let code: Code
    public let category: Category
    public let message: String

    public init(function: String, code: Code, category: Category = .none, message: String) {
        self.function = function
        self.code = code
        self.category = category
        self.message = message
    }

    /// Reads libgit2's thread-local error right after the failing call (stale ones linger).
    static func last(_ function: String, _ code: Int32) -> GitError {
        if let error = git_error_last() {
            return GitError(
                function: function, code: Code(rawValue: code), category: Category(rawValue: error.pointee.klass),
                message: error.pointee.message.map { String(cString: $0) } ?? "unknown error")
        }
        return GitError(function: function, code: Code(rawValue: code), message: "failed with code \(code)")
    }

    public var isNotFound: Bool { code == .notFound }

    /// An object that is not in this clone (a partial or shallow one): libgit2 says so by the
    /// code, or, where a walk wraps the lookup (git_merge_bases), by the object database's class.
    public var isMissingObject: Bool { code == .notFound || category == .objectDatabase }

    /// A repository another user owns, refused (Repository.discover gives every libgit2
    /// version's refusal this code and relkit's own message).
    public var isNotOwner: Bool { code == .owner }

    /// libgit2's words; the C function named too when the code has no meaning of its own, so that
    /// a report can be traced to the call.
    public var description: String { code == .failure ? "\(message) (in \(function))" : message }
}

/// Calls a libgit2 function and turns a negative result into a `GitError` naming it.
@discardableResult
@inline(__always)
func check(_ function: String, _ result: Int32) throws(GitError) -> Int32 {
    if result < 0 { throw GitError.last(function, result) }
    return result
}
