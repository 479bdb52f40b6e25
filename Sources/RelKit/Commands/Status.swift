import GitKit
import RelKitCore

/// `relkit status`: a one-screen summary of versions, branch and releases.
public enum Status {
    /// A release unit's version in the work tree.
    public struct UnitVersion {
        /// The group or component.
        public let name: String
        /// Its components.
        public let members: [String]
        /// The version they agree on (nil when they do not, or it cannot be read).
        public let version: SchemeVersion?
    }

    /// A release line: its branch here, its latest tag (none for a line cut and not tagged yet)
    /// and what check --tags finds wrong with that tag.
    public struct LineTags {
        /// The release line.
        public let line: ReleaseLine
        /// Its branch, when there is one here (`origin/26.04` when only the remote-tracking one).
        public let branch: String?
        /// Its latest release tag.
        public let latestTag: String?
        /// That tag's version.
        public let latest: SchemeVersion?
        /// How many release tags the line has.
        public let count: Int
        /// What `check --tags` finds wrong with the latest tag.
        public let problem: String?
    }

    /// How many lines status shows (and verifies the latest tag of).
    public static let shownLines = 8

    /// A maintained line's branch.
    public struct MaintainedBranch {
        /// The branch's name.
        public let name: String
        /// Its tip; nil when the branch does not exist, here or on the remote.
        public let tip: ObjectID?
        /// How the line is kept (regular, LTS, listed).
        public var kind: RegisteredLine.Kind = .listed
        /// An LTS line's last day.
        public var retireAfter: CalendarDate?
        /// The branch as read (`origin/26.04` when only the remote-tracking one exists).
        public var read: String?
    }

    /// What `relkit status` shows.
    public struct Summary {
        /// The configuration in effect.
        public let configuration: ReleaseConfiguration
        /// Its file (nil: relkit's defaults).
        public let configurationFile: String?
        /// The checked-out branch; nil when HEAD is detached or there is no repository.
        public let branch: String?
        /// What the checkout is: "main branch", "release line 24.03", "other branch", "detached HEAD at ID", "no repository".
        public let role: String
        /// Each release unit's version in the work tree.
        public let versions: [UnitVersion]
        /// The API version, when one is configured.
        public let apiVersion: String?
        /// The newest release lines.
        public let lines: [LineTags]
        /// The maintained lines' branches.
        public let maintained: [MaintainedBranch]
        /// What an interrupted relkit left for the next writing command to finish, said in a line.
        public let interrupted: String?
        /// Local release branches behind or diverged from their remote-tracking branches.
        public var notes: [String] = []
    }

    /// Reads the summary.
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - today: the day (UTC) that decides which registered lines are maintained.
    /// - Returns: versions, branch, lines and any interrupted command.
    /// - Throws: `OperationError` (usage) for a bad configuration.
    public static func run(directory: String, today: CalendarDate) throws(OperationError) -> Summary {
        let workspace = try Workspace.open(at: directory)
        // A bare repository has no work tree: its versions are the ones at HEAD.
        let tree = try workspace.tree(revision: workspace.root == nil ? "HEAD" : nil)
        let (configuration, configFile) = try Workspace.configuration(in: tree)
        let reader = VersionFileReader(tree: tree)
        var ignored: [Finding] = []
        let versions: [(String, SchemeVersion?)]
        var api: String?
        do {
            versions = try Check.readVersions(configuration, reader: reader, findings: &ignored)
            if let spec = configuration.apiVersion, let file = try reader.expand(spec.path, at: spec.location).first {
                api = try? VersionExtractor.extract(spec.locator, from: try reader.bytes(file.target)).first?.text
            }
        } catch {
            throw .configuration(error.configurationError(file: configFile))
        }
        let units = versions.map { name, version in
            UnitVersion(name: name, members: configuration.group(named: name)?.components ?? [name], version: version)
        }

        var branch: String?
        var role = "no repository"
        var lines: [LineTags] = []
        var maintained: [MaintainedBranch] = []
        var notes: [String] = []
        if let repository = workspace.repository {
            do {
                let head = try repository.head()
                branch = head.branchName
                if let name = head.branchName {
                    if name == configuration.branches.main {
                        role = "main branch"
                    } else if let line = configuration.line(ofBranch: name) {
                        role = "release line \(line)"
                    } else {
                        role = "other branch"
                    }
                    if case .unborn = head { role += ", no commits yet" }
                } else {
                    role = "detached HEAD at \(head.commit?.short ?? "?")"
                }
                var byLine: [ReleaseLine: [(tag: Repository.Tag, version: SchemeVersion)]] = [:]
                for tag in try repository.tags() {
                    guard let version = configuration.releaseVersion(ofTag: tag.name)?.version else { continue }
                    byLine[version.line, default: []].append((tag, version))
                }
                // Local and remote-tracking branches (a CI clone has only origin's).
                let branches = try BranchResolver(repository: repository, remote: configuration.branches.remote).allBranches()
                // A line is a release branch or a tag of one: a branch cut and not yet tagged is
                // a line too.
                var lineBranches: [ReleaseLine: String] = [:]
                for branch in branches {
                    guard let line = configuration.line(ofBranch: branch.name) else { continue }
                    lineBranches[line] = branch.displayName
                    if let divergence = branch.divergence { notes.append(divergence) }
                }
                let shown = Set(byLine.keys).union(lineBranches.keys).sorted(by: >)
                lines = shown.enumerated().map { index, line in
                    let tags = byLine[line] ?? []
                    guard let latest = tags.max(by: { $0.version < $1.version }) else {
                        return LineTags(line: line, branch: lineBranches[line], latestTag: nil, latest: nil, count: 0, problem: nil)
                    }
                    // The latest tag of each line shown is verified as check --tags does: a
                    // mistaken tag is not shown as if it were the release.
                    let problem =
                        index < shownLines
                        ? Check.verify(latest.tag, repository: repository, configuration: configuration)
                            .sorted { ($0.severity == .error ? 0 : 1) < ($1.severity == .error ? 0 : 1) }.first?.message
                        : nil
                    return LineTags(
                        line: line, branch: lineBranches[line], latestTag: latest.tag.name, latest: latest.version,
                        count: tags.count, problem: problem)
                }
                maintained = LineLifecycle.maintained(configuration.branches.lines, today: today).map { registered in
                    let name = configuration.branches.branchName(of: registered.line)
                    let branch = branches.first { $0.name == name }
                    return MaintainedBranch(name: name, tip: branch?.tip, kind: registered.kind, retireAfter: registered.retireAfter, read: branch?.displayName)
                }
            } catch {
                throw OperationError(.usage, "cannot read the repository: \(error.explained)")
            }
        }
        return Summary(
            configuration: configuration, configurationFile: configFile, branch: branch, role: role,
            versions: units, apiVersion: api, lines: lines, maintained: maintained,
            interrupted: workspace.repository.flatMap(RepositoryLock.interruptedOperation), notes: notes)
    }
}
