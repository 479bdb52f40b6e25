/// Small text helpers the commands need, in the core so that no layer reaches for Foundation's
/// NSString and CharacterSet (which would link Foundation's whole Objective-C-compatible half,
/// ICU included, into every relkit process: a slower start for every command).
extension StringProtocol {
    /// Without whitespace (line breaks included) at either end.
    public func trimmingSpaces() -> String { trimming { $0.isWhitespace } }

    /// Without line breaks at either end (a diff's leading spaces stay).
    public func trimmingNewlines() -> String { trimming { $0.isNewline } }

    private func trimming(_ drop: (Character) -> Bool) -> String {
        var slice = self[...]
        while let first = slice.first, drop(first) { slice.removeFirst() }
        while let last = slice.last, drop(last) { slice.removeLast() }
        return String(slice)
    }
}

/// Slash-separated paths, as git writes them.
public enum PathText {
    /// The last component: "a/b/c" -> "c", "a/b/" -> "b".
    ///
    /// - Parameter path: the path.
    /// - Returns: its last component.
    public static func lastComponent(_ path: String) -> String {
        // On bytes, without splitting the whole path: it runs once per file of a directory listing.
        let bytes = path.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: "/") { end = bytes.index(before: end) }
        guard end > bytes.startIndex else { return path.hasPrefix("/") ? "/" : "" }
        let start = bytes[..<end].lastIndex(of: UInt8(ascii: "/")).map { bytes.index(after: $0) } ?? bytes.startIndex
        return String(path[start..<end])
    }

    /// Without the last component: "a/b/c" -> "a/b", "c" -> "".
    ///
    /// - Parameter path: the path.
    /// - Returns: the path above it.
    public static func deletingLastComponent(_ path: String) -> String {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty else { return path.hasPrefix("/") ? "/" : "" }
        parts.removeLast()
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}

/// Numbers as printf would print them, without printf.
public enum NumberText {
    /// "1 file", "2 files", "0 files": a count with its noun in the right number.
    ///
    /// - Parameters:
    ///   - count: how many.
    ///   - noun: the noun, singular.
    ///   - plural: the plural, when not the noun with an `s`.
    /// - Returns: the text.
    public static func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
    }

    /// `value` with `digits` decimals, rounded half away from zero ("%.2f" for 3.14159 -> "3.14").
    ///
    /// - Parameters:
    ///   - value: the number.
    ///   - digits: how many decimals.
    /// - Returns: the text.
    public static func decimal(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return "\(value)" }
        let whole = Int64(scaled)
        let integer = whole / Int64(scale)
        let fraction = whole % Int64(scale)
        let sign = value < 0 && whole != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(integer) }
        let fractionText = String(fraction)
        return sign + String(integer) + "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }

    /// Uppercase hexadecimal with at least `width` digits ("%04X").
    ///
    /// - Parameters:
    ///   - value: the number.
    ///   - width: the fewest digits.
    /// - Returns: the text.
    public static func hexadecimal(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Text written as TOML: the configuration `relkit init` writes, sample keys and values shown.
public enum TOMLText {
    /// A basic string: backslash, quote and newline escaped.
    ///
    /// - Parameter text: the value.
    /// - Returns: the TOML string.
    public static func quoted(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n") + "\""
    }

    /// A bare key when it can be one (ASCII letters, digits, '-', '_'), else a quoted one.
    ///
    /// - Parameter name: the key.
    /// - Returns: the TOML key.
    public static func key(_ name: String) -> String {
        let bare = !name.isEmpty && name.utf8.allSatisfy { ASCII.isAlphanumeric($0) || $0 == ASCII.dash || $0 == ASCII.underscore }
        return bare ? name : quoted(name)
    }
}
