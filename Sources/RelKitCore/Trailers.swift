/// Commit-message trailers (`Signed-off-by: ...`, `Backported-From: main`), found and added by
/// git's own rules (`git interpret-trailers`), because libgit2 1.5's `git_message_trailers`
/// misses every trailer when a line starts with `---`.
///
/// A message is read as complete lines: one whose last line has no newline is read as if it had
/// one. git 2.47 reads it so; git 2.39 read such a last `Conflicts:` as a trailer instead of the
/// start of an old conflicts block. Every message relkit writes ends with a newline, so each git
/// reads relkit's result the same way (checked against both in `make test`).
///
/// The rules: the message ends at a `---` line (the patch part) and before trailing blank and `#`
/// comment lines; the trailer block is its last paragraph, never the title paragraph; the
/// paragraph counts when all its lines are trailers (or continuation lines), or when it has a
/// git-generated trailer and at least a quarter of its lines are trailers. A trailer line is a
/// token of letters, digits and `-`, optional spaces, then `:`.
public enum Trailers {
    /// One `Key: value` trailer.
    public struct Trailer: Sendable, Equatable, CustomStringConvertible {
        /// The key, as written.
        public let key: String
        /// The value, continuation lines joined.
        public let value: String

        /// A trailer.
        /// - Parameters:
        ///   - key: the key.
        ///   - value: the value.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }

        /// As `git interpret-trailers --parse` prints it.
        public var description: String { "\(key): \(value)" }

        /// Keys compare without regard to case (`Backported-from` is `Backported-From`).
        ///
        /// - Parameter other: a key.
        /// - Returns: whether it is this trailer's key.
        public func matches(key other: String) -> Bool { key.lowercased() == other.lowercased() }
    }

    /// Where the parts of a message are, in UTF-8 byte offsets.
    struct Layout {
        /// Where the trailer block starts (== `end` when there is none).
        let blockStart: Int
        /// Where the log message ends: the patch part and trailing comments come after.
        let end: Int
    }

    static let gitGeneratedPrefixes = ["Signed-off-by: ", "(cherry picked from commit "].map { Array($0.utf8) }

    /// A trailer and the 1-based line of the message it starts on.
    public struct Located: Sendable, Equatable {
        /// 1-based line of the message.
        public let line: Int
        /// The trailer.
        public let trailer: Trailer
    }

    /// The trailers of a message, unfolded, as `git interpret-trailers --parse` lists them.
    ///
    /// - Parameter message: a commit message.
    /// - Returns: its trailers.
    public static func parse(_ message: String) -> [Trailer] { locate(message).map(\.trailer) }

    /// The trailers of a message with the line each starts on.
    ///
    /// - Parameter message: a commit message.
    /// - Returns: its trailers and their lines.
    public static func locate(_ message: String) -> [Located] {
        let bytes = terminated(Array(message.utf8))
        let layout = layout(of: bytes)
        var firstLine = 1 + bytes[..<layout.blockStart].reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        var lines: [(line: Int, text: [UInt8])] = []
        var lastIsTrailer = false
        for line in splitLines(bytes, from: layout.blockStart, to: layout.end) {
            defer { firstLine += 1 }
            if lastIsTrailer, let first = line.first, isSpace(first) {
                lines[lines.count - 1].text += line
                continue
            }
            lines.append((firstLine, line))
            lastIsTrailer = separatorPosition(line) >= 1
        }
        return lines.compactMap { line, text in
            guard text.first != UInt8(ascii: "#") else { return nil }
            let separator = separatorPosition(text)
            guard separator >= 1 else { return nil }
            let key = String(decoding: text[..<separator], as: UTF8.self).trimmingSpaces()
            return Located(line: line, trailer: Trailer(key: key, value: unfold(Array(text[(separator + 1)...]))))
        }
    }

