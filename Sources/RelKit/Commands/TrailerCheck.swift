import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `relkit trailers check`: are the backport trailers of a commit message where git reads them,
/// and do their values say what `[backport] trailers` says they say? Used by a commit-msg hook,
/// so it reads the message as git hands it over (comments and a `git commit -v` diff included).
public enum TrailerCheck {
    /// One problem of a message's trailers.
    public struct Finding: Sendable, Equatable {
        /// Error or warning.
        public enum Severity: String, Sendable { case error, warning }
        /// 1-based line of the message.
        public let line: Int
        /// Error or warning.
        public let severity: Severity
        /// `misplaced`, `duplicate`, `empty-value`, `key-case`, `bad-value`, `incomplete`, `missing`.
        public let code: String
        /// What is wrong.
        public let message: String
    }

    /// What the check found.
    public struct Report: Sendable {
        /// Every problem, by line.
        public let findings: [Finding]
        /// The trailers git reads from the message, with their lines.
        public let trailers: [Trailers.Located]
        /// How many problems are errors.
        public var errorCount: Int { findings.filter { $0.severity == .error }.count }
    }

    /// One configured trailer: its key and a matcher for its value template.
    struct Template {
        let key: String
        let valuePattern: Regex<AnyRegexOutput>
        let placeholders: [String]
        /// A trailer with `{pr}` is left out of backports of commits without a PR number.
        var optional: Bool { placeholders.contains("{pr}") }
    }

    /// Checks `message`; with `requireBackport`, the configured trailers must be there (a commit
    /// on a release branch that is a backport).
    /// `scheme` reads a `{target}` release line: a scheme, or a configuration's choice by the
    /// line's time (`ReleaseConfiguration.scheme(of:)`).
    ///
    /// - Parameters:
    ///   - message: the commit message.
    ///   - policy: `[backport]`.
    ///   - scheme: the scheme of a `{target}` line.
    ///   - requireBackport: the configured trailers must be there.
    /// - Returns: the problems and the trailers read.
    public static func run(message: String, policy: BackportPolicy, scheme: VersionScheme, requireBackport: Bool = false) -> Report {
        run(message: message, policy: policy, schemeOf: { _ in scheme }, requireBackport: requireBackport)
    }

    /// Checks a message's trailers against the configured ones.
    /// - Parameters:
    ///   - message: the commit message.
    ///   - policy: `[backport]`.
    ///   - scheme: the scheme of a `{target}` line, by its text.
    ///   - requireBackport: the configured trailers must be there.
    /// - Returns: the problems and the trailers read.
    public static func run(message: String, policy: BackportPolicy, schemeOf scheme: (String) -> VersionScheme, requireBackport: Bool = false) -> Report {
        let templates = policy.trailers.compactMap(template(of:))
        let keys = templates.map(\.key)
        let located = Trailers.locate(message)
        var findings = Trailers.problems(in: message, keys: keys).map { problem in
            Finding(line: problem.line, severity: problem.code == "key-case" ? .warning : .error, code: problem.code, message: problem.message)
        }
        for entry in located {
            guard let template = templates.first(where: { entry.trailer.matches(key: $0.key) }), !entry.trailer.value.isEmpty else { continue }
            if let problem = valueProblem(entry.trailer.value, template, scheme) {
                findings.append(Finding(line: entry.line, severity: .error, code: "bad-value", message: "\(template.key): \(problem)"))
            }
        }
        // Every backport carries each required trailer once: one without the others is half a record.
        let required = templates.filter { !$0.optional }
        let counts = required.map { template in located.filter { $0.trailer.matches(key: template.key) }.count }
        if counts.contains(where: { $0 > 0 }) && Set(counts).count > 1 {
            let line = located.first { entry in required.contains { entry.trailer.matches(key: $0.key) } }?.line ?? 1
            let tally = zip(required, counts).map { "\($1) '\($0.key)'" }.joined(separator: ", ")
            findings.append(
                Finding(
                    line: line, severity: .error, code: "incomplete",
                    message: "the backport trailers do not go together: \(tally)"))
        } else if requireBackport && counts.allSatisfy({ $0 == 0 }) && !required.isEmpty {
            findings.append(
                Finding(
                    line: 1, severity: .error, code: "missing",
                    message: "no backport trailers (\(required.map { "\($0.key):" }.joined(separator: ", "))); a commit on a release branch is a backport (relkit backport adds them)"))
        }
        findings.sort { ($0.line, $0.code) < ($1.line, $1.code) }
        return Report(findings: findings, trailers: located)
    }

