import Dispatch
import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `relkit backport audit`: which commits of the source branch are on a release branch, how each
/// was recognized, and which are missing.
public enum BackportAudit {
    /// How a backport was recognized, strongest first.
    public enum MatchKind: String, Sendable {
        /// The backport's message names the commit (`(cherry picked from commit ...)`, a trailer).
        case message
        /// The pull request number of the commit is in the backport's subject or a trailer.
        case pullRequest = "pr-number"
        /// The same change: equal patch-ids (`git patch-id --stable`).
        case patchID = "patch-id"
        /// Only the subject is the same (weak).
        case subject
    }

    /// One source commit and whether the target has it.
    public struct Entry {
        /// The source commit.
        public let commit: CommitInfo
        /// Whether it is a fix; nil when the audit was not asked to tell (it costs a regular
        /// expression per commit, and a tree comparison for changelog fragments).
        public let isFix: Bool?
        /// The commit on the target that has it, and how it was recognized; nil when missing.
        public let match: (kind: MatchKind, by: CommitInfo, detail: String)?
        /// Why it could not be compared (an object it needs is not in the repository); then
        /// `match` is nil and the commit is neither missing nor backported.
        public let unknown: String?
    }

    /// What the audit found.
    public struct Report {
        /// The source branch.
        public let source: String
        /// The target branch.
        public let target: String
        /// Where the audit starts when --since is given (else: the branch point).
        public let since: ObjectID?
        /// Every candidate commit of the source, oldest first.
        public let entries: [Entry]
        /// Commits the target lacks.
        public var missing: [Entry] { entries.filter { $0.match == nil && $0.unknown == nil } }
        /// Commits that could not be compared (objects missing).
        public var unknown: [Entry] { entries.filter { $0.unknown != nil } }
        /// The branches as read: `origin/26.04` when only the remote-tracking branch exists.
        public var targetRead: String = ""
        /// The source branch as read.
        public var sourceRead: String = ""
        /// What the reader should know: a local branch behind or diverged from its remote.
        public var notes: [String] = []
    }

