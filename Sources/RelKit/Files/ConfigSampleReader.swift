import GitKit
import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Configuration samples as key paths and values: TOML through TOMLKit, JSON through JSONDecoder.
enum ConfigSampleReader {
    static func leaves(of bytes: [UInt8], file: String) throws(Upgrade.FileProblem) -> [ConfigLeaf] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Upgrade.FileProblem(message: "not UTF-8 text") }
        if file.lowercased().hasSuffix(".json") {
            do {
                let node = try JSONDecoder().decode(JSONNode.self, from: Data(bytes))
                var result: [ConfigLeaf] = []
                node.flatten(into: &result, path: [])
                return result
            } catch {
                throw Upgrade.FileProblem(message: "not valid JSON: \(error)")
            }
        }
        let table: TOMLTable
        do { table = try TOMLParsing.table(text) } catch { throw Upgrade.FileProblem(line: error.location.line, message: error.message) }
        var result: [ConfigLeaf] = []
        flatten(table, path: [], into: &result)
        return result
    }

    static func flatten(_ table: TOMLTable, path: [String], into result: inout [ConfigLeaf]) {
        for key in table.keys {
            guard let value = table[key] else { continue }
            if let nested = value.table {
                flatten(nested, path: path + [key], into: &result)
            } else {
                result.append(ConfigLeaf(path: path + [key], value: render(value)))
            }
        }
    }

    static func render(_ value: TOMLValueConvertible) -> String {
        if let string = value.string { return TOMLText.quoted(string) }
        if let array = value.array { return "[" + array.map { render($0) }.joined(separator: ", ") + "]" }
        if let table = value.table {
            return "{ " + table.keys.sorted().compactMap { key in table[key].map { "\(key) = \(render($0))" } }.joined(separator: ", ") + " }"
        }
        return value.debugDescription
    }

    /// A JSON document as decoded: objects' keys are sorted when flattened.
    enum JSONNode: Decodable {
        case object([String: JSONNode])
        case array([JSONNode])
        case scalar(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .scalar("null")
            } else if let value = try? container.decode(Bool.self) {
                self = .scalar(value ? "true" : "false")
            } else if let value = try? container.decode(Int.self) {
                self = .scalar(String(value))
            } else if let value = try? container.decode(Double.self) {
                self = .scalar(String(value))
            } else if let value = try? container.decode(String.self) {
                self = .scalar(TOMLText.quoted(value))
            } else if let value = try? container.decode([JSONNode].self) {
                self = .array(value)
            } else {
                self = .object(try container.decode([String: JSONNode].self))
            }
        }

        var rendered: String {
            switch self {
            case .scalar(let text): return text
            case .array(let items): return "[" + items.map(\.rendered).joined(separator: ", ") + "]"
            case .object(let members): return "{ " + members.keys.sorted().map { "\($0) = \(members[$0]!.rendered)" }.joined(separator: ", ") + " }"
            }
        }

        func flatten(into result: inout [ConfigLeaf], path: [String]) {
            if case .object(let members) = self {
                for key in members.keys.sorted() { members[key]!.flatten(into: &result, path: path + [key]) }
            } else if !path.isEmpty {
                result.append(ConfigLeaf(path: path, value: rendered))
            }
        }
    }
}
