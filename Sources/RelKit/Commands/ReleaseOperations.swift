import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What every release command starts from: the repository, its root, and the writer's lock.
public struct ReleaseContext {
    /// The repository and its configuration.
    public let workspace: Workspace
    /// The repository.
    public let repository: Repository
    /// The writer's lock (held unless the command is a dry run).
    public let lock: RepositoryLock

    /// Opens the repository around `directory` and takes the lock (held until released or freed).
    /// A dry run (`dryRun`) writes nothing, so it takes no lock and leaves an interrupted command
    /// for the next writing one to finish: it plans from the repository as it is, and says so.
    ///
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - command: the command's name, for the lock.
    ///   - dryRun: take no lock and finish no journal.
    ///   - notice: told of what an interrupted run left.
    /// - Returns: the context.
    /// - Throws: `OperationError` with the command's exit code.
    public static func open(_ directory: String, command: String, dryRun: Bool = false, notice: (String) -> Void) throws(OperationError) -> ReleaseContext {
        let workspace = try Workspace.open(at: directory)
        let repository = try workspace.requireRepository(for: "relkit \(command)")
        Trace.mark("repository opened")
        if dryRun {
            if let interrupted = RepositoryLock.interruptedOperation(repository) {
                notice("note: \(interrupted); this dry run plans from the repository as it is now")
            }
            return ReleaseContext(workspace: workspace, repository: repository, lock: RepositoryLock(repository: repository))
        }
        Repository.enableDurableWrites()
        let lock = try RepositoryLock.acquire(repository, command: "relkit \(command)", notice: notice)
        return ReleaseContext(workspace: workspace, repository: repository, lock: lock)
    }

    func tip(of branch: String) throws(OperationError) -> ObjectID {
        let tip: ObjectID?
        do { tip = try repository.referenceTarget("refs/heads/" + branch) } catch {
            throw OperationError(.usage, "cannot read branch \(branch): \(error)")
        }
        guard let tip else { throw OperationError(.usage, "there is no branch '\(branch.displayable())'") }
        return tip
    }

    /// A release branch as git finds it: local, else the remote-tracking branch of `[branches]
    /// remote`; a usage error naming both when neither exists.
    func releaseBranch(_ branch: String) throws(OperationError) -> ResolvedBranch {
        try BranchResolver(repository: repository, remote: try baseConfiguration().branches.remote).require(branch)
    }

    /// A stopped backport's target: its local branch, or (while it is still to be created) the
    /// remote-tracking branch it starts from.
    func backportTargetTip(_ branch: String, upstream: String?) throws(OperationError) -> ObjectID {
        if upstream == nil || repository.hasBranch(branch) { return try tip(of: branch) }
        return try releaseBranch(branch).tip
    }

    func tree(at commit: ObjectID, label: String) throws(OperationError) -> FileTree {
        do { return try CommitTree(repository: repository, commit: commit, label: label) } catch {
            throw OperationError(.usage, "cannot read \(label): \(error.explained)")
        }
    }

    func baseConfiguration() throws(OperationError) -> ReleaseConfiguration { try workspace.baseConfiguration() }

    /// The branch checked out here, if any (none in a bare repository).
    func checkedOutBranch() -> String? {
        guard !repository.isBare, let head = try? repository.head(), case .branch(let name, _) = head else { return nil }
        return name
    }

    /// A commit to `branch` moves its checkout along; refuse when the paths have local changes, or
    /// when another worktree has the branch checked out (relkit would leave it behind).
    func checkoutFor(branch: String, from tip: ObjectID, commit: Int, edits: [FileEdit], removals: [String] = []) throws(OperationError) -> ReleasePlan.Checkout? {
        let here = checkedOutBranch() == branch
        if !here, repository.isBranchCheckedOut(branch) {
            throw OperationError(.repositoryState, "branch \(branch) is checked out in another worktree; commit there, or switch that worktree to another branch")
        }
        guard here else { return nil }
        let paths = edits.map(\.path) + removals
        let dirty: [String]
        do { dirty = try repository.modifiedPaths(paths) } catch { throw OperationError(.repositoryState, "cannot read the status of the work tree: \(error)") }
        if !dirty.isEmpty {
            throw OperationError(
                .repositoryState,
                "\(dirty.joined(separator: ", ")) \(dirty.count == 1 ? "has" : "have") uncommitted changes, and relkit must write \(dirty.count == 1 ? "it" : "them") on the checked-out branch \(branch): commit or stash them first"
            )
        }
        return ReleasePlan.Checkout(branch: branch, from: tip, commit: commit, paths: paths)
    }

