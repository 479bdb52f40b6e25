import Foundation
import RelKitTestSupport
import Testing

@_spi(FastReaders) @testable import GitKit

/// relkit's reader of git's commit-graph and the walks over it, against git itself: random
/// histories with merges, octopus merges, several roots and skewed commit dates, made with
/// git fast-import; the graph written by `git commit-graph write`; every answer compared with
/// git's (`merge-base --all`, `merge-base --is-ancestor`, `rev-list`, `diff-tree`).
@Suite("Commit-graph: reader, merge bases, ancestry and changed-path filters against git")
struct CommitGraphTests {
    /// A random history: returns the repository and its commits, oldest first.
    static func randomHistory(seed: UInt64, commits: Int = 70) throws -> (ScratchRepository, [String]) {
        var random = SeededGenerator(seed: seed)
        func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
        let repository = try ScratchRepository()
        let paths = (0..<24).map { "d\($0 % 3)/e\($0 % 4)/f\($0).txt" } + ["top.txt", "d0/caf\u{e9}.txt", "d1/\u{e9}\u{e9}\u{e9}"]
        var stream = ""
        for mark in 1...commits {
            // Dates go backwards now and then: walks must not depend on them.
            let date = 1_790_000_000 + mark * 60 - (int(0...9) == 0 ? 100_000 : 0)
            // A branch per commit: every commit stays reachable (`commit-graph write --reachable`).
            stream += "commit refs/heads/c\(mark)\nmark :\(mark)\ncommitter T <t@example.invalid> \(date) +0000\ndata 9\nc \(String(format: "%06d", mark))\n"
            // Two roots (marks 1 and 2); later commits have one to three parents.
            if mark > 2 {
                var parents: [Int] = []
                for _ in 0..<(int(0...9) < 7 ? 1 : int(0...4) == 0 ? 3 : 2) {
                    let parent = int(max(1, mark - 12)...(mark - 1))
                    if !parents.contains(parent) { parents.append(parent) }
                }
                stream += "from :\(parents[0])\n" + parents.dropFirst().map { "merge :\($0)\n" }.joined()
            }
            for _ in 0..<int(1...3) {
                let path = paths[int(0...(paths.count - 1))]
                if int(0...7) == 0 {
                    stream += "D \(path)\n"
                } else {
                    let text = "\(path) \(mark) \(int(0...999))\n"
                    stream += "M 100644 inline \(path)\ndata \(text.utf8.count)\n\(text)\n"
                }
            }
        }
        let ids = try repository.fastImport(stream, commits: commits)
        return (repository, ids)
    }

    static func gitMergeBases(_ repository: ScratchRepository, _ a: String, _ b: String) throws -> Set<String> {
        // Without the graph: git must answer even where relkit is given a broken one.
        let result = try runProcess("git", ["-C", repository.path, "-c", "core.commitGraph=false", "merge-base", "--all", a, b], environment: gitEnvironment)
        return Set(result.stdout.split(separator: "\n").map(String.init))
    }

    static func gitIsAncestor(_ repository: ScratchRepository, _ a: String, _ b: String) throws -> Bool {
        try runProcess("git", ["-C", repository.path, "-c", "core.commitGraph=false", "merge-base", "--is-ancestor", a, b], environment: gitEnvironment).status == 0
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func readerAgreesWithGitOnEveryCommit(seed: UInt64) throws {
        let (repository, ids) = try Self.randomHistory(seed: seed)
        defer { repository.remove() }
        try repository.git("commit-graph", "write", "--reachable")
        let graph = try #require(CommitGraph.load(objectsDirectory: repository.path + "/.git/objects"))
        #expect(graph.count == UInt32(ids.count))
        var levels: [String: UInt32] = [:]
        // Parents, generation numbers (topological levels) and commit times, commit by commit.
        let listing = try repository.git("log", "--reverse", "--topo-order", "--format=%H %ct %P", "--all")
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            let id = fields[0]
            let time = Int64(fields[1])!
            let parents = Array(fields.dropFirst(2))
            let position = try #require(graph.position(of: ObjectID(hex: id)!))
            #expect(graph.id(at: position).description == id)
            #expect(graph.parents(at: position)?.map { graph.id(at: $0).description } == parents)
            #expect(graph.commitTime(at: position) == time)
            let level = (parents.compactMap { levels[$0] }.max() ?? 0) + 1
            levels[id] = level
            #expect(graph.generation(at: position) == level, "generation of \(id)")
        }
        #expect(levels.count == ids.count)
        #expect(graph.position(of: ObjectID(hex: String(repeating: "f", count: 40))!) == nil)
    }