    /// Audits a release line against its source branch.
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - requested: the release line (`26.09`).
    ///   - requestedSource: the source branch (default: the configuration's).
    ///   - since: where to start instead of the branch point.
    ///   - onlyFixes: list fixes only.
    ///   - classifyFixes: tell fixes from other commits.
    /// - Returns: every candidate commit and its match.
    /// - Throws: `OperationError` with the command's exit code.
    public static func run(
        directory: String, line requested: String, source requestedSource: String?, since: String?,
        onlyFixes: Bool, classifyFixes: Bool = true
    ) throws(OperationError) -> Report {
        Trace.mark("start")
        let workspace = try Workspace.open(at: directory)
        let repository = try workspace.requireRepository(for: "relkit backport audit")
        let configuration = try workspace.baseConfiguration()
        Trace.mark("repository opened, configuration read")
        let line: ReleaseLine
        do { line = try configuration.releaseLine(parsing: requested) } catch { throw OperationError(.usage, error.message) }
        let target = configuration.branches.branchName(of: line)
        let source = requestedSource ?? configuration.backportSource
        return try OperationError.converting {
            // Each branch as git finds it: local, else origin's remote-tracking branch (a CI clone).
            let resolver = BranchResolver(repository: repository, remote: configuration.branches.remote)
            let targetBranch = try resolver.require(target)
            let sourceBranch = try resolver.require(source)
            let targetTip = targetBranch.tip
            let sourceTip = sourceBranch.tip
            // Each tip hides the other's history, the branch point included; --since hides more.
            let start: ObjectID?
            if let since {
                start = try repository.commit(named: since)
            } else {
                start = nil
            }
            let sourceHides = [targetTip] + (start.map { [$0] } ?? [])
            let targetHides = [sourceTip] + (start.map { [$0] } ?? [])
            // With a commit-graph the commits are listed without being read, and then read on two
            // threads; without one, the walk that lists them reads them (and keeps them).
            let sourceListed = try repository.commitsListedWithoutReading(reachableFrom: [sourceTip], excluding: sourceHides)
            let sourceIDs = try sourceListed ?? repository.commits(reachableFrom: [sourceTip], excluding: sourceHides)
            let targetIDs = try repository.commits(reachableFrom: [targetTip], excluding: targetHides)
            Trace.mark("\(sourceIDs.count) + \(targetIDs.count) commits listed")
            let gitDirectory = repository.gitDirectory
            let commonDirectory = repository.commonDirectory
            let half = sourceIDs.count / 2
            let secondHalf =
                sourceListed == nil || half < 1000
                ? nil
                : BackgroundWork { () throws(GitError) -> [CommitInfo] in
                    try Repository.readCommits(Array(sourceIDs[half...]), gitDirectory: gitDirectory, commonDirectory: commonDirectory)
                }
            var readSources = try sourceIDs[..<(secondHalf == nil ? sourceIDs.count : half)].map { id throws(GitError) in try repository.commit(id) }
            if let secondHalf { readSources += try secondHalf.value() }
            // Neither merges nor the commits relkit made to move versions are candidates.
            let sourceCommits = readSources.filter { !$0.isMerge && !Bookkeeping.isBookkeeping(message: $0.message) }
            readSources = []
            let targetCommits = try targetIDs.map { id throws(GitError) in try repository.commit(id) }.filter { !$0.isMerge }
            Trace.mark("commits read")
            var matcher = try Matcher(repository: repository, targets: targetCommits, scratch: { () throws(GitError) in try repository.beginObjectBatch() })
            Trace.mark("target messages indexed")
            try matcher.precomputeSharedChanges(of: sourceCommits, gitDirectory: repository.gitDirectory)
            Trace.mark("source changes at the target's places")
            let fixSubjects =
                onlyFixes || classifyFixes
                ? fixSubjectPatterns(configuration.backport) : []
            let fragments = configuration.backport.fixFragments.map(Glob.init)
            var entries: [Entry] = []
            var fragmentLookups = FragmentLookups(fragments)
            for commit in sourceCommits {
                let isFix =
                    onlyFixes || classifyFixes
                    ? try isFixCommit(
                        commit, subjects: fixSubjects, fragments: fragments, repository: repository, knownTrees: matcher.treesOfCommits,
                        lookups: &fragmentLookups) : nil
                if onlyFixes && isFix != true { continue }
                let match = try matcher.match(commit)
                entries.append(Entry(commit: commit, isFix: isFix, match: match, unknown: match == nil ? matcher.uncomparable[commit.id] : nil))
            }
            Trace.mark("\(entries.count) commits matched")
            var report = Report(source: source, target: target, since: start, entries: entries)
            report.targetRead = targetBranch.displayName
            report.sourceRead = sourceBranch.displayName
            report.notes = [sourceBranch, targetBranch].compactMap(\.divergence)
            return report
        } otherwise: { error in
            OperationError.history(error, in: repository, "cannot read the history")
        }
    }

    /// A conventional `fix:` subject (or a configured pattern), or an added fix changelog fragment.
    /// `[backport] fix-subjects` as regular expressions, case ignored (checked when the
    /// configuration is read).
    static func fixSubjectPatterns(_ policy: BackportPolicy) -> [Regex<AnyRegexOutput>] {
        policy.fixSubjects.compactMap { try? Regex($0).ignoresCase() }
    }

