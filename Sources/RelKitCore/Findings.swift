/// One problem `relkit check` reports. The JSON output is exactly these fields.
public struct Finding: Sendable, Equatable, Codable {
    /// How serious a finding is: an error fails `check`, a warning does not.
    public enum Severity: String, Sendable, Codable, Comparable {
        case error, warning
        /// Errors first.
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    /// A stable rule id (`version-invalid`, `group-mismatch`, ...).
    public var rule: String
    /// Error or warning.
    public var severity: Severity
    /// Repository-relative path; nil for findings about the repository (branches, tags).
    public var file: String?
    /// 1-based line, when the finding has one.
    public var line: Int?
    /// 1-based column, when the finding has one.
    public var column: Int?
    /// What is wrong, in one sentence.
    public var message: String
    /// The corrected text, when relkit knows it.
    public var suggestion: String?

    /// A finding; only the rule and the message are required.
    ///
    /// - Parameters:
    ///   - rule: the rule's id.
    ///   - severity: error or warning.
    ///   - file: the file, when there is one.
    ///   - line: the line, when there is one.
    ///   - column: the column, when there is one.
    ///   - message: what is wrong.
    ///   - suggestion: the corrected text.
    public init(
        rule: String, severity: Severity = .error, file: String? = nil, line: Int? = nil, column: Int? = nil,
        message: String, suggestion: String? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.suggestion = suggestion
    }

    /// Every rule, for documentation and `--help`.
    public static let rules: [(id: String, meaning: String)] = [
        ("version-invalid", "a configured version string is not valid for its scheme and form"),
        ("group-mismatch", "members of a group do not carry exactly the same version"),
        ("component-mismatch", "the files of one component do not carry the same version"),
        ("pin-form", "an internal requirement pin is not in PEP 440 form"),
        ("pin-mismatch", "an internal requirement pin does not match its group's version"),
        ("api-version", "the API version is not vN.yyyymmdd with a real date that is not in the future"),
        ("branch-line", "on a release branch X.Y the version is not of line X.Y"),
        ("dev-off-main", "a development version on a release branch"),
        ("head-tag", "HEAD is tagged with a release tag that differs from the version"),
        ("tag-mismatch", "a release tag differs from the version files at the commit it points to"),
        ("tag-unparsable", "a tag that is not a version of the scheme (warning)"),
        ("tag-spelling", "a release tag that is not spelled canonically (warning)"),
        ("tag-unverifiable", "the version files cannot be read at a tagged commit (warning)"),
        ("symlink-outside", "a version file is a symlink to a file outside the repository"),
        ("line-branch-missing", "a maintained release line of the registry ([[lines]]) has no branch, here or on the remote (warning)"),
        ("line-due", "a registered release line is past its time: relkit lines --retire drops it (warning)")
    ]
}

/// Sorted for output: by file (repository findings last), line, column, rule.
///
/// - Parameter findings: the findings.
/// - Returns: them, sorted.
public func sortedFindings(_ findings: [Finding]) -> [Finding] {
    findings.sorted { a, b in
        let left = (a.file ?? "\u{10FFFF}", a.line ?? 0, a.column ?? 0, a.rule, a.message)
        let right = (b.file ?? "\u{10FFFF}", b.line ?? 0, b.column ?? 0, b.rule, b.message)
        return left < right
    }
}

extension VersionScheme {
    /// Reads a configured version in its form: the value, or why it is not valid and the fix.
    ///
    /// - Parameters:
    ///   - text: the version as written.
    ///   - form: the scheme's spelling or PEP 440's.
    /// - Returns: the value when readable, the problem and the corrected text when not valid.
    public func check(_ text: String, form: VersionForm) -> (value: SchemeVersion?, problem: String?, suggestion: String?) {
        switch form {
        case .scheme:
            switch validate(text) {
            case .valid(let version): return (version, nil, nil)
            case .invalid(let problems, let suggestion):
                // Keep the value when it is readable at all, so that group agreement still works.
                let value = suggestion.flatMap { try? version(parsing: $0) }
                return (value, problems.map(\.message).joined(separator: "; "), suggestion)
            }
        case .pep440:
            let parsed: Version
            do { parsed = try Version(parsing: text) } catch { return (nil, "not a PEP 440 version: \(error.reason)", nil) }
            let value: SchemeVersion
            do { value = try version(from: parsed, spelled: text) } catch { return (nil, error.message, nil) }
            if parsed.description != text {
                return (value, "'\(text)' is written '\(parsed.description)' in PEP 440 form", parsed.description)
            }
            return (value, nil, nil)
        }
    }

