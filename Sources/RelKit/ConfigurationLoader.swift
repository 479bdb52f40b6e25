import Foundation
import RelKitCore
import TOMLKit

/// A problem with `.release.toml`, pointing at the place in the file.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Finds, reads and checks `.release.toml`.
public enum ConfigurationLoader {
    public static let fileName = ".release.toml"

    /// The nearest `.release.toml` in `directory` or above it.
    public static func nearestFile(from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
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
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, line: error.source.begin.line, column: error.source.begin.column,
                                     message: "TOML syntax error: \(error.description)")
        } catch {
            throw ConfigurationError(file: file, line: 1, column: 1, message: "TOML syntax error: \(error)")
        }
        var reader = TableReader(file: file, map: TOMLSourceMap(text: text))
        return try reader.configuration(root)
    }
}

/// Walks the parsed tables with the source map at hand, so every error has a place.
struct TableReader {
    let file: String
    let map: TOMLSourceMap

    func error(_ path: [String], _ message: String) -> ConfigurationError {
        let position = map.position(of: path)
        return ConfigurationError(file: file, line: position.line, column: position.column, message: message)
    }

    static func dotted(_ path: [String]) -> String {
        path.map { $0.hasPrefix("#") ? "[\($0.dropFirst())]" : $0 }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    /// Refuses keys this table does not know, suggesting the nearest known one.
    func checkKeys(_ table: TOMLTable, at path: [String], known: [String]) throws(ConfigurationError) {
        for key in table.keys where !known.contains(key) {
            var message = "unknown key '\(key)'" + (path.isEmpty ? "" : " in [\(Self.dotted(path))]")
            if let suggestion = Spelling.nearest(to: key, among: known) { message += "; did you mean '\(suggestion)'?" }
            else { message += "; known keys: \(known.joined(separator: ", "))" }
            throw error(path + [key], message)
        }
    }

    func table(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> TOMLTable? {
        guard let value else { return nil }
        guard let table = value.table else { throw typeError(path, expected: "a table", got: value) }
        return table
    }

    func string(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> String? {
        guard let value else { return nil }
        guard let string = value.string else { throw typeError(path, expected: "a string", got: value) }
        return string
    }

    func bool(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> Bool? {
        guard let value else { return nil }
        guard let bool = value.bool else { throw typeError(path, expected: "true or false", got: value) }
        return bool
    }

    func integers(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> [Int]? {
        guard let value else { return nil }
        guard let array = value.array else { throw typeError(path, expected: "an array of integers", got: value) }
        var result: [Int] = []
        for (index, element) in array.enumerated() {
            guard let number = element.int else {
                throw typeError(path + ["#\(index)"], expected: "an integer", got: element)
            }
            result.append(number)
        }
        return result
    }

    func typeError(_ path: [String], expected: String, got value: TOMLValueConvertible) -> ConfigurationError {
        error(path, "'\(Self.dotted(path))' must be \(expected), not \(value.type == .int ? "an" : "a") \(value.type)")
    }

    mutating func configuration(_ root: TOMLTable) throws(ConfigurationError) -> ReleaseConfiguration {
        try checkKeys(root, at: [], known: ["version"])
        var configuration = ReleaseConfiguration.defaults
        if let version = try table(root["version"], at: ["version"]) {
            try readVersion(version, into: &configuration)
        }
        return configuration
    }

    func readVersion(_ table: TOMLTable, into configuration: inout ReleaseConfiguration) throws(ConfigurationError) {
        let path = ["version"]
        try checkKeys(table, at: path, known: ["scheme", "allow-post", "next-line", "cadence"])
        let allowPost = try bool(table["allow-post"], at: path + ["allow-post"]) ?? false
        let schemeName = try string(table["scheme"], at: path + ["scheme"]) ?? VersionScheme.yearMonth.name
        guard let scheme = VersionScheme(named: schemeName, allowsPost: allowPost) else {
            throw error(path + ["scheme"], "unknown scheme '\(schemeName)'; use one of: \(VersionScheme.all.map(\.name).joined(separator: ", "))")
        }
        configuration.scheme = scheme
        let policyName = try string(table["next-line"], at: path + ["next-line"]) ?? "next-month"
        let cadence = try integers(table["cadence"], at: path + ["cadence"])
        switch policyName {
        case "next-month":
            configuration.nextLine = .nextMonth
        case "none":
            configuration.nextLine = .none
        case "cadence":
            guard let cadence else { throw error(path + ["next-line"], "next-line = \"cadence\" needs a list of months: cadence = [3, 9]") }
            guard scheme.lineStyle == .month else {
                throw error(path + ["next-line"], "a cadence of months needs scheme = \"yy.0m\", not \"\(scheme.name)\"")
            }
            do { try ReleaseLine.validateCadence(cadence) } catch { throw self.error(path + ["cadence"], error.message) }
            configuration.nextLine = .cadence(cadence)
        default:
            throw error(path + ["next-line"], "unknown next-line policy '\(policyName)'; use one of: \(NextLinePolicy.names.joined(separator: ", "))")
        }
        if cadence != nil && policyName != "cadence" {
            throw error(path + ["cadence"], "cadence is used only with next-line = \"cadence\"")
        }
    }
}

/// "Did you mean": the known word nearest to a misspelt one, when it is near enough.
enum Spelling {
    static func nearest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
