/// One alembic history (a versions directory) at one ref: its revisions and their graph, built
/// as alembic's `RevisionMap` builds it, with what alembic would warn about or fail on as findings.
public struct AlembicHistory: Sendable {
    /// The history's name (`[[upgrade.migrations]] name`).
    public let name: String
    /// Revisions by id; of two files with one id the later (by file name) counts, as in alembic.
    public let revisions: [String: AlembicRevision]
    /// Ids in the order alembic loads their files (sorted file names).
    public let order: [String]
    /// What alembic would warn about or fail on: missing parents, cycles, duplicate ids.
    public let findings: [Finding]
    /// Every revision's children: revisions naming it as down_revision or in depends_on.
    let children: [String: [String]]
    /// Resolved parents (down revisions, then dependencies), as ids present in the history.
    let parents: [String: [String]]
    /// Whether the graph has a cycle (plans are not made for it).
    public let hasCycle: Bool
    /// Revisions no other revision names as its down_revision (alembic's `get_heads()`; a
    /// dependency does not end a head), in load order.
    public let heads: [String]

    /// `directory` names the versions directory in findings about the whole history.
    ///
    /// - Parameters:
    ///   - name: the history's name.
    ///   - directory: its versions directory.
    ///   - loaded: the revisions read, in file-name order.
    ///   - loadFindings: what reading the files found.
    public init(name: String, directory: String? = nil, revisions loaded: [AlembicRevision], findings loadFindings: [Finding] = []) {
        self.name = name
        var findings = loadFindings
        var byID: [String: AlembicRevision] = [:]
        var order: [String] = []
        for revision in loaded.sorted(by: { $0.file < $1.file }) {
            if let earlier = byID[revision.id] {
                findings.append(
                    Finding(
                        rule: "alembic-duplicate", file: revision.file, line: revision.line,
                        message: "revision '\(revision.id)' is also defined in \(earlier.file); alembic keeps this one"))
            } else {
                order.append(revision.id)
            }
            byID[revision.id] = revision
        }
        // Branch labels stand for the revision that declares them (depends_on may name them).
        var labelOwner: [String: String] = [:]
        for id in order { for label in byID[id]!.branchLabels where labelOwner[label] == nil { labelOwner[label] = id } }
        var children: [String: [String]] = [:]
        var parents: [String: [String]] = [:]
        for id in order {
            let revision = byID[id]!
            var resolved: [String] = []
            for down in revision.downRevisions {
                if byID[down] != nil {
                    resolved.append(down)
                } else {
                    findings.append(
                        Finding(
                            rule: "alembic-missing-revision", file: revision.file, line: revision.line,
                            message: "down_revision '\(down.displayable())' of '\(id)' is not in the history"))
                }
            }
            for dependency in revision.dependsOn {
                if let target = byID[dependency] != nil ? dependency : labelOwner[dependency] {
                    if !resolved.contains(target) { resolved.append(target) }
                } else {
                    findings.append(
                        Finding(
                            rule: "alembic-missing-revision", file: revision.file, line: revision.line,
                            message: "depends_on '\(dependency.displayable())' of '\(id)' is neither a revision nor a branch label of the history"))
                }
            }
            parents[id] = resolved
            for parent in resolved { children[parent, default: []].append(id) }
        }
        self.revisions = byID
        self.order = order
        self.children = children
        self.parents = parents
        let cycle = Self.cycle(order: order, parents: parents)
        hasCycle = cycle != nil
        if let cycle, let first = byID[cycle[0]] {
            findings.append(
                Finding(
                    rule: "alembic-cycle", file: first.file, line: first.line,
                    message: "the revisions form a cycle: \(cycle.joined(separator: " -> "))"))
        }
        let named = Set(byID.values.flatMap(\.downRevisions))
        heads = order.filter { !named.contains($0) }
        if heads.count > 1 {
            findings.append(
                Finding(
                    rule: "alembic-multiple-heads", severity: .warning, file: directory,
                    message: "\(name): \(heads.count) heads (\(heads.joined(separator: ", "))); `alembic upgrade head` refuses them until they are merged (`alembic merge heads`)"))
        }
        self.findings = findings
    }

    /// A cycle through down revisions and dependencies, if any, as a path of ids.
    static func cycle(order: [String], parents: [String: [String]]) -> [String]? {
        var state: [String: Int] = [:] // 1 on the stack, 2 done
        for start in order where state[start] == nil {
            // Iterative depth-first search: histories of thousands of revisions must not overflow.
            var stack: [(id: String, next: Int)] = [(start, 0)]
            state[start] = 1
            while let top = stack.last {
                let edges = parents[top.id] ?? []
                if top.next < edges.count {
                    stack[stack.count - 1].next += 1
                    let parent = edges[top.next]
                    if state[parent] == 1 {
                        let path = stack.map(\.id)
                        return Array(path[path.firstIndex(of: parent)!...]) + [parent]
                    }
                    if state[parent] == nil {
                        state[parent] = 1
                        stack.append((parent, 0))
                    }
                } else {
                    state[top.id] = 2
                    stack.removeLast()
                }
            }
        }
        return nil
    }

    /// Every revision reachable from `ids` through children (down revisions and dependencies), `ids` included.
    ///
    /// - Parameter ids: revision ids.
    /// - Returns: the ids and every revision that needs one of them.
    public func descendants(of ids: some Sequence<String>) -> Set<String> {
        var seen = Set<String>()
        var pending = Array(ids)
        while let id = pending.popLast() {
            guard seen.insert(id).inserted else { continue }
            pending += children[id] ?? []
        }
        return seen
    }