    /// `knownTrees`: the trees of commits already read (a parent's, mostly), by commit.
    /// `lookups`: the fragments' directories, and the last entry found for each (a commit's tree
    /// is its child's parent tree: each tree is looked at once, not twice).
    static func isFixCommit(
        _ commit: CommitInfo, subjects: [Regex<AnyRegexOutput>], fragments: [Glob], repository: Repository, knownTrees: [ObjectID: ObjectID] = [:],
        lookups: inout FragmentLookups
    ) throws(GitError) -> Bool {
        func entry(_ tree: ObjectID, _ directory: String) throws(GitError) -> ObjectID? {
            if let last = lookups.last[directory], last.tree == tree { return last.entry }
            let found = try repository.entry(inTree: tree, path: directory)?.id
            lookups.last[directory] = (tree, found)
            return found
        }
        let subject = commit.subject
        if subjects.contains(where: { subject.firstMatch(of: $0) != nil }) { return true }
        guard !fragments.isEmpty else { return false }
        let parentTree = try repository.parentTree(of: commit, known: knownTrees)
        // Fragments live under fixed directories (`changes/`): where those are the same object in
        // both trees, no fragment was added, and the commit's whole change need not be read.
        if let directories = lookups.directories {
            var touched = false
            for directory in directories {
                let before = try parentTree.map { tree throws(GitError) in try entry(tree, directory) } ?? nil
                let after = try entry(commit.tree, directory)
                if before != after {
                    touched = true
                    break
                }
            }
            if !touched { return false }
        }
        return try repository.treeChanges(from: parentTree, to: commit.tree).contains { change in
            change.old == nil && fragments.contains { $0.matches(change.path) }
        }
    }

    /// What `isFixCommit` looks up in trees: the fragments' directories (nil when one has a
    /// wildcard: then the whole change is read), and the last entry found for each.
    struct FragmentLookups {
        let directories: [String]?
        var last: [String: (tree: ObjectID, entry: ObjectID?)] = [:]

        init(_ fragments: [Glob]) { directories = BackportAudit.fragmentDirectories(of: fragments) }
    }

    /// The directories every fragment is in (`fragmentDirectory(of:)`), nil when one has none.
    static func fragmentDirectories(of fragments: [Glob]) -> [String]? {
        let directories = fragments.map { fragmentDirectory(of: $0.pattern) }
        return directories.contains(nil) ? nil : Array(Set(directories.compactMap { $0 })).sorted()
    }

    /// The directory a fragment glob's files are in, as far as it has no wildcard (`changes` of
    /// `changes/*.fix.md`); nil when its first directory has one, or it names no directory.
    static func fragmentDirectory(of pattern: String) -> String? {
        let components = pattern.split(separator: "/")
        let fixed = components.dropLast().prefix { !$0.contains(where: { "*?[".contains($0) }) }
        return fixed.isEmpty ? nil : fixed.joined(separator: "/")
    }

    /// Pull request numbers written as `(#1234)` in a subject.
    ///
    /// - Parameter text: a subject.
    /// - Returns: the numbers of its `(#N)` references, in order.
    public static func pullRequestNumbers(in text: String) -> [String] { NotesRules.pullRequestNumbers(in: text) }

    /// Whether a message has the word "backport" in any case (as bytes: every target commit).
    static func mentionsBackport(_ utf8: [UInt8]) -> Bool { ASCII.contains(utf8, Array("backport".utf8), foldingCase: true) }

