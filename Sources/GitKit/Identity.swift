internal import Clibgit2

/// A person and a moment, as a commit's author or committer records them.
public struct Identity: Sendable, Equatable {
    /// The name, as git records it.
    public let name: String
    /// The email address, without the angle brackets.
    public let email: String
    /// Seconds since the epoch.
    public let time: Int64
    /// Offset from UTC in minutes.
    public let offsetMinutes: Int32

    /// A person at a moment.
    /// - Parameters:
    ///   - name: the name.
    ///   - email: the address.
    ///   - time: seconds since the epoch.
    ///   - offsetMinutes: the offset from UTC, in minutes.
    public init(name: String, email: String, time: Int64, offsetMinutes: Int32) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// The signature libgit2 wants; freed by the caller.
    func signature() throws(GitError) -> UnsafeMutablePointer<git_signature> {
        var signature: UnsafeMutablePointer<git_signature>?
        try check("git_signature_new", git_signature_new(&signature, name, email, git_time_t(time), Int32(offsetMinutes)))
        return signature!
    }
}
