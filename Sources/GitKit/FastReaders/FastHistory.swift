internal import SystemLibc

// What the rest of relkit asks of history, answered by the fast readers of this folder where they
// can and by libgit2 otherwise, behind the same calls (History.swift asks the readers first for
// merge bases, ancestry and ranges). Nothing outside this folder names a fast reader's type: the
// answers are the same whichever reader gave them; only the time differs.

/// The fast readers a repository handle uses, chosen by git's rules and relkit's switches: git's
/// commit-graph when there is one (`HistoryWalker` over `CommitGraph`), else the pack files and
/// loose objects read directly (`DateOrderedWalker` over `ObjectFiles`). Each answer is nil when
/// no fast reader can give it; the caller then asks libgit2, the reference.
final class FastHistory {
    private unowned let repository: Repository

    init(repository: Repository) { self.repository = repository }

    /// Merge bases and ancestry from git's commit-graph; nil when the repository has none (or
    /// must not use it), and libgit2 answers instead.
    lazy var historyWalker: HistoryWalker? = makeHistoryWalker()
    /// Without a commit-graph: merge bases over commits read from the pack files directly; nil
    /// when the graph answers, or git's rules or the object files rule this reader out.
    var dateOrderedWalker: DateOrderedWalker? {
        if !dateOrderedWalkerMade {
            dateOrderedWalkerMade = true
            madeDateOrderedWalker = makeDateOrderedWalker()
        }
        return madeDateOrderedWalker
    }
    private var dateOrderedWalkerMade = false
    /// The walker if a walk made it already (reading a commit does not make one).
    private(set) var madeDateOrderedWalker: DateOrderedWalker?

    /// git's own rules for when the commit-graph is not to be used: `core.commitGraph=false`, a
    /// shallow clone, grafts. `RELKIT_COMMIT_GRAPH=0` turns it off too (benchmarks and tests
    /// compare both ways).
    private func makeHistoryWalker() -> HistoryWalker? {
        let commonDirectory = repository.commonDirectory
        if environmentValue("RELKIT_COMMIT_GRAPH") == "0" || Self.historyIsRewritten(commonDirectory: commonDirectory) { return nil }
        if let setting = try? repository.configString("core.commitGraph"), ["false", "no", "off", "0"].contains(setting.lowercased()) { return nil }
        guard let graph = CommitGraph.load(objectsDirectory: commonDirectory + "objects") else { return nil }
        return HistoryWalker(repository: repository, graph: graph)
    }

    /// The same rules as for the graph (shallow clones and grafts change parents: libgit2 is
    /// left to deal with them), and `RELKIT_OBJECT_FILES=0` turns it off.
    private func makeDateOrderedWalker() -> DateOrderedWalker? {
        let commonDirectory = repository.commonDirectory
        guard historyWalker == nil, environmentValue("RELKIT_OBJECT_FILES") != "0", !Self.historyIsRewritten(commonDirectory: commonDirectory),
            let files = ObjectFiles.open(objectsDirectory: commonDirectory + "objects")
        else { return nil }
        return DateOrderedWalker(files: files)
    }

    /// Whether the parents in the commit objects are not the whole history: a shallow clone (a
    /// `shallow` file that is not empty, as libgit2's git_repository_is_shallow reads it) or
    /// grafts. Neither the commit-graph nor the object files are walked then.
    static func historyIsRewritten(commonDirectory: String) -> Bool {
        var status = stat()
        if stat(commonDirectory + "shallow", &status) == 0, status.st_size > 0 { return true }
        return access(commonDirectory + "info/grafts", F_OK) == 0
    }

    /// Runs a question on the commit-graph walker; nil when there is no graph or its data cannot
    /// answer (then the graph is set aside for this handle, and libgit2 answers).
    private func askHistoryWalker<Answer>(_ question: (HistoryWalker) throws -> Answer) throws(GitError) -> Answer? {
        guard let walker = historyWalker else { return nil }
        do {
            return try question(walker)
        } catch let error as GitError {
            throw error
        } catch {
            historyWalker = nil
            return nil
        }
    }

    // MARK: The questions (nil: ask libgit2)

    func mergeBases(_ one: ObjectID, _ two: ObjectID) throws(GitError) -> [ObjectID]? {
        if let fromGraph = try askHistoryWalker({ try $0.mergeBases(one, two) }) { return fromGraph }
        if let walker = dateOrderedWalker, let fromFiles = try? walker.mergeBases(one, two) { return fromFiles }
        return nil
    }

    func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool? {
        try askHistoryWalker { try $0.isAncestor(ancestor, of: commit) }
    }

    /// The commits reachable from `include` and not from `exclude`, oldest first, when the graph
    /// finds them and they are one line of history (whose order is the only possible one).
    func linearHistory(reachableFrom include: [ObjectID], excluding exclude: [ObjectID]) throws(GitError) -> [ObjectID]? {
        try askHistoryWalker { try $0.linearHistory(reachableFrom: include, excluding: exclude) } ?? nil
    }

    /// A commit a walk over the object files read already, parsed from its content.
    func commitAlreadyRead(_ id: ObjectID) -> CommitInfo? { madeDateOrderedWalker?.commitInfo(id) }

    /// The parents of a commit a walk over the object files read already.
    func parentsAlreadyRead(of id: ObjectID) -> [ObjectID]? { dateOrderedWalker?.parentIDs(of: id) }

