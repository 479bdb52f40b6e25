/// One alembic revision file, read statically: no Python is run. relkit reads what alembic reads
/// from the imported module (`revision`, `down_revision`, `branch_labels`, `depends_on` and the
/// module docstring), but only where they are literals assigned at the top level of the file.
public struct AlembicRevision: Sendable, Equatable {
    /// The revision id (`revision`).
    public var id: String
    /// The revisions this one is applied on (`down_revision`); empty for a base, several for a merge.
    public var downRevisions: [String]
    /// `depends_on`: revision ids or branch labels that must be applied first.
    public var dependsOn: [String]
    /// `branch_labels`.
    public var branchLabels: [String]
    /// The docstring's first line (alembic's `doc` is its first paragraph).
    public var message: String
    /// The file, relative to the repository's root.
    public var file: String
    /// The line of the `revision` assignment (1 for a legacy id taken from the file name).
    public var line: Int

    /// A revision's values (tests, and histories built by hand).
    ///
    /// - Parameters:
    ///   - id: the revision id.
    ///   - downRevisions: the revisions it applies on.
    ///   - dependsOn: `depends_on`.
    ///   - branchLabels: `branch_labels`.
    ///   - message: the docstring's first line.
    ///   - file: the file.
    ///   - line: the line of the `revision` assignment.
    public init(
        id: String, downRevisions: [String] = [], dependsOn: [String] = [], branchLabels: [String] = [],
        message: String = "", file: String, line: Int = 1
    ) {
        self.id = id
        self.downRevisions = downRevisions
        self.dependsOn = dependsOn
        self.branchLabels = branchLabels
        self.message = message
        self.file = file
        self.line = line
    }

    /// Whether it merges two or more revisions.
    public var isMerge: Bool { downRevisions.count > 1 }
}

/// Reading alembic revision files without running Python.
public enum AlembicScript {
    /// Larger revision files are not read: a finding, not a parse of megabytes.
    public static let maximumFileSize = 1 << 20

    /// Whether alembic loads a file of this name from a versions directory: `*.py`, except editor
    /// lock files (`.#…`) and `__init__…` (alembic's `_only_source_rev_file`).
    ///
    /// - Parameter name: a file name.
    /// - Returns: whether alembic loads it.
    public static func isRevisionFileName(_ name: String) -> Bool {
        name.hasSuffix(".py") && !name.hasPrefix(".#") && !name.hasPrefix("__init__")
    }

    /// What reading a revision file gives.
    public enum Parsed: Sendable, Equatable {
        case revision(AlembicRevision)
        /// Why alembic would not load the file, or relkit cannot read it without running it.
        case unreadable(Finding)
    }

    /// A literal value as relkit reads it.
    enum Literal: Equatable {
        case none
        case string(String)
        case sequence([String])
    }

