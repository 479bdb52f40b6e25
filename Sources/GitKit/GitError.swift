internal import Clibgit2

/// A failed libgit2 call: which C function, its return code and libgit2's error class (both
/// named, to be matched as `error.code == .notFound`), and libgit2's message. Made once, where
/// the call returns; said to a person by `description` (libgit2's message and, for a code
/// without a name, the call), the way every relkit message shows it.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// libgit2's return codes (`git_error_code`), the ones relkit decides by.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// The value libgit2 returned.
        public let rawValue: Int32
        /// A code from libgit2's return value.
        ///
        /// - Parameter rawValue: the value libgit2 returned.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ code: git_error_code) { rawValue = code.rawValue }

        /// The generic failure (-1).
        public static let failure = Code(GIT_ERROR)
        /// `GIT_ENOTFOUND`: no such object, reference or path.
        public static let notFound = Code(GIT_ENOTFOUND)
        /// `GIT_EEXISTS`: the object or reference exists already.
        public static let exists = Code(GIT_EEXISTS)
        /// `GIT_EAMBIGUOUS`: an abbreviated id that more than one object's id starts with.
        public static let ambiguous = Code(GIT_EAMBIGUOUS)
        /// `GIT_EUNBORNBRANCH`: HEAD names a branch without a commit yet.
        public static let unbornBranch = Code(GIT_EUNBORNBRANCH)
        /// `GIT_ELOCKED`: a lock file is in the way (another git, or a killed one).
        public static let locked = Code(GIT_ELOCKED)
        /// `GIT_EMODIFIED`: a reference is not where the caller expected it.
        public static let modified = Code(GIT_EMODIFIED)
        /// `GIT_ECONFLICT`: a checkout would overwrite local changes.
        public static let conflict = Code(GIT_ECONFLICT)
        /// `GIT_EINVALIDSPEC`: a revision or reference name that does not parse.
        public static let invalidSpec = Code(GIT_EINVALIDSPEC)
        /// A repository another user owns (safe.directory).
        public static let owner = Code(GIT_EOWNER)
    }

    /// libgit2's error classes (`git_error_t`): which part of libgit2 failed.
    public struct Category: RawRepresentable, Hashable, Sendable {
        /// The class libgit2 set (`git_error.klass`).
        public let rawValue: Int32
        /// A class from libgit2's value.
        ///
        /// - Parameter rawValue: libgit2's class (`git_error.klass`).
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ category: git_error_t) { rawValue = Int32(category.rawValue) }

        /// No class: an error relkit made itself.
        public static let none = Category(rawValue: 0)
        /// The object database: an object that cannot be found or read.
        public static let objectDatabase = Category(GIT_ERROR_ODB)
        /// `GIT_ERROR_REFERENCE`: references and their files.
        public static let reference = Category(GIT_ERROR_REFERENCE)
        /// `GIT_ERROR_REPOSITORY`: opening or finding a repository.
        public static let repository = Category(GIT_ERROR_REPOSITORY)
        /// `GIT_ERROR_FILESYSTEM`: a file libgit2 read or wrote.
        public static let filesystem = Category(GIT_ERROR_FILESYSTEM)
    }

    /// The C function that failed (`git_commit_lookup`), for tracing a report to the call.
    public let function: String
    /// What libgit2 returned, by name.
    public let code: Code
    /// Which part of libgit2 failed.
    public let category: Category
    /// libgit2's own words (`git_error_last()`), or relkit's where it words a code itself.
    public let message: String

    /// An error of a call, from its parts (GitKit makes them where calls return; tests and callers
    /// that refuse for libgit2's reasons make their own).
    ///
    /// - Parameters:
    ///   - function: the C function that failed.
    ///   - code: what it returned.
    ///   - category: libgit2's class.
    ///   - message: what went wrong.
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

    /// No such object, reference or path (`GIT_ENOTFOUND`).
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
