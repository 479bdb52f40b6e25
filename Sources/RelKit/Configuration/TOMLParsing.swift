import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the string toml++ found open at `line`:`column` starts: the last opening quote before
/// that place that nothing closes (a multi-line one may start lines before).
func unclosedStringStart(in text: String, line: Int, column: Int) -> (location: SourceLocation, quote: String)? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
    let quotes = ["\"\"\"", "'''", "\"", "'"].map { Array($0.unicodeScalars) }
    var open: (line: Int, column: Int, quote: [Unicode.Scalar])?
    for lineIndex in 0..<min(lines.count, line) {
        let scalars = lines[lineIndex]
        func starts(_ quote: [Unicode.Scalar], at index: Int) -> Bool {
            index + quote.count <= scalars.count && Array(scalars[index..<(index + quote.count)]) == quote
        }
        var index = 0
        while index < scalars.count {
            if let current = open {
                if starts(current.quote, at: index) {
                    index += current.quote.count
                    open = nil
                } else {
                    // An escape in a basic string skips the character after it.
                    index += current.quote.first == "\"" && scalars[index] == "\\" ? 2 : 1
                }
                continue
            }
            if scalars[index] == "#" { break }
            if let quote = quotes.first(where: { starts($0, at: index) }) {
                open = (lineIndex + 1, index + 1, quote)
                index += quote.count
            } else {
                index += 1
            }
        }
        // A one-line string still open at the end of its line is the one.
        if let current = open, current.quote.count == 1 {
            return (SourceLocation(line: current.line, column: current.column), String(String.UnicodeScalarView(current.quote)))
        }
    }
    return open.map { (SourceLocation(line: $0.line, column: $0.column), String(String.UnicodeScalarView($0.quote))) }
}

/// What toml++ 3 (inside TOMLKit 0.6.0) must not see, found by fuzzing: it aborts the process on an
/// assertion when a table header's name starts with a character that cannot start a key (`[é]`,
/// `[!x]`, `[.a]`), when a '}' comes where an array expects a value (`a = [1, }`), or when a
/// date is followed by one space and a single digit (`a = 1979-05-27 2`). relkit
/// reports these, and any character above ASCII outside strings and comments (never valid TOML),
/// with line and column, before toml++ sees the text.
func tomlPrecheck(_ text: String) -> TOMLProblem? {
    let scalars = Array(text.unicodeScalars)
    var index = 0
    var line = 1
    var lineStart = 0
    var atLineStart = true
    var inHeader = false
    /// The open arrays and inline tables of the value being read: "[" or "{".
    var containers: [Unicode.Scalar] = []
    func starts(with delimiter: [Unicode.Scalar]) -> Bool {
        index + delimiter.count <= scalars.count && Array(scalars[index..<(index + delimiter.count)]) == delimiter
    }
    func describe(_ scalar: Unicode.Scalar) -> String {
        "'\(String(scalar).displayable())' (U+\(NumberText.hexadecimal(scalar.value, width: 4)))"
    }
    func startsKey(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-" || scalar == "\"" || scalar == "'")
    }
    let basic: [Unicode.Scalar] = ["\"", "\"", "\""]
    let literal: [Unicode.Scalar] = ["'", "'", "'"]
    while index < scalars.count {
        let scalar = scalars[index]
        if scalar == "\n" {
            line += 1
            lineStart = index + 1
            atLineStart = true
            index += 1
            continue
        }
        if scalar == " " || scalar == "\t" || scalar == "\r" {
            // toml++ aborts on a date-like value, one space, one digit and the value's end
            // (`a = 1979-05-27 2`): it takes the digit for the start of a time.
            if scalar == " ", index + 2 < scalars.count, ("0"..."9").contains(scalars[index + 1]),
                " \t\r\n,]}#".unicodeScalars.contains(scalars[index + 2])
            {
                // The value as toml++ scans it: back to one of its value terminators (or '='), then
                // past the brackets that open arrays and inline tables.
                var start = index
                while start > 0 && !" \t\r\n,]}#=".unicodeScalars.contains(scalars[start - 1]) { start -= 1 }
                while start < index && (scalars[start] == "[" || scalars[start] == "{") { start += 1 }
                let token = scalars[start..<index]
                if let first = token.first, ("0"..."9").contains(first) || first == "+" || first == "-", token.contains("-") {
                    return TOMLProblem(
                        line: line, column: start - lineStart + 1,
                        "TOML syntax error: '\(String(String.UnicodeScalarView(token)).displayable()) \(scalars[index + 1])' is not a date-time (a time has hours, minutes and seconds)"
                    )
                }
            }
            index += 1
            continue
        }
        let wasAtLineStart = atLineStart
        atLineStart = false
        // A quote opens a string only where a key or a value starts; elsewhere (`54"x`) toml++
        // reads it as part of a bare value, and so must this scan.
        let opensString = index == 0 || " \t\r\n=[{,.".unicodeScalars.contains(scalars[index - 1])
        if scalar.value < 0x20 && scalar != "\t" && scalar != "\r" || scalar.value == 0x7F {
            // TOML allows no control character but tab, in strings or out of them.
            return TOMLProblem(line: line, column: index - lineStart + 1, "TOML syntax error: control character U+\(NumberText.hexadecimal(scalar.value, width: 4))")
        } else if scalar == "#" {
            while index + 1 < scalars.count && scalars[index + 1] != "\n" { index += 1 }
        } else if opensString && (starts(with: basic) || starts(with: literal)) {
            let delimiter = scalar == "\"" ? basic : literal
            index += 3
            while index < scalars.count && !starts(with: delimiter) {
                if scalars[index] == "\\" && delimiter == basic { index += 1 }
                if index < scalars.count && scalars[index] == "\n" {
                    line += 1
                    lineStart = index + 1
                }
                index += 1
            }
            index += 2
        } else if opensString && (scalar == "\"" || scalar == "'") {
            index += 1
            while index < scalars.count && scalars[index] != scalar && scalars[index] != "\n" {
                if scalars[index] == "\\" && scalar == "\"" { index += 1 }
                index += 1
            }
            if index < scalars.count && scalars[index] == "\n" { continue }
        } else if scalar == "[" && wasAtLineStart && containers.isEmpty && !inHeader {
            // A table header: its name must start like a key.
            inHeader = true
            var next = index + 1
            if next < scalars.count && scalars[next] == "[" { next += 1 }
            while next < scalars.count && (scalars[next] == " " || scalars[next] == "\t") { next += 1 }
            if next < scalars.count, scalars[next] != "]", !startsKey(scalars[next]) {
                return TOMLProblem(line: line, column: next - lineStart + 1, "TOML syntax error: a table name cannot start with \(describe(scalars[next]))")
            }
            index = next
            continue
        } else if scalar == "[" || scalar == "{" {
            containers.append(scalar)
        } else if scalar == "]" {
            if inHeader {
                inHeader = false
                if index + 1 < scalars.count && scalars[index + 1] == "]" { index += 1 }
            } else if containers.last == "[" {
                containers.removeLast()
            }
        } else if scalar == "}" {
            // toml++ also aborts on a '}' where an array expects a value (`a = [1, }`).
            if containers.last == "[" {
                return TOMLProblem(line: line, column: index - lineStart + 1, "TOML syntax error: '}' inside an array, where a value or ']' is expected")
            }
            if containers.last == "{" { containers.removeLast() }
        } else if scalar.value > 0x7F {
            return TOMLProblem(line: line, column: index - lineStart + 1, "TOML syntax error: unexpected character \(describe(scalar)); outside quotes and comments TOML is ASCII")
        }
        index += 1
    }
    return nil
}