    /// The subject without its pull request references and backport markers, for the weak match.
    static func plainSubject(_ subject: String) -> String {
        var bytes = Array(subject.utf8)
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        func trim() {
            while let last = bytes.last, isBlank(last) { bytes.removeLast() }
            if let first = bytes.firstIndex(where: { !isBlank($0) }) { bytes.removeFirst(first) } else { bytes.removeAll() }
        }
        trim()
        // Trailing "(#123)" groups, and a leading "[26.09]"-style tag.
        while bytes.last == UInt8(ascii: ")") {
            var start = bytes.count - 2
            while start >= 0, ASCII.isDigit(bytes[start]) { start -= 1 }
            guard start >= 1, start < bytes.count - 2, bytes[start] == UInt8(ascii: "#"), bytes[start - 1] == UInt8(ascii: "(") else { break }
            bytes.removeLast(bytes.count - (start - 1))
            trim()
        }
        if bytes.first == UInt8(ascii: "["), let close = bytes.firstIndex(of: UInt8(ascii: "]")) {
            bytes.removeFirst(close + 1)
            trim()
        }
        // ASCII lowercased in place (one string made; every target commit of a backport has one).
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return String(decoding: bytes, as: UTF8.self).lowercased() }
        for index in bytes.indices where (0x41...0x5A).contains(bytes[index]) { bytes[index] |= 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Indexes of the target's commits, built once; patch-ids only where paths are shared.
    struct Matcher {
        let repository: Repository
        let targets: [CommitInfo]
        /// Where scratch trees for patch-ids are written: in memory, never into the repository.
        /// Made when the first patch-id is needed.
        let makeScratch: () throws(GitError) -> ObjectBatch
        var scratchBatch: ObjectBatch?
        /// Commit-id prefixes (7 to 40 hex digits) written in target messages, by their first 7
        /// digits (a commit id can only start with a mention that shares them): one lookup per
        /// commit, not a scan of every mention (quadratic at 30,000 commits a side).
        var idMentions: [Substring: [(prefix: String, commit: CommitInfo)]] = [:]
        var pullRequests: [String: CommitInfo] = [:]
        var subjects: [String: CommitInfo] = [:]
        /// The changes of each target commit, by its index, computed when first needed.
        var targetChanges: [Int: [TreeChange]] = [:]
        var targetPatchIDs: [Int: ObjectID] = [:]
        var targetsByPath: [String: [Int]]?
        /// The target's changed paths and the directories leading to them.
        var targetPlaces: Set<String> = []
        /// Precomputed changes of source commits at `targetPlaces` (`precomputeSharedChanges`).
        var sharedChanges: [ObjectID: [TreeChange]] = [:]
        /// For a few commits against many targets (a backport): look at each target commit only
        /// at the commit's own paths, instead of indexing every target commit's changes.
        var lookAtCommitPathsOnly = false
        /// With `lookAtCommitPathsOnly`: the trees of the branch point and of the target's tip. When a
        /// commit's files are the same in both, no target commit's change to them is still there (none
        /// was made, or it was reverted): its patch-id cannot make the commit "already there", and
        /// the target's commits need not be read at all.
        var netChange: (base: ObjectID, tip: ObjectID)?
        /// The trees of the commits read (targets, and sources once their changes are computed):
        /// most parents are among them, and their trees are then known without a read (libgit2's
        /// pack reads take a lock every handle of the process shares).
        var treesOfCommits: [ObjectID: ObjectID] = [:]
        /// Commits whose patch-id could not be compared, and why (an object not in the repository).
        var uncomparable: [ObjectID: String] = [:]

        init(repository: Repository, targets: [CommitInfo], scratch: @escaping () throws(GitError) -> ObjectBatch) throws(GitError) {
            self.repository = repository
            self.targets = targets
            self.makeScratch = scratch
            subjects.reserveCapacity(targets.count)
            for commit in targets { treesOfCommits[commit.id] = commit.tree }
            pullRequests.reserveCapacity(targets.count)
            for commit in targets {
                // Hex runs of 7 to 40 digits: scanned as bytes (Character properties cost ~20 µs a message).
                let utf8 = Array(commit.message.utf8)
                var start = 0
                while start < utf8.count {
                    guard ASCII.isHexDigit(utf8[start]) else {
                        start += 1
                        continue
                    }
                    var end = start
                    while end < utf8.count && ASCII.isHexDigit(utf8[end]) { end += 1 }
                    if (7...40).contains(end - start) {
                        let prefix = String(decoding: utf8[start..<end], as: UTF8.self).lowercased()
                        idMentions[prefix.prefix(7), default: []].append((prefix, commit))
                    }
                    start = end
                }
                var numbers = BackportAudit.pullRequestNumbers(in: commit.subject)
                // Only a message with a backport trailer can have one: skip parsing the others.
                if BackportAudit.mentionsBackport(utf8) {
                    for trailer in Trailers.parse(commit.message) where trailer.key.lowercased().contains("backport") {
                        numbers += trailer.value.split(whereSeparator: { !$0.isNumber }).map(String.init).filter { $0.count < 7 }
                    }
                }
                for number in numbers where pullRequests[number] == nil { pullRequests[number] = commit }
                let plain = BackportAudit.plainSubject(commit.subject)
                if subjects[plain] == nil { subjects[plain] = commit }
            }
        }

        /// Inserts a path and the directories leading to it; a directory already there has its own.
        static func insertPlace(_ path: String, into places: inout Set<String>) {
            var place = path
            guard places.insert(place).inserted else { return }
            while let slash = place.lastIndex(of: "/") {
                place = String(place[..<slash])
                if !places.insert(place).inserted { break }
            }
        }

        /// Every target commit's change, and the places (paths and their directories) they touch.
        mutating func indexTargetChanges() throws(GitError) {
            if targetsByPath == nil {
                var index: [String: [Int]] = [:]
                for position in targets.indices {
                    let changes = try self.changes(of: targets[position])
                    targetChanges[position] = changes
                    for change in changes {
                        index[change.path, default: []].append(position)
                        Self.insertPlace(change.path, into: &targetPlaces)
                    }
                }
                targetsByPath = index
            }
        }

        /// What each commit changed at the target's places, computed ahead on several threads, each
        /// with its own repository handle and a contiguous run of commits (so that a commit's parent
        /// trees are still in that handle's cache). The history's own order is kept.
        mutating func precomputeSharedChanges(of commits: [CommitInfo], gitDirectory: String) throws(GitError) {
            treesOfCommits.reserveCapacity(treesOfCommits.count + commits.count)
            for commit in commits { treesOfCommits[commit.id] = commit.tree }
            try indexTargetChanges()
            guard let paths = targetsByPath?.keys, !paths.isEmpty else {
                for commit in commits { sharedChanges[commit.id] = [] }
                return
            }
            // Where the repository can tell (git's changed-path filters), most commits touch none of
            // the target's files: no tree is read for them.
            let filterPaths = PathSet(paths)
            let threads = min(ProcessInfo.processInfo.activeProcessorCount, 4)
            guard threads > 1, commits.count >= 200 else {
                // Few: the rest are compared one by one as they are matched.
                for commit in commits where !repository.mayHaveChanged(commit.id, anyOf: filterPaths) { sharedChanges[commit.id] = [] }
                return
            }
            let knownTrees = treesOfCommits
            let results = ParallelResults<[TreeChange]>(count: commits.count)
            let places = targetPlaces
            let chunk = (commits.count + threads - 1) / threads
            DispatchQueue.concurrentPerform(iterations: threads) { part in
                let range = (part * chunk)..<min(commits.count, (part + 1) * chunk)
                guard !range.isEmpty else { return }
                do {
                    let handle = try Repository.open(at: gitDirectory)
                    for index in range {
                        let commit = commits[index]
                        guard handle.mayHaveChanged(commit.id, anyOf: filterPaths) else {
                            results.set(index, [])
                            continue
                        }
                        results.set(index, try handle.treeChanges(from: try handle.parentTree(of: commit, known: knownTrees), to: commit.tree, within: places))
                    }
                } catch {
                    results.fail(error)
                }
            }
            if let error = results.error { throw error }
            sharedChanges.reserveCapacity(commits.count)
            for (index, commit) in commits.enumerated() { sharedChanges[commit.id] = results.values[index] }
        }

        /// What a commit changed against its first parent (only at `within`, when given).
        func changes(of commit: CommitInfo, within: Set<String>? = nil) throws(GitError) -> [TreeChange] {
            try repository.treeChanges(from: try repository.parentTree(of: commit, known: treesOfCommits), to: commit.tree, within: within)
        }

        mutating func scratch() throws(GitError) -> ObjectBatch {
            if let scratchBatch { return scratchBatch }
            let made = try makeScratch()
            scratchBatch = made
            return made
        }

        /// How the target has `commit`, or nil. `changes`: the commit's changes against its first
        /// parent, when the caller has them already.
        mutating func match(_ commit: CommitInfo, changes known: [TreeChange]? = nil) throws(GitError) -> (kind: MatchKind, by: CommitInfo, detail: String)? {
            let id = commit.id.description
            if let mention = idMentions[id.prefix(7)]?.first(where: { id.hasPrefix($0.prefix) }) {
                return (.message, mention.commit, "names \(mention.prefix)")
            }
            // The commit's own pull request: the last (#N) of its subject (a squash merge appends it).
            if let number = BackportAudit.pullRequestNumbers(in: commit.subject).last, let target = pullRequests[number] {
                return (.pullRequest, target, "#\(number)")
            }
            // The same change: only target commits that touch the same paths can carry its patch-id.
            if lookAtCommitPathsOnly {
                return try matchByLookingAtItsPaths(commit, changes: known)
            }
            try indexTargetChanges()
            // A quick look at the places the target changed; the whole change only if it shares one.
            let shared: [TreeChange]
            if let precomputed = sharedChanges[commit.id] { shared = precomputed } else { shared = try self.changes(of: commit, within: targetPlaces) }
            let candidates = Set(shared.flatMap { targetsByPath?[$0.path] ?? [] }).sorted()
            if !candidates.isEmpty {
                if let patch = try patchID(of: try self.changes(of: commit), comparing: commit) {
                    for position in candidates {
                        if targetPatchIDs[position] == nil {
                            guard let targetPatch = try patchID(of: targetChanges[position] ?? [], comparing: commit, against: targets[position]) else { continue }
                            targetPatchIDs[position] = targetPatch
                        }
                        if targetPatchIDs[position] == patch { return (.patchID, targets[position], patch.short) }
                    }
                }
            }
            if let target = subjects[BackportAudit.plainSubject(commit.subject)] { return (.subject, target, "same subject (weak)") }
            return nil
        }

        /// The patch-id of `changes` (`commit`'s own, or `target`'s when given); nil when a blob it
        /// needs is not in the repository, and then `commit` is noted as uncomparable (the first
        /// reason is kept).
        mutating func patchID(of changes: [TreeChange], comparing commit: CommitInfo, against target: CommitInfo? = nil) throws(GitError) -> ObjectID? {
            if let missing = repository.firstMissingBlob(in: changes) {
                if uncomparable[commit.id] == nil {
                    let whose = target.map { "target commit \($0.id.short)'s" } ?? "its"
                    uncomparable[commit.id] = "cannot compare by patch-id: \(whose) blob \(missing.id.short) of \(missing.path) is not in the repository (a partial clone or a damaged copy)"
                }
                return nil
            }
            return try repository.patchID(of: changes, scratch: try scratch())
        }

        /// The patch-id match, looking at each target commit only where `commit` changed things:
        /// a commit with another path set cannot carry the same patch-id.
        mutating func matchByLookingAtItsPaths(_ commit: CommitInfo, changes known: [TreeChange]?) throws(GitError) -> (kind: MatchKind, by: CommitInfo, detail: String)? {
            let changes: [TreeChange]
            if let known { changes = known } else { changes = try self.changes(of: commit) }
            let paths = Set(changes.map(\.path))
            var places: Set<String> = []
            for path in paths { Self.insertPlace(path, into: &places) }
            var patch: ObjectID?
            if let netChange, try repository.treeChanges(from: netChange.base, to: netChange.tip, within: places).isEmpty {
                return subjects[BackportAudit.plainSubject(commit.subject)].map { (.subject, $0, "same subject (weak)") }
            }
            for (position, target) in targets.enumerated() {
                let shared = try self.changes(of: target, within: places)
                guard Set(shared.map(\.path)) == paths else { continue }
                if patch == nil {
                    guard let computed = try patchID(of: changes, comparing: commit) else { break }
                    patch = computed
                }
                if targetPatchIDs[position] == nil {
                    guard let targetPatch = try patchID(of: try self.changes(of: target), comparing: commit, against: target) else { continue }
                    targetPatchIDs[position] = targetPatch
                }
                if targetPatchIDs[position] == patch { return (.patchID, target, patch!.short) }
            }
            if let target = subjects[BackportAudit.plainSubject(commit.subject)] { return (.subject, target, "same subject (weak)") }
            return nil
        }
    }
}

extension Repository {
    /// The tree of a commit's first parent (nil for a root commit): from `known` (trees of
    /// commits read already, by commit) when it is there, else read.
    func parentTree(of commit: CommitInfo, known: [ObjectID: ObjectID]) throws(GitError) -> ObjectID? {
        guard let parent = commit.parents.first else { return nil }
        if let tree = known[parent] { return tree }
        return try treeID(ofCommit: parent)
    }
}
