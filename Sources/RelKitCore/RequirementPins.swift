/// A requirement on one of the monorepo's own packages, as written in a requirements file,
/// a `pyproject.toml` dependency array or `setup.cfg` (`backend.ai-common==24.3.1`).
public struct RequirementPin: Sendable, Equatable {
    /// The package name as written.
    public var package: String
    /// `==`, `~=`, `>=`, ...
    public var comparison: String
    /// The version as written.
    public var version: String
    /// 1-based line of the pin.
    public var line: Int
    /// Column of the version.
    public var column: Int
    /// Byte range of the version in the file.
    public var byteRange: Range<Int>
}

/// Finding pins of the monorepo's own packages in requirement files.
public enum RequirementScanner {
    static let comparisons = ["===", "==", "~=", "!=", "<=", ">=", "<", ">"]

    /// PEP 503: names compare lowercased, with runs of `-`, `_` and `.` as one `-`.
    ///
    /// - Parameter name: a package name.
    /// - Returns: its normalized form.
    public static func normalizedName(_ name: String) -> String {
        var result = ""
        var lastWasSeparator = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                if !lastWasSeparator { result.append("-") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }

    /// Whether a package name matches one of the patterns (`backend.ai-*`), PEP 503-normalized.
    ///
    /// - Parameters:
    ///   - name: a package name.
    ///   - patterns: name patterns.
    /// - Returns: whether one matches.
    public static func matches(_ name: String, patterns: [String]) -> Bool {
        let normalized = normalizedName(name)
        return patterns.contains { Glob(normalizedName($0)).matches(normalized) }
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        ASCII.isAlphanumeric(byte) || byte == ASCII.dot || byte == ASCII.dash || byte == ASCII.underscore
    }

    /// Every pin of a package matching `patterns` in the file. Comments (`#` before the name) are
    /// skipped; each specifier of a list (`>=24.3,<25`) is its own pin.
    ///
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - patterns: the packages' name patterns.
    /// - Returns: the pins, in file order.
    public static func pins(in bytes: [UInt8], packages patterns: [String]) -> [RequirementPin] {
        var pins: [RequirementPin] = []
        var lineStart = 0
        var lineNumber = 1
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            var index = lineStart
            let comment = bytes[lineStart..<lineEnd].firstIndex(of: UInt8(ascii: "#")) ?? lineEnd
            while index < comment {
                // A name starts where a name byte follows a non-name byte.
                guard ASCII.isAlphanumeric(bytes[index]), index == lineStart || !isNameByte(bytes[index - 1]) else {
                    index += 1
                    continue
                }
                var nameEnd = index
                while nameEnd < lineEnd && isNameByte(bytes[nameEnd]) { nameEnd += 1 }
                while nameEnd > index && !ASCII.isAlphanumeric(bytes[nameEnd - 1]) { nameEnd -= 1 }
                let name = String(decoding: bytes[index..<nameEnd], as: UTF8.self)
                var cursor = nameEnd
                defer { index = max(cursor, index + 1) }
                guard matches(name, patterns: patterns) else { continue }
                skipSpaces(bytes, &cursor, lineEnd)
                if cursor < lineEnd && bytes[cursor] == UInt8(ascii: "[") {
                    // Extras: name[extra1,extra2]
                    while cursor < lineEnd && bytes[cursor] != UInt8(ascii: "]") { cursor += 1 }
                    cursor += 1
                    skipSpaces(bytes, &cursor, lineEnd)
                }
                if cursor < lineEnd && bytes[cursor] == UInt8(ascii: "(") { cursor += 1 }
                // The specifier list.
                while cursor < lineEnd {
                    skipSpaces(bytes, &cursor, lineEnd)
                    guard let comparison = comparisons.first(where: { startsWith(bytes, cursor, lineEnd, $0) }) else { break }
                    cursor += comparison.utf8.count
                    skipSpaces(bytes, &cursor, lineEnd)
                    let versionStart = cursor
                    while cursor < lineEnd && (ASCII.isAlphanumeric(bytes[cursor]) || ".*+!-_".utf8.contains(bytes[cursor])) { cursor += 1 }
                    guard cursor > versionStart else { break }
                    let column = 1 + bytes[lineStart..<versionStart].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
                    pins.append(
                        RequirementPin(
                            package: name, comparison: comparison,
                            version: String(decoding: bytes[versionStart..<cursor], as: UTF8.self),
                            line: lineNumber, column: column, byteRange: versionStart..<cursor))
                    skipSpaces(bytes, &cursor, lineEnd)
                    guard cursor < lineEnd && bytes[cursor] == UInt8(ascii: ",") else { break }
                    cursor += 1
                }
            }
            lineStart = lineEnd + 1
            lineNumber += 1
        }
        return pins
    }

    static func skipSpaces(_ bytes: [UInt8], _ cursor: inout Int, _ end: Int) {
        while cursor < end && (bytes[cursor] == 0x20 || bytes[cursor] == 0x09) { cursor += 1 }
    }

    static func startsWith(_ bytes: [UInt8], _ at: Int, _ end: Int, _ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        return at + utf8.count <= end && bytes[at..<(at + utf8.count)].elementsEqual(utf8)
    }

    /// Checks a pin against the version its package is released at: the spelling must be PEP 440's
    /// normal form, and `==` / `===` pins must name that version; other comparisons must admit it.
    ///
    /// - Parameters:
    ///   - pin: the pin.
    ///   - expected: the version the package is released at.
    /// - Returns: the rule, message and fix, or nil when the pin is right.
    public static func check(_ pin: RequirementPin, against expected: SchemeVersion) -> (rule: String, message: String, suggestion: String?)? {
        let expectedText = expected.pep440.description
        let wildcard = pin.version.hasSuffix(".*") && (pin.comparison == "==" || pin.comparison == "!=")
        let versionText = wildcard ? String(pin.version.dropLast(2)) : pin.version
        guard let written = try? Version(parsing: versionText) else {
            return ("pin-form", "\(pin.package)\(pin.comparison)\(pin.version) does not pin a PEP 440 version", nil)
        }
        if written.description != versionText {
            let fixed = written.description + (wildcard ? ".*" : "")
            let suggestion = pin.comparison == "==" && !wildcard && written != expected.pep440 ? expectedText : fixed
            return ("pin-form", "\(pin.package)\(pin.comparison)\(pin.version) is not in PEP 440 form: write \(pin.package)\(pin.comparison)\(fixed)", suggestion)
        }
        let admits: Bool
        let actual = expected.pep440
        switch pin.comparison {
        case "==", "===":
            if wildcard {
                admits = actual.release.count >= written.release.count && Array(actual.release.prefix(written.release.count)) == written.release
            } else {
                admits = actual == written && (pin.comparison == "==" || actual.description == written.description)
            }
        case "!=": admits = wildcard ? !(Array(actual.release.prefix(written.release.count)) == written.release) : actual != written
        case ">=": admits = actual >= written
        case "<=": admits = actual <= written
        case ">": admits = actual > written
        case "<": admits = actual < written
        case "~=":
            // Compatible release: >= written, and the same release prefix but for its last number.
            let prefix = written.release.dropLast()
            admits = !prefix.isEmpty && actual >= written && Array(actual.release.prefix(prefix.count)) == Array(prefix)
        default: admits = true
        }
        guard admits else {
            let exact = pin.comparison == "==" || pin.comparison == "==="
            return (
                "pin-mismatch", "\(pin.package)\(pin.comparison)\(pin.version) does not \(exact ? "match" : "admit") the version \(expectedText)",
                exact ? expectedText : nil
            )
        }
        return nil
    }
}
