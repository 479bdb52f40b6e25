import RelKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON document for `--format json`, written with JSONEncoder (not JSONSerialization, whose
/// `Any` documents need the Objective-C-compatible half of Foundation: see SystemCalls).
enum JSONValue: Encodable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .integer(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(elements, uniquingKeysWith: { $1 })) }
    init(nilLiteral: ()) { self = .null }

    /// A string, or null for nil.
    init(_ value: String?) { self = value.map(JSONValue.string) ?? .null }
    /// A number, or null for nil.
    init(_ value: Int?) { self = value.map(JSONValue.integer) ?? .null }
    /// true or false, or null for nil.
    init(_ value: Bool?) { self = value.map(JSONValue.bool) ?? .null }
    init(_ values: [String]) { self = .array(values.map(JSONValue.string)) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }

    /// The document as text: keys sorted, slashes as they are, indented unless `compact`. Every
    /// document relkit prints says which schema it follows (`schema`, 1 unless it says otherwise).
    func text(compact: Bool = false) -> String {
        var document = self
        if case .object(var members) = document, members["schema"] == nil {
            members["schema"] = .integer(JSONSchema.version)
            document = .object(members)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = compact ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers, booleans and null always encode.
        return String(decoding: try! encoder.encode(document), as: UTF8.self)
    }
}

/// The schema of relkit's JSON documents: keys in snake_case, a `schema` number in each.
enum JSONSchema {
    static let version = 1
}

/// An Encodable report as a document: its keys in snake_case, with `schema` beside them.
struct JSONDocument<Body: Encodable>: Encodable {
    let body: Body

    private enum Key: String, CodingKey { case schema }

    func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(JSONSchema.version, forKey: .schema)
    }
}

/// Prints an Encodable report as a JSON document (snake_case keys, `schema`).
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    Console.out(String(decoding: try encoder.encode(JSONDocument(body: value)), as: UTF8.self))
}

/// With `--format json`, an error is a JSON document on stdout too (the text stays on stderr):
/// a pipeline reading stdout gets a document whatever happened.
/// `{"schema": 1, "error": {"message": "...", "exit_code": 2}}`
func printJSONError(_ message: String, exitCode: Int32, arguments: [String]) {
    let options = arguments.prefix { $0 != "--" }
    let json = options.contains("--format=json") || zip(options, options.dropFirst()).contains { $0 == "--format" && $1 == "json" }
    guard json else { return }
    let text = message.hasPrefix("error: ") ? String(message.dropFirst("error: ".count)) : message
    Console.out(JSONValue.object(["error": ["message": JSONValue(text), "exit_code": .integer(Int(exitCode))]]).text())
}

// swift-format-ignore: UseSynthesizedInitializer
/// An optional property that a synthesized encoding writes as `null` when it has no value (it
/// would leave the key out), so that a document has the same keys whatever it holds.
@propertyWrapper
struct NullWhenAbsent<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    // Spelt out: the wrapped properties are initialized through `init(wrappedValue:)`, which the
    // compiler does not synthesize for a wrapper.
    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// A document whose one large member is a list, printed as it is made: the members in sorted key
/// order, each value written by `writePretty`, so that the text is the one `JSONValue.text()`
/// prints for the whole document, without the document, its encoding and its text in memory at
/// once, and without a JSONEncoder run per element (a backport audit of 30,000 commits: 0.3 s).
/// The caller gives the members in sorted order, `schema` among them.
struct StreamedJSONDocument {
    private var output: [UInt8] = Array("{".utf8)
    private var members = 0
    private var elements = 0

    /// `"key" : value` at the document's top level.
    mutating func member(_ key: String, _ value: JSONValue) {
        startMember(key)
        append(value, indent: 2)
    }

    /// `"key" : [`, then `element` for each value, then `endList`.
    mutating func startList(_ key: String) {
        startMember(key)
        output += Array("[".utf8)
        elements = 0
    }

    mutating func element(_ value: JSONValue) {
        output += Array((elements == 0 ? "\n    " : ",\n    ").utf8)
        elements += 1
        append(value, indent: 4)
        if output.count >= 1 << 16 { flush() }
    }

    mutating func endList() {
        // JSONEncoder writes an empty list as `[`, a blank line, `]`.
        output += Array((elements == 0 ? "\n\n  ]" : "\n  ]").utf8)
    }

    /// Ends the document and prints what is left of it.
    mutating func finish() {
        output += Array("\n}\n".utf8)
        flush()
    }

    private mutating func startMember(_ key: String) {
        output += Array((members == 0 ? "\n  " : ",\n  ").utf8)
        members += 1
        append(.string(key), indent: 0)
        output += Array(" : ".utf8)
    }

    private mutating func append(_ value: JSONValue, indent: Int) { value.writePretty(into: &output, indent: indent) }

    private mutating func flush() {
        SystemCalls.write(output, to: 1)
        output.removeAll(keepingCapacity: true)
    }
}

extension JSONValue {
    /// The value as JSONEncoder prints it with `.prettyPrinted, .sortedKeys, .withoutEscapingSlashes`
    /// (two-space indents, `"key" : value`, an empty list or object as its brackets around a blank
    /// line, control characters as `\b \f \n \r \t` or `\u00xx`), every line after the first
    /// indented by `indent`. ScaleHistoryTests holds it to JSONEncoder, byte for byte.
    func writePretty(into output: inout [UInt8], indent: Int) {
        func newline(_ depth: Int) {
            output.append(UInt8(ascii: "\n"))
            output += repeatElement(UInt8(ascii: " "), count: depth)
        }
        switch self {
        case .string(let text): Self.writeString(text, into: &output)
        case .integer(let number): output += Array(String(number).utf8)
        case .bool(let flag): output += Array((flag ? "true" : "false").utf8)
        case .null: output += Array("null".utf8)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            if values.isEmpty { output.append(UInt8(ascii: "\n")) }
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                value.writePretty(into: &output, indent: indent + 2)
            }
            newline(indent)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            if members.isEmpty { output.append(UInt8(ascii: "\n")) }
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                Self.writeString(key, into: &output)
                output += Array(" : ".utf8)
                members[key]!.writePretty(into: &output, indent: indent + 2)
            }
            newline(indent)
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: output += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: output += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case ..<0x20: output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