    @Test(arguments: [(4, true), (5, true), (6, false)] as [(UInt64, Bool)])
    func mergeBasesAndAncestryAgreeWithGit(seed: UInt64, withGraph: Bool) throws {
        let (repository, ids) = try Self.randomHistory(seed: seed)
        defer { repository.remove() }
        if withGraph {
            // Only the older two thirds are in the graph: the rest is read from the objects.
            let older = ids.prefix(ids.count * 2 / 3).joined(separator: "\n") + "\n"
            let written = try runProcess(
                "git", ["-C", repository.path, "commit-graph", "write", "--stdin-commits"],
                stdin: Data(older.utf8), environment: gitEnvironment)
            #expect(written.status == 0)
        }
        let handle = try Repository.open(at: repository.path)
        let graph = CommitGraph.load(objectsDirectory: repository.path + "/.git/objects")
        #expect((graph != nil) == withGraph)
        let walker = HistoryWalker(repository: handle, graph: graph)
        var random = SeededGenerator(seed: seed)
        for _ in 0..<40 {
            let a = ids.randomElement(using: &random)!
            let b = ids.randomElement(using: &random)!
            let bases = try walker.mergeBases(ObjectID(hex: a)!, ObjectID(hex: b)!).map(\.description)
            #expect(Set(bases) == (try Self.gitMergeBases(repository, a, b)), "merge bases of \(a) and \(b)")
            #expect(bases.count == Set(bases).count)
            #expect(
                try walker.isAncestor(ObjectID(hex: a)!, of: ObjectID(hex: b)!) == (try Self.gitIsAncestor(repository, a, b)),
                "is \(a) an ancestor of \(b)")
        }
    }

    /// What the commands use: `Repository.mergeBases`, `contains` and `commits(reachableFrom:)`
    /// give git's answers with the graph, without it, and with a graph whose data is broken.
    @Test(arguments: ["graph", "none", "corrupt"])
    func repositoryQuestionsAgreeWithGit(variant: String) throws {
        let (repository, ids) = try Self.randomHistory(seed: 7)
        defer { repository.remove() }
        if variant != "none" { try repository.git("commit-graph", "write", "--reachable") }
        if variant == "corrupt" {
            // Every first parent points past the end of the graph: unusable, so libgit2 answers.
            let path = repository.path + "/.git/objects/info/commit-graph"
            chmod(path, 0o644)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let graph = try #require(CommitGraph.load(objectsDirectory: repository.path + "/.git/objects"))
            let commitData = graph.layers[0].commitData
            for index in 0..<Int(graph.count) { bytes.replaceSubrange((commitData + 36 * index + 20)..<(commitData + 36 * index + 24), with: [0x6F, 0xFF, 0xFF, 0xFF]) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        var random = SeededGenerator(seed: 8)
        for _ in 0..<25 {
            let handle = try Repository.open(at: repository.path)
            let a = ids.randomElement(using: &random)!
            let b = ids.randomElement(using: &random)!
            #expect(Set(try handle.mergeBases(ObjectID(hex: a)!, ObjectID(hex: b)!).map(\.description)) == (try Self.gitMergeBases(repository, a, b)))
            #expect(try handle.contains(ObjectID(hex: b)!, ancestor: ObjectID(hex: a)!) == (try Self.gitIsAncestor(repository, a, b)))
            let listed = try handle.commits(reachableFrom: [ObjectID(hex: b)!], excluding: [ObjectID(hex: a)!]).map(\.description)
            let expected = try repository.git("-c", "core.commitGraph=false", "rev-list", "--reverse", "--topo-order", b, "^" + a).split(separator: "\n").map(String.init)
            #expect(Set(listed) == Set(expected), "rev-list \(b) ^\(a)")
            #expect(listed.count == expected.count)
            // A line of history has one order only: git's.
            if try repository.git("-c", "core.commitGraph=false", "rev-list", "--merges", b, "^" + a).isEmpty { #expect(listed == expected) }
            // A broken graph is set aside at its first use (a == b asks nothing of it).
            if a != b { #expect((handle.fastHistory.historyWalker != nil) == (variant == "graph")) }
        }
    }

    @Test func linearRangesComeFromTheGraphInGitsOrder() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("branch", "26.11")
        for index in 0..<6 { try repository.commit(["main\(index).txt": "\(index)\n"], message: "main \(index)") }
        try repository.git("checkout", "-q", "26.11")
        for index in 0..<4 { try repository.commit(["release\(index).txt": "\(index)\n"], message: "release \(index)") }
        try repository.git("commit-graph", "write", "--reachable")
        let handle = try Repository.open(at: repository.path)
        let walker = try #require(handle.fastHistory.historyWalker)
        let main = ObjectID(hex: try repository.git("rev-parse", "main"))!
        let release = ObjectID(hex: try repository.git("rev-parse", "26.11"))!
        let line = try #require(try walker.linearHistory(reachableFrom: [release], excluding: [main]))
        #expect(line.map(\.description) == (try repository.git("rev-list", "--reverse", "26.11", "^main").split(separator: "\n").map(String.init)))
        #expect(try walker.linearHistory(reachableFrom: [main], excluding: [release])?.count == 6)
        #expect(try walker.linearHistory(reachableFrom: [main], excluding: [main]) == [])
    }

    @Test func splitGraphChainsAreReadLayerByLayer() throws {
        let (repository, ids) = try Self.randomHistory(seed: 9)
        defer { repository.remove() }
        for (index, end) in [20, 45, ids.count].enumerated() {
            let commits = ids.prefix(end).joined(separator: "\n") + "\n"
            let written = try runProcess(
                "git", ["-C", repository.path, "commit-graph", "write", "--stdin-commits", "--split=no-merge", "--changed-paths"],
                stdin: Data(commits.utf8), environment: gitEnvironment)
            #expect(written.status == 0, "layer \(index): \(written.stderr)")
        }
        let graph = try #require(CommitGraph.load(objectsDirectory: repository.path + "/.git/objects"))
        #expect(graph.layers.count == 3)
        #expect(graph.count == UInt32(ids.count))
        for line in try repository.git("log", "--format=%H %P", "--all").split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            let position = try #require(graph.position(of: ObjectID(hex: fields[0])!))
            #expect(graph.parents(at: position)?.map { graph.id(at: $0).description } == Array(fields.dropFirst()))
        }
        // A chain whose top layer does not name the layers below it is cut there.
        let chain = repository.path + "/.git/objects/info/commit-graphs/commit-graph-chain"
        let hashes = try String(contentsOfFile: chain, encoding: .utf8).split(separator: "\n")
        try (hashes[1] + "\n" + hashes[2] + "\n").write(toFile: chain, atomically: true, encoding: .utf8)
        #expect(CommitGraph.load(objectsDirectory: repository.path + "/.git/objects") == nil)
    }

    @Test func changedPathFiltersNeverMissAChangedPath() throws {
        let (repository, ids) = try Self.randomHistory(seed: 10, commits: 90)
        defer { repository.remove() }
        try repository.git("commit-graph", "write", "--reachable", "--changed-paths")
        let handle = try Repository.open(at: repository.path)
        var ruledOut = 0
        var asked = 0
        for id in ids {
            let filter = try #require(handle.fastHistory.changedPathFilter(of: ObjectID(hex: id)!))
            let parents = try repository.git("rev-list", "--parents", "-n", "1", id).split(separator: " ").dropFirst()
            let changed = try
                (parents.isEmpty
                ? repository.git("-c", "core.quotePath=false", "diff-tree", "-r", "--name-only", "--no-commit-id", "--root", id)
                : repository.git("-c", "core.quotePath=false", "diff-tree", "-r", "--name-only", "--no-commit-id", String(parents.first!), id))
                .split(separator: "\n").map(String.init)
            var places = Set(changed)
            for path in changed {
                var directory = path
                while let slash = directory.lastIndex(of: "/") {
                    directory = String(directory[..<slash])
                    places.insert(directory)
                }
            }
            for place in places { #expect(filter.mayHaveChanged(ChangedPathKey(place)), "\(id) changed \(place)") }
            for other in (0..<24).map({ "d\($0 % 3)/e\($0 % 4)/f\($0).txt" }) + ["nowhere/else.txt", "top.txt"] where !places.contains(other) {
                asked += 1
                if !filter.mayHaveChanged(ChangedPathKey(other)) { ruledOut += 1 }
            }
            let trie = ChangedPathTrie(changed)
            #expect(changed.isEmpty || trie.mayHaveChangedAny(filter))
        }
        // The filters do their job: nearly every path a commit did not change is ruled out.
        #expect(ruledOut * 10 > asked * 9, "\(ruledOut) of \(asked) ruled out")
    }

    @Test func murmur3MatchesTheReferenceValues() {
        // MurmurHash3_x86_32 test vectors (seed 0), and git's seeds on a path.
        #expect(murmur3([], seed: 0) == 0)
        #expect(murmur3(Array("hello".utf8), seed: 0) == 0x248B_FA47)
        #expect(murmur3(Array("The quick brown fox jumps over the lazy dog".utf8), seed: 0) == 0x2E4F_F723)
        #expect(ChangedPathKey("caf\u{e9}").version1 == nil)
        #expect(ChangedPathKey("cafe").version1 != nil)
    }

    @Test func gitsRulesForNotUsingTheGraphAreFollowed() throws {
        let (repository, _) = try Self.randomHistory(seed: 11, commits: 10)
        defer { repository.remove() }
        /// Whether a new handle reads the graph (the handle kept alive while it is asked).
        func readsGraph() throws -> Bool {
            let handle = try Repository.open(at: repository.path)
            return withExtendedLifetime(handle) { handle.fastHistory.historyWalker != nil }
        }
        try repository.git("commit-graph", "write", "--reachable")
        #expect(try readsGraph())
        try repository.git("config", "core.commitGraph", "false")
        #expect(try !readsGraph())
        try repository.git("config", "core.commitGraph", "true")
        try "".write(toFile: repository.path + "/.git/info/grafts", atomically: true, encoding: .utf8)
        #expect(try !readsGraph())
        try FileManager.default.removeItem(atPath: repository.path + "/.git/info/grafts")
        // Not a commit-graph at all.
        let path = repository.path + "/.git/objects/info/commit-graph"
        chmod(path, 0o644)
        try Data("CGPH but not really a graph file".utf8).write(to: URL(fileURLWithPath: path))
        #expect(CommitGraph.load(objectsDirectory: repository.path + "/.git/objects") == nil)
        #expect(try !readsGraph())
    }
}

/// New objects reach the repository loose when they are few (as git's transfer.unpackLimit), as
/// one pack when they are many; either way git finds every one of them and fsck is clean.
@Suite("Object batches: loose or packed")
struct ObjectBatchTests {
    @Test(arguments: [3, 150])
    func newObjectsAreWrittenLooseOrAsOnePack(files: Int) throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let handle = try Repository.open(at: repository.path)
        let head = ObjectID(hex: try repository.git("rev-parse", "HEAD"))!
        let batch = try handle.beginObjectBatch()
        let writer = batch.repository
        let blobs = try (0..<files).map { index throws(GitError) in
            Repository.TreeUpdate(path: "generated/d\(index % 7)/file\(index).txt", blob: try writer.createBlob(Array("content \(index)\n".utf8)), executable: false)
        }
        let tree = try writer.createTree(fromTreeID: try writer.treeID(ofCommit: head), updating: blobs)
        let someone = Identity(name: "A", email: "a@example.invalid", time: 1_795_000_000, offsetMinutes: 0)
        let commit = try writer.createCommit(tree: tree, parents: [head], message: "generated\n", author: someone, committer: someone)
        let packsBefore = try FileManager.default.contentsOfDirectory(atPath: repository.path + "/.git/objects/pack").filter { $0.hasSuffix(".pack") }
        try batch.write(commits: [commit])
        let packsAfter = try FileManager.default.contentsOfDirectory(atPath: repository.path + "/.git/objects/pack").filter { $0.hasSuffix(".pack") }
        // files blobs + the commit + root, generated/ and 7 (or fewer) directory trees.
        let objects = files + 1 + 2 + min(files, 7)
        #expect(packsAfter.count == packsBefore.count + (objects > ObjectBatch.looseObjectLimit ? 1 : 0))
        #expect(try repository.git("rev-list", "--objects", commit.description, "^HEAD").split(separator: "\n").count == objects)
        #expect(try repository.git("ls-tree", "-r", "--name-only", commit.description).split(separator: "\n").filter { $0.hasPrefix("generated/") }.count == files)
        #expect(try repository.git("fsck", "--no-dangling", "--strict").isEmpty)
    }
}
