internal import CYAML
import RelKitCore

/// A node of a YAML document, as libyaml parses it, with anchors and aliases resolved: an alias
/// is the node its anchor names (a shared value, never copied out, so an alias bomb stays small).
public indirect enum YAMLNode: Sendable {
    /// A scalar: its text as written (quotes removed, escapes applied), whether it was plain
    /// (unquoted, so `null`, `~` and the empty text mean nothing), and its 1-based line.
    case scalar(String, plain: Bool, line: Int)
    /// A sequence and the line it starts on.
    case sequence([YAMLNode], line: Int)
    /// A mapping's entries in the order written, and the line it starts on.
    case mapping([(key: YAMLNode, value: YAMLNode)], line: Int)

    /// The 1-based line the node starts on.
    public var line: Int {
        switch self {
        case .scalar(_, _, let line), .sequence(_, let line), .mapping(_, let line): return line
        }
    }

    /// The text of a scalar that is not null; nil for null, a sequence or a mapping.
    public var text: String? {
        guard case .scalar(let text, let plain, _) = self else { return nil }
        return plain && ["", "~", "null", "Null", "NULL"].contains(text) ? nil : text
    }

    /// Whether the node is YAML's null (a plain `null`, `~` or nothing).
    public var isNull: Bool {
        guard case .scalar(_, true, _) = self else { return false }
        return text == nil
    }

    /// A mapping's value for `key`, looking through merge keys (`<<: *base`, `<<: [*a, *b]`) as
    /// YAML's merge type says: a key written in the mapping wins over a merged one, and of merged
    /// mappings the earlier wins. nil when the node is no mapping or has no such key.
    ///
    /// - Parameter key: the key's text.
    /// - Returns: the value.
    public subscript(key: String) -> YAMLNode? {
        lookup(key, depth: 0)
    }

    /// A mapping's keys (merged ones included, each once, in order of first appearance).
    public var keys: [String] {
        var seen = Set<String>()
        var result: [String] = []
        collectKeys(into: &result, seen: &seen, depth: 0)
        return result
    }

    private func lookup(_ key: String, depth: Int) -> YAMLNode? {
        guard case .mapping(let entries, _) = self, depth < YAMLDocument.maximumDepth else { return nil }
        if let entry = entries.first(where: { $0.key.isKey(key) }) { return entry.value }
        for merged in mergedMappings(entries) {
            if let value = merged.lookup(key, depth: depth + 1) { return value }
        }
        return nil
    }

    private func collectKeys(into result: inout [String], seen: inout Set<String>, depth: Int) {
        guard case .mapping(let entries, _) = self, depth < YAMLDocument.maximumDepth else { return }
        for entry in entries where !entry.key.isMergeKey {
            if case .scalar(let text, _, _) = entry.key, seen.insert(text).inserted { result.append(text) }
        }
        for merged in mergedMappings(entries) { merged.collectKeys(into: &result, seen: &seen, depth: depth + 1) }
    }

    /// The mappings a `<<` entry merges in, in order.
    private func mergedMappings(_ entries: [(key: YAMLNode, value: YAMLNode)]) -> [YAMLNode] {
        guard let merge = entries.first(where: { $0.key.isMergeKey })?.value else { return [] }
        switch merge {
        case .mapping: return [merge]
        case .sequence(let items, _): return items.filter { if case .mapping = $0 { return true } else { return false } }
        case .scalar: return []
        }
    }

    private var isMergeKey: Bool {
        if case .scalar("<<", true, _) = self { return true }
        return false
    }

    private func isKey(_ key: String) -> Bool {
        if case .scalar(let text, let plain, _) = self { return text == key && !(plain && text == "<<") }
        return false
    }
}

/// Why a YAML document cannot be read: libyaml's words and where.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where (1-based line and column).
    public let location: SourceLocation
    /// What is wrong, in libyaml's words (`did not find expected key while parsing a block mapping`).
    public let problem: String

    /// The problem at its line and column.
    public var description: String { "line \(location.line), column \(location.column): \(problem)" }
}

/// The first document of a YAML stream, parsed by libyaml (YAML 1.1, as compose reads it).
public enum YAMLDocument {
    /// Deeper nesting is refused: releasing a tree nested without bound recurses as deep.
    static let maximumDepth = 512