    /// The version of a group or component in a tree; the files must agree and be readable.
    func version(of unit: String, configuration: ReleaseConfiguration, reader: VersionFileReader, configFile: String?) throws(OperationError) -> SchemeVersion {
        let tree = reader.tree
        var findings: [Finding] = []
        let versions: [(String, SchemeVersion?)]
        do {
            versions = try Check.readVersions(configuration, reader: reader, findings: &findings)
        } catch {
            throw .configuration(error.configurationError(file: configFile))
        }
        let identity = VersionEditor.releaseIdentity(unit, in: configuration)
        let disagreement = findings.filter { ["group-mismatch", "component-mismatch"].contains($0.rule) && $0.message.contains("'\(identity)'") }
        if let first = disagreement.first {
            throw OperationError(.refused, "the version files of '\(identity)' disagree in \(tree.label): \(first.message); run relkit check and fix them first")
        }
        guard let version = versions.first(where: { $0.0 == identity })?.1 else {
            throw OperationError(.refused, "no readable version of '\(identity)' in \(tree.label); run relkit check")
        }
        return version
    }

    /// Release lines that exist as branches or tags.
    func existingLines(_ configuration: ReleaseConfiguration) throws(OperationError) -> [ReleaseLine] {
        var lines = Set<ReleaseLine>()
        do {
            for branch in try BranchResolver(repository: repository, remote: configuration.branches.remote).allBranches() {
                if let line = configuration.line(ofBranch: branch.name) { lines.insert(line) }
            }
            for tag in try repository.tags() {
                if let version = configuration.releaseVersion(ofTag: tag.name)?.version {
                    lines.insert(version.line)
                }
            }
        } catch {
            throw OperationError(.usage, "cannot list branches and tags: \(error.explained)")
        }
        return lines.sorted()
    }
}

/// `relkit bump VERSION`: sets a group's version in every file, all or nothing.
public enum Bump {
    /// Plans setting a version.
    /// - Parameters:
    ///   - context: the repository and lock.
    ///   - text: the version.
    ///   - requested: the group or component (default: the release unit).
    ///   - commit: commit the change on the current branch instead of editing the work tree.
    ///   - allowLower: allow going backwards.
    /// - Returns: the plan.
    /// - Throws: `OperationError` with the command's exit code.
    public static func plan(
        _ context: ReleaseContext, version text: String, unit requested: String?, commit: Bool,
        allowLower: Bool
    ) throws(OperationError) -> ReleasePlan {
        guard let root = context.workspace.root else { throw OperationError(.usage, "relkit bump needs a work tree; this repository is bare") }
        let workTree = WorkingTree(root: root)
        let (configuration, configFile) = try Workspace.configuration(in: workTree)
        let version: SchemeVersion
        // In the scheme of its time (a release branch of an earlier scheme is bumped in that one).
        let scheme = configuration.scheme(of: text)
        switch scheme.validate(text) {
        case .valid(let valid): version = valid
        case .invalid(let problems, let suggestion):
            throw OperationError(
                .usage, "'\(text.displayable())' is not a version of \(scheme.name): \(problems.map(\.message).joined(separator: "; "))\(suggestion.map { " (did you mean \($0)?)" } ?? "")")
        }
        let unit = requested ?? configuration.releaseUnit
        guard !configuration.components(of: unit).isEmpty else {
            let names = configuration.groups.map(\.name) + configuration.components.map(\.name)
            throw OperationError(.usage, "'\(unit.displayable())' is not a group or component of .release.toml; defined: \(names.joined(separator: ", "))")
        }
        var plan = ReleasePlan(command: "bump", summary: "set '\(unit)' to \(version)")
        plan.version = version

        let source: FileTree
        var branch: String?
        var tip: ObjectID?
        if commit {
            guard let head = context.checkedOutBranch() else {
                throw OperationError(.usage, "--commit needs a checked-out branch with commits (HEAD is detached or unborn)")
            }
            branch = head
            tip = try context.tip(of: head)
            source = try context.tree(at: tip!, label: "\(head) (\(tip!.short))")
        } else {
            source = workTree
        }
        let reader = VersionFileReader(tree: source)
        let current = try context.version(of: unit, configuration: configuration, reader: reader, configFile: configFile)
        if version < current && !allowLower {
            throw OperationError(.refused, "\(version) is lower than the current \(current); relkit bump never goes backwards (--allow-lower to force)")
        }
        let edits = try VersionEditor.edits(setting: unit, to: version, configuration: configuration, reader: reader, configFile: configFile)
        if edits.isEmpty { throw OperationError(.refused, "every file of '\(unit)' already carries \(version); nothing to do") }
        if let branch, let tip {
            plan.commits = [.init(branch: branch, parent: tip, message: Bookkeeping.message("bump: \(unit) \(current) -> \(version)", madeBy: "bump \(unit) \(version)"), edits: edits)]
            plan.branchMoves = [.init(name: branch, from: tip, commit: 0)]
            plan.checkout = try context.checkoutFor(branch: branch, from: tip, commit: 0, edits: edits)
        } else {
            plan.workTreeEdits = edits
        }
        return plan
    }
}

