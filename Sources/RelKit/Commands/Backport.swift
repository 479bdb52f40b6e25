import Dispatch
import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `relkit backport`: cherry-picks fixes from the source branch to release branches, in memory,
/// with the backport trailers; each target branch moves once, by compare-and-swap, when all its
/// picks are made. A conflict stops that target in a worktree of its own (never the user's
/// checkout) until `--continue` or `--abort`.
public enum Backport {
    /// What to backport and where.
    public struct Request {
        /// Where relkit runs (the repository is found from it).
        public var directory: String
        /// Revisions and ranges (`A..B`) to pick, in the order given.
        public var revisions: [String]
        /// Release lines (`26.09`).
        public var lines: [String]
        /// Every maintained line instead of `lines`.
        public var maintained: Bool
        /// The branch the fixes come from (default: `[backport] source`, else main).
        public var source: String?
        /// The parent whose change a merge commit's pick takes (`-m`).
        public var mainline: Int?
        /// Allow commits that are not on the source branch.
        public var allowOffSource: Bool
        /// Plan and report; write nothing.
        public var dryRun: Bool
        /// Called with the prepared message when `--edit` is given; returns the edited one.
        public var editMessage: ((String) throws(OperationError) -> String)?
        /// Called after each pick with the target, the picks tried so far and their number.
        public var progress: ((_ target: String, _ done: Int, _ total: Int) -> Void)?
        /// The day (UTC) that decides which registered lines are maintained.
        public var today: CalendarDate = CalendarDate(year: 1970, month: 1, day: 1)!
        /// Push each target's picks to this remote, on a branch of their own (`[backport]
        /// branch-template`), from the remote's branch: the target does not move.
        public var push: String?
        /// With `push`: a conflicting pick is committed with its conflict markers (and the rest
        /// picked on top) instead of stopping, so that the pull request exists and its CI fails
        /// until a person resolves it.
        public var commitConflicts = false

        /// A request; only the directory, the revisions and the lines are required.
        ///
        /// - Parameters:
        ///   - directory: where relkit runs.
        ///   - revisions: revisions and ranges to pick.
        ///   - lines: the target release lines.
        ///   - maintained: every maintained line instead.
        ///   - source: the source branch.
        ///   - mainline: the parent a merge's pick takes.
        ///   - allowOffSource: allow commits not on the source.
        ///   - dryRun: write nothing.
        ///   - editMessage: edits each message (`--edit`).
        ///   - progress: told of each pick made.
        public init(
            directory: String, revisions: [String], lines: [String], maintained: Bool = false, source: String? = nil,
            mainline: Int? = nil, allowOffSource: Bool = false, dryRun: Bool = false,
            editMessage: ((String) throws(OperationError) -> String)? = nil,
            progress: ((_ target: String, _ done: Int, _ total: Int) -> Void)? = nil
        ) {
            self.progress = progress
            self.directory = directory
            self.revisions = revisions
            self.lines = lines
            self.maintained = maintained
            self.source = source
            self.mainline = mainline
            self.allowOffSource = allowOffSource
            self.dryRun = dryRun
            self.editMessage = editMessage
        }
    }

    /// What happened to one pick.
    public enum Outcome: Equatable {
        case picked(ObjectID, fastPath: Bool)
        /// The change is on the target already: the commit that has it, and how it was seen.
        case alreadyThere(String)
        case conflict([String])
        /// Not tried: an earlier pick of this target stopped on a conflict.
        case notReached
    }

    /// One commit picked onto one target.
    public struct Pick {
        /// The commit picked.
        public let commit: CommitInfo
        /// What happened.
        public let outcome: Outcome
        /// Changed paths that match [backport] sensitive-paths (database migrations).
        public let sensitivePaths: [String]
        /// Picked with the conflict resolved by hand (`--continue`).
        public var resolved = false
        /// The files committed with conflict markers (`--commit-conflicts`).
        public var committedConflicts: [String] = []

        /// Whether a commit was made for it.
        public var wasPicked: Bool { if case .picked = outcome { true } else { false } }

        init(commit: CommitInfo, outcome: Outcome, sensitivePaths: [String], resolved: Bool = false, committedConflicts: [String] = []) {
            self.commit = commit
            self.outcome = outcome
            self.sensitivePaths = sensitivePaths
            self.resolved = resolved
            self.committedConflicts = committedConflicts
        }
    }

    /// One target branch's result.
    public struct TargetReport {
        /// The target branch.
        public let branch: String
        /// Its tip before the backport.
        public let from: ObjectID
        /// Each pick, in order.
        public var picks: [Pick]
        /// The branch's new tip (nil when nothing was picked or a conflict stopped it).
        public var newTip: ObjectID?
        /// The worktree holding a conflict (none in a dry run: nothing is written).
        public var worktree: String?
        /// The remote-tracking branch a new local branch starts from (`origin/26.04`), tracking
        /// it as `git switch 26.04` would; nil when the local branch exists.
        public var upstream: String?
        /// With `--push`: the branch the picks go on (`backport/42-to-26.09`), and the pull
        /// request that brings it into the target.
        public var pullRequest: PullRequestSpec?

        /// Whether a pick stopped on a conflict.
        public var stoppedOnConflict: Bool {
            picks.contains { if case .conflict = $0.outcome { return true } else { return false } }
        }
    }

    /// A pull request to open for a pushed backport: what `gh pr create` (or any host's API) needs.
    public struct PullRequestSpec: Sendable, Codable, Equatable {
        /// The pushed branch.
        public let head: String
        /// The release branch it goes into.
        public let base: String
        /// The original subject, its `(#N)` kept.
        public let title: String
        /// Names the original pull request and commits.
        public let body: String
        /// `backport`, and the sensitive label when sensitive paths are touched.
        public let labels: [String]
        /// Whether conflict markers were committed (`--commit-conflicts`).
        public let conflicted: Bool
        /// The files with conflict markers.
        public let files: [String]
    }

    /// The result of a backport.
    public struct Report {
        /// The branch the commits came from.
        public let source: String
        /// Each target's result.
        public var targets: [TargetReport]
        /// Whether nothing was written.
        public let dryRun: Bool
        /// Whether the picks go to pull request branches (`--push`) rather than the targets.
        public var pushing = false
        /// Whether any target stopped on a conflict.
        public var hasConflicts: Bool { targets.contains(where: \.stoppedOnConflict) }
    }

    // MARK: Starting a backport

