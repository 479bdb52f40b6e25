/// Merge bases without a commit-graph, found as git and libgit2 find them (paint-down-to-common in
/// commit-date order), over commits that `ObjectFiles` reads. The whole cost of a merge base here
/// is reading the commits between the two tips and their branch point (thousands, on a release
/// branch of a busy main), so the reader's speed is the walk's.
///
/// It answers only the plain case: every commit it needs readable, and one merge base found (or
/// none). Anything else, it says so (nil or `Unreadable`), and the caller asks libgit2, which
/// answers every case (several merge bases need its removal of redundant ones).
final class DateOrderedWalker {
    /// A commit the reader cannot give (not in a pack it knows, not plain, unreadable).
    struct Unreadable: Error {}

    let files: ObjectFiles
    // Its state is `@exclusivity(unchecked)`: one thread uses a walker, and no access to it
    // overlaps another; the runtime's checks cost ~160 instructions an access, ~25,000 a walk.
    @exclusivity(unchecked) private var nodeOf: [ObjectID: Int] = [:]
    @exclusivity(unchecked) private var ids: [ObjectID] = []
    /// Per node, once read: its parents' nodes and its committer date.
    @exclusivity(unchecked) private var parents: [[Int]?] = []
    @exclusivity(unchecked) private var dates: [Int64] = []
    /// Per node, the raw content of its commit when this walker read it: the caller reads many
    /// of them in full next (a target's own commits), and parsing is cheaper than inflating them
    /// again.
    @exclusivity(unchecked) private var contents: [[UInt8]?] = []

    init(files: ObjectFiles) { self.files = files }

    private func node(_ id: ObjectID) -> Int {
        if let known = nodeOf[id] { return known }
        nodeOf[id] = ids.count
        ids.append(id)
        parents.append(nil)
        dates.append(0)
        contents.append(nil)
        return ids.count - 1
    }

    /// Reads a node's commit (once): its parents and date.
    private func load(_ node: Int) throws(Unreadable) {
        guard parents[node] == nil else { return }
        guard let (header, content) = files.readCommit(ids[node]) else { throw Unreadable() }
        contents[node] = content
        set(node, header)
    }

    private func set(_ node: Int, _ header: CommitHeader) {
        var nodes: [Int] = []
        nodes.reserveCapacity(header.parents.count)
        for parent in header.parents { nodes.append(self.node(parent)) }
        parents[node] = nodes
        dates[node] = header.date
    }

    /// A commit's parents, in order, or nil when the reader cannot give them.
    func parentIDs(of id: ObjectID) -> [ObjectID]? {
        let commit = node(id)
        guard (try? load(commit)) != nil else { return nil }
        return parents[commit]!.map { ids[$0] }
    }

    /// A commit this walker read, in full, without reading it again; nil for the others (and for
    /// any not in the plain form). The content is handed over, not kept: a caller keeps what it
    /// reads (an audit of 100,000 commits would hold every one twice), and a second ask reads
    /// the commit again.
    func commitInfo(_ id: ObjectID) -> CommitInfo? {
        guard let node = nodeOf[id], let content = contents[node] else { return nil }
        contents[node] = nil
        return CommitInfo(id: id, content: content)
    }

    /// The merge bases of two commits when there is at most one ([] for unrelated histories);
    /// nil when the walk finds several candidates (libgit2 then sorts out the redundant ones).
    func mergeBases(_ one: ObjectID, _ two: ObjectID) throws(Unreadable) -> [ObjectID]? {
        if one == two { return [one] }
        let fromOne: UInt8 = 1
        let fromTwo: UInt8 = 2
        let stale: UInt8 = 4
        let result: UInt8 = 8
        let a = node(one)
        let b = node(two)
        var flags: [UInt8] = []
        func mark(_ node: Int, _ value: UInt8) {
            if node >= flags.count { flags.append(contentsOf: repeatElement(0, count: ids.count - flags.count)) }
            flags[node] |= value
        }
        func flagsOf(_ node: Int) -> UInt8 { node < flags.count ? flags[node] : 0 }
        var queue = DateQueue()
        try load(a)
        try load(b)
        mark(a, fromOne)
        mark(b, fromTwo)
        queue.push(a, date: dates[a])
        queue.push(b, date: dates[b])
        var found: [Int] = []
        // git's paint_down_to_common: go on while a queued commit is not stale.
        while queue.contains(where: { flagsOf($0) & stale == 0 }), let current = queue.pop() {
            var painted = flagsOf(current) & (fromOne | fromTwo | stale)
            if painted == fromOne | fromTwo {
                if flagsOf(current) & result == 0 {
                    mark(current, result)
                    found.append(current)
                }
                painted |= stale
            }
            for parent in parents[current]! where flagsOf(parent) & painted != painted {
                try load(parent)
                mark(parent, painted)
                queue.push(parent, date: dates[parent])
            }
        }
        let bases = found.filter { flagsOf($0) & stale == 0 }
        return bases.count > 1 ? nil : bases.map { ids[$0] }
    }
}

/// Nodes by commit date, the newest first and, among equal dates, the first pushed first (git's
/// prio_queue breaks ties by insertion order).
struct DateQueue {
    struct Order: Comparable {
        let date: Int64, sequence: Int
        static func < (a: Order, b: Order) -> Bool { a.date != b.date ? a.date < b.date : a.sequence > b.sequence }
    }

    private var heap = NodeHeap<Order>()
    private var pushed = 0

    mutating func push(_ node: Int, date: Int64) {
        heap.push(node, key: Order(date: date, sequence: pushed))
        pushed += 1
    }

    func contains(where predicate: (Int) -> Bool) -> Bool { heap.contains(where: predicate) }

    mutating func pop() -> Int? { heap.pop() }
}