/// `relkit cut [X.Y]`: creates release branch X.Y with its first version, and moves main on.
public enum Cut {
    /// Plans cutting a release line.
    /// - Parameters:
    ///   - context: the repository and lock.
    ///   - requested: the line (default: main's current line).
    ///   - revision: the commit of main to branch from (default: main's tip).
    ///   - pre: start the line with a pre-release of this kind.
    ///   - lts: register the line as LTS (maintained through its `retire-after` date).
    ///   - today: the day (UTC): the default line's month, and an LTS line's registration.
    /// - Returns: the plan.
    /// - Throws: `OperationError` with the command's exit code.
    public static func plan(
        _ context: ReleaseContext, line requested: String?, from revision: String?, pre: PreReleaseKind?,
        lts: Bool = false, today: CalendarDate
    ) throws(OperationError) -> ReleasePlan {
        let repository = context.repository
        // The configuration of main, where releases are cut from.
        let mainName = try context.baseConfiguration().branches.main
        let mainTip = try context.tip(of: mainName)
        let mainTree = try context.tree(at: mainTip, label: "\(mainName) (\(mainTip.short))")
        let (configuration, configFile) = try Workspace.configuration(in: mainTree)
        let scheme = configuration.scheme

        let source: ObjectID
        if let revision {
            source = try repository.commit(named: revision)
            let onMain: Bool
            do { onMain = try repository.contains(mainTip, ancestor: source) } catch { throw OperationError(.usage, "\(error)") }
            guard onMain else {
                throw OperationError(.refused, "\(revision) (\(source.short)) is not on \(mainName); release lines are cut from \(mainName)")
            }
        } else {
            source = mainTip
        }
        let sourceTree = source == mainTip ? mainTree : try context.tree(at: source, label: "\(revision ?? mainName) (\(source.short))")
        let mainReader = VersionFileReader(tree: mainTree)
        let sourceReader = source == mainTip ? mainReader : VersionFileReader(tree: sourceTree)
        let mainVersion = try context.version(of: configuration.releaseUnit, configuration: configuration, reader: mainReader, configFile: configFile)
        let existing = try context.existingLines(configuration)

        let line: ReleaseLine
        if let requested {
            do { line = try ReleaseLine(parsing: requested, scheme: scheme) } catch { throw OperationError(.usage, error.message) }
        } else if scheme.lineStyle == .month {
            do { line = try ReleaseLine.ofMonth(year: today.year, month: today.month) } catch { throw OperationError(.usage, error.message) }
        } else {
            // The next sprint: after the latest line, or main's own line when none exists yet.
            if let latest = existing.last {
                do { line = try latest.next(policy: .nextMonth)! } catch { throw OperationError(.refused, error.message) }
            } else {
                line = mainVersion.line
            }
        }
        let branchName = configuration.branches.branchName(of: line)
        try refuseExisting(branch: branchName, remote: configuration.branches.remote, repository: repository)
        if let latest = existing.last, line <= latest {
            throw OperationError(.refused, "\(line) is not later than the latest release line \(latest); release lines only go forward")
        }

        var plan = ReleasePlan(command: "cut", summary: "create release line \(line) from \(revision ?? mainName) at \(source.short)")
        let first = line.firstVersion(pre: pre)
        plan.version = first
        let branchEdits = try VersionEditor.edits(
            setting: configuration.releaseUnit, to: first, configuration: configuration,
            reader: sourceReader, configFile: configFile)
        if branchEdits.isEmpty {
            plan.newBranches = [.init(name: branchName, target: .existing(source))]
        } else {
            plan.commits.append(.init(branch: branchName, parent: source, message: Bookkeeping.message("release: start \(line) at \(first)", madeBy: "cut \(line)"), edits: branchEdits))
            plan.newBranches = [.init(name: branchName, target: .planned(commit: 0))]
        }

        try moveMain(
            &plan, after: line, lts: lts, today: today, context: context, main: (mainName, mainTip, mainTree, mainReader, mainVersion),
            configuration: configuration, configFile: configFile)
        return plan
    }