    /// Picks the commits onto each target, in memory, and moves each target once.
    /// - Parameters:
    ///   - request: what and where.
    ///   - notice: called with lines worth telling the user (skipped bookkeeping commits).
    /// - Returns: each target's picks.
    /// - Throws: `OperationError` with the command's exit code.
    public static func run(_ request: Request, notice: (String) -> Void) throws(OperationError) -> Report {
        Trace.mark("start")
        let context = try ReleaseContext.open(request.directory, command: "backport", dryRun: request.dryRun, notice: notice)
        defer { context.lock.release() }
        let repository = context.repository
        Trace.mark("repository opened and locked")
        if var stopped = try State.load(context.lock) {
            if !request.dryRun { try prepareWorktrees(&stopped, context: context) }
            if let finished = context.lock.finishedThisCommand {
                throw OperationError(
                    .refused,
                    "\(finished); it stopped on a conflict in \(stopped.targets.map(\.branch).joined(separator: ", ")) (relkit backport --status): resolve it in \(stopped.targets.map(\.worktree).joined(separator: ", ")), then relkit backport --continue"
                )
            }
            throw OperationError(.repositoryState, "a backport is stopped on a conflict (relkit backport --status); finish it with --continue or drop it with --abort first")
        }
        // Under --push, the local branch is only half the command: the same run goes on and pushes it.
        if let finished = context.lock.finishedThisCommand {
            guard request.push != nil else { throw OperationError(.alreadyDone, finished) }
            notice(context.lock.finishedThisCommand(goingOn: "pushing it now")!)
        }
        let configuration = try context.baseConfiguration()
        let source = request.source ?? configuration.backportSource
        let sourceTip = try context.tip(of: source)
        let named = try resolvePicks(request, repository: repository, source: source, sourceTip: sourceTip)
        // The commits relkit made to move versions (cut, tag, bump) are never picked.
        let picks = named.filter { !Bookkeeping.isBookkeeping(message: $0.message) }
        for skipped in named where Bookkeeping.isBookkeeping(message: skipped.message) {
            notice("relkit backport: skipping \(skipped.id.short) \"\(skipped.subject.displayable())\": relkit made it to move versions (\(Bookkeeping.trailerKey)), it is not a fix")
        }
        guard !picks.isEmpty else {
            throw OperationError(.refused, "every commit named is one relkit made to move versions (\(Bookkeeping.trailerKey)); nothing to backport")
        }
        let branches = try targetBranches(lines: request.lines, maintained: request.maintained, configuration: configuration, today: request.today)
        Trace.mark("configuration read, picks resolved")

        let committer = try IdentityResolver.resolve(.committer, repository: repository)
        let batch: ObjectBatch
        do { batch = try repository.beginObjectBatch() } catch { throw OperationError(.repositoryState, "cannot write objects: \(error)") }
        var report = Report(source: source, targets: [], dryRun: request.dryRun)
        report.pushing = request.push != nil
        var conflictStates: [State.Target] = []
        for branch in branches {
            var target: TargetReport
            let tip: ObjectID
            if let remote = request.push {
                // The remote's branch, as last fetched: the pull request goes into it.
                guard let remoteTip = try? repository.referenceTarget("refs/remotes/\(remote)/\(branch)") else {
                    throw OperationError(.usage, "there is no \(remote)/\(branch) here; --push works from the remote's branch (git fetch \(remote) brings it)")
                }
                tip = remoteTip
                target = TargetReport(branch: branch, from: tip, picks: [])
            } else {
                let resolved = try context.releaseBranch(branch)
                if let divergence = resolved.divergence { notice("relkit backport: note: \(divergence)") }
                tip = resolved.tip
                target = TargetReport(branch: branch, from: tip, picks: [])
                if !resolved.isLocal { target.upstream = resolved.remoteTrackingName }
            }
            let outcome = try pickAll(
                picks, onto: tip, target: branch, source: source, sourceTip: sourceTip,
                request: request, configuration: configuration, batch: batch, committer: committer)
            target.picks = outcome.picks
            if let conflict = outcome.conflict {
                let worktree = "\(context.lock.directory)/backport-\(branch.replacing("/", with: "-"))"
                if !request.dryRun { target.worktree = worktree }
                var stopped = State.Target(branch: branch, expected: tip, stoppedAt: conflict, worktree: worktree)
                stopped.upstream = target.upstream
                if request.push != nil { stopped.recordPicksBefore(outcome.picks) }
                conflictStates.append(stopped)
            } else if outcome.tip != tip {
                target.newTip = outcome.tip
            }
            if request.push != nil, target.newTip != nil {
                target.pullRequest = pullRequest(picks: target.picks, target: branch, source: source, configuration: configuration)
            }
            report.targets.append(target)
        }
        Trace.mark("picked")
        if request.dryRun { return report }

        do { try batch.write(commits: newCommits(report)) { FaultInjection.point("object-written-\($0)") } } catch { throw OperationError(.repositoryState, "cannot write the commits: \(error)") }
        FaultInjection.point("objects-written")
        Trace.mark("objects written")
        // The state of the targets stopped on a conflict is written with the moves of the others
        // (after them, by this run or, if it is killed, the next), naming worktrees not yet
        // prepared; then the worktrees: --status, --abort, --continue and a re-run all see a state
        // whose worktrees are not ready, and prepare them again from scratch.
        var state: State?
        if !conflictStates.isEmpty {
            state = State(source: source, mainline: request.mainline, targets: conflictStates)
            state!.push = request.push
            state!.keepTarget = configuration.backport.keepTarget.isEmpty ? nil : configuration.backport.keepTarget
        }
        let following = try state.map { state throws(OperationError) in Journal.FollowingFile(path: State.path(context.lock), contents: try state.text()) }
        let moving = report.targets.filter { $0.newTip != nil }
        if let remote = request.push {
            // The clean targets are pushed first: if the push fails, nothing is stopped either, and
            // the same command runs again from the start.
            try pushPullRequestBranches(moving, to: remote, context: context, committer: committer, source: source)
            try state?.save(context.lock)
        } else if moving.isEmpty {
            try state?.save(context.lock)
        } else {
            try moveTargets(moving, context: context, committer: committer, source: source, thenWrite: following)
        }
        Trace.mark("branches moved")
        if var stopped = state {
            if request.push != nil { FaultInjection.point("backport-pushed") }
            FaultInjection.point("state-written")
            try prepareWorktrees(&stopped, context: context)
            FaultInjection.point("worktree-added")
        }
        return report
    }

    /// The pull request of a pushed backport: its branch by `[backport] branch-template`, the
    /// original subject as title, a body naming the original pull request and commits.
    static func pullRequest(picks: [Pick], target: String, source: String, configuration: ReleaseConfiguration) -> PullRequestSpec {
        let picked = picks.filter(\.wasPicked)
        return pullRequest(picked: picked.isEmpty ? [picks[0]] : picked, target: target, source: source, configuration: configuration)
    }