    /// Reads one revision file. Anything alembic would not load, or that relkit cannot read without
    /// running Python, is a finding (rule `alembic-unreadable`) instead of a revision.
    ///
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - file: the file's path, for findings.
    /// - Returns: the revision, or why it cannot be read.
    public static func parse(_ bytes: [UInt8], file: String) -> Parsed {
        func unreadable(_ line: Int?, _ message: String) -> Parsed {
            .unreadable(Finding(rule: "alembic-unreadable", file: file, line: line, message: message))
        }
        guard bytes.count <= maximumFileSize else {
            return unreadable(nil, "the revision file is \(bytes.count >> 10) KiB; relkit reads revision files up to \(maximumFileSize >> 10) KiB")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return unreadable(nil, "the revision file is not UTF-8 text")
        }
        let statements: [Statement]
        let wanted: Set<String> = ["revision", "down_revision", "branch_labels", "depends_on"]
        do {
            var tokenizer = PythonTokenizer(text)
            // Only the docstring and statements that start with a wanted name are read whole; for
            // the rest (imports, function bodies) the first token tells all the parse needs.
            statements = try tokenizer.statements(keepingWhole: { token, index in
                if index == 0 { return true }
                if case .name(let name) = token.kind { return wanted.contains(name) }
                return false
            })
        } catch {
            return unreadable(error.line, "Python syntax error: \(error.message)")
        }
        var values: [String: (Literal, line: Int)] = [:]
        var docstring: String?
        // Inside a function or class body an assignment is not the module's attribute.
        var inFunctionOrClass = false
        for (index, statement) in statements.enumerated() {
            let tokens = statement.tokens
            if index == 0, statement.isTopLevel, let doc = try? literal(tokens[...]), case .string(let value) = doc { docstring = value }
            if statement.isTopLevel, let first = tokens.first {
                switch first.kind {
                case .name("def"), .name("class"), .name("async"), .operator("@"): inFunctionOrClass = true
                default: inFunctionOrClass = false
                }
            }
            guard case .name(let name)? = tokens.first?.kind, wanted.contains(name), statement.isTopLevel || !inFunctionOrClass else { continue }
            // What follows the name: `= value` or `: annotation = value`.
            guard let equals = tokens.firstIndex(where: { $0.kind == .operator("=") }) else {
                if tokens.count > 1, case .operator(let op) = tokens[1].kind, op.hasSuffix("="), op != "==" {
                    return unreadable(tokens[0].line, "'\(name)' is changed by code ('\(op)'); relkit reads literal values only")
                }
                continue // an annotation without a value, or an expression
            }
            guard equals == 1 || tokens[1].kind == .operator(":") else { continue }
            guard statement.isTopLevel else {
                return unreadable(tokens[0].line, "'\(name)' is assigned inside a block; relkit reads literal assignments at the top level only")
            }
            do {
                values[name] = (try literal(tokens[(equals + 1)...]), tokens[0].line)
            } catch {
                return unreadable(tokens[0].line, "'\(name)' is computed by code; relkit reads a string, None, or a tuple or list of strings")
            }
        }
        let revisionID: String
        let revisionLine: Int
        switch values["revision"] {
        case (.string(let id), let line)?:
            revisionID = id
            revisionLine = line
        case (_, let line)?:
            return unreadable(line, "'revision' must be a string")
        case nil:
            // alembic's legacy rule: a file named by a hexadecimal id.
            let stem = PathText.lastComponent(file).dropLast(3)
            guard !stem.isEmpty, stem.utf8.allSatisfy({ ASCII.isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }) else {
                return unreadable(nil, "no 'revision' variable (and the file name is not a legacy hexadecimal id)")
            }
            revisionID = String(stem)
            revisionLine = 1
        }
        if revisionID.isEmpty { return unreadable(revisionLine, "'revision' is empty") }
        if let illegal = revisionID.first(where: { "@-+".contains($0) }) {
            return unreadable(revisionLine, "revision id '\(revisionID.displayable())' contains '\(illegal)', which alembic refuses")
        }
        guard let (_, downLine) = values["down_revision"] else {
            return unreadable(revisionLine, "no 'down_revision' variable (None for a first revision)")
        }
        func strings(_ name: String) -> [String] {
            switch values[name]?.0 {
            case .string(let value)?: return [value]
            case .sequence(let values)?: return values
            default: return []
            }
        }
        let downRevisions = strings("down_revision")
        if downRevisions.contains(revisionID) {
            return unreadable(downLine, "revision '\(revisionID)' names itself as its down_revision")
        }
        let message = docstring.map(firstLine(ofDocstring:)) ?? ""
        return .revision(
            AlembicRevision(
                id: revisionID, downRevisions: deduplicated(downRevisions), dependsOn: deduplicated(strings("depends_on")),
                branchLabels: strings("branch_labels"), message: message, file: file, line: revisionLine))
    }

    static func deduplicated(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// alembic's `doc` is the stripped docstring's first paragraph; its first line names the revision.
    static func firstLine(ofDocstring text: String) -> String {
        // Only the first line is walked (a docstring can be long).
        String(text.drop(while: \.isWhitespace).prefix(while: { $0 != "\n" })).trimmingSpaces()
    }

    struct NotALiteral: Error {}

    /// None, a string (adjacent strings joined), or a tuple or list of strings, with or without
    /// brackets: what `revision`, `down_revision`, `branch_labels` and `depends_on` hold.
    static func literal(_ tokens: ArraySlice<Token>) throws(NotALiteral) -> Literal {
        var tokens = tokens
        if tokens.count == 1, tokens.first?.kind == .name("None") { return .none }
        var bracketed = false
        if let open = tokens.first, open.kind == .operator("(") || open.kind == .operator("["),
            let close = tokens.last, close.kind == (open.kind == .operator("(") ? .operator(")") : .operator("]"))
        {
            tokens = tokens.dropFirst().dropLast()
            bracketed = true
            if tokens.isEmpty { return .sequence([]) }
            if open.kind == .operator("[") { return .sequence(try strings(tokens)) }
        }
        let parts = try strings(tokens)
        let hasComma = tokens.contains { $0.kind == .operator(",") }
        if parts.count == 1 && !hasComma { return .string(parts[0]) }
        guard hasComma || bracketed else { throw NotALiteral() }
        return .sequence(parts)
    }

    /// Comma-separated string literals (a trailing comma allowed).
    static func strings(_ tokens: ArraySlice<Token>) throws(NotALiteral) -> [String] {
        var result: [String] = []
        var current: String?
        for token in tokens {
            switch token.kind {
            case .string(let value):
                current = (current ?? "") + value
            case .operator(","):
                guard let value = current else { throw NotALiteral() }
                result.append(value)
                current = nil
            default:
                throw NotALiteral()
            }
        }
        if let current { result.append(current) }
        guard !result.isEmpty else { throw NotALiteral() }
        return result
    }
}

// MARK: - A tokenizer of Python source, enough for top-level assignments

struct Token: Equatable {
    enum Kind: Equatable {
        case name(String)
        /// A plain or raw string literal, its value decoded.
        case string(String)
        /// f-strings and bytes: values only running the code gives.
        case otherString
        case number
        case `operator`(String)
    }
    var kind: Kind
    var line: Int
}

/// One simple statement: its tokens (only the first, when the statement was not kept whole), and
/// whether it starts in the first column (module level).
struct Statement {
    var tokens: [Token]
    var isTopLevel: Bool
}

struct PythonSyntaxError: Error {
    var line: Int
    var message: String
}

/// Splits source into logical lines and those into statements (`;`), tracking brackets, strings
/// (all prefixes, triple quotes), comments and backslash continuations. It finds unterminated
/// strings and unbalanced brackets; it does not check the rest of Python's grammar.
struct PythonTokenizer {
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var lineStart = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    /// The characters of Python's operators and delimiters (besides brackets and ';').
    static let operatorBytes = Array("=+-*/%<>!:&|^~@.,".utf8)