    /// Something wrong with the trailers of a message, on a 1-based line.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// 1-based line of the message.
        public let line: Int
        /// `misplaced`, `duplicate`, `empty-value`, `key-case`.
        public let code: String
        /// What is wrong.
        public let message: String
        /// `line N: message [code]`.
        public var description: String { "line \(line): \(message) [\(code)]" }
    }

    /// What git would get wrong about the trailers with `keys` (compared without case) in a commit
    /// message: a line `Key: ...` outside the trailer block (git does not read it: it is in the body,
    /// the title or the patch part), a key spelled in another case than `keys` spells it, and in the
    /// block, the same trailer twice or a trailer without a value.
    ///
    /// - Parameters:
    ///   - message: a commit message.
    ///   - keys: the trailer keys that matter.
    /// - Returns: the problems, by line.
    public static func problems(in message: String, keys: [String] = []) -> [Problem] {
        let located = locate(message)
        var problems: [Problem] = []
        let inBlock = Set(located.map(\.line))
        var lineNumber = 0
        for line in message.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            // Below `git commit -v`'s scissors line is the diff, which git cuts off.
            if line.starts(with: "# ------------------------ >8 ------------------------".utf8) { break }
            guard !inBlock.contains(lineNumber) else { continue }
            let bytes = Array(line)
            let separator = separatorPosition(bytes)
            guard separator >= 1 else { continue }
            let key = String(decoding: bytes[..<separator], as: UTF8.self).trimmingSpaces()
            if let wanted = keys.first(where: { $0.lowercased() == key.lowercased() }) {
                problems.append(
                    Problem(
                        line: lineNumber, code: "misplaced",
                        message: "'\(wanted):' is not in the trailer block (the message's last paragraph, before any '---' line), so git does not read it as a trailer"))
            }
        }
        var seen: [String: Int] = [:]
        for entry in located {
            let trailer = entry.trailer
            if let wanted = keys.first(where: { trailer.matches(key: $0) }), wanted != trailer.key {
                problems.append(Problem(line: entry.line, code: "key-case", message: "'\(trailer.key)' is spelled '\(wanted)'"))
            }
            if trailer.value.isEmpty {
                problems.append(Problem(line: entry.line, code: "empty-value", message: "trailer '\(trailer.key)' has no value"))
            }
            let identity = trailer.key.lowercased() + ":" + trailer.value
            if let first = seen[identity] {
                problems.append(Problem(line: entry.line, code: "duplicate", message: "'\(trailer)' repeats line \(first)"))
            } else {
                seen[identity] = entry.line
            }
        }
        return problems.sorted { ($0.line, $0.code) < ($1.line, $1.code) }
    }

    /// The message with `trailers` added at the end of its trailer block, or after one blank line
    /// when it has none; a trailer the message already has (same key, any case, and same value)
    /// is not added again. A patch part or trailing comments stay after the trailers.
    ///
    /// - Parameters:
    ///   - trailers: the trailers to add.
    ///   - message: the message.
    /// - Returns: the new message.
    public static func adding(_ trailers: [Trailer], to message: String) -> String {
        let existing = parse(message)
        let new = trailers.filter { trailer in
            !existing.contains { $0.matches(key: trailer.key) && $0.value == trailer.value }
        }
        return appending(lines: new.map(\.description), to: message)
    }

    /// The message with `lines` added where `adding` adds trailers: at the end of its trailer
    /// block, or after one blank line when it has none.
    ///
    /// - Parameters:
    ///   - new: the lines to add.
    ///   - message: the message.
    /// - Returns: the new message.
    public static func appending(lines new: [String], to message: String) -> String {
        guard !new.isEmpty else { return message }
        // Terminated first: a last line "---" or "Conflicts:" without its newline would become a
        // patch separator or a conflicts block once the trailers follow it.
        let bytes = terminated(Array(message.utf8))
        let layout = layout(of: bytes)
        var insertion = layout.end
        var output: [UInt8]
        if layout.blockStart == layout.end {
            // No trailer block: end the message with a newline, then one blank line.
            output = Array(bytes[..<layout.blockStart])
            if !output.isEmpty && output.last != 0x0A { output.append(0x0A) }
            if !endsWithBlankLine(output) { output.append(0x0A) }
        } else {
            // Right after the block's last trailer line: past a whitespace-only line the paragraph
            // would end and the new trailers would no longer be part of the block (found by fuzzing:
            // after a trailing comment and a blank line, the old trailers fell out of it).
            var line = lastLine(bytes, layout.end)
            while line >= layout.blockStart && (isBlankLine(bytes, line, layout.end) || bytes[line] == UInt8(ascii: "#")) {
                insertion = line
                line = lastLine(bytes, line)
            }
            output = Array(bytes[..<insertion])
            if output.last != 0x0A { output.append(0x0A) }
        }
        for line in new { output += Array("\(line)\n".utf8) }
        output += bytes[insertion...]
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: git's rules

    /// The message with a newline after its last line (as git 2.47 reads it).
    static func terminated(_ bytes: [UInt8]) -> [UInt8] {
        guard let last = bytes.last, last != 0x0A else { return bytes }
        return bytes + [0x0A]
    }

    static func layout(of bytes: [UInt8]) -> Layout {
        var end = bytes.count
        // The patch part: a line starting with "---" and then whitespace.
        var lineStart = 0
        while lineStart < bytes.count {
            if bytes.count - lineStart >= 4, bytes[lineStart..<(lineStart + 3)].elementsEqual("---".utf8), isSpace(bytes[lineStart + 3]) {
                end = lineStart
                break
            }
            lineStart = nextLine(bytes, lineStart)
        }
        end -= ignoredBytes(bytes, end)
        return Layout(blockStart: blockStart(bytes, end), end: end)
    }

    /// Trailing comment and empty lines (and an old `Conflicts:` block, and everything below a
    /// scissors line) at the end of the message: git's ignored_log_message_bytes.
    static func ignoredBytes(_ bytes: [UInt8], _ length: Int) -> Int {
        let scissors = Array("# ------------------------ >8 ------------------------\n".utf8)
        var cutoff = length
        var lineStart = 0
        while lineStart < length {
            if bytes[lineStart..<min(length, lineStart + scissors.count)].elementsEqual(scissors) {
                cutoff = lineStart
                break
            }
            lineStart = nextLine(bytes, lineStart, limit: length)
        }
        var runStart = 0 // 0 means "no run", as in git
        var inConflicts = false
        var line = 0
        while line < cutoff {
            let next = nextLine(bytes, line, limit: length)
            if bytes[line] == UInt8(ascii: "#") || bytes[line] == 0x0A {
                if runStart == 0 { runStart = line }
            } else if bytes[line..<min(length, line + 11)].elementsEqual("Conflicts:\n".utf8) {
                inConflicts = true
                if runStart == 0 { runStart = line }
            } else if inConflicts && bytes[line] == 0x09 {
                // a path of the conflicts block
            } else if runStart != 0 {
                runStart = 0
                inConflicts = false
            }
            line = next
        }
        return runStart != 0 ? length - runStart : length - cutoff
    }

    static func blockStart(_ bytes: [UInt8], _ length: Int) -> Int {
        // The first paragraph is the title and cannot be trailers.
        var start = 0
        while start < length {
            if bytes[start] == UInt8(ascii: "#") {
                start = nextLine(bytes, start, limit: length)
                continue
            }
            if isBlankLine(bytes, start, length) { break }
            start = nextLine(bytes, start, limit: length)
        }
        let endOfTitle = start

        var onlySpaces = true
        var recognizedPrefix = false
        var trailerLines = 0
        var nonTrailerLines = 0
        var possibleContinuationLines = 0
        var line = lastLine(bytes, length)
        while line >= endOfTitle && line >= 0 {
            defer { line = lastLine(bytes, line) }
            if bytes[line] == UInt8(ascii: "#") {
                nonTrailerLines += possibleContinuationLines
                possibleContinuationLines = 0
                continue
            }
            if isBlankLine(bytes, line, length) {
                if onlySpaces { continue }
                nonTrailerLines += possibleContinuationLines
                if (recognizedPrefix && trailerLines * 3 >= nonTrailerLines) || (trailerLines > 0 && nonTrailerLines == 0) {
                    return nextLine(bytes, line, limit: length)
                }
                return length
            }
            onlySpaces = false
            let content = Array(bytes[line..<min(nextLine(bytes, line, limit: length), length)])
            if gitGeneratedPrefixes.contains(where: { content.starts(with: $0) }) {
                trailerLines += 1
                possibleContinuationLines = 0
                recognizedPrefix = true
                continue
            }
            if separatorPosition(content) >= 1 && !isSpace(content[0]) {
                trailerLines += 1
                possibleContinuationLines = 0
            } else if isSpace(content[0]) {
                possibleContinuationLines += 1
            } else {
                nonTrailerLines += 1 + possibleContinuationLines
                possibleContinuationLines = 0
            }
        }
        return length
    }

    /// git's find_separator: a token of letters, digits and '-', optional spaces, then ':'.
    static func separatorPosition(_ line: [UInt8]) -> Int {
        var whitespaceFound = false
        for (index, byte) in line.enumerated() {
            if byte == UInt8(ascii: ":") { return index }
            if !whitespaceFound && (isAlphanumeric(byte) || byte == UInt8(ascii: "-")) { continue }
            if index != 0 && (byte == 0x20 || byte == 0x09) {
                whitespaceFound = true
                continue
            }
            break
        }
        return -1
    }

    /// Continuation lines collapse to one space; the edges are trimmed.
    static func unfold(_ value: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < value.count {
            let byte = value[index]
            index += 1
            if byte == 0x0A {
                while index < value.count && isSpace(value[index]) { index += 1 }
                output.append(0x20)
            } else {
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self).trimmingSpaces()
    }

    static func splitLines(_ bytes: [UInt8], from start: Int, to end: Int) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var cursor = start
        while cursor < end {
            let next = nextLine(bytes, cursor, limit: end)
            lines.append(Array(bytes[cursor..<next]))
            cursor = next
        }
        return lines
    }

    static func nextLine(_ bytes: [UInt8], _ start: Int, limit: Int? = nil) -> Int {
        let end = limit ?? bytes.count
        var cursor = start
        while cursor < end && bytes[cursor] != 0x0A { cursor += 1 }
        return min(cursor + 1, max(end, start + 1))
    }

    /// The start of the last line before `length` (a final newline belongs to its line).
    static func lastLine(_ bytes: [UInt8], _ length: Int) -> Int {
        if length <= 0 { return -1 }
        if length == 1 { return 0 }
        var index = length - 2
        while index >= 0 {
            if bytes[index] == 0x0A { return index + 1 }
            index -= 1
        }
        return 0
    }

    static func isBlankLine(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Bool {
        var cursor = start
        while cursor < end && bytes[cursor] != 0x0A {
            if !isSpace(bytes[cursor]) { return false }
            cursor += 1
        }
        return true
    }

    static func endsWithBlankLine(_ bytes: [UInt8]) -> Bool {
        let last = lastLine(bytes, bytes.count)
        return last >= 0 && isBlankLine(bytes, last, bytes.count)
    }

    /// C's isspace in the C locale.
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { ASCII.isAlphanumeric(byte) }
}
