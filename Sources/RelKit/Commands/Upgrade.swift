import GitKit
import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `relkit upgrade FROM [TO]`: what moving a deployment or a checkout from one ref to another
/// takes, read from the two trees (never from the checkout): migrations to downgrade and apply,
/// configuration keys and service images that changed, and the version move.
public enum Upgrade {
    /// The two refs to compare.
    public struct Request {
        /// Where relkit runs.
        public var directory: String
        /// The ref deployed now.
        public var from: String
        /// nil: HEAD.
        public var to: String?

        /// A request.
        /// - Parameters:
        ///   - directory: where relkit runs.
        ///   - from: the ref deployed now.
        ///   - to: the ref to move to (nil: HEAD).
        public init(directory: String, from: String, to: String? = nil) {
            self.directory = directory
            self.from = from
            self.to = to
        }
    }

    /// One ref of the move.
    public struct Side {
        /// The revision as given.
        public var revision: String
        /// Its commit's id.
        public var commit: String
        /// The release unit's version there, when readable.
        public var version: SchemeVersion?
        /// `REV (abbreviated id)`.
        public var label: String { "\(revision) (\(commit.prefix(12)))" }
    }

    /// One alembic history at both refs, and the switch between them.
    public struct Migrations {
        /// The history's configuration.
        public var spec: MigrationHistorySpec
        /// The history at the first ref (nil: not there).
        public var from: AlembicHistory?
        /// The history at the second ref (nil: not there).
        public var to: AlembicHistory?
        /// nil when either history cannot be planned (missing at a ref, unreadable files, a cycle).
        public var plan: AlembicSwitch?
        /// Why there is no plan.
        public var planProblem: String?

        /// Run at the first ref, before switching: one `alembic downgrade` per step.
        public var downgradeCommands: [String] {
            (plan?.downgradeSteps ?? []).map { "\(spec.command) downgrade \($0.target)" }
        }

        /// The same downgrade counted down from the one head, as upgrade guides write it.
        public var relativeDowngradeCommand: String? {
            plan?.relativeSteps.map { "\(spec.command) downgrade -\($0)" }
        }

        /// Run at the second ref, after switching.
        public var upgradeCommand: String? {
            guard let plan, !plan.upgrade.isEmpty else { return nil }
            return "\(spec.command) upgrade \(plan.upgradeTarget)"
        }
    }

    /// Whether a file was added, removed or changed between the refs.
    public enum FileStatus: String { case added, removed, changed }

    /// A sample (its keys) or compose file (its images) that differs between the refs.
    public struct FileChange<Change> {
        /// The file's path.
        public var file: String
        /// Added, removed or changed.
        public var status: FileStatus
        /// Empty when either side could not be read (a finding says why).
        public var changes: [Change]
    }

    /// A pin of an internal package that differs between the refs.
    public struct PinChange: Equatable {
        /// The requirements file.
        public var file: String
        /// The package pinned.
        public var package: String
        /// The pin at the first ref.
        public var old: String?
        /// The pin at the second ref.
        public var new: String?
    }

    /// Everything the move takes.
    public struct Report {
        /// The first ref.
        public var from: Side
        /// The second ref.
        public var to: Side
        /// The configuration read (the second ref's, else the checkout's).
        public var configurationFile: String?
        /// The release unit.
        public var releaseUnit: String
        /// How its version moves, when both versions are known.
        public var move: VersionMove?
        /// Internal pins that change.
        public var pins: [PinChange]
        /// Each alembic history.
        public var migrations: [Migrations]
        /// Configuration samples that differ.
        public var samples: [FileChange<ConfigKeyChange>]
        /// Compose files that differ.
        public var compose: [FileChange<ImageChange>]
        /// Everything found at either ref, or about the move.
        public var findings: [Finding]
        /// The rules that block (`--fail-on`, else `[upgrade] fail-on`).
        public var failOn: [String]

        /// The findings that make the command exit 1.
        public var blockingFindings: [Finding] { findings.filter { UpgradePolicy.blocks($0, under: failOn) } }
        /// How many findings are errors.
        public var errorCount: Int { findings.filter { $0.severity == .error }.count }
        /// How many findings are warnings.
        public var warningCount: Int { findings.count - errorCount }
    }