    /// A new line's branch must exist neither here nor as the remote's.
    static func refuseExisting(branch: String, remote: String, repository: Repository) throws(OperationError) {
        if (try? repository.referenceTarget("refs/heads/" + branch)) != nil {
            throw OperationError(.refused, "branch \(branch) exists already; relkit never overwrites a branch")
        }
        if (try? repository.referenceTarget("refs/remotes/\(remote)/\(branch)")) != nil {
            throw OperationError(.refused, "branch \(branch) exists already on the remote (\(remote)/\(branch)); relkit never overwrites a branch")
        }
    }

    /// Main's commit after a cut: the next development version by the next-line policy (unless
    /// main is there already) and the line's registration, in one commit that moves main.
    static func moveMain(
        _ plan: inout ReleasePlan, after line: ReleaseLine, lts: Bool, today: CalendarDate, context: ReleaseContext,
        main: (name: String, tip: ObjectID, tree: FileTree, reader: VersionFileReader, version: SchemeVersion),
        configuration: ReleaseConfiguration, configFile: String?
    ) throws(OperationError) {
        let (mainName, mainTip, mainTree, mainReader, mainVersion) = main
        // The line registers in main's .release.toml, in the commit that moves main.
        let registryEdit = try registration(
            of: line, lts: lts, today: today, configuration: configuration, configFile: configFile, mainTree: mainTree, notes: &plan.notes)
        var mainEdits: [FileEdit] = []
        var mainMessage = ""
        let next: ReleaseLine?
        do { next = try line.next(policy: configuration.nextLine) } catch { throw OperationError(.refused, error.message) }
        if let next {
            let mainNext = SchemeVersion(line: next, patch: .zero, dev: .zero)
            if mainNext <= mainVersion {
                plan.notes.append("\(mainName) is at \(mainVersion) already, not below \(mainNext); it is left as it is")
            } else {
                mainEdits = try VersionEditor.edits(
                    setting: configuration.releaseUnit, to: mainNext, configuration: configuration,
                    reader: mainReader, configFile: configFile)
                mainMessage = "\(mainName): \(mainNext) after cutting \(line)"
            }
        } else {
            plan.notes.append("next-line policy 'none': \(mainName) keeps \(mainVersion)")
        }
        if let registryEdit {
            mainEdits.append(registryEdit)
            if mainMessage.isEmpty { mainMessage = "\(mainName): register release line \(line)" }
        }
        if !mainEdits.isEmpty {
            let index = plan.commits.count
            plan.commits.append(.init(branch: mainName, parent: mainTip, message: Bookkeeping.message(mainMessage, madeBy: "cut \(line)"), edits: mainEdits))
            plan.branchMoves = [.init(name: mainName, from: mainTip, commit: index)]
            plan.checkout = try context.checkoutFor(branch: mainName, from: mainTip, commit: index, edits: mainEdits)
        }
    }