    /// The first document's root; nil for a stream with no document (an empty file).
    ///
    /// - Parameter bytes: the document's bytes (UTF-8, UTF-16 with a byte-order mark).
    /// - Returns: the root node, or nil.
    /// - Throws: `YAMLError` where libyaml stops, or where an alias names no anchor or nesting
    ///   goes deeper than 512.
    public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> YAMLNode? {
        var parser = yaml_parser_t()
        // yaml_parser_initialize fails only when it cannot allocate its buffers.
        guard yaml_parser_initialize(&parser) == 1 else { throw YAMLError(location: SourceLocation(line: 1, column: 1), problem: "out of memory") }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { buffer throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, buffer.count)
            var builder = TreeBuilder()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw parserError(parser, buffer) }
                defer { yaml_event_delete(&event) }
                if let root = try builder.take(event) { return root }
                if event.type == YAML_STREAM_END_EVENT { return nil }
            }
        }
    }

    private static func parserError(_ parser: yaml_parser_t, _ input: UnsafeBufferPointer<UInt8>) -> YAMLError {
        var problem = parser.problem.map { String(cString: $0) } ?? "cannot be parsed"
        if let context = parser.context.map({ String(cString: $0) }) { problem += " \(context)" }
        // libyaml's marks count characters, not bytes.
        let characters = input.reduce(0) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        var mark = parser.problem_mark
        // libyaml says "found character that cannot start any token" of a tab; say which.
        if let offset = byteOffset(ofCharacter: mark.index, in: input), input[offset] == 0x09 { problem += " (a tab; YAML indents with spaces)" }
        if mark.index >= characters {
            // At the end of the input: where the unfinished thing began says more ("while
            // scanning a simple key", "while parsing a flow node").
            if parser.context != nil { mark = parser.context_mark }
        }
        // libyaml ends an input without a final line break with one of its own, a line the file
        // does not have: an error there is on the last line.
        let line = min(Int(mark.line) + 1, lineCount(input))
        return YAMLError(location: SourceLocation(line: line, column: Int(mark.column) + 1), problem: problem)
    }

    /// The byte where the `index`th character starts (UTF-8), or nil past the end.
    private static func byteOffset(ofCharacter index: Int, in input: UnsafeBufferPointer<UInt8>) -> Int? {
        var seen = -1
        for offset in input.indices where input[offset] & 0xC0 != 0x80 {
            seen += 1
            if seen == index { return offset }
        }
        return nil
    }

    /// Lines as YAML counts them: LF, CR LF and a lone CR break a line, as do NEL, LS and PS.
    private static func lineCount(_ input: UnsafeBufferPointer<UInt8>) -> Int {
        var lines = 1
        var offset = 0
        while offset < input.count {
            switch input[offset] {
            case 0x0A: lines += 1
            case 0x0D: if offset + 1 >= input.count || input[offset + 1] != 0x0A { lines += 1 }
            case 0xC2 where offset + 1 < input.count && input[offset + 1] == 0x85: lines += 1
            case 0xE2 where offset + 2 < input.count && input[offset + 1] == 0x80 && (input[offset + 2] == 0xA8 || input[offset + 2] == 0xA9): lines += 1
            default: break
            }
            offset += 1
        }
        return lines
    }

    /// Builds nodes from libyaml's events: a stack of open collections, and the anchors seen.
    private struct TreeBuilder {
        enum Open {
            case sequence([YAMLNode], line: Int, anchor: String?)
            case mapping([(key: YAMLNode, value: YAMLNode)], pendingKey: YAMLNode?, line: Int, anchor: String?)
        }
        var stack: [Open] = []
        var anchors: [String: YAMLNode] = [:]

        /// Takes one event; the document's root once its last event is taken.
        mutating func take(_ event: yaml_event_t) throws(YAMLError) -> YAMLNode? {
            let line = Int(event.start_mark.line) + 1
            let location = SourceLocation(line: line, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) } ?? ""
                return add(.scalar(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, line: line), anchor: Self.text(scalar.anchor))
            case YAML_ALIAS_EVENT:
                let name = Self.text(event.data.alias.anchor) ?? ""
                guard let node = anchors[name] else { throw YAMLError(location: location, problem: "the alias *\(name) names no anchor defined before it") }
                return add(node, anchor: nil)
            case YAML_SEQUENCE_START_EVENT:
                try open(.sequence([], line: line, anchor: Self.text(event.data.sequence_start.anchor)), at: location)
            case YAML_MAPPING_START_EVENT:
                try open(.mapping([], pendingKey: nil, line: line, anchor: Self.text(event.data.mapping_start.anchor)), at: location)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                switch stack.removeLast() {
                case .sequence(let items, let line, let anchor): return add(.sequence(items, line: line), anchor: anchor)
                case .mapping(let entries, _, let line, let anchor): return add(.mapping(entries, line: line), anchor: anchor)
                }
            default:
                break
            }
            return nil
        }

        private mutating func open(_ collection: Open, at location: SourceLocation) throws(YAMLError) {
            guard stack.count < YAMLDocument.maximumDepth else {
                throw YAMLError(location: location, problem: "nested deeper than \(YAMLDocument.maximumDepth) levels")
            }
            stack.append(collection)
        }

        /// Adds a finished node to the open collection; returns it when it is the root.
        private mutating func add(_ node: YAMLNode, anchor: String?) -> YAMLNode? {
            if let anchor { anchors[anchor] = node }
            guard let top = stack.popLast() else { return node }
            switch top {
            case .sequence(var items, let line, let anchor):
                items.append(node)
                stack.append(.sequence(items, line: line, anchor: anchor))
            case .mapping(var entries, let pendingKey, let line, let anchor):
                if let key = pendingKey {
                    entries.append((key: key, value: node))
                    stack.append(.mapping(entries, pendingKey: nil, line: line, anchor: anchor))
                } else {
                    stack.append(.mapping(entries, pendingKey: node, line: line, anchor: anchor))
                }
            }
            return nil
        }

        private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
    }
}