    /// Compares the two refs' trees (never the checkout).
    /// - Parameters:
    ///   - request: the refs.
    ///   - failOn: the blocking rules (nil: the configuration's).
    /// - Returns: the report.
    /// - Throws: `OperationError` (usage) for an unknown revision or no repository.
    public static func run(_ request: Request, failOn: [String]? = nil) throws(OperationError) -> Report {
        let workspace = try Workspace.open(at: request.directory)
        let repository = try workspace.requireRepository(for: "relkit upgrade")
        let toRevision = request.to ?? "HEAD"
        // A ref of before .release.toml existed is read with the checkout's configuration; its
        // remote is where a release branch that exists only there is read (origin/26.04).
        let checkout = try? workspace.checkoutConfiguration()
        let remote = checkout?.0.branches.remote ?? "origin"
        let (fromTree, fromCommit) = try repository.commitTree(named: request.from, remote: remote)
        let (toTree, toCommit) = try repository.commitTree(named: toRevision, remote: remote)
        var findings = Findings(fromLabel: request.from, toLabel: toRevision)
        // A ref's .release.toml is history, not the user's input: one that relkit cannot read
        // (broken then, or from a relkit of other keys) is a finding, and its version unknown.
        func configuration(_ tree: CommitTree, side: Ref) -> (ReleaseConfiguration, file: String?, readable: Bool) {
            do {
                let (configuration, file) = try Workspace.configuration(in: tree, otherwise: checkout)
                return (configuration, file, true)
            } catch {
                findings.add(
                    Finding(
                        rule: "version-unreadable", severity: .warning,
                        message: "its .release.toml cannot be read, so neither can the version: \(error.message)"), side: side)
                return (.defaults, nil, false)
            }
        }
        let (fromConfiguration, _, fromReadable) = configuration(fromTree, side: .from)
        let (toConfiguration, toFile, toReadable) = configuration(toTree, side: .to)
        // What to compare: the target's [upgrade], else the checkout's (a tag of before [upgrade]).
        var policy = toConfiguration.upgrade
        var configurationFile = toFile
        if !policy.isConfigured, workspace.root != nil {
            let checkout = try workspace.baseConfiguration()
            if checkout.upgrade.isConfigured {
                policy = checkout.upgrade
                configurationFile = ConfigurationLoader.fileName + " (checkout)"
            }
        }

        // Versions and pins, each ref with its own configuration and one reader of its files.
        let fromReader = VersionFileReader(tree: fromTree, skipsMissingFiles: true)
        let toReader = VersionFileReader(tree: toTree, skipsMissingFiles: true)
        let fromVersion = fromReadable ? releaseVersion(fromConfiguration, reader: fromReader, side: .from, findings: &findings) : nil
        let toVersion = toReadable ? releaseVersion(toConfiguration, reader: toReader, side: .to, findings: &findings) : nil
        var move: VersionMove?
        if let fromVersion, let toVersion {
            let found = VersionMove.between(fromVersion, toVersion)
            move = found
            if found == .downgrade {
                findings.add(
                    Finding(
                        rule: "version-downgrade", severity: .warning,
                        message: "\(toConfiguration.releaseUnit) goes down from \(fromVersion) to \(toVersion)"), side: nil)
            }
        }
        let pins = pinChanges(fromConfiguration, fromReader, toConfiguration, toReader)

        var blobs = BlobCache(repository: repository)
        let migrations = policy.migrations.map { spec in
            migrationReport(spec, fromTree: fromTree, toTree: toTree, blobs: &blobs, findings: &findings)
        }
        let samples = changedFiles(policy.configSamples, fromTree, toTree).map { file in
            compare(
                file, fromTree, toTree, rule: "sample-unreadable", findings: &findings,
                read: { bytes throws(FileProblem) in try ConfigSampleReader.leaves(of: bytes, file: file) },
                diff: ConfigSampleDiff.changes(from:to:))
        }
        let compose = changedFiles(policy.compose, fromTree, toTree).map { file in
            compare(file, fromTree, toTree, rule: "compose-unreadable", findings: &findings, read: composeServices, diff: ImageChange.changes(from:to:))
        }
        for change in compose {
            for image in change.changes where image.procedure != nil {
                findings.add(
                    Finding(
                        rule: "image-major-change", severity: .warning, file: change.file, line: image.line,
                        message: "service '\(image.service)': \(image.product!) \(image.oldMajor!) -> \(image.newMajor!); \(image.procedure!)"), side: nil)
            }
        }
        return Report(
            from: Side(revision: request.from, commit: fromCommit.description, version: fromVersion),
            to: Side(revision: toRevision, commit: toCommit.description, version: toVersion),
            configurationFile: configurationFile, releaseUnit: toConfiguration.releaseUnit, move: move, pins: pins,
            migrations: migrations, samples: samples, compose: compose, findings: findings.sorted, failOn: failOn ?? policy.failOn)
    }

    // MARK: Findings at one ref or both

    enum Ref { case from, to }

