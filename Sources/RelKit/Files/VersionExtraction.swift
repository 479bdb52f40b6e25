import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A version string found in a file: its text, where it is, and its exact bytes (so that it can
/// be replaced without touching anything else of the file).
public struct ExtractedVersion: Sendable, Equatable {
    /// The version as written.
    public let text: String
    /// 1-based line.
    public let line: Int
    /// 1-based column.
    public let column: Int
    /// The version's bytes in the file.
    public let byteRange: Range<Int>
}

/// Why the version could not be read where the configuration says it is: a kind to match on,
/// rendered to words once, in `description`.
public enum ExtractionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The version's bytes at `line` are not UTF-8 (`detail` says which byte).
    case versionNotUTF8(line: Int, detail: String)
    /// The file is not UTF-8 text.
    case fileNotUTF8
    /// No line holds the pattern.
    case patternNotFound(prefix: String, suffix: String)
    /// The file is not valid in `format` (JSON, TOML); `at` where, when the parser says.
    case syntax(format: String, message: String, at: SourceLocation?)
    /// The key is not in the file.
    case keyMissing(format: String, key: String)
    /// The key's value is not a string (`found` says what it is).
    case notAString(format: String, key: String, found: String)
    /// The TOML key's string is not written where relkit can find its bytes.
    case notLocatable(key: String)

    /// What is wrong.
    public var description: String {
        switch self {
        case .versionNotUTF8(let line, let detail): return "the version at line \(line) is not UTF-8 text: \(detail)"
        case .fileNotUTF8: return "not UTF-8 text"
        case .patternNotFound(let prefix, let suffix): return "no line matches the pattern '\(prefix){version}\(suffix)'"
        case .syntax(let format, let message, let location):
            return "not valid \(format): \(message)" + (location.map { " at \($0.line):\($0.column)" } ?? "")
        case .keyMissing(let format, let key): return "\(format) key \(key) is not in the file"
        case .notAString(let format, let key, let found): return "\(format) key \(key) is \(found), not a string"
        case .notLocatable(let key): return "TOML key \(key) is written in a way relkit cannot locate (use a plain \"...\" string on the key's line)"
        }
    }

    /// What is wrong (the description).
    public var message: String { description }
}

/// Finds the version in a file by its locator.
public enum VersionExtractor {
    /// Every occurrence of the version in `bytes` according to `locator`.
    ///
    /// - Parameters:
    ///   - locator: where in the file.
    ///   - bytes: the file's bytes.
    /// - Returns: each version found, with its place.
    /// - Throws: `ExtractionError` when none can be found.
    public static func extract(_ locator: VersionLocator, from bytes: [UInt8]) throws(ExtractionError) -> [ExtractedVersion] {
        let found: [ExtractedVersion]
        switch locator {
        case .wholeFile: found = [wholeFile(bytes)]
        case .pattern(let prefix, let suffix): found = try pattern(prefix: Array(prefix.utf8), suffix: Array(suffix.utf8), in: bytes)
        case .jsonKey(let path): found = [try json(path, in: bytes)]
        case .tomlKey(let path): found = [try toml(path, in: bytes)]
        }
        // A version is text: bytes that are not UTF-8 (a binary or UTF-16 file) are named as such,
        // not shown as replacement characters.
        for version in found {
            let range = bytes[version.byteRange]
            if let invalid = UTF8Check.firstInvalidOffset(in: range) {
                let detail = UTF8Check.describe(bytes, invalidAt: version.byteRange.lowerBound + invalid)
                throw .versionNotUTF8(line: version.line, detail: detail)
            }
        }
        return found
    }

    static func bomLength(_ bytes: [UInt8]) -> Int { bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0 }

    /// The whole file but its final line break (and a UTF-8 byte order mark).
    static func wholeFile(_ bytes: [UInt8]) -> ExtractedVersion {
        let start = bomLength(bytes)
        var end = bytes.count
        if end > start && bytes[end - 1] == 0x0A { end -= 1 }
        if end > start && bytes[end - 1] == 0x0D { end -= 1 }
        return ExtractedVersion(text: String(decoding: bytes[start..<end], as: UTF8.self), line: 1, column: 1, byteRange: start..<end)
    }