    /// Plans `relkit cut --at REV`: the release commit REV (on main) carries `X.Y.0rc1`, or
    /// `X.Y.0` for a line that starts without a pre-release: REV is tagged and branch X.Y made
    /// there, and main moves as a cut moves it (the line registered). Any other version cuts
    /// nothing (a plan without changes, and a note that says why). The tag and the branch must
    /// not exist, here or as the remote's; neither is ever moved.
    ///
    /// - Parameters:
    ///   - context: the repository and lock.
    ///   - revision: the release commit.
    ///   - lts: register the line as LTS.
    ///   - today: the day (UTC).
    ///   - pushing: the tag and branch are to be pushed: when both exist here at REV already (a run
    ///     whose push failed), the plan changes nothing and the push is tried again.
    /// - Returns: the plan.
    /// - Throws: `OperationError` with the command's exit code.
    public static func planAt(_ context: ReleaseContext, revision: String, lts: Bool = false, today: CalendarDate, pushing: Bool = false) throws(OperationError) -> ReleasePlan {
        let repository = context.repository
        let mainName = try context.baseConfiguration().branches.main
        let mainTip = try context.tip(of: mainName)
        let mainTree = try context.tree(at: mainTip, label: "\(mainName) (\(mainTip.short))")
        let (configuration, configFile) = try Workspace.configuration(in: mainTree)
        let source = try repository.commit(named: revision, remote: configuration.branches.remote)
        let onMain: Bool
        do { onMain = try repository.contains(mainTip, ancestor: source) } catch { throw OperationError(.usage, "\(error)") }
        guard onMain else { throw OperationError(.refused, "\(revision) (\(source.short)) is not on \(mainName); release lines are cut from \(mainName)") }
        let sourceTree = try context.tree(at: source, label: "\(revision) (\(source.short))")
        let (sourceConfiguration, sourceConfigFile) = try Workspace.configuration(in: sourceTree, otherwise: (configuration, configFile))
        let version = try context.version(
            of: sourceConfiguration.releaseUnit, configuration: sourceConfiguration, reader: VersionFileReader(tree: sourceTree), configFile: sourceConfigFile)
        let line = version.line
        var plan = ReleasePlan(command: "cut", summary: "release commit \(source.short) (\(revision)) carries \(version)")
        let tagName = configuration.tags.tagName(of: version)
        var lineTags: [SchemeVersion] = []
        do {
            for tag in try repository.tags() {
                if let tagged = configuration.releaseVersion(ofTag: tag.name)?.version, tagged.line == line { lineTags.append(tagged) }
            }
        } catch {
            throw OperationError(.usage, "cannot list tags: \(error.explained)")
        }
        let starts = version.patch == .zero && (version.pre.map { $0.kind == .releaseCandidate && $0.number == Natural(1) } ?? lineTags.allSatisfy { $0 == version })
        guard starts, version.dev == nil, version.post == nil else {
            plan.notes.append("\(version) does not start a line (X.Y.0rc1, or X.Y.0 for a line without pre-releases): relkit cut --at cuts nothing")
            return plan
        }
        let branchName = configuration.branches.branchName(of: line)
        let remote = configuration.branches.remote
        if pushing, (try? repository.referenceTarget("refs/heads/" + branchName)) == source,
            (try? repository.tags())?.contains(where: { $0.name == tagName && $0.commit == source }) == true
        {
            plan = ReleasePlan(command: "cut", summary: "release line \(line) exists here at \(source.short) (\(version)); pushing it")
            plan.version = version
            plan.notes.append("tag \(tagName) and branch \(branchName) were made here by an earlier run; only the push is left")
            return plan
        }
        try refuseExisting(branch: branchName, remote: remote, repository: repository)
        if (try? repository.referenceTarget("refs/tags/" + tagName)) != nil { throw OperationError(.refused, "tag \(tagName) exists already; tags never move") }
        plan = ReleasePlan(command: "cut", summary: "create release line \(line) at the release commit \(source.short) (\(version))")
        plan.version = version
        plan.tags = [.init(name: tagName, target: .existing(source), annotated: configuration.tags.annotated, message: "Release \(version) (line \(line))")]
        plan.newBranches = [.init(name: branchName, target: .existing(source))]
        let mainReader = VersionFileReader(tree: mainTree)
        let mainVersion = try context.version(of: configuration.releaseUnit, configuration: configuration, reader: mainReader, configFile: configFile)
        try moveMain(
            &plan, after: line, lts: lts, today: today, context: context, main: (mainName, mainTip, mainTree, mainReader, mainVersion),
            configuration: configuration, configFile: configFile)
        return plan
    }

