import GitKit
import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// towncrier's configuration as towncrier finds it: `towncrier.toml` at the root, else
/// `pyproject.toml`, each with a `[tool.towncrier]` table (or the file `[notes] towncrier-config`
/// names). Only what the fragment check needs is read; towncrier itself reads the rest.
enum TowncrierConfiguration {
    /// Where the configuration is read from, and an error when it cannot be read (a finding).
    struct Problem: Error {
        let file: String
        let message: String
    }

    /// The settings in `tree`, from the file `policy` names or the first of towncrier's own.
    ///
    /// - Parameters:
    ///   - tree: the files (a commit's tree or the work tree).
    ///   - policy: the `[notes]` policy.
    /// - Returns: the file read and its settings.
    /// - Throws: `Problem` when there is none, it is not TOML, or it has no `directory`.
    static func read(in tree: FileTree, policy: NotesPolicy) throws(Problem) -> (file: String, settings: TowncrierSettings) {
        let candidates = policy.towncrierConfig.map { [$0] } ?? ["towncrier.toml", "pyproject.toml"]
        for file in candidates {
            guard (try? tree.kind(of: file)) == .file, let bytes = try? tree.read(file) else { continue }
            guard let text = String(validating: bytes, as: UTF8.self) else { throw Problem(file: file, message: "\(file) is not UTF-8 text") }
            let root: TOMLTable
            do { root = try TOMLTable(string: text) } catch { throw Problem(file: file, message: "\(file) is not valid TOML: \(error)") }
            guard let table = root["tool"]?.table?["towncrier"]?.table else {
                if file == "pyproject.toml" && policy.towncrierConfig == nil { continue }
                throw Problem(file: file, message: "\(file) has no [tool.towncrier] table")
            }
            return (file, try settings(table, file: file))
        }
        throw Problem(
            file: candidates[0],
            message: "no towncrier configuration: \(candidates.joined(separator: " or ")) with a [tool.towncrier] table (see towncrier's documentation, or set [notes] towncrier-config)")
    }

    static func settings(_ table: TOMLTable, file: String) throws(Problem) -> TowncrierSettings {
        guard let directory = table["directory"]?.string else {
            throw Problem(file: file, message: "[tool.towncrier] in \(file) has no 'directory' (where the fragments are); relkit reads fragments only from a directory set there")
        }
        var settings = TowncrierSettings(directory: directory.hasSuffix("/") ? String(directory.dropLast()) : directory)
        if let sections = table["section"]?.array {
            settings.sections = sections.compactMap { $0.table }.map { ($0["name"]?.string ?? "", $0["path"]?.string ?? "") }
        }
        // towncrier's order of precedence: [tool.towncrier.fragment.X] tables, else [[type]].
        if let fragments = table["fragment"]?.table, !fragments.isEmpty {
            settings.types = fragments.keys.sorted()
            settings.typesWithoutContent = settings.types.filter { fragments[$0]?.table?["showcontent"]?.bool == false }
        } else if let types = table["type"]?.array, !types.isEmpty {
            let tables = types.compactMap { $0.table }
            func name(_ type: TOMLTable) -> String? { type["directory"]?.string ?? type["name"]?.string?.lowercased() }
            settings.types = tables.compactMap(name)
            settings.typesWithoutContent = tables.filter { $0["showcontent"]?.bool == false }.compactMap(name)
        }
        if let prefix = table["orphan_prefix"]?.string { settings.orphanPrefix = prefix }
        if let filename = table["filename"]?.string { settings.filename = filename }
        if let template = table["template"]?.string, !template.contains(":") || template.contains("/") {
            settings.ignored.append(String(template.split(separator: "/").last ?? "").lowercased())
        }
        if let ignore = table["ignore"]?.array { settings.ignored += ignore.compactMap { $0.string?.lowercased() } }
        return settings
    }
}