    /// How a version is written in a form.
    ///
    /// - Parameters:
    ///   - version: the version.
    ///   - form: the spelling.
    /// - Returns: the text.
    public func spell(_ version: SchemeVersion, form: VersionForm) -> String {
        form == .scheme ? version.description : version.pep440.description
    }
}

/// A version read from a configured file, with its place.
public struct VersionOccurrence: Sendable, Equatable {
    /// The component the file belongs to.
    public var component: String
    /// The file, relative to the repository's root.
    public var file: String
    /// 1-based line of the version.
    public var line: Int
    /// 1-based column of the version.
    public var column: Int
    /// The version as written.
    public var text: String
    /// The spelling the file is configured for.
    public var form: VersionForm
    /// The value, when it could be read (even if badly spelled).
    public var value: SchemeVersion?

    /// A version found in a file, with its place.
    ///
    /// - Parameters:
    ///   - component: its component.
    ///   - file: the file.
    ///   - line: its line.
    ///   - column: its column.
    ///   - text: the version as written.
    ///   - form: the configured spelling.
    ///   - value: its value, when readable.
    public init(component: String, file: String, line: Int, column: Int, text: String, form: VersionForm, value: SchemeVersion?) {
        self.component = component
        self.file = file
        self.line = line
        self.column = column
        self.text = text
        self.form = form
        self.value = value
    }

    var place: String { "\(file):\(line)" }
}

/// The rules of `check` that compare versions with each other.
public enum CheckRules {
    /// The version most members carry (ties: the one listed first), and a finding for each member
    /// that carries another one, naming every file, line and value.
    ///
    /// - Parameters:
    ///   - occurrences: the versions read.
    ///   - unit: the group or component.
    ///   - isGroup: whether it is a group.
    /// - Returns: the agreed version and a finding for each disagreement.
    public static func agreement(of occurrences: [VersionOccurrence], unit: String, isGroup: Bool) -> (SchemeVersion?, [Finding]) {
        let readable = occurrences.filter { $0.value != nil }
        var counts: [(value: SchemeVersion, count: Int)] = []
        for occurrence in readable {
            if let index = counts.firstIndex(where: { $0.value == occurrence.value! }) { counts[index].count += 1 } else { counts.append((occurrence.value!, 1)) }
        }
        guard let highest = counts.map(\.count).max() else { return (nil, []) }
        let agreed = counts.first { $0.count == highest }!.value
        guard counts.count > 1 else { return (agreed, []) }
        let summary = counts.map { entry in
            "\(entry.value) (" + readable.filter { $0.value! == entry.value }.map(\.place).joined(separator: ", ") + ")"
        }.joined(separator: "; ")
        let findings = readable.filter { $0.value! != agreed }.map { occurrence in
            Finding(
                rule: isGroup ? "group-mismatch" : "component-mismatch", file: occurrence.file, line: occurrence.line,
                column: occurrence.column,
                message:
                    "\(isGroup ? "group" : "component") '\(unit)' disagrees: this file says \(occurrence.value!), but the \(isGroup ? "group" : "component")'s version is \(agreed) (the most common; all: \(summary))",
                suggestion: agreed.scheme.spell(agreed, form: occurrence.form))
        }
        return (agreed, findings)
    }

    /// `vN.yyyymmdd`: a real date, not after `today`.
    ///
    /// - Parameters:
    ///   - text: the API version.
    ///   - today: the day (UTC).
    /// - Returns: why it is not valid, or nil.
    public static func apiVersion(_ text: String, today: (year: Int, month: Int, day: Int)) -> String? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let major = parts.first?.dropFirst() ?? ""
        guard parts.count == 2, parts[0].hasPrefix("v"), !major.isEmpty, major.allSatisfy({ $0.isASCII && $0.isNumber }),
            parts[1].count == 8, parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
        else {
            return "API version '\(text.displayable())' is not vN.yyyymmdd (e.g. v8.20240315)"
        }
        let digits = Array(parts[1])
        let year = Int(String(digits[0..<4]))!
        let month = Int(String(digits[4..<6]))!
        let day = Int(String(digits[6..<8]))!
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else {
            return "API version '\(text)' has \(parts[1]), which is not a real date"
        }
        if (year, month, day) > today {
            return "API version '\(text)' is dated in the future (today is \(String(today.year))-\(String(today.month).leftPadded(to: 2))-\(String(today.day).leftPadded(to: 2)))"
        }
        return nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