    /// `relkit cut --at REV --push REMOTE`: the new tag and branch to the remote, atomically
    /// (each must not exist there: never moved).
    ///
    /// - Parameters:
    ///   - context: the repository.
    ///   - version: the line's first version (its tag).
    ///   - remote: the remote.
    /// - Returns: what was pushed, said in a line.
    /// - Throws: `OperationError`: refused or remote, from `GitRemote.push`.
    public static func push(_ context: ReleaseContext, version: SchemeVersion, to remote: String) throws(OperationError) -> [String] {
        let configuration = try context.baseConfiguration()
        let tag = "refs/tags/" + configuration.tags.tagName(of: version)
        let branch = "refs/heads/" + configuration.branches.branchName(of: version.line)
        let target = GitRemote(gitDirectory: context.repository.commonDirectory, directory: context.workspace.root, name: remote)
        try target.push([.init(source: tag, destination: tag, expected: nil), .init(source: branch, destination: branch, expected: nil)], atomic: true)
        return ["relkit cut: pushed \(configuration.tags.tagName(of: version)) and \(configuration.branches.branchName(of: version.line)) to \(ChildProcess.redactingCredentials(remote)) (atomic)"]
    }

    /// The edit of main's `.release.toml` that registers `line`: its `[[lines]]` table appended
    /// (an LTS line with `retire-after`, the last day of the month `lts-support` after today), and
    /// the regular lines it supersedes removed. Nil with a note when the configuration lists
    /// lines the old way (`[branches] maintained`) or there is no `.release.toml`.
    static func registration(
        of line: ReleaseLine, lts: Bool, today: CalendarDate, configuration: ReleaseConfiguration, configFile: String?, mainTree: FileTree,
        notes: inout [String]
    ) throws(OperationError) -> FileEdit? {
        let name = ConfigurationLoader.fileName
        guard configFile != nil else {
            if lts { throw OperationError(.usage, "--lts registers the line in \(name), and there is none (relkit init writes one)") }
            return nil
        }
        guard configuration.branches.maintained.isEmpty else {
            if lts {
                throw OperationError(
                    .usage, "--lts registers the line in [[lines]], and \(name) lists its lines in [branches] maintained: replace that list by [[lines]] tables (relkit init writes them)")
            }
            notes.append("\(name) lists maintained lines in [branches] maintained; add \(line) there yourself, or move to [[lines]] tables, where relkit registers lines")
            return nil
        }
        let registered = RegisteredLine(
            name: line.description, line: line, kind: lts ? .lts : .regular,
            retireAfter: lts ? today.lastDayOfMonth(monthsLater: configuration.branches.ltsSupportMonths) : nil)
        let lines = configuration.branches.lines
        let superseded = Set(lines.indices.filter { lines[$0].kind == .regular && lines[$0].line < line })
        let edit = try LineRegistryEdits.edit(in: mainTree) { text throws(OperationError) in
            LineRegistryEdits.appending(registered, to: try LineRegistryEdits.removing(indices: superseded, from: text, expectedCount: lines.count))
        }
        for index in superseded.sorted() { notes.append("release line \(lines[index].name) is superseded by \(line) and leaves the registry (a regular line is maintained while it is the newest)") }
        return edit
    }
}