    /// The pull request of the commits `picked` (in order, at least one).
    static func pullRequest(picked: [Pick], target: String, source: String, configuration: ReleaseConfiguration) -> PullRequestSpec {
        let first = picked[0].commit
        let number = BackportAudit.pullRequestNumbers(in: first.subject).last
        var head = configuration.backport.branchTemplate
        for (placeholder, value) in [("{pr}", number ?? first.id.short), ("{target}", target), ("{short-commit}", first.id.short)] {
            head = head.replacingPlaceholder(placeholder, with: value)
        }
        let title = picked.count == 1 ? first.subject : "Backport \(picked.count) commits to \(target)"
        var body = "Backport of " + (number.map { "#\($0) " } ?? "") + "to \(target), picked by relkit from \(source):\n\n"
        body += picked.map { "- \($0.commit.id) \($0.commit.subject)" }.joined(separator: "\n") + "\n"
        let sensitive = Array(Set(picked.flatMap(\.sensitivePaths))).sorted()
        if !sensitive.isEmpty { body += "\nSensitive paths (a backported migration must be idempotent on both branches):\n" + sensitive.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        let labels = ["backport"] + (sensitive.isEmpty ? [] : [configuration.backport.sensitiveLabel])
        let conflicted = Array(Set(picked.flatMap(\.committedConflicts))).sorted()
        if !conflicted.isEmpty {
            body += "\nCommitted with conflict markers, to be resolved on this branch before it is merged:\n" + conflicted.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        return PullRequestSpec(head: head, base: target, title: title, body: body, labels: labels, conflicted: !conflicted.isEmpty, files: conflicted)
    }

    /// `--push`: each target's picks on its pull request branch, made here (the only local ref
    /// that moves) and pushed with a lease. A branch that exists on the remote is updated only
    /// when it holds relkit's own earlier backport of the same commits.
    static func pushPullRequestBranches(_ targets: [TargetReport], to remoteName: String, context: ReleaseContext, committer: Identity, source: String) throws(OperationError) {
        guard !targets.isEmpty else { return }
        let repository = context.repository
        let remote = GitRemote(gitDirectory: repository.commonDirectory, directory: context.workspace.root, name: remoteName)
        var local: [Repository.ReferenceUpdate] = []
        var pushes: [GitRemote.Update] = []
        for target in targets {
            guard let spec = target.pullRequest, let tip = target.newTip else { continue }
            let reference = "refs/heads/" + spec.head
            if repository.isBranchCheckedOut(spec.head) {
                throw OperationError(.repositoryState, "branch \(spec.head) is checked out; switch to another branch first (nothing was pushed)")
            }
            let onRemote = try remote.lookup(reference)
            if let onRemote, onRemote != tip {
                try remote.fetchObjects(of: reference)
                // The last commit picked: from the report, or (a --continue finishing a killed one)
                // from the message of the branch's commit.
                let lastPick =
                    target.picks.last(where: \.wasPicked)?.commit.id.description
                    ?? (try? repository.commit(tip)).flatMap { pickedCommit(in: $0.message) }
                let earlier = try? repository.commit(onRemote)
                guard let earlier, let lastPick, earlier.message.contains("(cherry picked from commit \(lastPick))") else {
                    throw OperationError(
                        .refused,
                        "\(remoteName) has a branch \(spec.head) that is not relkit's backport of the same commits; relkit will not overwrite it (delete it, or set [backport] branch-template)")
                }
            }
            let current: ObjectID?
            do { current = try repository.referenceTarget(reference) } catch { throw OperationError(.repositoryState, "cannot read \(spec.head): \(error)") }
            if current != tip { local.append(Repository.ReferenceUpdate(name: reference, expected: current, target: tip)) }
            pushes.append(GitRemote.Update(source: reference, destination: reference, expected: onRemote))
        }
        try ReferenceMoves.apply(
            local, checkout: nil, lock: context.lock, command: "relkit backport", committer: committer,
            reflogMessage: "relkit backport: picks from \(source) for pull requests into \(targets.map(\.branch).joined(separator: ", "))", thenWrite: nil)
        FaultInjection.point("backport-branches-written")
        try remote.push(pushes, atomic: true)
    }

    /// The commit named by the `(cherry picked from commit <id>)` line of a message.
    static func pickedCommit(in message: String) -> String? {
        let marker = "(cherry picked from commit "
        guard let line = message.split(separator: "\n").last(where: { $0.hasPrefix(marker) && $0.hasSuffix(")") }) else { return nil }
        return String(line.dropFirst(marker.count).dropLast())
    }

    /// The commits to pick, oldest first in the source branch's history.
    static func resolvePicks(_ request: Request, repository: Repository, source: String, sourceTip: ObjectID) throws(OperationError) -> [CommitInfo] {
        guard !request.revisions.isEmpty else { throw OperationError(.usage, "name the commits to backport (REV or A..B)") }
        // Each revision's commits, and whether they are known to be on the source branch (a
        // range whose end is on it: everything in it is): one ancestry walk per revision, not per
        // commit.
        var ids: [ObjectID] = []
        var onSource = Set<ObjectID>()
        try OperationError.converting {
            for revision in request.revisions {
                if let range = revision.firstRange(of: "..") {
                    let from = String(revision[..<range.lowerBound])
                    let to = String(revision[range.upperBound...])
                    let start = try repository.commit(named: from.isEmpty ? "HEAD" : from)
                    let end = try repository.commit(named: to.isEmpty ? "HEAD" : to)
                    let inRange = try repository.commits(reachableFrom: [end], excluding: [start])
                    ids += inRange
                    if !request.allowOffSource, try repository.contains(sourceTip, ancestor: end) { onSource.formUnion(inRange) }
                } else {
                    ids.append(try repository.commit(named: revision))
                }
            }
        } otherwise: { error in
            OperationError.history(error, in: repository, "cannot read the history")
        }
        var seen = Set<ObjectID>()
        ids = ids.filter { seen.insert($0).inserted }
        guard !ids.isEmpty else { throw OperationError(.refused, "the ranges name no commit; nothing to backport") }
        var commits: [ObjectID: CommitInfo] = [:]
        return try OperationError.converting {
            for id in ids {
                let commit = try repository.commit(id)
                if commit.isMerge {
                    guard let mainline = request.mainline else {
                        throw OperationError(.usage, "\(id.short) is a merge; say which parent is the mainline with --mainline N (1 for the first parent)")
                    }
                    guard (1...commit.parents.count).contains(mainline) else {
                        throw OperationError(.usage, "\(id.short) has \(commit.parents.count) parents; --mainline \(mainline) is not one of them")
                    }
                } else if request.mainline != nil {
                    throw OperationError(.usage, "--mainline was given, but \(id.short) is not a merge")
                }
                if !request.allowOffSource, !onSource.contains(id), !(try repository.contains(sourceTip, ancestor: id)) {
                    throw OperationError(.refused, "\(id.short) is not on \(source); fixes land on \(source) first (--allow-off-source to pick it anyway)")
                }
                commits[id] = commit
            }
            // History order: a commit comes after every other pick it descends from. One range's
            // commits are in that order already.
            let ordered = request.revisions.count == 1 ? ids : try repository.historyOrder(of: ids)
            return ordered.map { commits[$0]! }
        } otherwise: { error in
            OperationError.history(error, in: repository, "cannot read the history")
        }
    }

    static func targetBranches(lines: [String], maintained: Bool, configuration: ReleaseConfiguration, today: CalendarDate) throws(OperationError) -> [String] {
        var branches: [String] = []
        for text in lines {
            do { branches.append(configuration.branches.branchName(of: try configuration.releaseLine(parsing: text))) } catch {
                throw OperationError(.usage, error.message)
            }
        }
        if maintained {
            guard !configuration.branches.lines.isEmpty else {
                throw OperationError(.usage, "--maintained: .release.toml registers no release line ([[lines]]; relkit init proposes them)")
            }
            let maintained = configuration.maintainedBranches(on: today)
            guard !maintained.isEmpty else {
                throw OperationError(.refused, "--maintained: none of the registered lines is maintained on \(today) (relkit lines shows why)")
            }
            branches += maintained
        }
        guard !branches.isEmpty else { throw OperationError(.usage, "name the targets with --to X.Y or --maintained") }
        var seen = Set<String>()
        return branches.filter { seen.insert($0).inserted }
    }

    /// Where a target stopped: the conflicting pick, the last commit made, what is left.
    typealias Conflict = (pick: ObjectID, base: ObjectID, remaining: [ObjectID], paths: [String])

    struct TargetOutcome {
        var picks: [Pick]
        var tip: ObjectID
        var conflict: Conflict?
    }

    /// Every commit the backport made, oldest first per target (what must be written).
    static func newCommits(_ report: Report) -> [ObjectID] {
        report.targets.flatMap { target in
            target.picks.compactMap { pick in
                if case .picked(let id, _) = pick.outcome { return id }
                return nil
            }
        }
    }

    /// Picks every commit onto `tip` in memory, stopping at the first conflict.
    static func pickAll(
        _ picks: [CommitInfo], onto tip: ObjectID, target: String, source: String, sourceTip: ObjectID,
        request: Request, configuration: ReleaseConfiguration, batch: ObjectBatch,
        committer: Identity
    ) throws(OperationError) -> TargetOutcome {
        let writer = batch.repository
        var engine = PickEngine(repository: writer)
        engine.keepTarget = configuration.backport.keepTarget.map(Glob.init)
        let sensitive = configuration.backport.sensitivePaths.map(Glob.init)
        return try OperationError.converting {
            // The target's own commits (for the already-there check): with a commit-graph they are
            // listed at once (no commit read) and, when many, read on a second thread (from the
            // object files) while this thread makes the first pick. Without one, listing them is
            // the costly part (their branch point's walk reads the source's history since then):
            // it waits for the first already-there check, and the pick is made meanwhile. A pick
            // that turns out to be there already is dropped (its objects are never written).
            // Hiding the source's tip hides the branch point and everything before it.
            let listedEarly = try writer.commitsListedWithoutReading(reachableFrom: [tip], excluding: [sourceTip])
            let gitDirectory = writer.gitDirectory
            let commonDirectory = writer.commonDirectory
            let targetRead =
                (listedEarly?.count ?? 0) < 64
                ? nil
                : BackgroundWork { () throws(GitError) -> [CommitInfo] in
                    try Repository.readCommits(listedEarly!, gitDirectory: gitDirectory, commonDirectory: commonDirectory)
                }
            func readTargets() throws(GitError) -> [CommitInfo] {
                if let targetRead { return try targetRead.value() }
                let ids: [ObjectID]
                if let listedEarly { ids = listedEarly } else { ids = try writer.commits(reachableFrom: [tip], excluding: [sourceTip]) }
                Trace.mark("\(target)'s own commits listed")
                return try ids.map { id throws(GitError) in try writer.commit(id) }
            }
            // Made when the first pick needs it.
            var matcher: BackportAudit.Matcher?
            func makeMatcher() throws(GitError) -> BackportAudit.Matcher {
                let targetCommits = try readTargets().filter { !$0.isMerge }
                Trace.mark("\(targetCommits.count) commits of \(target) read")
                let bases = try writer.mergeBases(tip, sourceTip)
                var made = try BackportAudit.Matcher(repository: writer, targets: targetCommits, scratch: { () throws(GitError) in batch })
                made.lookAtCommitPathsOnly = picks.count * 40 < targetCommits.count
                if made.lookAtCommitPathsOnly, bases.count == 1 {
                    made.netChange = (try writer.treeID(ofCommit: bases[0]), try writer.treeID(ofCommit: tip))
                }
                Trace.mark("their messages indexed")
                return made
            }
            var current = try writer.commit(tip)
            var outcome = TargetOutcome(picks: [], tip: tip)
            for (index, pick) in picks.enumerated() {
                defer { request.progress?(target, index + 1, picks.count) }
                let parentID = request.mainline.map { pick.parents[$0 - 1] } ?? pick.parents.first
                let parentTree = try parentID.map { id throws(GitError) in try writer.treeID(ofCommit: id) }
                let changes = try writer.treeChanges(from: parentTree, to: pick.tree)
                let flagged = changes.map(\.path).filter { path in sensitive.contains { $0.matches(path) } }
                let started = DispatchTime.now().uptimeNanoseconds
                let result = try engine.pick(pick, mainline: request.mainline, onto: current)
                if Trace.enabled {
                    let kind: String
                    switch result {
                    case .tree(_, let fastPath): kind = fastPath ? "fast path" : "full merge"
                    case .conflicts: kind = "conflict"
                    }
                    let micros = Double(DispatchTime.now().uptimeNanoseconds - started) / 1000
                    SystemCalls.write("relkit: pick \(pick.id.short) onto \(target): \(NumberText.decimal(micros, digits: 1)) µs (\(kind))\n", to: 2)
                }
                // The new commit too is made before the already-there check, unless its message
                // goes through an editor first (the check decides whether to ask at all).
                var made: ObjectID?
                if request.editMessage == nil, case .tree(let tree, _) = result, tree != current.tree {
                    let message = try finalMessage(for: pick, source: source, target: target, configuration: configuration, request: request)
                    made = try writer.createCommit(tree: tree, parents: [current.id], message: message, author: pick.author, committer: committer)
                }
                if matcher == nil { matcher = try makeMatcher() }
                // The changes against the first parent are the matcher's; a mainline other than 1 is not.
                let match = try matcher!.match(pick, changes: parentID == pick.parents.first ? changes : nil)
                Trace.mark("already-there check of \(pick.id.short)")
                if let match, match.kind != .subject {
                    outcome.picks.append(Pick(commit: pick, outcome: .alreadyThere("\(match.by.id.short) (\(match.kind.rawValue): \(match.detail))"), sensitivePaths: flagged))
                    continue
                }
                switch result {
                case .tree(let tree, let fastPath):
                    if tree == current.tree {
                        let changed = changes.map(\.path)
                        let reason =
                            !changed.isEmpty && engine.keptPaths(changed).count == changed.count
                            ? "it changes only paths that [backport] keep-target keeps as \(target) has them"
                            : "\(target) has the change already (the pick changes nothing)"
                        outcome.picks.append(Pick(commit: pick, outcome: .alreadyThere(reason), sensitivePaths: flagged))
                        continue
                    }
                    let id: ObjectID
                    if let made {
                        id = made
                    } else {
                        let message = try finalMessage(for: pick, source: source, target: target, configuration: configuration, request: request)
                        id = try writer.createCommit(tree: tree, parents: [current.id], message: message, author: pick.author, committer: committer)
                    }
                    current = try writer.commit(id)
                    outcome.picks.append(Pick(commit: pick, outcome: .picked(id, fastPath: fastPath), sensitivePaths: flagged))
                case .conflicts(let conflictPaths):
                    if request.commitConflicts {
                        // Committed as they are, markers and all, and the rest picked on top: the
                        // pull request exists and its CI fails until a person resolves it.
                        let marked = try engine.pickCommittingConflicts(pick, mainline: request.mainline, onto: current, target: target)
                        let message = try finalMessage(for: pick, source: source, target: target, configuration: configuration, request: request)
                        let id = try writer.createCommit(tree: marked.tree, parents: [current.id], message: message, author: pick.author, committer: committer)
                        current = try writer.commit(id)
                        outcome.picks.append(Pick(commit: pick, outcome: .picked(id, fastPath: false), sensitivePaths: flagged, committedConflicts: marked.conflicted))
                        continue
                    }
                    outcome.picks.append(Pick(commit: pick, outcome: .conflict(conflictPaths), sensitivePaths: flagged))
                    let rest = picks[(index + 1)...]
                    outcome.picks += rest.map { Pick(commit: $0, outcome: .notReached, sensitivePaths: []) }
                    outcome.conflict = (pick.id, current.id, rest.map(\.id), conflictPaths)
                    outcome.tip = current.id
                    return outcome
                }
            }
            outcome.tip = current.id
            return outcome
        } otherwise: { error in
            OperationError.history(error, in: batch.repository, "cannot pick onto \(target)", kind: .repositoryState)
        }
    }

    /// The original message with the configured trailers, edited when asked.
    static func finalMessage(
        for pick: CommitInfo, source: String, target: String, configuration: ReleaseConfiguration,
        request: Request
    ) throws(OperationError) -> String {
        var message = backportMessage(
            for: pick, source: source, target: target, templates: configuration.backport.trailers,
            recordPickedCommit: configuration.backport.recordPickedCommit)
        if let edit = request.editMessage {
            message = try edit(message)
            guard !message.allSatisfy(\.isWhitespace) else {
                throw OperationError(.refused, "the edited message of \(pick.id.short) is empty; nothing was changed")
            }
        }
        return message
    }

    /// The message of a backport: the original with `(cherry picked from commit <id>)` (as `git
    /// cherry-pick -x` writes it) and the trailers (placeholders filled in) joined to its trailer
    /// block, or after one blank line. A trailer with `{pr}` is left out when the subject names no
    /// pull request.
    ///
    /// - Parameters:
    ///   - pick: the commit picked.
    ///   - source: the source branch.
    ///   - target: the target branch.
    ///   - templates: `[backport] trailers`.
    ///   - recordPickedCommit: add `(cherry picked from commit …)`.
    /// - Returns: the backport's message.
    public static func backportMessage(
        for pick: CommitInfo, source: String, target: String, templates: [String],
        recordPickedCommit: Bool = true
    ) -> String {
        let pullRequest = BackportAudit.pullRequestNumbers(in: pick.subject).last
        let trailers: [Trailers.Trailer] = templates.compactMap { template in
            if template.containsPlaceholder("{pr}") && pullRequest == nil { return nil }
            var text = template
            for (placeholder, value) in [
                ("{source}", source), ("{target}", target), ("{commit}", pick.id.description),
                ("{short-commit}", pick.id.short), ("{pr}", pullRequest ?? "")
            ] {
                text = text.replacingPlaceholder(placeholder, with: value)
            }
            guard let colon = text.firstIndex(of: ":") else { return nil }
            return Trailers.Trailer(key: String(text[..<colon]).trimmingSpaces(), value: String(text[text.index(after: colon)...]).trimmingSpaces())
        }
        var message = pick.message
        if !message.hasSuffix("\n") { message += "\n" }
        let pickedLine = "(cherry picked from commit \(pick.id))"
        if recordPickedCommit, !message.contains(pickedLine) { message = Trailers.appending(lines: [pickedLine], to: message) }
        return Trailers.adding(trailers, to: message)
    }

    /// Moves the finished targets together; the checked-out one brings its checkout along.
    static func moveTargets(
        _ targets: [TargetReport], context: ReleaseContext, committer: Identity, source: String,
        thenWrite: Journal.FollowingFile? = nil
    ) throws(OperationError) {
        guard !targets.isEmpty else { return }
        let repository = context.repository
        let here = context.checkedOutBranch()
        var checkout: ReferenceMoves.Checkout?
        for target in targets where target.branch == here {
            let paths: [String]
            do {
                paths = try repository.treeChanges(
                    from: repository.treeID(ofCommit: target.from),
                    to: repository.treeID(ofCommit: target.newTip!)
                ).map(\.path)
            } catch {
                throw OperationError(.repositoryState, "cannot compare the trees of \(target.branch): \(error)")
            }
            let dirty: [String]
            do { dirty = try repository.modifiedPaths(paths) } catch { throw OperationError(.repositoryState, "cannot read the status of the work tree: \(error)") }
            if !dirty.isEmpty {
                throw OperationError(
                    .repositoryState,
                    "\(dirty.joined(separator: ", ")) \(dirty.count == 1 ? "has" : "have") uncommitted changes on the checked-out branch \(target.branch), which the backport changes: commit or stash them first (nothing was changed)"
                )
            }
            checkout = ReferenceMoves.Checkout(branch: target.branch, from: target.from, to: target.newTip!, paths: paths)
        }
        for target in targets where target.branch != here && repository.isBranchCheckedOut(target.branch) {
            throw OperationError(.repositoryState, "branch \(target.branch) is checked out in another worktree; backport there, or switch that worktree to another branch (nothing was changed)")
        }
        // A target that starts from its remote-tracking branch is created (it must not exist yet),
        // tracking it; the configuration is written first: without the branch it is inert.
        let tracking = targets.filter { $0.upstream != nil }
        if !tracking.isEmpty {
            let remote = try context.baseConfiguration().branches.remote
            // libgit2 writes the configuration through `config.lock`: a kill may leave it, and the
            // journal lets the next relkit remove it (else every later write would fail on it).
            try context.lock.writeJournal(Journal(command: "relkit backport", lockFiles: [repository.commonDirectory + "config.lock"]))
            do {
                try repository.setLocalConfig(
                    tracking.flatMap { [("branch.\($0.branch).remote", remote), ("branch.\($0.branch).merge", "refs/heads/\($0.branch)")] })
            } catch {
                context.lock.removeJournal()
                throw OperationError(.repositoryState, "cannot set the upstream of \(tracking.map(\.branch).joined(separator: ", ")): \(error) (nothing was changed)")
            }
            context.lock.removeJournal()
            FaultInjection.point("upstream-configured")
        }
        let updates = targets.map { Repository.ReferenceUpdate(name: "refs/heads/" + $0.branch, expected: $0.upstream == nil ? $0.from : nil, target: $0.newTip!) }
        try ReferenceMoves.apply(
            updates, checkout: checkout, lock: context.lock, command: "relkit backport", committer: committer,
            reflogMessage: "relkit backport: picks from \(source) onto \(targets.map(\.branch).joined(separator: ", "))",
            thenWrite: thenWrite)
    }

    // MARK: Conflicts

    /// What a stopped backport needs to go on, in the git directory.
    struct State: Codable {
        struct Target: Codable {
            var branch: String
            /// The branch's tip when the backport began: it must still be there to continue.
            var expected: String
            /// The last commit made (in memory, now written): the conflict is picked onto it.
            var base: String
            var conflicting: String
            var remaining: [String]
            var worktree: String
            var paths: [String]
            /// Written by `--continue` just before it moves the branch: if it is killed after the
            /// move, the next `--continue` finds the branch here and finishes instead of refusing.
            var movingTo: String?
            /// False from the state's first write until its worktree holds the conflict; nil in
            /// states written before relkit recorded it (their worktrees were made first).
            var prepared: Bool?
            /// The remote-tracking branch the target's local branch is to start from (it did not
            /// exist when the backport stopped).
            var upstream: String?
            /// Under `--push`: the commits picked before the conflict, and the paths of theirs that
            /// are sensitive (the pull request names them all).
            var pickedBefore: [String]?
            var sensitiveBefore: [String]?
            /// Under `--push`: the pull request of the branch `--continue` is about to push
            /// (written with `movingTo`, so that a `--continue` killed after it pushes again).
            var pullRequest: PullRequestSpec?

            /// Under `--push`: notes the commits of `picks` that were picked, and their sensitive paths.
            mutating func recordPicksBefore(_ picks: [Pick]) {
                let picked = picks.filter(\.wasPicked)
                pickedBefore = picked.map(\.commit.id.description)
                sensitiveBefore = Array(Set(picked.flatMap(\.sensitivePaths))).sorted()
            }

            /// The picks `recordPicksBefore` noted, read again; the sensitive paths found then go
            /// with the first (a pull request names them all together).
            func picksBefore(in repository: Repository) throws(GitError) -> [Pick] {
                try (pickedBefore ?? []).enumerated().map { index, hex throws(GitError) in
                    let id = ObjectID(hex: hex)!
                    return Pick(commit: try repository.commit(id), outcome: .picked(id, fastPath: false), sensitivePaths: index == 0 ? sensitiveBefore ?? [] : [])
                }
            }

            /// A target stopped at a conflict: what `--continue` needs.
            init(branch: String, expected: ObjectID, stoppedAt conflict: Conflict, worktree: String) {
                self.branch = branch
                self.expected = expected.description
                base = conflict.base.description
                conflicting = conflict.pick.description
                remaining = conflict.remaining.map(\.description)
                self.worktree = worktree
                paths = conflict.paths
                prepared = false
            }
        }

        var source: String
        var mainline: Int?
        var targets: [Target]
        /// The remote the picks go to as pull request branches (`--push`); nil: the targets move.
        var push: String?
        /// `[backport] keep-target` when the backport stopped: the conflict worktree keeps these
        /// paths as the target has them, as the in-memory pick did.
        var keepTarget: [String]?

        static func path(_ lock: RepositoryLock) -> String { lock.directory + "/backport.json" }

        static func load(_ lock: RepositoryLock) throws(OperationError) -> State? {
            guard let data = FileManager.default.contents(atPath: path(lock)) else { return nil }
            guard let state = try? JSONDecoder().decode(State.self, from: data) else {
                throw OperationError(.repositoryState, "\(path(lock)) cannot be read; remove it and the worktrees it names to start again")
            }
            return state
        }

        func text() throws(OperationError) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data: Data
            do { data = try encoder.encode(self) } catch { throw OperationError(.repositoryState, "cannot write the backport state: \(error)") }
            return String(decoding: data, as: UTF8.self)
        }

        func save(_ lock: RepositoryLock) throws(OperationError) {
            try AtomicFiles.replace(State.path(lock), with: Array(try text().utf8), keepingModeOf: nil)
        }
    }

    static func worktreeName(_ target: State.Target) -> String { PathText.lastComponent(target.worktree) }

    /// Makes the worktree of each target not yet prepared: whatever an interrupted attempt left
    /// (a half-made worktree, its administrative files, its temporary branch) goes first. A
    /// prepared worktree is never touched here: it may hold the user's resolution.
    static func prepareWorktrees(_ state: inout State, context: ReleaseContext) throws(OperationError) {
        for index in state.targets.indices where state.targets[index].prepared == false {
            let target = state.targets[index]
            discardWorktree(target, repository: context.repository)
            do { try openConflictWorktree(target, repository: context.repository, mainline: state.mainline, keepTarget: state.keepTarget ?? []) } catch {
                // Nothing half-made is left (a full disk, a read-only directory): the next run starts again.
                discardWorktree(target, repository: context.repository)
                throw OperationError(error.kind, "\(error.message); the backport stays stopped, and the next relkit backport command prepares its worktree again")
            }
            state.targets[index].prepared = true
            try state.save(context.lock)
        }
    }

    /// Removes a conflict worktree, whole or half-made: git's record of it, its directory, and the
    /// temporary branch it may still have checked out.
    static func discardWorktree(_ target: State.Target, repository: Repository) {
        let name = worktreeName(target)
        // libgit2's prune fails on half-made admin files: what it leaves is removed by hand.
        try? repository.removeWorktree(name: name)
        try? FileManager.default.removeItem(atPath: repository.commonDirectory + "worktrees/" + name)
        try? FileManager.default.removeItem(atPath: target.worktree)
        _ = try? repository.deleteTemporaryWorktreeBranches { $0.hasPrefix("relkit-worktree-") && $0.hasSuffix("-" + name) }
    }

    /// A worktree at the last good commit, with the conflicting pick applied and its markers left;
    /// paths of `keepTarget` as the target has them (the in-memory pick kept them so).
    static func openConflictWorktree(_ target: State.Target, repository: Repository, mainline: Int?, keepTarget: [String]) throws(OperationError) {
        do {
            let base = ObjectID(hex: target.base)!
            let pick = ObjectID(hex: target.conflicting)!
            let worktree: Repository
            if FileManager.default.fileExists(atPath: target.worktree) {
                worktree = try Repository.open(at: target.worktree)
                try worktree.clearOperationState()
                try worktree.forceCheckoutDetached(base)
            } else {
                worktree = try repository.addDetachedWorktree(name: worktreeName(target), path: target.worktree, at: base)
            }
            _ = try worktree.cherryPickIntoWorkTree(pick, mainline: UInt32(mainline ?? 0))
            if !keepTarget.isEmpty {
                let kept = try PickEngine(repository: repository, keepTarget: keepTarget.map(Glob.init)).keptPaths(of: try repository.commit(pick), mainline: mainline)
                if !kept.isEmpty {
                    let baseTree = try repository.treeID(ofCommit: base)
                    var inBase: [String] = []
                    for path in kept {
                        if try repository.entry(inTree: baseTree, path: path) != nil { inBase.append(path) } else { unlink(target.worktree + "/" + path) }
                    }
                    try worktree.forceCheckout(paths: inBase, of: base)
                    try worktree.resetIndex(paths: kept, to: base)
                }
            }
        } catch {
            throw OperationError(.repositoryState, "cannot prepare the conflict worktree \(target.worktree): \(error)")
        }
    }

    /// A stopped backport: what `--status` shows.
    public struct StatusReport {
        /// The branch the commits came from.
        public let source: String
        /// Each stopped target: branch, conflicting commit, picks left, worktree and conflicted paths.
        public let targets: [(branch: String, conflicting: String, remaining: Int, worktree: String, paths: [String])]
    }

    /// What a stopped backport is waiting for; nil when none is stopped.
    ///
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - notice: told of what an interrupted run left.
    /// - Returns: the stopped backport, or nil when none is.
    /// - Throws: `OperationError` with the command's exit code.
    public static func status(directory: String, notice: (String) -> Void) throws(OperationError) -> StatusReport? {
        let context = try ReleaseContext.open(directory, command: "backport --status", notice: notice)
        defer { context.lock.release() }
        guard var state = try State.load(context.lock) else { return nil }
        try prepareWorktrees(&state, context: context)
        return StatusReport(
            source: state.source,
            targets: state.targets.map {
                ($0.branch, String($0.conflicting.prefix(12)), $0.remaining.count, $0.worktree, $0.paths)
            })
    }

    /// Drops a stopped backport: its worktrees and state go; no branch moved for it.
    ///
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - notice: told of what an interrupted run left.
    /// - Returns: the targets dropped.
    /// - Throws: `OperationError` with the command's exit code.
    public static func abort(directory: String, notice: (String) -> Void) throws(OperationError) -> [String] {
        let context = try ReleaseContext.open(directory, command: "backport --abort", notice: notice)
        defer { context.lock.release() }
        guard let state = try State.load(context.lock) else { throw OperationError(.refused, "no backport is stopped; nothing to abort") }
        for target in state.targets {
            discardWorktree(target, repository: context.repository)
            if access(target.worktree, F_OK) == 0 {
                throw OperationError(.repositoryState, "cannot remove the worktree \(target.worktree); remove it, then run relkit backport --abort again")
            }
        }
        FaultInjection.point("worktree-removed")
        unlink(State.path(context.lock))
        return state.targets.map(\.branch)
    }

    /// Commits the resolution of each stopped target, picks the rest, and moves the branches.
    ///
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - notice: told of what an interrupted run left.
    ///   - editMessage: edits each message (`--edit`).
    /// - Returns: each target's picks.
    /// - Throws: `OperationError` with the command's exit code.
    public static func resume(
        directory: String, notice: (String) -> Void,
        editMessage: ((String) throws(OperationError) -> String)? = nil
    ) throws(OperationError) -> Report {
        let context = try ReleaseContext.open(directory, command: "backport --continue", notice: notice)
        defer { context.lock.release() }
        let repository = context.repository
        guard var state = try State.load(context.lock) else { throw OperationError(.refused, "no backport is stopped; nothing to continue") }
        try prepareWorktrees(&state, context: context)
        let configuration = try context.baseConfiguration()
        let committer = try IdentityResolver.resolve(.committer, repository: repository)
        // A --continue killed after moving a branch left the state naming the tip it moved to:
        // that target is done; only its worktree is left to remove.
        // Under --push, the pull request branch made before the kill is pushed (again: the push
        // may not have happened); its target never moves.
        var finished: [TargetReport] = []
        for target in state.targets {
            var entry = TargetReport(branch: target.branch, from: ObjectID(hex: target.expected)!, picks: [])
            if state.push != nil {
                guard let movingTo = target.movingTo, let spec = target.pullRequest,
                    let made = try? repository.referenceTarget("refs/heads/" + spec.head), made.description == movingTo
                else { continue }
                entry.newTip = made
                entry.pullRequest = spec
                notice("relkit: the interrupted backport --continue had already made \(spec.head) at \(made.short); pushing it")
            } else {
                let tip = try context.backportTargetTip(target.branch, upstream: target.upstream)
                guard let movingTo = target.movingTo, tip.description == movingTo else { continue }
                entry.newTip = tip
                notice("relkit: the interrupted backport --continue had already moved \(target.branch) to \(tip.short); finished it")
            }
            discardWorktree(target, repository: repository)
            finished.append(entry)
        }
        state.targets.removeAll { target in finished.contains { $0.branch == target.branch } }
        if state.targets.isEmpty {
            if let remote = state.push { try pushPullRequestBranches(finished, to: remote, context: context, committer: committer, source: state.source) }
            unlink(State.path(context.lock))
            var report = Report(source: state.source, targets: finished, dryRun: false)
            report.pushing = state.push != nil
            return report
        }
        try state.save(context.lock)
        // Nothing moves if any target moved meanwhile, or any conflict is still unresolved. (A
        // pull request's base may move: the host merges it.)
        for target in state.targets {
            if state.push == nil {
                let tip = try context.backportTargetTip(target.branch, upstream: target.upstream)
                if tip.description != target.expected {
                    throw OperationError(
                        .repositoryState,
                        "\(target.branch) moved from \(target.expected.prefix(12)) to \(tip.short) since the backport stopped; relkit will not overwrite it: run relkit backport --abort, then backport again"
                    )
                }
            }
            try checkResolved(target)
        }
        let sourceTip = try context.tip(of: state.source)
        let request = Request(directory: directory, revisions: [], lines: [], mainline: state.mainline, editMessage: editMessage)
        let batch: ObjectBatch
        do { batch = try repository.beginObjectBatch() } catch { throw OperationError(.repositoryState, "cannot write objects: \(error)") }
        var report = Report(source: state.source, targets: finished, dryRun: false)
        report.pushing = state.push != nil
        var stillStopped: [State.Target] = []
        for target in state.targets {
            let expected = ObjectID(hex: target.expected)!
            var entry = TargetReport(branch: target.branch, from: expected, picks: [])
            // Still to be created from its remote-tracking branch, unless it exists by now.
            if target.upstream != nil, !repository.hasBranch(target.branch) { entry.upstream = target.upstream }
            try OperationError.converting {
                var current: ObjectID
                let pick = try repository.commit(ObjectID(hex: target.conflicting)!)
                let worktree = try Repository.open(at: target.worktree)
                let tree = try worktree.stageAndWriteTree(target.paths + (try worktree.conflictedPaths()))
                let base = try batch.repository.commit(ObjectID(hex: target.base)!)
                if tree == base.tree {
                    entry.picks.append(Pick(commit: pick, outcome: .alreadyThere("resolved to no change"), sensitivePaths: []))
                    current = base.id
                } else {
                    let message = try finalMessage(for: pick, source: state.source, target: target.branch, configuration: configuration, request: request)
                    current = try batch.repository.createCommit(tree: tree, parents: [base.id], message: message, author: pick.author, committer: committer)
                    entry.picks.append(Pick(commit: pick, outcome: .picked(current, fastPath: false), sensitivePaths: [], resolved: true))
                }
                let remaining = try target.remaining.map { hex throws(GitError) in try repository.commit(ObjectID(hex: hex)!) }
                let outcome = try pickAll(
                    remaining, onto: current, target: target.branch, source: state.source, sourceTip: sourceTip,
                    request: request, configuration: configuration, batch: batch, committer: committer)
                entry.picks += outcome.picks
                // Under --push, the pull request names the picks made before the stop too.
                let picked = try target.picksBefore(in: repository) + entry.picks.filter(\.wasPicked)
                if let conflict = outcome.conflict {
                    entry.worktree = target.worktree
                    var stopped = State.Target(branch: target.branch, expected: expected, stoppedAt: conflict, worktree: target.worktree)
                    stopped.upstream = entry.upstream
                    if state.push != nil { stopped.recordPicksBefore(picked) }
                    stillStopped.append(stopped)
                } else if outcome.tip != expected {
                    entry.newTip = outcome.tip
                    if state.push != nil, !picked.isEmpty {
                        entry.pullRequest = pullRequest(picked: picked, target: target.branch, source: state.source, configuration: configuration)
                    }
                }
            } otherwise: { error in
                OperationError(.repositoryState, "cannot continue the backport to \(target.branch): \(error)")
            }
            report.targets.append(entry)
        }
        do { try batch.write(commits: newCommits(report)) { FaultInjection.point("object-written-\($0)") } } catch { throw OperationError(.repositoryState, "cannot write the commits: \(error)") }
        FaultInjection.point("objects-written")
        let moving = report.targets.filter { target in target.newTip != nil && !finished.contains { $0.branch == target.branch } }
        for index in state.targets.indices {
            let move = moving.first { $0.branch == state.targets[index].branch }
            state.targets[index].movingTo = move?.newTip?.description
            state.targets[index].pullRequest = move?.pullRequest
        }
        try state.save(context.lock)
        FaultInjection.point("state-written")
        if let remote = state.push {
            try pushPullRequestBranches(moving + finished, to: remote, context: context, committer: committer, source: state.source)
        } else {
            try moveTargets(moving, context: context, committer: committer, source: state.source)
        }
        for target in state.targets where !stillStopped.contains(where: { $0.branch == target.branch }) {
            discardWorktree(target, repository: repository)
        }
        if stillStopped.isEmpty {
            unlink(State.path(context.lock))
        } else {
            state.targets = stillStopped
            try state.save(context.lock)
            try prepareWorktrees(&state, context: context)
        }
        return report
    }

    /// No unmerged entries and no conflict markers left in the worktree.
    static func checkResolved(_ target: State.Target) throws(OperationError) {
        guard FileManager.default.fileExists(atPath: target.worktree + "/.git") else {
            throw OperationError(.repositoryState, "the worktree \(target.worktree) of the backport to \(target.branch) is gone; run relkit backport --abort")
        }
        var marked: [String] = []
        for path in target.paths {
            guard let data = FileManager.default.contents(atPath: target.worktree + "/" + path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            if text.split(separator: "\n", omittingEmptySubsequences: false).contains(where: {
                $0.hasPrefix("<<<<<<< ") || $0 == "=======" || $0.hasPrefix(">>>>>>> ")
            }) {
                marked.append(path)
            }
        }
        if !marked.isEmpty {
            throw OperationError(.refused, "conflict markers are left in \(marked.joined(separator: ", ")) in \(target.worktree); resolve them, then run relkit backport --continue")
        }
    }
}