    /// Findings of both refs; one made at both (the same file unchanged) is said once.
    struct Findings {
        let fromLabel: String
        let toLabel: String
        private var entries: [(finding: Finding, sides: Set<Ref>)] = []

        init(fromLabel: String, toLabel: String) {
            self.fromLabel = fromLabel
            self.toLabel = toLabel
        }

        /// `side` nil: a finding about the move itself, said without a ref.
        mutating func add(_ finding: Finding, side: Ref?) {
            let sides: Set<Ref> = side.map { [$0] } ?? [.from, .to]
            if let index = entries.firstIndex(where: { $0.finding == finding }) {
                entries[index].sides.formUnion(sides)
            } else {
                entries.append((finding, sides))
            }
        }

        var sorted: [Finding] {
            sortedFindings(
                entries.map { entry in
                    var finding = entry.finding
                    if entry.sides == [.from] { finding.message += " (at \(fromLabel))" } else if entry.sides == [.to] { finding.message += " (at \(toLabel))" }
                    return finding
                })
        }
    }

    // MARK: Versions and pins

    static func releaseVersion(_ configuration: ReleaseConfiguration, reader: VersionFileReader, side: Ref, findings: inout Findings) -> SchemeVersion? {
        let tree = reader.tree
        var ignored: [Finding] = []
        do {
            let versions = try Check.readVersions(configuration, reader: reader, findings: &ignored)
            let unit = configuration.releaseUnit
            let owner = configuration.group(containing: unit)?.name ?? unit
            if let version = versions.first(where: { $0.0 == owner })?.1 { return version }
            findings.add(
                Finding(
                    rule: "version-unreadable", severity: .warning,
                    message: "no single version of \(unit) can be read in \(tree.label)"), side: side)
        } catch {
            findings.add(
                Finding(
                    rule: "version-unreadable", severity: .warning,
                    message: "the version of \(configuration.releaseUnit) cannot be read in \(tree.label): \(error.message)"), side: side)
        }
        return nil
    }

    static func pinChanges(
        _ fromConfiguration: ReleaseConfiguration, _ fromReader: VersionFileReader,
        _ toConfiguration: ReleaseConfiguration, _ toReader: VersionFileReader
    ) -> [PinChange] {
        /// A rule whose files cannot be read at a ref (history, not input) has no pins there.
        func pins(_ configuration: ReleaseConfiguration, _ reader: VersionFileReader) -> [String: (file: String, package: String, text: String)] {
            var result: [String: (file: String, package: String, text: String)] = [:]
            for rule in configuration.requirements {
                for (file, pin) in (try? Check.pins(of: rule, reader: reader)) ?? [] {
                    result[file.path + "\u{0}" + pin.package] = (file.path, pin.package, pin.comparison + pin.version)
                }
            }
            return result
        }
        let before = pins(fromConfiguration, fromReader)
        let after = pins(toConfiguration, toReader)
        var changes: [PinChange] = []
        for key in Set(before.keys).union(after.keys) where before[key]?.text != after[key]?.text {
            let entry = after[key] ?? before[key]!
            changes.append(PinChange(file: entry.file, package: entry.package, old: before[key]?.text, new: after[key]?.text))
        }
        return changes.sorted { ($0.file, $0.package) < ($1.file, $1.package) }
    }

    // MARK: Migrations

    /// Parsed revision files by blob id: most files are the same object at both refs.
    struct BlobCache {
        let repository: Repository
        var parsed: [ObjectID: AlembicScript.Parsed] = [:]

        mutating func revision(_ id: ObjectID, file: String) throws -> AlembicScript.Parsed {
            switch parsed[id] {
            case .revision(var revision)?:
                revision.file = file
                return .revision(revision)
            case .unreadable(var finding)?:
                finding.file = file
                return .unreadable(finding)
            case nil:
                break
            }
            let result = AlembicScript.parse(try repository.blobContents(id), file: file)
            parsed[id] = result
            return result
        }
    }

