import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `relkit notes show VERSION`: the body of a release page. The release's section of its line's
/// notes file at its tag (what towncrier wrote at release time), then the upgrade report from the
/// release before it: the previous release of the line (for a final release, the previous final
/// one), or, for the first of a line, the latest final release of the lines before.
public enum NotesShow {
    /// What the page shows.
    public struct Page {
        /// The release.
        public var version: SchemeVersion
        /// Its tag.
        public var tag: String
        /// The line's notes file.
        public var file: String
        /// The release's section of it; nil when the file or the section is not there.
        public var section: String?
        /// Why there is no section, in one sentence.
        public var sectionMissing: String?
        /// The release the upgrade report starts from; nil when there is none before it.
        public var previousTag: String?
        /// The upgrade report from `previousTag`.
        public var upgrade: Upgrade.Report?
    }

    /// Reads the page of `requested`.
    ///
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - requested: the version, in any spelling of the scheme (`26.04.1`, `26.4.1`).
    /// - Returns: the page.
    /// - Throws: `OperationError`: usage when the version does not parse or is not tagged, or
    ///   when the project has no `[notes]`.
    public static func page(directory: String, version requested: String) throws(OperationError) -> Page {
        let workspace = try Workspace.open(at: directory)
        let repository = try workspace.requireRepository(for: "relkit notes show")
        let configuration = try workspace.baseConfiguration()
        let release = try NotesRelease(requested, configuration: configuration, command: "show")
        let version = release.version
        let tags: [Repository.Tag]
        do { tags = try repository.tags() } catch { throw OperationError.history(error, in: repository, "cannot list tags") }
        var released: [(version: SchemeVersion, tag: Repository.Tag)] = []
        for tag in tags {
            if let tagged = configuration.releaseVersion(ofTag: tag.name)?.version { released.append((tagged, tag)) }
        }
        guard let this = released.first(where: { $0.version == version }) else { throw release.notReleased }
        let file = release.file
        var page = Page(version: version, tag: this.tag.name, file: file)
        // The section: towncrier is given the PEP 440 spelling; the scheme's is looked for too.
        let spellings = [version.pep440.description, version.description]
        let content: [UInt8]?
        do { content = try CommitTree(repository: repository, commit: this.tag.commit, label: this.tag.name).readIfFile(file) } catch {
            throw OperationError.history(error, in: repository, "cannot read \(file) at \(this.tag.name)")
        }
        if let content, let text = String(validating: content, as: UTF8.self) {
            page.section = ReleaseNotesSection.extract(from: text, versions: spellings)
            if page.section == nil { page.sectionMissing = "\(file) at \(this.tag.name) has no section for \(version.pep440)" }
        } else {
            page.sectionMissing = content == nil ? "\(file) does not exist at \(this.tag.name)" : "\(file) at \(this.tag.name) is not UTF-8 text"
        }
        // The release before: the line's previous one (for a final release, its previous final
        // release: the one users run), else the last final release of an earlier line.
        func isFinal(_ candidate: SchemeVersion) -> Bool { candidate.pre == nil && candidate.dev == nil }
        let isPreRelease = !isFinal(version)
        let earlierOfLine = released.filter { $0.version.line == version.line && $0.version < version && (isPreRelease || isFinal($0.version)) }
            .max { $0.version < $1.version }
        let earlierLine = released.filter { $0.version.line < version.line && $0.version.pre == nil && $0.version.dev == nil }.max { $0.version < $1.version }
        if let previous = earlierOfLine ?? earlierLine {
            page.previousTag = previous.tag.name
            page.upgrade = try Upgrade.run(Upgrade.Request(directory: directory, from: previous.tag.name, to: this.tag.name), failOn: [])
        }
        return page
    }
}

/// The release a `relkit notes` command names: the version as the scheme reads it, its tag's
/// name, and its line's notes file (`[notes] file`).
struct NotesRelease {
    let version: SchemeVersion
    let tag: String
    let file: String

    /// - Throws: `OperationError` (usage) when the project has no `[notes]` or the version does not parse.
    init(_ requested: String, configuration: ReleaseConfiguration, command: String) throws(OperationError) {
        guard let policy = configuration.notes else { throw OperationError(.usage, "relkit notes \(command): .release.toml has no [notes] table (docs/notes.md)") }
        do { version = try configuration.scheme(of: requested).version(parsing: requested) } catch { throw OperationError(.usage, error.message) }
        tag = configuration.tags.tagName(of: version)
        file = policy.file(ofLine: configuration.branches.branchName(of: version.line))
    }

    /// The error when the release has no tag.
    var notReleased: OperationError { OperationError(.usage, "\(version) is not released: no tag \(tag) (relkit tag makes one)") }
}

extension CommitTree {
    /// A file's bytes, or nil when there is no file at that path (nothing, a directory, a symlink).
    func readIfFile(_ path: String) throws(GitError) -> [UInt8]? {
        guard let entry = try tree.entry(at: path), case .file = entry.kind else { return nil }
        return try tree.repository.blobContents(entry.id)
    }
}
