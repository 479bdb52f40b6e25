import GitKit
import RelKitCore

/// `relkit lines`: the registry of release lines under its lifecycle policy, with each line's
/// branch (here or on the remote) and latest tag; `--retire` drops the lines that are due.
public enum Lines {
    /// One registered line.
    public struct Entry: Sendable {
        /// The line as registered.
        public let registered: RegisteredLine
        /// Its standing today: maintained or due for retirement, and why.
        public let standing: LineStanding
        /// Its branch's name.
        public let branchName: String
        /// Its branch, local or remote-tracking; nil when neither exists.
        public let branch: ResolvedBranch?
        /// Its latest release tag.
        public let latestTag: String?
        /// Whether `--retire` drops it.
        public var due: Bool { !standing.maintained && registered.kind != .listed }
    }

    /// What `relkit lines` shows.
    public struct Report: Sendable {
        /// The day the policy was applied on.
        public let today: CalendarDate
        /// The registered lines, in the registry's order.
        public let entries: [Entry]
        /// Release branches found (here or on the remote) that are not registered, newest first.
        public let unregistered: [String]
        /// Whether the registry is the plain `[branches] maintained` list of older configurations.
        public let listedTheOldWay: Bool
        /// Local branches behind or diverged from their remote-tracking branches.
        public let notes: [String]
    }

    /// Reads the registry of the checkout's `.release.toml` and the repository's branches and tags.
    ///
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - today: the day (UTC) the policy is applied on.
    /// - Returns: the report.
    /// - Throws: `OperationError` for a bad configuration or an unreadable repository.
    public static func run(directory: String, today: CalendarDate) throws(OperationError) -> Report {
        let workspace = try Workspace.open(at: directory)
        let repository = try workspace.requireRepository(for: "relkit lines")
        let (configuration, _) = try workspace.checkoutConfiguration()
        let resolver = BranchResolver(repository: repository, remote: configuration.branches.remote)
        let branches: [ResolvedBranch]
        var latest: [ReleaseLine: (tag: String, version: SchemeVersion)] = [:]
        do {
            branches = try resolver.allBranches()
            for tag in try repository.tags() {
                guard let version = configuration.releaseVersion(ofTag: tag.name)?.version else { continue }
                if let current = latest[version.line], current.version >= version { continue }
                latest[version.line] = (tag.name, version)
            }
        } catch {
            throw OperationError(.usage, "cannot read the branches and tags: \(error.explained)")
        }
        let byName = Dictionary(branches.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let entries = LineLifecycle.standings(configuration.branches.lines, today: today).map { standing in
            let name = configuration.branches.branchName(of: standing.registered.line)
            return Entry(
                registered: standing.registered, standing: standing, branchName: name, branch: byName[name],
                latestTag: latest[standing.registered.line]?.tag)
        }
        let registered = Set(configuration.branches.lines.map(\.line))
        let unregistered = branches.compactMap { branch in configuration.line(ofBranch: branch.name).map { (branch.name, $0) } }
            .filter { !registered.contains($0.1) }.sorted { $0.1 > $1.1 }.map(\.0)
        let notes = entries.compactMap { $0.branch?.divergence }
        return Report(
            today: today, entries: entries, unregistered: unregistered,
            listedTheOldWay: !configuration.branches.maintained.isEmpty, notes: notes)
    }

    /// Plans `relkit lines --retire`: a commit on main (as `relkit cut` makes) whose
    /// `.release.toml` no longer has the lines due on `today`. Nothing due is a plan with no
    /// commit, so a weekly job can run it every time.
    ///
    /// - Parameters:
    ///   - context: the repository and lock.
    ///   - today: the day (UTC) the policy is applied on.
    /// - Returns: the plan.
    /// - Throws: `OperationError` with the command's exit code.
    public static func planRetire(_ context: ReleaseContext, today: CalendarDate) throws(OperationError) -> ReleasePlan {
        let mainName = try context.baseConfiguration().branches.main
        let mainTip = try context.tip(of: mainName)
        let mainTree = try context.tree(at: mainTip, label: "\(mainName) (\(mainTip.short))")
        let (configuration, configFile) = try Workspace.configuration(in: mainTree)
        var plan = ReleasePlan(command: "lines", summary: "retire the release lines due on \(today) from \(mainName)'s \(ConfigurationLoader.fileName)")
        guard configFile != nil else {
            plan.notes.append("\(mainName) has no \(ConfigurationLoader.fileName): no line is registered; nothing to retire")
            return plan
        }
        let lines = configuration.branches.lines
        let standings = LineLifecycle.standings(lines, today: today)
        let due = Set(lines.indices.filter { !standings[$0].maintained && lines[$0].kind != .listed })
        guard !due.isEmpty else {
            plan.notes.append(
                configuration.branches.maintained.isEmpty
                    ? "no registered line is due on \(today); nothing to retire"
                    : "[branches] maintained is a plain list, without a lifecycle; nothing to retire (move to [[lines]] tables: relkit init writes them)")
            return plan
        }
        let edit = try LineRegistryEdits.edit(in: mainTree) { text throws(OperationError) in
            try LineRegistryEdits.removing(indices: due, from: text, expectedCount: lines.count)
        }
        let names = due.sorted().map { lines[$0].name }
        for index in due.sorted() { plan.notes.append("\(lines[index].name): \(standings[index].reason)") }
        plan.commits = [
            .init(
                branch: mainName, parent: mainTip,
                message: Bookkeeping.message("\(mainName): retire release line\(names.count == 1 ? "" : "s") \(names.joined(separator: ", "))", madeBy: "lines --retire"),
                edits: [edit])
        ]
        plan.branchMoves = [.init(name: mainName, from: mainTip, commit: 0)]
        plan.checkout = try context.checkoutFor(branch: mainName, from: mainTip, commit: 0, edits: [edit])
        return plan
    }
}
