import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who writes commits and tags: `GIT_AUTHOR_*` / `GIT_COMMITTER_*` first, then git config, as git
/// does (libgit2's default signature ignores the environment, which CI relies on).
public enum IdentityResolver {
    /// Which of a commit's people: the name of git's environment variables (`GIT_AUTHOR_NAME`).
    public enum Role: String {
        case author = "AUTHOR"
        case committer = "COMMITTER"
    }

    /// The environment variables `resolve` reads, from the process (ProcessInfo's whole
    /// environment took ~0.1 ms to build, on every commit-making command).
    public static var identityEnvironment: [String: String] {
        var found: [String: String] = [:]
        for role in [Role.author, .committer] {
            for field in ["NAME", "EMAIL", "DATE"] {
                let name = "GIT_\(role.rawValue)_\(field)"
                found[name] = environmentValue(name)
            }
        }
        found["EMAIL"] = environmentValue("EMAIL")
        return found
    }

    /// The identity as git resolves it: `GIT_<ROLE>_NAME`/`_EMAIL`/`_DATE`, then `user.name` and
    /// `user.email` of the repository's configuration, then `EMAIL`.
    /// - Parameters:
    ///   - role: author or committer.
    ///   - repository: whose configuration is read.
    ///   - environment: the variables (default: the process's).
    ///   - now: the time when `GIT_<ROLE>_DATE` is not set.
    /// - Returns: the name, email and time.
    /// - Throws: `OperationError` (usage) when no name or email is configured, or a date does not parse.
    public static func resolve(
        _ role: Role, repository: Repository,
        environment: [String: String] = identityEnvironment,
        now: Date = Date()
    ) throws(OperationError) -> Identity {
        func config(_ key: String) -> String? { (try? repository.configString(key)).flatMap { $0?.isEmpty == false ? $0 : nil } }
        let prefix = "GIT_\(role.rawValue)_"
        let name = environment[prefix + "NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? config("user.name")
        let email = environment[prefix + "EMAIL"].flatMap { $0.isEmpty ? nil : $0 } ?? config("user.email") ?? environment["EMAIL"]
        guard let name, let email else {
            throw OperationError(
                .usage,
                """
                no \(role == .author ? "author" : "committer") identity: set user.name and user.email \
                (git config --global user.name "Your Name"; git config --global user.email you@example.com) \
                or \(prefix)NAME and \(prefix)EMAIL
                """)
        }
        let localOffset = localOffsetMinutes(at: now)
        if let dateText = environment[prefix + "DATE"], !dateText.isEmpty {
            guard let (seconds, offset) = GitDate.parse(dateText, localOffsetMinutes: localOffset) else {
                throw OperationError(.usage, "\(prefix)DATE='\(dateText.displayable())' is not a date git understands (e.g. '@1700000000 +0000' or '2026-11-21T10:00:00+01:00')")
            }
            return Identity(name: name, email: email, time: seconds, offsetMinutes: offset)
        }
        return Identity(name: name, email: email, time: Int64(now.timeIntervalSince1970), offsetMinutes: localOffset)
    }
}

/// The local time zone's offset from UTC at `date`, in minutes (TZ, else /etc/localtime), from the C
/// library: Foundation's TimeZone.current loads ICU's time zone data, a millisecond per command.
func localOffsetMinutes(at date: Date) -> Int32 {
    tzset()
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    guard localtime_r(&seconds, &parts) != nil else { return 0 }
    return Int32(parts.tm_gmtoff / 60)
}
