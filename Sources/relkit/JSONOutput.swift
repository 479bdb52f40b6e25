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