/// `relkit tag`: tags the next release of a line, committing the version first when needed.
public enum Tag {
    /// Plans tagging the next release of a line; with `[notes]`, towncrier writes the release's
    /// notes into the release commit.
    /// - Parameters:
    ///   - context: the repository and lock.
    ///   - request: which next version (nil: the version in the files if untagged, else the next patch).
    ///   - requested: the line (default: the checked-out release branch).
    ///   - today: the release date (UTC), for the release notes (`[notes]`).
    /// - Returns: the plan.
    /// - Throws: `OperationError` with the command's exit code.
    public static func plan(_ context: ReleaseContext, request: NextVersionRequest?, line requested: String?, today: CalendarDate) throws(OperationError) -> ReleasePlan {
        let repository = context.repository
        // Which branch: --branch X.Y, or the checked-out release branch.
        let workConfiguration = try context.baseConfiguration()
        let branchName: String
        let line: ReleaseLine
        if let requested {
            do { line = try workConfiguration.releaseLine(parsing: requested) } catch { throw OperationError(.usage, error.message) }
            branchName = workConfiguration.branches.branchName(of: line)
        } else {
            guard let head = context.checkedOutBranch(), let headLine = workConfiguration.line(ofBranch: head) else {
                throw OperationError(
                    .usage, "HEAD is not a release branch (named \(workConfiguration.branches.releasePattern.replacingPlaceholder("{line}", with: "X.Y"))); name one with --branch X.Y")
            }
            branchName = head
            line = headLine
        }
        let tip = try context.tip(of: branchName)
        let tree = try context.tree(at: tip, label: "\(branchName) (\(tip.short))")
        let (configuration, configFile) = try Workspace.configuration(in: tree)
        let reader = VersionFileReader(tree: tree)
        let current = try context.version(of: configuration.releaseUnit, configuration: configuration, reader: reader, configFile: configFile)
        guard current.line == line else {
            throw OperationError(.refused, "\(branchName) carries \(current), a version of line \(current.line), not \(line); relkit never tags a version of another line")
        }
        guard current.dev == nil else {
            throw OperationError(.refused, "\(branchName) carries the development version \(current); release branches carry releases (relkit bump the version first)")
        }

        // The releases of this line so far.
        var tagged: [SchemeVersion] = []
        var tagNames = Set<String>()
        do {
            for tag in try repository.tags() {
                tagNames.insert(tag.name)
                if let version = configuration.releaseVersion(ofTag: tag.name)?.version, version.line == line {
                    tagged.append(version)
                }
            }
        } catch {
            throw OperationError(.usage, "cannot list tags: \(error.explained)")
        }
        let currentIsTagged = tagNames.contains(configuration.tags.tagName(of: current)) || tagged.contains(current)

        let candidate: SchemeVersion
        do throws(SchemeError) {
            if currentIsTagged {
                candidate = try current.next(request ?? .patch)
            } else {
                switch request {
                case nil: candidate = current
                case .patch?: candidate = current.isFinal ? current : try current.nextPatch()
                case .pre(let kind)?:
                    if current.pre?.kind == kind {
                        candidate = current
                    } else if current.isFinal {
                        candidate = SchemeVersion(line: current.line, patch: current.patch, pre: (kind, Natural(1)))
                    } else {
                        candidate = try current.nextPreRelease(kind)
                    }
                case .final?: candidate = current.isFinal ? current : try current.finalRelease()
                default: throw SchemeError("relkit tag takes --patch, --pre or --final")
                }
            }
        } catch {
            throw OperationError(.refused, error.message)
        }
        guard candidate.line == line else {
            throw OperationError(.refused, "the next release \(candidate) is not of line \(line)")
        }
        let tagName = configuration.tags.tagName(of: candidate)
        if tagNames.contains(tagName) {
            throw OperationError(.refused, "tag \(tagName) exists already; tags never move")
        }
        if let latest = tagged.max(), candidate <= latest {
            throw OperationError(.refused, "\(candidate) is not later than \(latest), already released on \(line); relkit never goes backwards")
        }

        var plan = ReleasePlan(command: "tag", summary: "release \(candidate) on \(branchName)")
        plan.version = candidate
        let message = "Release \(candidate) (line \(line))"
        var edits: [FileEdit] = []
        if candidate != current {
            edits = try VersionEditor.edits(setting: configuration.releaseUnit, to: candidate, configuration: configuration, reader: reader, configFile: configFile)
        }
        // The release notes ([notes]): towncrier writes the line's file and takes the fragments in,
        // in the same commit (one of their own when the version files need none).
        var removals: [String] = []
        if let notes = configuration.notes,
            let built = try ReleaseNotesBuild.run(
                repository: repository, policy: notes, parent: tip, edits: edits, version: candidate, line: branchName, date: today)
        {
            edits.append(built.notes)
            removals = built.removed
            plan.notes.append("release notes: towncrier wrote \(built.notes.path) and took in \(NumberText.counted(built.removed.count, "fragment"))")
        }
        if edits.isEmpty && removals.isEmpty {
            plan.tags = [.init(name: tagName, target: .existing(tip), annotated: configuration.tags.annotated, message: message)]
        } else {
            let subject = candidate == current ? "release: notes of \(candidate)" : "release: \(candidate)"
            var commit = ReleasePlan.Commit(branch: branchName, parent: tip, message: Bookkeeping.message(subject, madeBy: "tag \(candidate)"), edits: edits)
            commit.removals = removals
            plan.commits = [commit]
            plan.branchMoves = [.init(name: branchName, from: tip, commit: 0)]
            plan.tags = [.init(name: tagName, target: .planned(commit: 0), annotated: configuration.tags.annotated, message: message)]
            plan.checkout = try context.checkoutFor(branch: branchName, from: tip, commit: 0, edits: edits, removals: removals)
        }
        return plan
    }
}
