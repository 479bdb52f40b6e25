import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where each key of a TOML document is written, so that a configuration error can name
/// `file:line:column` (TOMLKit reports positions for syntax errors only).
///
/// Paths are the keys from the root: `["version", "scheme"]`. Arrays of tables add the element's
/// index as `"#0"`, `"#1"` ...; inline tables and arrays of inline tables on one line are followed too.
struct TOMLSourceMap {
    private(set) var positions: [[String]: SourceLocation] = [:]

    init(text: String) {
        var table: [String] = []
        var arrayCounts: [[String]: Int] = [:]
        var multilineDelimiter: Substring?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if let delimiter = multilineDelimiter {
                if line.contains(delimiter) { multilineDelimiter = nil }
                continue
            }
            let chars = Array(line.unicodeScalars)
            var cursor = 0
            while cursor < chars.count, chars[cursor] == " " || chars[cursor] == "\t" { cursor += 1 }
            guard cursor < chars.count, chars[cursor] != "#" else { continue }
            if chars[cursor] == "[" {
                let isArray = cursor + 1 < chars.count && chars[cursor + 1] == "["
                let keyStart = cursor + (isArray ? 2 : 1)
                let (keys, _) = Self.readKeys(chars, from: keyStart, until: "]")
                if isArray {
                    let count = arrayCounts[keys, default: 0]
                    arrayCounts[keys] = count + 1
                    table = keys + ["#\(count)"]
                } else {
                    table = keys
                }
                record(table, SourceLocation(line: lineNumber, column: keyStart + 1))
                continue
            }
            scanAssignments(chars, from: cursor, prefix: table, line: lineNumber)
            for delimiter in ["\"\"\"", "'''"] where line.components(separatedBy: delimiter).count == 2 {
                multilineDelimiter = Substring(delimiter)
            }
        }
    }

    /// The position of `path`, or of the nearest enclosing key that is written down.
    func position(of path: [String]) -> SourceLocation {
        var path = path
        while !path.isEmpty {
            if let position = positions[path] { return position }
            path.removeLast()
        }
        return SourceLocation(line: 1, column: 1)
    }

    private mutating func record(_ path: [String], _ position: SourceLocation) {
        if positions[path] == nil { positions[path] = position }
    }

    /// Reads `key = value` pairs from `start`, descending into inline tables and arrays.
    private mutating func scanAssignments(_ chars: [Unicode.Scalar], from start: Int, prefix: [String], line: Int) {
        var cursor = start
        let (keys, afterKeys) = Self.readKeys(chars, from: cursor, until: "=")
        guard !keys.isEmpty, afterKeys < chars.count, chars[afterKeys] == "=" else { return }
        let path = prefix + keys
        record(path, SourceLocation(line: line, column: cursor + 1))
        cursor = afterKeys + 1
        scanValue(chars, &cursor, path: path, line: line)
    }

    private mutating func scanValue(_ chars: [Unicode.Scalar], _ cursor: inout Int, path: [String], line: Int) {
        Self.skipSpaces(chars, &cursor)
        guard cursor < chars.count else { return }
        switch chars[cursor] {
        case "{":
            cursor += 1
            while cursor < chars.count {
                Self.skipSpaces(chars, &cursor)
                if cursor >= chars.count || chars[cursor] == "}" {
                    cursor += 1
                    return
                }
                if chars[cursor] == "," {
                    cursor += 1
                    continue
                }
                let keyStart = cursor
                let (keys, afterKeys) = Self.readKeys(chars, from: cursor, until: "=")
                guard !keys.isEmpty, afterKeys < chars.count, chars[afterKeys] == "=" else { return }
                record(path + keys, SourceLocation(line: line, column: keyStart + 1))
                cursor = afterKeys + 1
                scanValue(chars, &cursor, path: path + keys, line: line)
            }
        case "[":
            cursor += 1
            var element = 0
            while cursor < chars.count {
                Self.skipSpaces(chars, &cursor)
                if cursor >= chars.count || chars[cursor] == "]" {
                    cursor += 1
                    return
                }
                if chars[cursor] == "," {
                    cursor += 1
                    element += 1
                    continue
                }
                record(path + ["#\(element)"], SourceLocation(line: line, column: cursor + 1))
                let before = cursor
                scanValue(chars, &cursor, path: path + ["#\(element)"], line: line)
                // A line this scanner misreads (a value continued from another line, found by
                // fuzzing: a '}' inside an array) must not stop it from moving on.
                if cursor == before { cursor += 1 }
            }
        case "\"", "'":
            let quote = chars[cursor]
            cursor += 1
            while cursor < chars.count && chars[cursor] != quote {
                if quote == "\"" && chars[cursor] == "\\" { cursor += 1 }
                cursor += 1
            }
            cursor += 1
        default:
            while cursor < chars.count && !",]}".unicodeScalars.contains(chars[cursor]) { cursor += 1 }
        }
    }

    private static func skipSpaces(_ chars: [Unicode.Scalar], _ cursor: inout Int) {
        while cursor < chars.count && (chars[cursor] == " " || chars[cursor] == "\t") { cursor += 1 }
    }

    /// Reads a dotted key (bare or quoted parts) up to `terminator`; returns the parts and the
    /// position of the terminator.
    private static func readKeys(_ chars: [Unicode.Scalar], from start: Int, until terminator: Unicode.Scalar) -> ([String], Int) {
        var keys: [String] = []
        var current = ""
        var cursor = start
        while cursor < chars.count {
            let char = chars[cursor]
            if char == "\"" || char == "'" {
                cursor += 1
                while cursor < chars.count && chars[cursor] != char {
                    if char == "\"" && chars[cursor] == "\\" && cursor + 1 < chars.count { cursor += 1 }
                    current.unicodeScalars.append(chars[cursor])
                    cursor += 1
                }
                cursor += 1
                continue
            }
            if char == terminator { break }
            if char == "." {
                keys.append(current)
                current = ""
            } else if char != " " && char != "\t" {
                current.unicodeScalars.append(char)
            }
            cursor += 1
        }
        keys.append(current)
        return (keys.contains(where: \.isEmpty) ? [] : keys, cursor)
    }
}
