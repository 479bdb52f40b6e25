#if canImport(FoundationEssentials)
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
#else
import Foundation
#endif
import RelKitCore
import TOMLKit

/// Finds, reads and checks `.release.toml`.
public enum ConfigurationLoader {
    public static let fileName = ".release.toml"

    /// The nearest `.release.toml` in `directory` or above it.
    public static func nearestFile(from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        // A relative path (an unreadable current directory) would climb "../" for ever.
        guard url.path.hasPrefix("/") else { return nil }
        while true {
            let candidate = url.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    /// Loads the nearest configuration above `directory`, or the defaults when there is none.
    public static func loadNearest(from directory: String) throws(ConfigurationError) -> (ReleaseConfiguration, file: String?) {
        guard let file = nearestFile(from: directory) else { return (.defaults, nil) }
        return (try load(file: file), file)
    }

    public static func load(file: String) throws(ConfigurationError) -> ReleaseConfiguration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(file: file, line: 1, column: 1, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: file, line: 1, column: 1, message: "the file is not UTF-8 text")
        }
        return try load(text: text, file: file)
    }

    /// Parses and checks configuration text; `file` only names it in errors.
    public static func load(text: String, file: String) throws(ConfigurationError) -> ReleaseConfiguration {
        // TOMLKit hands the text to toml++ as a C string, which ends at the first NUL: the rest of
        // the file would be silently ignored (found by fuzzing). TOML allows no NUL anywhere.
        if let nul = text.utf8.firstIndex(of: 0) {
            let before = text.utf8[..<nul]
            let line = 1 + before.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            let lineStart = before.lastIndex(of: 0x0A).map { text.utf8.index(after: $0) } ?? text.utf8.startIndex
            let column = 1 + String(decoding: text.utf8[lineStart..<nul], as: UTF8.self).unicodeScalars.count
            throw ConfigurationError(file: file, line: line, column: column, message: "a NUL byte; TOML text cannot contain one")
        }
        if let (line, column, message) = tomlPrecheck(text) {
            throw ConfigurationError(file: file, line: line, column: column, message: message)
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let (line, column) = (error.source.begin.line, error.source.begin.column)
            // toml++ says "unescaped control characters other than TAB..." or "end-of-file" where
            // an open string meets the end of its line or of the file: say that, where it opens.
            if error.description.contains("parsing string") || error.description.contains("parsing literal string"),
               let start = unclosedStringStart(in: text, line: line, column: column) {
                throw ConfigurationError(file: file, line: start.line, column: start.column,
                                         message: start.quote.count == 3
                                            ? "this multi-line string is not closed before the end of the file: add the closing \(start.quote)"
                                            : "this string is not closed: add the closing \(start.quote) (a TOML string ends on the line it starts on, unless it is written \"\"\"...\"\"\" or '''...''')")
            }
            throw ConfigurationError(file: file, line: line, column: column, message: "TOML syntax error: \(error.description)")
        } catch {
            throw ConfigurationError(file: file, line: 1, column: 1, message: "TOML syntax error: \(error)")
        }
        var reader = TableReader(file: file, map: TOMLSourceMap(text: text))
        return try reader.configuration(root)
    }
}