    /// The history in one tree's versions directory (nil when the directory is not there), and
    /// what was found reading it.
    static func history(_ spec: MigrationHistorySpec, tree: CommitTree, blobs: inout BlobCache)
        -> (history: AlembicHistory?, complete: Bool, findings: [Finding])
    {
        var found: [Finding] = []
        func finding(_ rule: String, _ file: String?, _ message: String) {
            found.append(Finding(rule: rule, file: file, message: message))
        }
        let directory: String
        do {
            switch try tree.resolve(spec.path) {
            case .missing: return (nil, true, found)
            case .file(let target):
                finding("alembic-unreadable", target, "\(spec.name): \(spec.path) is a file, not an alembic versions directory")
                return (nil, false, found)
            case .directory(let resolved): directory = resolved
            case .directoryOutside(let link, let target), .fileOutside(let link, let target):
                finding("symlink-outside", link, "\(spec.name): \(spec.path) leads out of the repository (-> \(target)); not read")
                return (nil, false, found)
            case .symlinkLoop(let link):
                finding("symlink-outside", link, "\(spec.name): \(spec.path) is a symlink loop; not read")
                return (nil, false, found)
            }
        } catch {
            finding("alembic-unreadable", spec.path, "\(spec.name): \(error)")
            return (nil, false, found)
        }
        var revisions: [AlembicRevision] = []
        var complete = true
        var loadFindings: [Finding] = []
        do {
            // alembic lists the versions directory itself, not its subdirectories.
            for entry in try tree.tree.children(of: directory) where entry.kind != .directory {
                let name = PathText.lastComponent(entry.path)
                guard AlembicScript.isRevisionFileName(name) else { continue }
                let shown = spec.path + "/" + name
                var blob = entry.id
                if case .symlink = entry.kind {
                    switch try tree.resolve(entry.path) {
                    case .file(let target):
                        guard let resolved = try tree.tree.entry(at: target) else { continue }
                        blob = resolved.id
                    case .fileOutside(_, let target), .directoryOutside(_, let target):
                        loadFindings.append(Finding(rule: "symlink-outside", file: shown, message: "a symlink out of the repository (-> \(target)); not read"))
                        complete = false
                        continue
                    case .symlinkLoop, .missing, .directory:
                        // alembic could not load it either: say so rather than lose a revision.
                        loadFindings.append(Finding(rule: "alembic-unreadable", file: shown, message: "a symlink to no file (a loop, a missing file or a directory); not read"))
                        complete = false
                        continue
                    }
                } else if entry.kind == .submodule {
                    continue
                }
                do {
                    switch try blobs.revision(blob, file: shown) {
                    case .revision(let revision): revisions.append(revision)
                    case .unreadable(let problem):
                        loadFindings.append(problem)
                        complete = false
                    }
                } catch {
                    // A partial clone has the tree but not every blob: say which, and how to get it.
                    let missing = (error as? GitError)?.isMissingObject == true
                    loadFindings.append(
                        Finding(
                            rule: "alembic-unreadable", file: shown,
                            message: missing
                                ? "the file's object \(blob.short) is not in this clone (a partial clone fetches it with `git fetch` or a checkout of \(tree.label))"
                                : "the file cannot be read: \(error)"))
                    complete = false
                }
            }
        } catch {
            finding("alembic-unreadable", spec.path, "\(spec.name): cannot read the versions directory: \(error)")
            return (nil, false, found)
        }
        let history = AlembicHistory(name: spec.name, directory: spec.path, revisions: revisions, findings: loadFindings)
        found += history.findings
        let broken = history.findings.contains { $0.severity == .error }
        return (history, complete && !broken && !history.hasCycle, found)
    }

    static func migrationReport(
        _ spec: MigrationHistorySpec, fromTree: CommitTree, toTree: CommitTree,
        blobs: inout BlobCache, findings: inout Findings
    ) -> Migrations {
        let (from, fromComplete, fromFindings) = history(spec, tree: fromTree, blobs: &blobs)
        // The same tree at both refs (`upgrade main main`, a tag of the commit checked out): the
        // same history, read once.
        let (to, toComplete, toFindings) =
            fromTree.tree.id == toTree.tree.id
            ? (from, fromComplete, fromFindings) : history(spec, tree: toTree, blobs: &blobs)
        for item in fromFindings { findings.add(item, side: .from) }
        for item in toFindings { findings.add(item, side: .to) }
        var report = Migrations(spec: spec, from: from, to: to)
        if from == nil && to == nil && fromComplete && toComplete {
            findings.add(
                Finding(
                    rule: "migrations-missing", severity: .warning, file: spec.path,
                    message: "\(spec.name): the versions directory is at neither ref"), side: nil)
            report.planProblem = "the versions directory is at neither ref"
            return report
        }
        guard fromComplete && toComplete else {
            report.planProblem = "a history could not be read whole (see the findings); no commands are given"
            return report
        }
        // A history that does not exist yet (or any more) is an empty one.
        let plan = AlembicSwitch.plan(
            from: from ?? AlembicHistory(name: spec.name, revisions: []),
            to: to ?? AlembicHistory(name: spec.name, revisions: []))
        for id in plan.mergesDowngraded {
            let revision = from!.revisions[id]!
            findings.add(
                Finding(
                    rule: "alembic-downgrade-merge", severity: .warning, file: revision.file, line: revision.line,
                    message: "\(spec.name): the downgrade goes through merge revision '\(id)' (of \(revision.downRevisions.joined(separator: ", ")))"), side: nil)
        }
        for id in plan.repointed {
            let revision = to!.revisions[id]!
            findings.add(
                Finding(
                    rule: "alembic-repointed", severity: .warning, file: revision.file, line: revision.line,
                    message: "\(spec.name): revision '\(id)' follows \(describe(from!.revisions[id]!)) at \(fromTree.label) but \(describe(revision)) here; it is downgraded and applied again"),
                side: nil)
        }
        report.plan = plan
        return report
    }

