import RelKitCore

/// New contents for one file: the bytes before and after, nothing else of the file changed.
public struct FileEdit: Sendable {
    /// Repository-relative path of the file written (a symlink's target).
    public let path: String
    /// The file's bytes now.
    public let before: [UInt8]
    /// The bytes to write.
    public let after: [UInt8]
    /// Whether the file is executable (kept as it is).
    public let executable: Bool

    /// The change as a unified diff, as `--dry-run` shows it.
    public var diff: String { UnifiedDiff.render(path: path, before: before, after: after) }
}

/// Computes the edits that set a group's (or component's) version in every file that carries it,
/// and in the internal requirement pins of it.
public enum VersionEditor {
    struct Replacement {
        let range: Range<Int>
        let text: String
    }

    /// The group or component whose version a name stands for (a grouped component is its group).
    static func releaseIdentity(_ name: String, in configuration: ReleaseConfiguration) -> String {
        configuration.group(containing: name)?.name ?? name
    }

    /// The edits that set a release unit's version.
    /// - Parameters:
    ///   - unit: the group or component.
    ///   - version: the version to write.
    ///   - configuration: where its files and pins are.
    ///   - reader: the tree the files are read from.
    ///   - configFile: the configuration's file name, for messages.
    /// - Returns: one edit per file that changes.
    /// - Throws: `OperationError` when a file cannot be read or its version found.
    public static func edits(
        setting unit: String, to version: SchemeVersion, configuration: ReleaseConfiguration,
        reader: VersionFileReader, configFile: String?
    ) throws(OperationError) -> [FileEdit] {
        let tree = reader.tree
        let replacements: [String: [Replacement]]
        do {
            replacements = try collectReplacements(unit, version, configuration, reader)
        } catch {
            throw .configuration(error.configurationError(file: configFile))
        }
        if let outside = reader.findings.first {
            throw OperationError(.usage, "\(outside.file ?? "?"): \(outside.message); relkit will not write outside the repository")
        }

        var edits: [FileEdit] = []
        for (path, fileReplacements) in replacements.sorted(by: { $0.key < $1.key }) {
            let before: [UInt8]
            do { before = try reader.bytes(path) } catch { throw .configuration(error.configurationError(file: configFile)) }
            var after = before
            var seen = Set<Int>()
            // From the end, so earlier ranges stay valid; one place replaced once.
            for replacement in fileReplacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound })
            where seen.insert(replacement.range.lowerBound).inserted {
                after.replaceSubrange(replacement.range, with: Array(replacement.text.utf8))
            }
            if after != before {
                edits.append(FileEdit(path: path, before: before, after: after, executable: (try? tree.isExecutable(path)) ?? false))
            }
        }
        return edits
    }

    /// Where each file's version (and pins) must change, by byte range.
    static func collectReplacements(
        _ unit: String, _ version: SchemeVersion, _ configuration: ReleaseConfiguration,
        _ reader: VersionFileReader
    ) throws(SpecProblem) -> [String: [Replacement]] {
        var replacements: [String: [Replacement]] = [:]
        // The version's own scheme: the one of its time.
        let scheme = version.scheme
        for component in configuration.components(of: unit) {
            for spec in component.files {
                for file in try reader.expand(spec.path, at: spec.location) {
                    let bytes = try reader.bytes(file.target)
                    for occurrence in try reader.extract(spec.locator, from: file.target, at: spec.location) {
                        guard String(decoding: bytes[occurrence.byteRange], as: UTF8.self) == occurrence.text else {
                            throw SpecProblem(location: spec.location, message: "\(file.target):\(occurrence.line): the version is written with escapes; relkit will not rewrite it")
                        }
                        replacements[file.target, default: []].append(Replacement(range: occurrence.byteRange, text: scheme.spell(version, form: spec.form)))
                    }
                }
            }
        }
        let identity = releaseIdentity(unit, in: configuration)
        for rule in configuration.requirements where releaseIdentity(rule.versionOf, in: configuration) == identity {
            for (pattern, location) in zip(rule.files, rule.fileLocations) {
                for file in try reader.expand(pattern, at: location) {
                    for pin in RequirementScanner.pins(in: try reader.bytes(file.target), packages: rule.packages)
                    where ["==", "===", "~="].contains(pin.comparison) && !pin.version.hasSuffix(".*") {
                        replacements[file.target, default: []].append(Replacement(range: pin.byteRange, text: version.pep440.description))
                    }
                }
            }
        }
        return replacements
    }
}
