/// Merge bases and ancestry over commits' parents and generation numbers: the commit-graph's for
/// the commits it has, computed from the commit objects (through libgit2) for the others (those
/// made since git last wrote the graph). Generation numbers are exact (topological levels: one
/// more than the highest parent's), so walks in generation order are exact too: unlike a walk in
/// commit-date order, clock skew cannot make them wrong, and they stop as soon as nothing below
/// can matter.
final class HistoryWalker {
    /// The graph's data is unusable for a commit (a parent position out of range, or no
    /// generation numbers): the caller falls back to libgit2 for the whole question.
    struct Unusable: Error {}

    private unowned let repository: Repository
    let graph: CommitGraph?
    /// Commits the graph does not have, numbered from `graph.count` on.
    private var outsideIndex: [ObjectID: Int] = [:]
    private var outsideIDs: [ObjectID] = []
    private var outsideParents: [[Int]] = []
    private var outsideGenerations: [UInt32] = []

    init(repository: Repository, graph: CommitGraph?) {
        self.repository = repository
        self.graph = graph
    }

    private var graphCount: Int { Int(graph?.count ?? 0) }

    // MARK: Nodes

    /// The node of a commit: its graph position, or a number past the graph for the others.
    func node(_ id: ObjectID) throws -> Int {
        if let position = graph?.position(of: id) { return Int(position) }
        if let known = outsideIndex[id] { return known }
        return try addOutside(id)
    }

    func id(_ node: Int) -> ObjectID {
        node < graphCount ? graph!.id(at: UInt32(node)) : outsideIDs[node - graphCount]
    }

    /// The parents of a node, in order, without allocating (walks visit thousands).
    func forEachParent(_ node: Int, _ body: (Int) throws -> Void) throws {
        if node >= graphCount {
            for parent in outsideParents[node - graphCount] { try body(parent) }
            return
        }
        guard try graph!.forEachParent(at: UInt32(node), { try body(Int($0)) }) else { throw Unusable() }
    }

    /// Nodes so far (graph positions, then commits outside the graph): the size of a walk's marks.
    private var nodeCount: Int { graphCount + outsideIDs.count }

    func generation(_ node: Int) throws -> UInt32 {
        if node >= graphCount { return outsideGenerations[node - graphCount] }
        let generation = graph!.generation(at: UInt32(node))
        guard generation > 0 else { throw Unusable() }
        return generation
    }

    /// Reads a commit the graph does not have, and those of its ancestors it does not have
    /// either, to give each its generation number (iteratively: there may be thousands).
    private func addOutside(_ id: ObjectID) throws -> Int {
        var pending: [(id: ObjectID, parents: [ObjectID])] = [(id, try repository.parentIDs(ofCommit: id))]
        while let (current, parents) = pending.last {
            if outsideIndex[current] != nil {
                pending.removeLast()
                continue
            }
            // Parents first: a parent outside the graph not yet known is read and handled before.
            if let unknown = parents.first(where: { graph?.position(of: $0) == nil && outsideIndex[$0] == nil }) {
                pending.append((unknown, try repository.parentIDs(ofCommit: unknown)))
                continue
            }
            pending.removeLast()
            var parentNodes: [Int] = []
            var generation: UInt32 = 1
            for parent in parents {
                let node = try self.node(parent)
                parentNodes.append(node)
                generation = max(generation, try self.generation(node) + 1)
            }
            outsideIndex[current] = graphCount + outsideIDs.count
            outsideIDs.append(current)
            outsideParents.append(parentNodes)
            outsideGenerations.append(generation)
        }
        return outsideIndex[id]!
    }

    // MARK: Questions

    /// Whether `ancestor` is `commit` or in its history. Walks down from `commit`, never below the
    /// ancestor's generation.
    func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws -> Bool {
        try isAncestor(node: try node(ancestor), of: try node(commit))
    }

    private func isAncestor(node target: Int, of start: Int) throws -> Bool {
        if target == start { return true }
        let floor = try generation(target)
        var seen = [Bool](repeating: false, count: nodeCount)
        seen[start] = true
        var stack = [start]
        var found = false
        while !found, let current = stack.popLast() {
            try forEachParent(current) { parent in
                guard !seen[parent] else { return }
                seen[parent] = true
                if parent == target { found = true } else if try generation(parent) > floor { stack.append(parent) }
            }
        }
        return found
    }