/// Where and why a TOML text cannot be read.
struct TOMLProblem: Error {
    var location: SourceLocation
    var message: String

    init(line: Int, column: Int, _ message: String) {
        location = SourceLocation(line: line, column: column)
        self.message = message
    }
}

/// TOML text to a table, one way for every TOML relkit reads (`.release.toml`, configuration
/// samples): a NUL refused where it stands (toml++ reads a C string and would stop there,
/// silently), relkit's pre-check, then TOMLKit, with an unclosed string said where it opens.
enum TOMLParsing {
    static func table(_ text: String) throws(TOMLProblem) -> TOMLTable {
        if let nul = text.utf8.firstIndex(of: 0) {
            let before = text.utf8[..<nul]
            let line = 1 + before.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            let lineStart = before.lastIndex(of: 0x0A).map { text.utf8.index(after: $0) } ?? text.utf8.startIndex
            let column = 1 + String(decoding: text.utf8[lineStart..<nul], as: UTF8.self).unicodeScalars.count
            throw TOMLProblem(line: line, column: column, "a NUL byte; TOML text cannot contain one")
        }
        if let problem = tomlPrecheck(text) { throw problem }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let (line, column) = (error.source.begin.line, error.source.begin.column)
            // toml++ says "unescaped control characters other than TAB..." or "end-of-file" where
            // an open string meets the end of its line or of the file: say that, where it opens.
            if error.description.contains("parsing string") || error.description.contains("parsing literal string"),
                let start = unclosedStringStart(in: text, line: line, column: column)
            {
                throw TOMLProblem(
                    line: start.location.line, column: start.location.column,
                    start.quote.count == 3
                        ? "this multi-line string is not closed before the end of the file: add the closing \(start.quote)"
                        : "this string is not closed: add the closing \(start.quote) (a TOML string ends on the line it starts on, unless it is written \"\"\"...\"\"\" or '''...''')")
            }
            throw TOMLProblem(line: line, column: column, "TOML syntax error: \(error.description)")
        } catch {
            throw TOMLProblem(line: 1, column: 1, "TOML syntax error: \(error)")
        }
    }
}
