import GitKit
import RelKitCore

/// `relkit backport targets REV`: which maintained lines a change must reach, by the rules of
/// `BackportRouting` (a fix subject: every maintained line; a `Backport:` trailer: the lines it
/// names, or none; `--to`: those lines), with what CI needs to act on each.
public enum BackportTargets {
    /// What to answer for.
    public struct Request {
        /// Where relkit runs.
        public var directory: String
        /// The change (a commit of the source branch).
        public var revision: String
        /// The pull request's title, when it differs from the commit's subject.
        public var title: String?
        /// The pull request's description (read for `Backport:` lines).
        public var body: String?
        /// Lines given outright (`/backport 26.4`); they override the rest.
        public var to: [String]
        /// The day (UTC) that decides which lines are maintained.
        public var today: CalendarDate

        /// A request.
        /// - Parameters:
        ///   - directory: where relkit runs.
        ///   - revision: the change.
        ///   - title: the pull request's title.
        ///   - body: the pull request's description.
        ///   - to: lines given outright.
        ///   - today: the day (UTC).
        public init(directory: String, revision: String, title: String? = nil, body: String? = nil, to: [String] = [], today: CalendarDate) {
            self.directory = directory
            self.revision = revision
            self.title = title
            self.body = body
            self.to = to
            self.today = today
        }
    }

    /// One line the change goes to.
    public struct Target: Sendable {
        /// The release line.
        public let line: ReleaseLine
        /// Its branch's name.
        public let branch: String
        /// The branch as found (`26.09`, or `origin/26.09` when only the remote-tracking one
        /// exists); nil when it exists nowhere.
        public let branchRef: String?
    }

    /// The answer.
    public struct Answer: Sendable {
        /// The change.
        public let commit: CommitInfo
        /// Its pull request number, from the last `(#N)` of its subject (or the title).
        public let pullRequest: String?
        /// The source branch.
        public let source: String
        /// The decision and why.
        public let decision: BackportRouting.Decision
        /// The lines to reach, with their branches.
        public let targets: [Target]
        /// The paths it changes that match `[backport] sensitive-paths` (migrations).
        public let sensitivePaths: [String]

        /// Why it goes where it goes, in one sentence.
        public var explanation: String {
            switch decision.reason {
            case .to: return "the lines given with --to"
            case .trailer: return "its Backport: trailer names them"
            case .optedOut: return "its Backport: trailer says none"
            case .fixSubject: return "a fix goes to every maintained line"
            case .notAFix: return "not a fix ([backport] fix-subjects), and no Backport: trailer names a line"
            case .notOnSource: return "it is not on \(source): a backport itself, or not merged yet"
            }
        }
    }

    /// Answers for one change.
    ///
    /// - Parameter request: the change and what the pull request says.
    /// - Returns: the targets and why.
    /// - Throws: `OperationError`: refused (exit 1) when a trailer names a line that is not
    ///   maintained or no `--to` line is; usage (exit 2) for an unknown revision or configuration.
    public static func run(_ request: Request) throws(OperationError) -> Answer {
        let workspace = try Workspace.open(at: request.directory)
        let repository = try workspace.requireRepository(for: "relkit backport targets")
        let configuration = try workspace.baseConfiguration()
        let resolver = BranchResolver(repository: repository, remote: configuration.branches.remote)
        let id = try repository.commit(named: request.revision, remote: resolver.remote)
        let source = configuration.backportSource
        return try OperationError.converting {
            let commit = try repository.commit(id)
            let sourceBranch = try resolver.require(source)
            let onSource = try repository.contains(sourceBranch.tip, ancestor: id)
            let subject = request.title ?? commit.subject
            let fixPatterns = BackportAudit.fixSubjectPatterns(configuration.backport)
            let isFix = fixPatterns.contains { subject.firstMatch(of: $0) != nil }
            let maintained = LineLifecycle.maintained(configuration.branches.lines, today: request.today).map(\.line)
            let decision: BackportRouting.Decision
            do {
                let trailer = try BackportRouting.trailerRequest(message: commit.message, body: request.body)
                decision = try BackportRouting.decide(
                    onSource: onSource, isFix: isFix, trailer: trailer, to: request.to, maintained: maintained,
                    parse: configuration.releaseLine(written:))
            } catch let refusal as BackportRouting.Refusal {
                throw OperationError(.refused, refusal.description)
            }
            var targets: [Target] = []
            for line in decision.targets {
                let branch = configuration.branches.branchName(of: line)
                targets.append(Target(line: line, branch: branch, branchRef: try resolver.resolve(branch)?.displayName))
            }
            let sensitive = configuration.backport.sensitivePaths.map(Glob.init)
            let parentTree = try commit.parents.first.map { parent throws(GitError) in try repository.treeID(ofCommit: parent) }
            let flagged = try repository.treeChanges(from: parentTree, to: commit.tree).map(\.path).filter { path in sensitive.contains { $0.matches(path) } }
            return Answer(
                commit: commit, pullRequest: BackportAudit.pullRequestNumbers(in: subject).last ?? BackportAudit.pullRequestNumbers(in: commit.subject).last,
                source: sourceBranch.displayName, decision: decision, targets: targets, sensitivePaths: flagged)
        } otherwise: { error in
            OperationError.history(error, in: repository, "cannot read the change")
        }
    }
}