    static func isNameStart(_ byte: UInt8) -> Bool { ASCII.lower(byte) &- 0x61 < 26 || byte == UInt8(ascii: "_") || byte >= 0x80 }
    static func isNameByte(_ byte: UInt8) -> Bool { isNameStart(byte) || ASCII.isDigit(byte) }

    /// `keepingWhole(first token, statement index)`: whether a statement's tokens are all wanted;
    /// the others keep their first token only, and the rest of them is scanned (brackets, strings,
    /// syntax errors) without building tokens, which is most of the cost of a long file.
    mutating func statements(keepingWhole: (Token, Int) -> Bool = { _, _ in true }) throws(PythonSyntaxError) -> [Statement] {
        var result: [Statement] = []
        var current: [Token] = []
        var currentTopLevel = false
        var keeping = true
        var brackets: [(byte: UInt8, line: Int)] = []
        var atLogicalLineStart = true
        func finish() {
            if !current.isEmpty { result.append(Statement(tokens: current, isTopLevel: currentTopLevel)) }
            current = []
        }
        /// Whether the token about to be read is to be built: the first of a statement always is.
        var building: Bool { current.isEmpty || keeping }
        func append(_ token: Token) {
            if current.isEmpty { keeping = keepingWhole(token, result.count) }
            current.append(token)
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
                if brackets.isEmpty {
                    finish()
                    atLogicalLineStart = true
                }
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0C:
                index += 1
                continue
            case UInt8(ascii: "#"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "\\"):
                // A continuation: the backslash ends the physical line, not the logical one.
                let crlf = index + 2 < bytes.count && bytes[index + 1] == UInt8(ascii: "\r") && bytes[index + 2] == UInt8(ascii: "\n")
                guard crlf || (index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")) else {
                    throw PythonSyntaxError(line: line, message: "unexpected character after a line continuation")
                }
                index += crlf ? 3 : 2
                line += 1
                lineStart = index
                continue
            default:
                break
            }
            if atLogicalLineStart {
                currentTopLevel = index == lineStart
                atLogicalLineStart = false
            }
            let tokenLine = line
            if Self.isNameStart(byte) {
                let start = index
                while index < bytes.count && Self.isNameByte(bytes[index]) { index += 1 }
                // A string prefix (r, u, b, f and their pairs) directly before a quote.
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'"), index - start <= 2,
                    bytes[start..<index].allSatisfy({ "rubfRUBF".utf8.contains($0) })
                {
                    let prefix = bytes[start..<index].map(ASCII.lower)
                    let raw = prefix.contains(UInt8(ascii: "r"))
                    guard building else {
                        try skipStringLiteral(raw: raw)
                        continue
                    }
                    let value = try stringLiteral(raw: raw)
                    append(Token(kind: prefix.contains(UInt8(ascii: "b")) || prefix.contains(UInt8(ascii: "f")) ? .otherString : .string(value), line: tokenLine))
                } else if building {
                    append(Token(kind: .name(String(decoding: bytes[start..<index], as: UTF8.self)), line: tokenLine))
                }
                continue
            }
            if ASCII.isDigit(byte) || (byte == UInt8(ascii: ".") && index + 1 < bytes.count && ASCII.isDigit(bytes[index + 1])) {
                while index < bytes.count
                    && (Self.isNameByte(bytes[index]) || bytes[index] == UInt8(ascii: ".")
                        || ((bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"))
                            && (bytes[index - 1] | 0x20) == UInt8(ascii: "e")))
                { index += 1 }
                if building { append(Token(kind: .number, line: tokenLine)) }
                continue
            }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                if building { append(Token(kind: .string(try stringLiteral(raw: false)), line: tokenLine)) } else { try skipStringLiteral(raw: false) }
                continue
            }
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                brackets.append((byte, line))
                if building { append(Token(kind: .operator(String(UnicodeScalar(byte))), line: tokenLine)) }
                index += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                let expected: UInt8 = byte == UInt8(ascii: ")") ? UInt8(ascii: "(") : byte == UInt8(ascii: "]") ? UInt8(ascii: "[") : UInt8(ascii: "{")
                guard let open = brackets.popLast() else {
                    throw PythonSyntaxError(line: line, message: "unmatched '\(UnicodeScalar(byte))'")
                }
                guard open.byte == expected else {
                    throw PythonSyntaxError(line: line, message: "closing '\(UnicodeScalar(byte))' does not match '\(UnicodeScalar(open.byte))' on line \(open.line)")
                }
                if building { append(Token(kind: .operator(String(UnicodeScalar(byte))), line: tokenLine)) }
                index += 1
            case UInt8(ascii: ";") where brackets.isEmpty:
                // Statements after ';' share the logical line, and so its level.
                finish()
                index += 1
            default:
                // Operators: the longest run of operator characters, so that `=` stands alone
                // and `==`, `+=`, `:=` do not read as assignments.
                let start = index
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ".") {
                    index += 1
                } else if Self.operatorBytes.contains(byte) {
                    while index < bytes.count && Self.operatorBytes.contains(bytes[index]) && bytes[index] != UInt8(ascii: ",")
                        && bytes[index] != UInt8(ascii: ".")
                    { index += 1 }
                } else {
                    throw PythonSyntaxError(line: line, message: "unexpected character '\(String(decoding: [byte], as: UTF8.self).displayable())'")
                }
                if building { append(Token(kind: .operator(String(decoding: bytes[start..<index], as: UTF8.self)), line: tokenLine)) }
            }
        }
        if let open = brackets.last {
            throw PythonSyntaxError(line: open.line, message: "'\(UnicodeScalar(open.byte))' is never closed")
        }
        finish()
        return result
    }

    /// A string literal at `index` passed over: the same checks and line counting, no value built.
    mutating func skipStringLiteral(raw: Bool) throws(PythonSyntaxError) {
        var ignored: [UInt8]? = nil
        try readStringLiteral(raw: raw, into: &ignored)
    }

    /// A string literal at `index` (its prefix read), single or triple quoted, decoded.
    mutating func stringLiteral(raw: Bool) throws(PythonSyntaxError) -> String {
        var value: [UInt8]? = []
        try readStringLiteral(raw: raw, into: &value)
        return String(decoding: value!, as: UTF8.self)
    }

    /// Reads a string literal, appending its decoded bytes to `value` unless that is nil.
    private mutating func readStringLiteral(raw: Bool, into value: inout [UInt8]?) throws(PythonSyntaxError) {
        let quote = bytes[index]
        let startLine = line
        let triple = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
        index += triple ? 3 : 1
        while true {
            guard index < bytes.count else {
                throw PythonSyntaxError(line: startLine, message: triple ? "a triple-quoted string is never closed" : "a string is never closed")
            }
            let byte = bytes[index]
            if byte == quote {
                if !triple {
                    index += 1
                    break
                }
                if index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote {
                    index += 3
                    break
                }
            }
            if byte == UInt8(ascii: "\n") {
                guard triple else { throw PythonSyntaxError(line: startLine, message: "a string is never closed on its line") }
                line += 1
                lineStart = index + 1
            }
            if byte == UInt8(ascii: "\\") && index + 1 < bytes.count {
                let next = bytes[index + 1]
                if next == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = index + 2
                    if raw { value?.append(contentsOf: [byte, next]) }
                    index += 2
                    continue
                }
                index += 2
                if raw {
                    value?.append(contentsOf: [byte, next])
                    continue
                }
                switch next {
                case UInt8(ascii: "n"): value?.append(0x0A)
                case UInt8(ascii: "t"): value?.append(0x09)
                case UInt8(ascii: "r"): value?.append(0x0D)
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): value?.append(next)
                default: value?.append(contentsOf: [byte, next]) // Python keeps unknown escapes as written.
                }
                continue
            }
            value?.append(byte)
            index += 1
        }
    }
}