    /// `Backported-To: {target}` -> key and a pattern for the value, placeholders as captures.
    static func template(of line: String) -> Template? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let key = line[..<colon].trimmingSpaces()
        let value = line[line.index(after: colon)...].trimmingSpaces()
        var pattern = "^"
        var placeholders: [String] = []
        var rest = Substring(value)
        while !rest.isEmpty {
            if let placeholder = BackportPolicy.placeholders.first(where: { rest.hasPrefix($0) }) {
                pattern += "(.+?)"
                placeholders.append(placeholder)
                rest = rest.dropFirst(placeholder.count)
            } else {
                pattern += regexLiteral(rest.first!)
                rest = rest.dropFirst()
            }
        }
        guard let regex = try? Regex(pattern + "$").dotMatchesNewlines() else { return nil }
        return Template(key: key, valuePattern: regex, placeholders: placeholders)
    }

    /// A character as a literal in a regular expression: ASCII punctuation escaped.
    static func regexLiteral(_ character: Character) -> String {
        guard character.isASCII, character.isPunctuation || character.isSymbol else { return String(character) }
        return "\\" + String(character)
    }

    static func valueProblem(_ value: String, _ template: Template, _ scheme: (String) -> VersionScheme) -> String? {
        guard let match = value.firstMatch(of: template.valuePattern) else {
            return "'\(value)' does not have the configured form"
        }
        for (index, placeholder) in template.placeholders.enumerated() where index + 1 < match.output.count {
            guard let captured = match.output[index + 1].substring.map(String.init) else { continue }
            if let problem = placeholderProblem(captured, placeholder, scheme) { return problem }
        }
        return nil
    }

    static func placeholderProblem(_ value: String, _ placeholder: String, _ scheme: (String) -> VersionScheme) -> String? {
        // Commit ids as git writes them: lowercase.
        let isHex = value.utf8.allSatisfy { ASCII.isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        switch placeholder {
        case "{target}":
            do { _ = try ReleaseLine(parsing: value, scheme: scheme(value)) } catch { return error.message }
        case "{source}":
            if let reason = branchNameProblem(value) { return "'\(value)' is not a branch name: \(reason)" }
        case "{commit}":
            if !(isHex && (value.utf8.count == 40 || value.utf8.count == 64)) { return "'\(value)' is not a full commit id (40 or 64 lowercase hex digits)" }
        case "{short-commit}":
            if !(isHex && (4...64).contains(value.utf8.count)) { return "'\(value)' is not an abbreviated commit id (4 to 64 lowercase hex digits)" }
        case "{pr}":
            if value.isEmpty || !value.utf8.allSatisfy(ASCII.isDigit) { return "'\(value)' is not a pull request number" }
        default:
            break
        }
        return nil
    }

    /// git check-ref-format's rules for a branch name, in brief.
    static func branchNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.hasPrefix("-") { return "it starts with '-'" }
        if name.hasPrefix("/") || name.hasSuffix("/") || name.contains("//") { return "a '/' at the start, the end, or twice" }
        if name.contains("..") { return "it contains '..'" }
        if name.contains("@{") { return "it contains '@{'" }
        if name.hasSuffix(".") || name.hasSuffix(".lock") { return "it ends with '.' or '.lock'" }
        if let bad = name.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || " ~^:?*[\\".unicodeScalars.contains($0) }) {
            return "it contains \(bad == " " ? "a space" : "'\(bad.escaped(asASCII: true))'")"
        }
        if name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { return "a part starts with '.'" }
        return nil
    }
}