    /// `ids` in an order alembic can apply them: every revision after those it needs.
    ///
    /// - Parameter ids: revision ids of this history.
    /// - Returns: the same ids, each after those it needs.
    public func upgradeOrder(_ ids: Set<String>) -> [String] {
        var placed = Set<String>()
        var result: [String] = []
        // Load order among revisions that are ready keeps the output stable.
        var remaining = order.filter { ids.contains($0) }
        while !remaining.isEmpty {
            let ready = remaining.filter { id in (parents[id] ?? []).allSatisfy { !ids.contains($0) || placed.contains($0) } }
            guard !ready.isEmpty else { return result + remaining } // a cycle: reported elsewhere
            for id in ready { placed.insert(id) }
            result += ready
            remaining.removeAll { placed.contains($0) }
        }
        return result
    }
}

/// What switching a database from one ref's history to another's takes.
public struct AlembicSwitch: Sendable, Equatable {
    /// One `alembic downgrade` and what it removes.
    public struct Downgrade: Sendable, Equatable {
        /// The argument: a revision, `base`, `REV@PARENT` or `REV@base` (one branch down to before REV).
        public var target: String
        /// The revisions it removes, newest first.
        public var removes: [String]

        /// One downgrade.
        /// - Parameters:
        ///   - target: the argument of `alembic downgrade`.
        ///   - removes: the revisions it removes.
        public init(target: String, removes: [String]) {
            self.target = target
            self.removes = removes
        }
    }

    /// Revisions to downgrade before switching, newest first.
    public var downgrade: [String]
    /// The downgrade as commands, each with what it removes.
    public var downgradeSteps: [Downgrade]
    /// `alembic downgrade -N` works instead: one head and a straight line down.
    public var relativeSteps: Int?
    /// Revisions `alembic upgrade` applies after switching, oldest first.
    public var upgrade: [String]
    /// Revisions present at both refs whose down revisions or dependencies differ: a database at the
    /// first ref did not apply them on what the second ref says.
    public var repointed: [String]
    /// Merge revisions among those downgraded.
    public var mergesDowngraded: [String]
    /// `head`, or `heads` when the target history has several.
    public var upgradeTarget: String

    /// The plan from `from`'s history (a database at its heads) to `to`'s.
    ///
    /// - Parameters:
    ///   - from: the history at the first ref.
    ///   - to: the history at the second.
    /// - Returns: what to downgrade, and what to apply after the switch.
    public static func plan(from: AlembicHistory, to: AlembicHistory) -> AlembicSwitch {
        var repointed: [String] = []
        var changed = Set<String>()
        for id in from.order {
            guard let old = from.revisions[id] else { continue }
            guard let new = to.revisions[id] else {
                changed.insert(id)
                continue
            }
            if old.downRevisions != new.downRevisions || old.dependsOn != new.dependsOn {
                repointed.append(id)
                changed.insert(id)
            }
        }
        let removed = from.descendants(of: changed)
        let downgrade = Array(from.upgradeOrder(removed).reversed())
        let kept = Set(from.order).subtracting(removed)
        let upgrade = to.upgradeOrder(Set(to.order).subtracting(kept))
        let merges = downgrade.filter { from.revisions[$0]?.isMerge == true }
        let steps = removed.isEmpty ? [] : downgradeSteps(from: from, removed: removed, downgradeOrder: downgrade)
        var relative: Int?
        if steps.count == 1, from.heads.count == 1, downgrade.first == from.heads.first,
            zip(downgrade, downgrade.dropFirst()).allSatisfy({ from.parents[$0.0] == [$0.1] && from.children[$0.1] == [$0.0] }),
            let last = downgrade.last, let lastParents = from.parents[last], lastParents.count <= 1
        {
            relative = downgrade.count
        }
        return AlembicSwitch(
            downgrade: downgrade, downgradeSteps: steps, relativeSteps: relative, upgrade: upgrade,
            repointed: repointed, mergesDowngraded: merges, upgradeTarget: to.heads.count > 1 ? "heads" : "head")
    }

    /// One target when a single revision (or base) has exactly the removed revisions above it;
    /// else one step per lowest removed revision, `REV@PARENT`, which alembic reads as "the
    /// branch of REV, down to PARENT".
    static func downgradeSteps(from: AlembicHistory, removed: Set<String>, downgradeOrder: [String]) -> [Downgrade] {
        if removed.count == from.order.count { return [Downgrade(target: "base", removes: downgradeOrder)] }
        let lowest = downgradeOrder.reversed().filter { id in (from.parents[id] ?? []).allSatisfy { !removed.contains($0) } }
        var candidates: [String] = []
        for id in lowest { for parent in from.parents[id] ?? [] where !candidates.contains(parent) { candidates.append(parent) } }
        for candidate in candidates where from.descendants(of: [candidate]).subtracting([candidate]) == removed {
            return [Downgrade(target: candidate, removes: downgradeOrder)]
        }
        var steps: [Downgrade] = []
        var done = Set<String>()
        for id in lowest where !done.contains(id) {
            let part = from.descendants(of: [id]).subtracting(done)
            done.formUnion(part)
            let parent = from.revisions[id]?.downRevisions.first { from.revisions[$0] != nil }
            steps.append(Downgrade(target: "\(id)@\(parent ?? "base")", removes: downgradeOrder.filter { part.contains($0) }))
        }
        return steps
    }
}