/// `relkit check --notes`: the news fragments of the changes between a base and HEAD.
public enum NotesCheck {
    /// Reads the fragments at HEAD and the changes since `base`, and gives the findings.
    ///
    /// - Parameters:
    ///   - repository: the repository.
    ///   - configuration: the configuration (its `[notes]`; none: a finding says so).
    ///   - head: the commit checked (HEAD, or `--ref`).
    ///   - base: where the changes start (nil: where HEAD left the source branch).
    /// - Returns: the findings, and how many files were read.
    /// - Throws: `OperationError` when a revision cannot be read.
    public static func findings(repository: Repository, configuration: ReleaseConfiguration, head: ObjectID, base: String?) throws(OperationError) -> (findings: [Finding], filesRead: Int) {
        guard let policy = configuration.notes else {
            throw OperationError(.usage, "relkit check --notes: .release.toml has no [notes] table (relkit init proposes one when it finds towncrier's configuration)")
        }
        let start = try baseCommit(base, head: head, repository: repository, configuration: configuration)
        return try OperationError.converting {
            let tree = try CommitTree(repository: repository, commit: head, label: "HEAD")
            let settings: TowncrierSettings
            do throws(TowncrierConfiguration.Problem) { settings = try TowncrierConfiguration.read(in: tree, policy: policy).settings } catch {
                return ([Finding(rule: "notes-config", file: error.file, message: error.message)], 1)
            }
            // The fragments at HEAD (a blob's size read from its header: a 10 MB one is not loaded).
            let files = try fragmentFiles(in: tree, settings: settings) { path in
                guard let entry = try tree.tree.entry(at: path) else { return 0 }
                return try repository.objectSize(entry.id)
            }
            var findings = NotesRules.fragmentFindings(files, settings: settings)
            var issues = Set<String>()
            for file in files {
                if let name = FragmentName.parse(file.basename, types: settings.types) { issues.insert(name.issue) }
            }
            // The changes since the base.
            let ids = try repository.commits(reachableFrom: [head], excluding: [start])
            var changes: [NotesRules.Change] = []
            for id in ids {
                let commit = try repository.commit(id)
                if commit.isMerge || Bookkeeping.isBookkeeping(message: commit.message) { continue }
                // Files added or changed directly in a fragment directory.
                let touched = try repository.treeChanges(from: try repository.parentTree(of: commit, known: [:]), to: commit.tree, within: nil).filter { change in
                    change.new != nil && settings.fragmentDirectories.contains(where: { change.path.hasPrefix($0 + "/") && !change.path.dropFirst($0.count + 1).contains("/") })
                }.map(\.path)
                changes.append(.init(id: id.description, subject: commit.subject, fragmentsTouched: touched))
            }
            findings += NotesRules.missingFragments(changes, issuesWithFragments: issues, policy: policy, fragmentDirectory: settings.fragmentDirectories.first ?? settings.directory)
            return (findings, files.count + 1 + changes.count)
        } otherwise: { error in
            OperationError.history(error, in: repository, "cannot read the changes for the notes check")
        }
    }

    /// The files in the fragment directories of `tree` (towncrier's ignored names left out),
    /// relative to its root.
    static func fragmentPaths(in tree: FileTree, settings: TowncrierSettings) -> [String] {
        settings.fragmentDirectories.flatMap { directory -> [String] in
            guard (try? tree.kind(of: directory)) == .directory, let children = try? tree.children(of: directory) else { return [] }
            return children.filter { !$0.isDirectory && !isIgnored($0.name, settings: settings) }.map { directory + "/" + $0.name }
        }
    }

    /// Those files as the fragment rules read them: anything not a regular file has no content,
    /// and one larger than a fragment may be is not read (`size` tells its size without reading it).
    static func fragmentFiles(in tree: FileTree, settings: TowncrierSettings, size: (String) throws -> Int) throws -> [NotesRules.FragmentFile] {
        try fragmentPaths(in: tree, settings: settings).map { path in
            guard case .file = try? tree.kind(of: path) else { return .init(path: path, content: nil, size: 0) }
            let bytes = try size(path)
            return .init(path: path, content: bytes > NotesRules.largestFragment ? [] : try tree.read(path), size: bytes)
        }
    }

    static func isIgnored(_ name: String, settings: TowncrierSettings) -> Bool {
        let lower = name.lowercased()
        return settings.ignored.contains { Glob($0).matches(lower) }
    }

    /// `--base`, else where HEAD's history left the source branch (its merge base with it; the
    /// source branch as git finds it, local or origin's).
    static func baseCommit(_ base: String?, head: ObjectID, repository: Repository, configuration: ReleaseConfiguration) throws(OperationError) -> ObjectID {
        if let base {
            return try repository.commit(named: base, remote: configuration.branches.remote)
        }
        let source = try BranchResolver(repository: repository, remote: configuration.branches.remote).require(configuration.backportSource)
        do { return try repository.mergeBases(head, source.tip).first ?? source.tip } catch {
            throw OperationError.history(error, in: repository, "cannot find where HEAD left \(source.displayName)")
        }
    }
}
