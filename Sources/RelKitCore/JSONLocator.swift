/// Reads one value of a JSON document by key path, with its line and column, so that a finding can
/// point at it (`info.version` in an OpenAPI document, `version` in `package.json`).
public enum JSONLocator {
    /// A value found, with its place.
    public struct Located: Sendable, Equatable {
        /// The string's value, or the literal text of a number, `true`, `false` or `null`.
        public let value: String
        /// Whether the value is a JSON string.
        public let isString: Bool
        /// Where the value starts (a string's opening quote).
        public let location: SourceLocation
        /// Byte range of the value in the document, quotes included for a string.
        public let byteRange: Range<Int>
    }

    /// Why no value was found.
    public enum Failure: Error, Sendable, Equatable {
        case syntax(message: String, line: Int, column: Int)
        case missing(key: String)
        case notAScalar(key: String)
    }

    /// The value at `path` (object keys; array indexes as decimal strings).
    ///
    /// - Parameters:
    ///   - path: the keys and indexes.
    ///   - bytes: the document.
    /// - Returns: the value and its place.
    /// - Throws: `Failure` for a syntax error or a missing key.
    public static func locate(_ path: [String], in bytes: [UInt8]) throws(Failure) -> Located {
        var scanner = Scanner(bytes: bytes)
        scanner.skipBOM()
        return try scanner.find(path)
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var lineStart = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipBOM() {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                index = 3
                lineStart = 3
            }
        }

        var column: Int { 1 + bytes[lineStart..<index].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } }

        func fail(_ message: String) -> Failure { .syntax(message: message, line: line, column: column) }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x0A:
                    line += 1
                    index += 1
                    lineStart = index
                case 0x20, 0x09, 0x0D: index += 1
                default: return
                }
            }
        }

        /// Walks the whole document (so that a syntax error anywhere is reported) and returns the
        /// value at `path`.
        mutating func find(_ path: [String]) throws(Failure) -> Located {
            var found: Located?
            var notScalar = false
            try value(at: [], target: path, found: &found, notScalar: &notScalar)
            skipSpace()
            if index < bytes.count { throw fail("unexpected text after the JSON document") }
            if let found { return found }
            let key = path.joined(separator: ".")
            throw notScalar ? .notAScalar(key: key) : .missing(key: key)
        }

        mutating func value(at current: [String], target: [String], found: inout Located?, notScalar: inout Bool) throws(Failure) {
            skipSpace()
            guard index < bytes.count else { throw fail("the document ends where a value is expected") }
            let startLine = line
            let startColumn = column
            let start = index
            switch bytes[index] {
            case UInt8(ascii: "{"):
                if current == target { notScalar = true }
                index += 1
                skipSpace()
                if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return
                }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                    let key = try string()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                    index += 1
                    try value(at: current + [key], target: target, found: &found, notScalar: &notScalar)
                    skipSpace()
                    guard index < bytes.count else { throw fail("the document ends inside an object") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    if bytes[index] == UInt8(ascii: "}") {
                        index += 1
                        return
                    }
                    throw fail("expected ',' or '}' in an object")
                }
            case UInt8(ascii: "["):
                if current == target { notScalar = true }
                index += 1
                skipSpace()
                if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                var position = 0
                while true {
                    try value(at: current + [String(position)], target: target, found: &found, notScalar: &notScalar)
                    position += 1
                    skipSpace()
                    guard index < bytes.count else { throw fail("the document ends inside an array") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    if bytes[index] == UInt8(ascii: "]") {
                        index += 1
                        return
                    }
                    throw fail("expected ',' or ']' in an array")
                }
            case UInt8(ascii: "\""):
                let text = try string()
                if current == target && found == nil {
                    found = Located(value: text, isString: true, location: SourceLocation(line: startLine, column: startColumn), byteRange: start..<index)
                }
            default:
                while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
                let literal = String(decoding: bytes[start..<index], as: UTF8.self)
                let isNumber = literal.first.map { $0 == "-" || $0.isNumber } ?? false
                guard ["true", "false", "null"].contains(literal) || (isNumber && Double(literal) != nil) else {
                    index = start
                    throw fail("unexpected '\(literal.prefix(20))'")
                }
                if current == target && found == nil {
                    found = Located(value: literal, isString: false, location: SourceLocation(line: startLine, column: startColumn), byteRange: start..<index)
                }
            }
        }

        /// A string at `index` (on its opening quote); returns its decoded value.
        mutating func string() throws(Failure) -> String {
            index += 1
            var decoded: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: decoded, as: UTF8.self)
                }
                if byte < 0x20 { throw fail("a control character inside a string") }
                index += 1
                guard byte == UInt8(ascii: "\\") else {
                    decoded.append(byte)
                    continue
                }
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    // A surrogate pair spells one character above U+FFFF.
                    if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count,
                        bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low &- 0xDC00)
                    }
                    decoded.append(contentsOf: String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8)
                default:
                    throw fail("a bad escape '\\\(Unicode.Scalar(escape))' inside a string")
                }
            }
            throw fail("a string is not closed")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else {
                throw fail("a bad \\u escape")
            }
            index += 4
            return code
        }
    }
}
