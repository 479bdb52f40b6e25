/// One thing wrong with how a version is written, for a scheme.
public struct SchemeProblem: Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier, for JSON and tests (`month-digits`, `dev-spelling`, ...).
    public var code: String
    /// What is wrong, in one sentence.
    public var message: String
    /// Whether relkit knows the corrected spelling for this part.
    public var fixable: Bool

    /// The message.
    public var description: String { message }
}

/// The verdict on a version string: its canonical value, or every problem and, when all of them
/// can be corrected, the corrected string.
public enum SchemeValidation: Sendable, Equatable {
    case valid(SchemeVersion)
    case invalid(problems: [SchemeProblem], suggestion: String?)

    /// Whether the version is valid.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

extension VersionScheme {
    /// Checks that `text` is exactly the canonical spelling this scheme wants in a tag, a branch's
    /// VERSION file or any scheme-form file. Reports every problem, not the first one.
    ///
    /// - Parameter text: the version as written.
    /// - Returns: the value, or every problem and the corrected spelling.
    public func validate(_ text: String) -> SchemeValidation {
        var copy = text
        return copy.withUTF8 { bytes in
            switch VersionSyntax.parse(bytes) {
            case .failure(let error):
                let parseError = VersionParseError(input: text, syntaxError: error, bytes: bytes)
                let code: String
                switch error.kind {
                case .empty: code = "empty"
                case .blank: code = "blank"
                default: code = "not-pep440"
                }
                let message = code == "not-pep440" ? "not a PEP 440 version: \(parseError.reason)" : parseError.reason
                return .invalid(problems: [SchemeProblem(code: code, message: message, fixable: false)], suggestion: nil)
            case .success(let syntax):
                return validate(syntax, in: bytes, text: text)
            }
        }
    }

    private func validate(_ syntax: VersionSyntax, in bytes: UnsafeBufferPointer<UInt8>, text: String) -> SchemeValidation {
        func raw(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        var problems: [SchemeProblem] = []
        func problem(_ code: String, _ message: String, fixable: Bool = true) {
            problems.append(SchemeProblem(code: code, message: message, fixable: fixable))
        }
        let version = Version(syntax: syntax, in: bytes)

        if syntax.trimmed.count != bytes.count { problem("whitespace", "has whitespace around it") }
        if syntax.hasVPrefix {
            problem("v-prefix", "starts with '\(raw(syntax.trimmed.lowerBound..<syntax.trimmed.lowerBound + 1))'; a version is written without it (a tag prefix is configured in [tags])")
        }
        if let epoch = syntax.epoch {
            problem("epoch", "has an epoch '\(raw(epoch))!', which \(name) does not use", fixable: version.epoch.isZero)
        }
        if let local = syntax.local {
            problem("local", "has a local label '+\(raw(local))', which \(name) does not use", fixable: false)
        }

        // The release numbers, as written.
        let components = raw(syntax.release).split(separator: ".").map(String.init)
        var year = 0
        var lineNumber = 0
        var patch = Natural.zero
        switch components.count {
        case 3:
            break
        case 2:
            problem("component-count", "has 2 release numbers; \(name) needs three (\(versionExample)): add the patch number '.0'")
        default:
            problem("component-count", "has \(components.count) release number\(components.count == 1 ? "" : "s"); \(name) needs three (\(versionExample))", fixable: false)
        }
        if components.count >= 2 {
            // Year: exactly two digits.
            let yearValue = version.release[0]
            if let value = yearValue.intValue, value < 100 {
                year = value
                if components[0].count > 2 {
                    problem("year-digits", "year '\(components[0])' must be two digits: '\(String(value).leftPadded(to: 2))'")
                } else if components[0].count < 2 {
                    // A one-digit year is more likely a different scheme than a missing zero.
                    problem("year-digits", "year '\(components[0])' must be two digits", fixable: false)
                }
            } else if let value = yearValue.intValue, (2000...2099).contains(value) {
                year = value - 2000
                problem("year-digits", "year '\(components[0])' must be two digits: '\(String(year).leftPadded(to: 2))'")
            } else {
                problem("year-range", "year '\(components[0])' is not a two-digit year", fixable: false)
            }
            // Month or sprint.
            let written = components[1]
            if let value = version.release[1].intValue, isValidLineNumber(value) {
                lineNumber = value
                let canonical = spell(lineNumber: value)
                if written != canonical {
                    problem(
                        lineStyle == .month ? "month-digits" : "sprint-digits",
                        lineStyle == .month
                            ? "month '\(written)' needs two digits: '\(canonical)'"
                            : "sprint '\(written)' is written without a leading zero: '\(canonical)'")
                }
            } else {
                problem(
                    lineStyle == .month ? "month-range" : "sprint-range",
                    lineStyle == .month
                        ? "month '\(written)' is not a month (01 to 12)"
                        : "sprint '\(written)' is not between 1 and 99", fixable: false)
            }
        }
        if components.count == 3 {
            patch = version.release[2]
            if components[2] != patch.description {
                problem("patch-digits", "patch '\(components[2])' has a leading zero: '\(patch)'")
            }
        }

        if let pre = syntax.pre, let kind = version.pre?.kind, let number = version.pre?.number {
            let canonical = "\(kind)\(number)"
            if raw(pre.span) != canonical { problem("pre-spelling", "pre-release '\(raw(pre.span))' is written '\(canonical)'") }
        }
        if let post = syntax.post, let number = version.post {
            if !allowsPost {
                problem("post-not-allowed", "post-release '\(raw(post.span))' is not allowed (set allow-post = true in [version] to allow it)", fixable: false)
            } else if raw(post.span) != ".post\(number)" {
                problem("post-spelling", "post-release '\(raw(post.span))' is written '.post\(number)'")
            }
        }
        if let dev = syntax.dev, let number = version.dev {
            if raw(dev.span) != ".dev\(number)" { problem("dev-spelling", "dev release '\(raw(dev.span))' is written '.dev\(number)'") }
        }

        guard problems.isEmpty else {
            var suggestion: String?
            if problems.allSatisfy(\.fixable), let line = try? ReleaseLine(scheme: self, year: year, number: lineNumber) {
                suggestion = SchemeVersion(line: line, patch: patch, pre: version.pre, post: version.post, dev: version.dev).description
            }
            return .invalid(problems: problems, suggestion: suggestion)
        }
        // Every part is canonical, so the line is in range.
        let line = try! ReleaseLine(scheme: self, year: year, number: lineNumber)
        return .valid(SchemeVersion(line: line, patch: patch, pre: version.pre, post: version.post, dev: version.dev))
    }
}

extension VersionScheme {
    /// Problems that only misspell a version of the scheme; anything else means another shape.
    static let spellingOnly: Set<String> = ["pre-spelling", "dev-spelling", "post-spelling", "patch-digits", "month-digits", "sprint-digits"]

    /// The version a tag's text names, if it is a release tag of this scheme: valid, or only misspelt
    /// (`23.09.8.rc1`). `v0.7.0` or `api-v2.20170315` are other tags. `canonical` says which.
    ///
    /// - Parameter text: the tag's text after its prefix.
    /// - Returns: the version and whether it is spelt canonically, or nil.
    public func releaseTagVersion(_ text: String) -> (version: SchemeVersion, canonical: Bool)? {
        switch validate(text) {
        case .valid(let version):
            return (version, true)
        case .invalid(let problems, let suggestion):
            guard let suggestion, problems.allSatisfy({ Self.spellingOnly.contains($0.code) }),
                case .valid(let version) = validate(suggestion)
            else { return nil }
            return (version, false)
        }
    }
}
