import GitKit
import RelKitCore

/// `relkit status`: a one-screen summary of versions, branch and releases.
public enum Status {
    public struct UnitVersion {
        public let name: String
        public let members: [String]
        public let version: SchemeVersion?
    }

    /// A release line: its branch here, its latest tag (none for a line cut and not tagged yet)
    /// and what check --tags finds wrong with that tag.
    public struct LineTags {
        public let line: ReleaseLine
        public let branch: String?
        public let latestTag: String?
        public let latest: SchemeVersion?
        public let count: Int
        public let problem: String?
    }

    /// How many lines status shows (and verifies the latest tag of).
    public static let shownLines = 8

    public struct MaintainedBranch {
        public let name: String
        public let tip: ObjectID?
    }

    public struct Summary {
        public let configuration: ReleaseConfiguration
        public let configurationFile: String?
        /// "main", "release line 24.03", "other branch", "detached", "no repository".
        public let branch: String?
        public let role: String
        public let versions: [UnitVersion]
        public let apiVersion: String?
        public let lines: [LineTags]
        public let maintained: [MaintainedBranch]
        /// What an interrupted relkit left for the next writing command to finish, said in a line.
        public let interrupted: String?
    }

    public static func run(directory: String) throws(OperationError) -> Summary {
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
                let branches = try repository.branches()
                // A line is a release branch or a tag of one: a branch cut and not yet tagged is
                // a line too.
                var lineBranches: [ReleaseLine: String] = [:]
                for branch in branches { if let line = configuration.line(ofBranch: branch.name) { lineBranches[line] = branch.name } }
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
                maintained = configuration.branches.maintained.map { name in
                    MaintainedBranch(name: name, tip: branches.first { $0.name == name }?.commit)
                }
            } catch {
                throw OperationError(.usage, "cannot read the repository: \(error.explained)")
            }
        }
        return Summary(
            configuration: configuration, configurationFile: configFile, branch: branch, role: role,
            versions: units, apiVersion: api, lines: lines, maintained: maintained,
            interrupted: workspace.repository.flatMap(RepositoryLock.interruptedOperation))
    }
}