    static func describe(_ revision: AlembicRevision) -> String {
        let down = revision.downRevisions.isEmpty ? "base" : revision.downRevisions.joined(separator: ", ")
        return revision.dependsOn.isEmpty ? down : down + " (depends on " + revision.dependsOn.joined(separator: ", ") + ")"
    }

    // MARK: Files that changed

    /// Paths matching the globs at either ref whose blob differs (or that exist at one ref only).
    static func changedFiles(_ globs: [String], _ fromTree: CommitTree, _ toTree: CommitTree) -> [String] {
        guard !globs.isEmpty else { return [] }
        var paths = Set<String>()
        for tree in [fromTree, toTree] {
            let cached = CachedTree(tree)
            for pattern in globs {
                let glob = Glob(pattern)
                if glob.isLiteral {
                    paths.insert(pattern)
                    continue
                }
                if let matches = try? glob.expand(listing: cached.children(of:)) { paths.formUnion(matches) }
            }
        }
        // A symlink is compared by what it points to (inside the repository, as it is read): a
        // change of its target's contents is a change of the file.
        func contentID(_ tree: CommitTree, _ path: String) -> ObjectID? {
            guard let entry = try? tree.tree.entry(at: path) else { return nil }
            guard entry.kind == .symlink, case .file(let target)? = try? tree.resolve(path) else { return entry.id }
            return (try? tree.tree.entry(at: target))?.id ?? entry.id
        }
        return paths.sorted().filter { path in contentID(fromTree, path) != contentID(toTree, path) }
    }

    /// Why a sample or compose file cannot be read at a ref.
    struct FileProblem: Error {
        var line: Int?
        var message: String
    }

    /// A file at both refs: each side read (a side that cannot be is a finding under `rule`, as
    /// is a symlink out of the repository), and the two compared when both could be.
    static func compare<Value, Change>(
        _ file: String, _ fromTree: CommitTree, _ toTree: CommitTree, rule: String, findings: inout Findings,
        read: ([UInt8]) throws(FileProblem) -> [Value],
        diff: ([Value], [Value]) -> [Change]
    ) -> FileChange<Change> {
        /// The values, [] when the file is not at the ref, nil when it cannot be read.
        func values(_ tree: CommitTree, side: Ref) -> (values: [Value]?, present: Bool) {
            func problem(_ link: String, _ message: String) -> (values: [Value]?, present: Bool) {
                findings.add(Finding(rule: "symlink-outside", file: link, message: message), side: side)
                return (nil, false)
            }
            do {
                switch try tree.resolve(file) {
                case .file(let target):
                    do { return (try read(try tree.read(target)), true) } catch let error as FileProblem {
                        findings.add(Finding(rule: rule, file: file, line: error.line, message: error.message), side: side)
                        return (nil, true)
                    }
                case .missing, .directory: return ([], false)
                case .fileOutside(let link, let target), .directoryOutside(let link, let target):
                    return problem(link, "a symlink out of the repository (-> \(target)); not read")
                case .symlinkLoop(let link):
                    return problem(link, "a symlink loop; not read")
                }
            } catch {
                findings.add(Finding(rule: rule, file: file, message: "cannot read it: \(error)"), side: side)
                return (nil, false)
            }
        }
        let old = values(fromTree, side: .from)
        let new = values(toTree, side: .to)
        let status: FileStatus = !old.present ? .added : !new.present ? .removed : .changed
        let changes = old.values.flatMap { old in new.values.map { diff(old, $0) } } ?? []
        return FileChange(file: file, status: status, changes: changes)
    }

    /// A compose file's services; YAML that libyaml cannot parse is a problem.
    static func composeServices(_ bytes: [UInt8]) throws(FileProblem) -> [ComposeService] {
        do { return try ComposeFile.services(in: bytes) } catch { throw FileProblem(line: error.line, message: error.message) }
    }
}