    /// Each line holding `prefix`, the version, then `suffix` (or the end of the line).
    static func pattern(prefix: [UInt8], suffix: [UInt8], in bytes: [UInt8]) throws(ExtractionError) -> [ExtractedVersion] {
        var found: [ExtractedVersion] = []
        var lineStart = bomLength(bytes)
        var lineNumber = 1
        while lineStart <= bytes.count {
            var lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            let nextLine = lineEnd + 1
            if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = bytes[lineStart..<lineEnd]
            if let prefixAt = prefix.isEmpty ? lineStart : firstIndex(of: prefix, in: line) {
                let valueStart = prefixAt + prefix.count
                var valueEnd: Int?
                if suffix.isEmpty {
                    var end = lineEnd
                    while end > valueStart && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
                    valueEnd = end
                } else {
                    valueEnd = firstIndex(of: suffix, in: bytes[valueStart..<lineEnd])
                }
                if let valueEnd, valueEnd >= valueStart {
                    let column = 1 + bytes[lineStart..<valueStart].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
                    found.append(
                        ExtractedVersion(
                            text: String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self),
                            line: lineNumber, column: column, byteRange: valueStart..<valueEnd))
                }
            }
            lineStart = nextLine
            lineNumber += 1
        }
        guard !found.isEmpty else {
            throw .patternNotFound(prefix: String(decoding: prefix, as: UTF8.self), suffix: String(decoding: suffix, as: UTF8.self))
        }
        return found
    }

    static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    static func json(_ path: [String], in bytes: [UInt8]) throws(ExtractionError) -> ExtractedVersion {
        let key = path.joined(separator: ".")
        let located: JSONLocator.Located
        do {
            located = try JSONLocator.locate(path, in: bytes)
        } catch {
            switch error {
            case .syntax(let message, let line, let column): throw .syntax(format: "JSON", message: message, at: SourceLocation(line: line, column: column))
            case .missing: throw .keyMissing(format: "JSON", key: key)
            case .notAScalar: throw .notAString(format: "JSON", key: key, found: "an object or array")
            }
        }
        guard located.isString else { throw .notAString(format: "JSON", key: key, found: located.value) }
        // The bytes between the quotes; the text equals them unless it has escapes.
        let inner = (located.byteRange.lowerBound + 1)..<(located.byteRange.upperBound - 1)
        return ExtractedVersion(text: located.value, line: located.location.line, column: located.location.column + 1, byteRange: inner)
    }

    static func toml(_ path: [String], in bytes: [UInt8]) throws(ExtractionError) -> ExtractedVersion {
        let key = path.joined(separator: ".")
        guard let text = String(validating: bytes[bomLength(bytes)...], as: UTF8.self) else {
            throw .fileNotUTF8
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(format: "TOML", message: error.description, at: SourceLocation(line: error.source.begin.line, column: error.source.begin.column))
        } catch {
            throw .syntax(format: "TOML", message: "\(error)", at: nil)
        }
        var value: TOMLValueConvertible? = table
        for part in path { value = value?.table?[part] }
        guard let value else { throw .keyMissing(format: "TOML", key: key) }
        guard let string = value.string else { throw .notAString(format: "TOML", key: key, found: "a \(value.type)") }
        // Find the written string: on the key's line, after '=' (TOMLKit gives no positions).
        let position = TOMLSourceMap(text: text).position(of: path)
        if let range = stringLiteralRange(afterKeyOnLine: position.line, in: bytes), String(decoding: bytes[range], as: UTF8.self) == string {
            let lineStart = lineStartOffset(position.line, in: bytes)
            let column = 1 + bytes[lineStart..<range.lowerBound].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            return ExtractedVersion(text: string, line: position.line, column: column, byteRange: range)
        }
        throw .notLocatable(key: key)
    }

    static func lineStartOffset(_ line: Int, in bytes: [UInt8]) -> Int {
        var current = 1
        var offset = 0
        while current < line, let newline = bytes[offset...].firstIndex(of: 0x0A) {
            offset = newline + 1
            current += 1
        }
        return offset
    }

    /// The contents of the first basic or literal string after `=` on a line.
    static func stringLiteralRange(afterKeyOnLine line: Int, in bytes: [UInt8]) -> Range<Int>? {
        let start = lineStartOffset(line, in: bytes)
        let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        guard let equals = bytes[start..<end].firstIndex(of: UInt8(ascii: "=")) else { return nil }
        var index = equals + 1
        while index < end && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        guard index < end, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { return nil }
        let quote = bytes[index]
        guard let close = bytes[(index + 1)..<end].firstIndex(of: quote) else { return nil }
        return (index + 1)..<close
    }
}
