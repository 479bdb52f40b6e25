import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Finds, reads and checks `.release.toml`.
public enum ConfigurationLoader {
    /// The configuration file's name, at the repository's root.
    public static let fileName = ".release.toml"

    /// The nearest `.release.toml` in `directory` or above it.
    ///
    /// - Parameter directory: where to start.
    /// - Returns: the path of the nearest `.release.toml` at or above it, or nil.
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
    ///
    /// - Parameter directory: where to start.
    /// - Returns: the configuration and its file (nil: relkit's defaults).
    /// - Throws: `ConfigurationError` at the line and column of the problem.
    public static func loadNearest(from directory: String) throws(ConfigurationError) -> (ReleaseConfiguration, file: String?) {
        guard let file = nearestFile(from: directory) else { return (.defaults, nil) }
        return (try load(file: file), file)
    }

    /// Reads and checks a configuration file.
    /// - Parameter file: its path.
    /// - Returns: the configuration.
    /// - Throws: `ConfigurationError` at the line and column of the problem.
    public static func load(file: String) throws(ConfigurationError) -> ReleaseConfiguration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(file: file, at: .start, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: file, at: .start, message: "the file is not UTF-8 text")
        }
        return try load(text: text, file: file)
    }

    /// Parses and checks configuration text; `file` only names it in errors.
    ///
    /// - Parameters:
    ///   - text: the TOML text.
    ///   - file: how messages name it.
    /// - Returns: the configuration.
    /// - Throws: `ConfigurationError` at the line and column of the problem.
    public static func load(text: String, file: String) throws(ConfigurationError) -> ReleaseConfiguration {
        let root: TOMLTable
        do { root = try TOMLParsing.table(text) } catch {
            throw ConfigurationError(file: file, at: error.location, message: error.message)
        }
        var reader = TableReader(file: file, map: TOMLSourceMap(text: text))
        return try reader.configuration(root)
    }
}
