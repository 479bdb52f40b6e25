import RelKitCore

/// A configured file found in a tree: the path as matched, and the file it leads to.
public struct ResolvedFile: Sendable, Equatable {
    /// The file, relative to the root.
    public let path: String
    /// The file read, after symlinks: a symlinked version file is read once, through its target.
    public let target: String
}

/// Something a configured path or glob cannot be turned into files for, said at its place.
public struct SpecProblem: Error, Sendable {
    /// Where the spec is written in `.release.toml`.
    public let location: SourceLocation
    /// What is wrong.
    public let message: String

    func configurationError(file: String?) -> ConfigurationError {
        guard let file else {
            // No .release.toml: the problem is in relkit's defaults, which the user never wrote.
            return ConfigurationError(
                file: "", at: SourceLocation(line: 0, column: 0),
                message:
                    "there is no \(ConfigurationLoader.fileName) here, and relkit's default configuration (one VERSION file at the root) does not fit: \(message); run relkit init to make a \(ConfigurationLoader.fileName) for this repository"
            )
        }
        return ConfigurationError(file: file, at: location, message: message)
    }
}

/// Reads configured version files from a tree, each file once.
public final class VersionFileReader {
    /// The tree the files are read from.
    public let tree: FileTree
    private var bytesCache: [String: [UInt8]] = [:]
    private var extractionCache: [String: [ExtractedVersion]] = [:]
    /// Findings made while resolving (symlinks out of the repository).
    public private(set) var findings: [Finding] = []

    /// A tree of the past (a tagged commit): a configured file that is not there did not exist
    /// yet. It is skipped instead of being a problem, and so is a glob that matches nothing.
    public let skipsMissingFiles: Bool

    /// A reader of a tree.
    /// - Parameters:
    ///   - tree: the work tree or a commit's.
    ///   - skipsMissingFiles: treat a missing file as no version instead of a problem.
    public init(tree: FileTree, skipsMissingFiles: Bool = false) {
        self.tree = CachedTree(tree)
        self.skipsMissingFiles = skipsMissingFiles
    }

    /// How many files were read.
    public var filesRead: Int { bytesCache.count }

    /// A file's bytes (read once).
    /// - Parameter target: the path.
    /// - Returns: the bytes.
    /// - Throws: `SpecProblem` when the file cannot be read.
    public func bytes(_ target: String) throws(SpecProblem) -> [UInt8] {
        if let cached = bytesCache[target] { return cached }
        do {
            let bytes = try tree.read(target)
            bytesCache[target] = bytes
            return bytes
        } catch {
            throw SpecProblem(location: .start, message: "\(target): \(error)")
        }
    }

    /// The files a path or glob names. A glob that matches nothing, a path that does not exist
    /// or that leaves the repository is a problem of the configuration; a file that is a symlink
    /// to outside the repository is a finding, and is not read.
    ///
    /// - Parameters:
    ///   - pattern: a path or glob.
    ///   - location: where the pattern is written in `.release.toml`.
    /// - Returns: the files, symlinks resolved.
    /// - Throws: `SpecProblem` when nothing matches or a file cannot be read.
    public func expand(_ pattern: String, at location: SourceLocation) throws(SpecProblem) -> [ResolvedFile] {
        let glob = Glob(pattern)
        func problem(_ message: String) -> SpecProblem { SpecProblem(location: location, message: message) }
        func resolveMatch(_ path: String) throws(SpecProblem) -> ResolvedFile? {
            let resolution: PathResolution
            do { resolution = try tree.resolve(path) } catch { throw problem("\(path): \(error)") }
            switch resolution {
            case .file(let target):
                return ResolvedFile(path: path, target: target)
            case .missing:
                if skipsMissingFiles { return nil }
                throw problem("'\(path)' does not exist in the \(tree.label)")
            case .directory:
                throw problem("'\(path)' is a directory, not a file")
            case .directoryOutside(let link, let target):
                throw problem("'\(path)' leaves the repository through the symlink \(link) -> \(target)")
            case .symlinkLoop(let link):
                throw problem("'\(path)' has a symlink loop at \(link)")
            case .fileOutside(let link, let target):
                findings.append(
                    Finding(
                        rule: "symlink-outside", file: path, line: nil, column: nil,
                        message: "\(link) is a symlink to \(target), outside the repository; relkit does not read it"))
                return nil
            }
        }
        if glob.isLiteral { return try resolveMatch(pattern).map { [$0] } ?? [] }

        // A glob's fixed directory must stay inside the repository; then only the directories a
        // match can go through are listed.
        let directory = glob.literalDirectory
        if !directory.isEmpty {
            let resolution: PathResolution
            do { resolution = try tree.resolve(directory) } catch { throw problem("\(directory): \(error)") }
            switch resolution {
            case .directory: break
            case .directoryOutside(let link, let target), .fileOutside(let link, let target):
                throw problem("'\(pattern)' leaves the repository through the symlink \(link) -> \(target)")
            case .missing where skipsMissingFiles: return []
            default: throw problem("glob '\(pattern)' matches no file in the \(tree.label)")
            }
        }
        let matches: [String]
        do { matches = try glob.expand(listing: tree.children(of:)) } catch { throw problem("\(pattern): \(error)") }
        var files: [ResolvedFile] = []
        for path in matches {
            if let file = try resolveMatch(path) { files.append(file) }
        }
        if files.isEmpty && !skipsMissingFiles && !findings.contains(where: { glob.matches($0.file ?? "") }) {
            throw problem("glob '\(pattern)' matches no file in the \(tree.label)")
        }
        return files
    }

    /// The versions a file carries where `locator` says; each file and locator is read once.
    ///
    /// - Parameters:
    ///   - locator: where in the file.
    ///   - target: the file.
    ///   - location: where the spec is written.
    /// - Returns: the versions found.
    /// - Throws: `SpecProblem` when the file cannot be read or has no version there.
    public func extract(_ locator: VersionLocator, from target: String, at location: SourceLocation) throws(SpecProblem) -> [ExtractedVersion] {
        let key = "\(locator)\u{0}\(target)"
        if let cached = extractionCache[key] { return cached }
        let bytes = try self.bytes(target)
        do {
            let found = try VersionExtractor.extract(locator, from: bytes)
            extractionCache[key] = found
            return found
        } catch {
            throw SpecProblem(location: location, message: "\(target): \(error.message)")
        }
    }

    /// The versions a spec's files carry.
    /// `scheme` gives the scheme a version text is read in (the scheme of its time).
    ///
    /// - Parameters:
    ///   - spec: the file entry.
    ///   - component: its component.
    ///   - scheme: the scheme of a version, by its text.
    /// - Returns: every version found, with its place.
    /// - Throws: `SpecProblem` when a file cannot be read.
    public func occurrences(of spec: VersionFileSpec, component: String, scheme: (String) -> VersionScheme) throws(SpecProblem) -> [VersionOccurrence] {
        var result: [VersionOccurrence] = []
        var seen = Set<String>()
        for file in try expand(spec.path, at: spec.location) where seen.insert(file.target).inserted {
            for version in try extract(spec.locator, from: file.target, at: spec.location) {
                let value = scheme(version.text).check(version.text, form: spec.form).value
                result.append(
                    VersionOccurrence(
                        component: component, file: file.target, line: version.line, column: version.column,
                        text: version.text, form: spec.form, value: value))
            }
        }
        return result
    }
}