    /// The object files read directly, for single commits and trees; nil when
    /// `RELKIT_OBJECT_FILES=0` or the objects are not all in this repository's files (alternates).
    /// (The date-ordered walker has its own: it keeps no delta bases.)
    private lazy var objectFiles: ObjectFiles? =
        environmentValue("RELKIT_OBJECT_FILES") == "0" ? nil : ObjectFiles.open(objectsDirectory: repository.commonDirectory + "objects")

    /// Tree differences and lookups from the object files; nil when they are not read directly,
    /// or `RELKIT_TREE_READER=0`.
    lazy var treeReader: TreeReader? = environmentValue("RELKIT_TREE_READER") == "0" ? nil : objectFiles.map(TreeReader.init)

    /// Whether commits may be parsed from the object files: not where their parents are not the
    /// whole story (shallow clones, grafts: libgit2 applies them).
    private lazy var readsCommitsFromFiles = !Self.historyIsRewritten(commonDirectory: repository.commonDirectory)

    /// A commit read from the object files and parsed as libgit2 parses it (a commit-graph lists
    /// commits without reading them, and the audit then reads thousands); nil when it is not
    /// read directly.
    func commitFromFiles(_ id: ObjectID) -> CommitInfo? {
        guard readsCommitsFromFiles, let object = objectFiles?.read(id), object.type == 1 else { return nil }
        return CommitInfo(id: id, content: object.bytes)
    }

    /// Whether lists of commits come from the commit-graph without reading the commits.
    var listsWithoutReading: Bool { historyWalker != nil }

    func changedPathFilter(of commit: ObjectID) -> ChangedPathFilter? {
        guard let graph = historyWalker?.graph, graph.hasChangedPathFilters, let position = graph.position(of: commit) else { return nil }
        return ChangedPathFilter(graph: graph, position: position)
    }
}

/// A set of paths asked about many commits ("did this commit change any of them?").
public struct PathSet: Sendable {
    let trie: ChangedPathTrie

    /// The set of `paths` (relative to the repository's root), arranged to be asked about once per commit.
    ///
    /// - Parameter paths: the paths.
    public init<Paths: Sequence<String>>(_ paths: Paths) { trie = ChangedPathTrie(paths) }
}

extension Repository {
    /// False only when it is certain that `commit` changed none of `paths` (git's changed-path
    /// Bloom filters in a commit-graph written with --changed-paths say so); true otherwise.
    ///
    /// - Parameters:
    ///   - commit: the commit.
    ///   - paths: the paths asked about.
    /// - Returns: false only when the filters rule out every path.
    public func mayHaveChanged(_ commit: ObjectID, anyOf paths: PathSet) -> Bool {
        guard let filter = fastHistory.changedPathFilter(of: commit) else { return true }
        return paths.trie.mayHaveChangedAny(filter)
    }

    /// The commits reachable from `include` and not from `exclude` when listing them reads no
    /// commit (git's commit-graph answers), so that a caller can read them on another thread
    /// meanwhile; nil when listing them would read them (then the listing is left to the caller's
    /// own `commits(reachableFrom:excluding:)`, which leaves them in libgit2's cache).
    ///
    /// - Parameters:
    ///   - include: the commits whose history is listed.
    ///   - exclude: the commits whose history is left out.
    /// - Returns: the ids, or nil when the graph cannot answer (libgit2 then does).
    /// - Throws: `GitError` naming the failed call.
    public func commitsListedWithoutReading(reachableFrom include: [ObjectID], excluding exclude: [ObjectID]) throws(GitError) -> [ObjectID]? {
        guard fastHistory.listsWithoutReading else { return nil }
        return try commits(reachableFrom: include, excluding: exclude)
    }
}

/// Paths to test against changed-path Bloom filters, as a tree of their directories: a path may
/// have changed only if its directories may have too (git puts them in the filter), so a directory
/// the filter rules out rules out everything under it. That keeps false positives rare even for
/// hundreds of paths, where testing each path alone would almost always find one.
struct ChangedPathTrie {
    struct Node {
        let key: ChangedPathKey
        /// The path itself is one to look for (not only a directory of one).
        var wanted = false
        var children: [Int] = []
    }

    private(set) var nodes: [Node] = []
    private var roots: [Int] = []

    init<Paths: Sequence<String>>(_ paths: Paths) {
        var index: [String: Int] = [:]
        for path in paths {
            var parent: Int?
            var prefix = ""
            for component in path.split(separator: "/", omittingEmptySubsequences: false) {
                prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
                let node: Int
                if let known = index[prefix] {
                    node = known
                } else {
                    node = nodes.count
                    nodes.append(Node(key: ChangedPathKey(prefix)))
                    index[prefix] = node
                    if let parent { nodes[parent].children.append(node) } else { roots.append(node) }
                }
                parent = node
            }
            if let parent { nodes[parent].wanted = true }
        }
    }

    /// False only when the filter rules out every path.
    func mayHaveChangedAny(_ filter: ChangedPathFilter) -> Bool {
        var stack = roots
        while let node = stack.popLast() {
            guard filter.mayHaveChanged(nodes[node].key) else { continue }
            if nodes[node].wanted { return true }
            stack += nodes[node].children
        }
        return false
    }
}