    /// The commits reachable from `include` and not from `exclude`, oldest first, when they form
    /// one line (each has at most one parent among them): the only order they can have. Nil when
    /// they branch and merge (the caller orders those as libgit2 does).
    ///
    /// One walk in generation order from both sides: what the excluded side reaches is marked and
    /// passes the mark on; a commit still unmarked when it comes out of the queue is in the set
    /// (every path to it from the excluded side goes through commits of higher generation, which
    /// came out before). The walk stops when only marked commits are left.
    func linearHistory(reachableFrom include: [ObjectID], excluding exclude: [ObjectID]) throws -> [ObjectID]? {
        let wanted: UInt8 = 1
        let excluded: UInt8 = 2
        let includeNodes = try include.map(node)
        let excludeNodes = try exclude.map(node)
        var flags = [UInt8](repeating: 0, count: nodeCount)
        var queue = GenerationQueue()
        var wantedInQueue = 0
        for start in includeNodes where flags[start] == 0 {
            flags[start] = wanted
            queue.push(start, generation: try generation(start))
            wantedInQueue += 1
        }
        for start in excludeNodes where flags[start] & excluded == 0 {
            if flags[start] == wanted { wantedInQueue -= 1 } else { queue.push(start, generation: try generation(start)) }
            flags[start] = excluded
        }
        var found: [Int] = []
        while wantedInQueue > 0, let current = queue.pop() {
            let mark = flags[current]
            if mark == wanted {
                wantedInQueue -= 1
                found.append(current)
            }
            try forEachParent(current) { parent in
                let before = flags[parent]
                if mark == excluded {
                    guard before != excluded else { return }
                    flags[parent] = excluded
                    if before == wanted { wantedInQueue -= 1 } else { queue.push(parent, generation: try generation(parent)) }
                } else if before == 0 {
                    flags[parent] = wanted
                    queue.push(parent, generation: try generation(parent))
                    wantedInQueue += 1
                }
            }
        }
        // One line: from the newest, each commit's only parent in the set is the next one.
        for (index, commit) in found.enumerated() {
            var inside: [Int] = []
            try forEachParent(commit) { parent in if flags[parent] == wanted { inside.append(parent) } }
            if index + 1 < found.count {
                guard inside == [found[index + 1]] else { return nil }
            } else if !inside.isEmpty {
                return nil
            }
        }
        return found.reversed().map(id)
    }

    /// The best common ancestors of two commits, as `git merge-base --all`: common ancestors that
    /// are not in the history of another common ancestor. Empty for unrelated histories.
    func mergeBases(_ one: ObjectID, _ two: ObjectID) throws -> [ObjectID] {
        let a = try node(one)
        let b = try node(two)
        if a == b { return [one] }
        let candidates = try paintDownToCommon(a, b)
        var bases: [Int] = []
        // A candidate in the history of another one is not a best common ancestor.
        for candidate in candidates {
            let others = candidates.filter { $0 != candidate }
            if try !others.contains(where: { other in try isAncestor(node: candidate, of: other) }) { bases.append(candidate) }
        }
        return try bases.sorted { try generation($0) > generation($1) }.map(id)
    }

    /// git's paint-down-to-common: walk down from both commits in generation order, marking
    /// what each reaches; a commit reached from both is a common ancestor, and what lies below it
    /// is stale. Stops when only stale commits are left to visit.
    private func paintDownToCommon(_ one: Int, _ two: Int) throws -> [Int] {
        let fromOne: UInt8 = 1
        let fromTwo: UInt8 = 2
        let stale: UInt8 = 4
        let result: UInt8 = 8
        var flags = [UInt8](repeating: 0, count: nodeCount)
        flags[one] = fromOne
        flags[two] = fromTwo
        var queue = GenerationQueue()
        queue.push(one, generation: try generation(one))
        queue.push(two, generation: try generation(two))
        var found: [Int] = []
        // As git: go on while a queued commit is not stale (the queue stays as wide as the history).
        while queue.contains(where: { flags[$0] & stale == 0 }), let current = queue.pop() {
            var mark = flags[current] & (fromOne | fromTwo | stale)
            if mark == fromOne | fromTwo {
                if flags[current] & result == 0 {
                    flags[current] |= result
                    found.append(current)
                }
                mark |= stale
            }
            try forEachParent(current) { parent in
                guard flags[parent] & mark != mark else { return }
                flags[parent] |= mark
                queue.push(parent, generation: try generation(parent))
            }
        }
        return found.filter { flags[$0] & stale == 0 }
    }
}

/// A max-heap of nodes by generation number (the highest first).
typealias GenerationQueue = NodeHeap<UInt32>

/// A heap of walk nodes, the greatest key first (each walk orders by what it knows of commits).
struct NodeHeap<Key: Comparable> {
    private var heap: [(key: Key, node: Int)] = []

    mutating func push(_ node: Int, key: Key) {
        heap.append((key, node))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[parent].key < heap[child].key else { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    func contains(where predicate: (Int) -> Bool) -> Bool { heap.contains { predicate($0.node) } }

    mutating func pop() -> Int? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0].node
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var largest = parent
                if left < heap.count, heap[largest].key < heap[left].key { largest = left }
                if right < heap.count, heap[largest].key < heap[right].key { largest = right }
                if largest == parent { break }
                heap.swapAt(parent, largest)
                parent = largest
            }
        }
        return top
    }
}

extension NodeHeap where Key == UInt32 {
    mutating func push(_ node: Int, generation: UInt32) { push(node, key: generation) }
}
