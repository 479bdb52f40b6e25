import Foundation
import RelKitTestSupport
import Testing

@_spi(FastReaders) @testable import GitKit

/// relkit's reader of raw trees (the audit's tree differences) against libgit2, its reference:
/// random histories whose trees have every kind of entry (executables, symlinks, submodules, a
/// file that becomes a directory, names that sort differently as files and as directories, a
/// legacy mode libgit2 normalizes), stored every way git stores them; every difference of every
/// commit, with and without places to look at, must be what libgit2 gives, in the same order,
/// and so must every path looked up.
@Suite("Tree reader: tree differences and lookups against libgit2")
struct TreeReaderTests {
    /// Paths chosen to meet git's ordering rules: `a` as a file sorts before `a.b`, `a` as a
    /// directory after it ("a/" > "a."); `x` is a file or a directory by turns.
    static let paths = [
        "a", "a.b", "a-c", "a0", "b/c/d.txt", "b/c.txt", "b/c/e/f.txt", "b.txt", "caf\u{e9}/\u{e9}t\u{e9}.md", "deep/1/2/3/4/5.txt",
        "x", "x/y", "x/z/w", "tool.sh", "link", "mod", "z"
    ]

    /// A random history made by fast-import: returns the repository and its commits, oldest first.
    static func history(seed: UInt64, commits: Int = 80) throws -> (ScratchRepository, [String]) {
        var random = SeededGenerator(seed: seed)
        func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
        let repository = try ScratchRepository()
        var stream = ""
        var files: Set<String> = []
        for mark in 1...commits {
            stream += "commit refs/heads/main\nmark :\(mark)\ncommitter T <t@example.invalid> \(1_790_000_000 + mark * 60) +0000\ndata 4\nc\(mark % 10)\n\n"
            if mark > 1 { stream += "from :\(mark - 1)\n" }
            for _ in 0..<int(1...4) {
                var path = paths[int(0...(paths.count - 1))]
                // A file and a directory of the same name cannot both be: the other goes first.
                if path == "x", files.contains(where: { $0.hasPrefix("x/") }) {
                    stream += "D x\n"
                    files = files.filter { !$0.hasPrefix("x/") }
                } else if path.hasPrefix("x/"), files.contains("x") {
                    stream += "D x\n"
                    files.remove("x")
                }
                if int(0...5) == 0, files.contains(path) {
                    stream += "D \(path)\n"
                    files.remove(path)
                    continue
                }
                if path == "x" && int(0...1) == 0 { path = "x/y" }
                switch path {
                case "link":
                    let target = "target-\(int(0...3))"
                    stream += "M 120000 inline link\ndata \(target.utf8.count)\n\(target)\n"
                case "mod":
                    stream += "M 160000 \(String(repeating: String(int(1...9)), count: 40)) mod\n"
                case "tool.sh":
                    // The same content now and then, only the mode changes.
                    let text = "echo \(int(0...1))\n"
                    stream += "M \(int(0...1) == 0 ? "100755" : "100644") inline tool.sh\ndata \(text.utf8.count)\n\(text)\n"
                default:
                    let text = "\(path) \(mark) \(int(0...999))\n"
                    stream += "M 100644 inline \(path)\ndata \(text.utf8.count)\n\(text)\n"
                }
                files.insert(path)
            }
        }
        let ids = try repository.fastImport(stream, commits: commits)
        return (repository, ids)
    }

    /// Writes a commit on top of `parent` whose tree is `parent`'s with `legacy.txt` in mode 100664
    /// (a group-writable mode old git wrote), which libgit2 reads as 100644.
    static func commitWithLegacyMode(_ repository: ScratchRepository, parent: String) throws -> String {
        let blob = try runProcess("git", ["-C", repository.path, "hash-object", "-w", "--stdin"], stdin: Data("legacy\n".utf8), environment: gitEnvironment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let listing = try repository.git("ls-tree", parent)
        var lines = listing.split(separator: "\n").map(String.init)
        lines.append("100644 blob \(blob)\tlegacy.txt")
        let tree = try runProcess("git", ["-C", repository.path, "mktree"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8), environment: gitEnvironment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // mktree writes 100644: rewrite the raw entry's mode as 100664 (same length plus one digit).
        let rawFile = repository.scratch.file("raw-tree")
        _ = try runProcess("sh", ["-c", "git -C \"$1\" cat-file tree \"$2\" > \"$3\"", "sh", repository.path, tree, rawFile], environment: gitEnvironment)
        let raw = try Data(contentsOf: URL(fileURLWithPath: rawFile))
        let needle = Data("100644 legacy.txt\0".utf8)
        let range = try #require(raw.range(of: needle))
        var changed = raw
        changed.replaceSubrange(range, with: Data("100664 legacy.txt\0".utf8))
        let legacyTree = try runProcess(
            "git", ["-C", repository.path, "hash-object", "-t", "tree", "-w", "--literally", "--stdin"], stdin: changed, environment: gitEnvironment
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return try runProcess("git", ["-C", repository.path, "commit-tree", legacyTree, "-p", parent, "-m", "legacy"], environment: gitEnvironment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stores the objects as `storage` says: as fast-import left them, loose, or repacked with
    /// deep chains of offset or reference deltas.
    static func store(_ repository: ScratchRepository, as storage: String) throws {
        switch storage {
        case "loose": try repository.unpackAllPacks()
        case "offset-deltas": try repository.repackWithDeepDeltas()
        case "reference-deltas": try repository.repackWithDeepDeltas(referenceDeltas: true)
        default:
            break
        }
    }

    @Test(arguments: ["fast-import", "loose", "offset-deltas", "reference-deltas"])
    func differencesAreLibgit2s(storage: String) throws {
        let (repository, commits) = try Self.history(seed: 41)
        defer { repository.remove() }
        let legacy = try Self.commitWithLegacyMode(repository, parent: commits.last!)
        try Self.store(repository, as: storage)
        let handle = try Repository.open(at: repository.path)
        let files = try #require(ObjectFiles.open(objectsDirectory: repository.path + "/.git/objects"))
        let reader = TreeReader(files: files)
        let trees = try (commits + [legacy]).map { try handle.treeID(ofCommit: ObjectID(hex: $0)!) }
        var random = SeededGenerator(seed: 7)
        var compared = 0
        var kinds: Set<String> = []
        // Each commit against its parent, against the empty tree, and against a random other.
        var pairs: [(ObjectID?, ObjectID)] = [(nil, trees[0])]
        for index in 1..<trees.count {
            pairs.append((trees[index - 1], trees[index]))
            pairs.append((trees[Int.random(in: 0..<trees.count, using: &random)], trees[index]))
        }
        for (old, new) in pairs {
            let expected = try handle.treeChangesFromLibgit2(from: old, to: new)
            let read = try #require(reader.changes(from: old, to: new, within: nil), "\(storage): \(new) not read")
            #expect(read == expected, "\(storage): \(String(describing: old)) → \(new)")
            // Places: a random half of the paths changed, with their directories.
            var places: Set<String> = []
            for change in expected where Bool.random(using: &random) {
                var place = change.path
                places.insert(place)
                while let slash = place.lastIndex(of: "/") {
                    place = String(place[..<slash])
                    places.insert(place)
                }
            }
            let expectedWithin = try handle.treeChangesFromLibgit2(from: old, to: new, within: places)
            #expect(reader.changes(from: old, to: new, within: places) == expectedWithin, "\(storage): within \(places.sorted())")
            compared += 1
            for change in expected {
                if change.old == nil { kinds.insert("added") }
                if change.new == nil { kinds.insert("removed") }
                for side in [change.old, change.new].compactMap({ $0 }) { kinds.insert(String(side.mode, radix: 8)) }
                if let before = change.old, let after = change.new, before.id == after.id { kinds.insert("mode only") }
            }
        }
        #expect(compared == 2 * trees.count - 1)
        // The history had every kind of entry the reader must get right.
        #expect(kinds.isSuperset(of: ["added", "removed", "100644", "100755", "120000", "160000", "mode only"]), "\(kinds.sorted())")
        // The legacy mode is read as libgit2 normalizes it.
        let legacyChanges = try #require(reader.changes(from: trees[trees.count - 2], to: trees.last!, within: nil))
        #expect(legacyChanges.contains { $0.path == "legacy.txt" && $0.new?.mode == 0o100644 })
    }

    @Test func lookupsAreLibgit2s() throws {
        let (repository, commits) = try Self.history(seed: 43, commits: 40)
        defer { repository.remove() }
        try Self.store(repository, as: "offset-deltas")
        let handle = try Repository.open(at: repository.path)
        let reader = TreeReader(files: try #require(ObjectFiles.open(objectsDirectory: repository.path + "/.git/objects")))
        let asked = Self.paths + ["b", "b/c", "b/c/e", "deep/1/2", "nothing", "a/b", "x/y/z", "b.txt/c", "caf\u{e9}"]
        var found = 0
        for commit in commits {
            let tree = try handle.treeID(ofCommit: ObjectID(hex: commit)!)
            for path in asked {
                let expected = try handle.entryFromLibgit2(inTree: tree, path: path)
                let read = try #require(reader.entry(inTree: tree, path: path), "\(path) not read")
                #expect(read?.id == expected?.id && read?.mode == expected?.mode, "\(commit): \(path)")
                if expected != nil { found += 1 }
            }
            // Paths with empty components are left to libgit2.
            #expect(reader.entry(inTree: tree, path: "b//c") == nil)
            #expect(reader.entry(inTree: tree, path: "/a") == nil)
        }
        #expect(found > commits.count * 4)
    }

    /// Whatever the reader cannot read is nil, and `Repository` then asks libgit2, which decides.
    @Test func unreadableTreesAreLeftToLibgit2() throws {
        let (repository, commits) = try Self.history(seed: 45, commits: 10)
        defer { repository.remove() }
        let handle = try Repository.open(at: repository.path)
        let reader = TreeReader(files: try #require(ObjectFiles.open(objectsDirectory: repository.path + "/.git/objects")))
        let tree = try handle.treeID(ofCommit: ObjectID(hex: commits[5])!)
        let missing = ObjectID(hex: String(repeating: "ab", count: 20))!
        // A tree not in the repository, and a commit id where a tree belongs.
        #expect(reader.changes(from: missing, to: tree, within: nil) == nil)
        #expect(reader.changes(from: ObjectID(hex: commits[4])!, to: tree, within: nil) == nil)
        #expect(throws: GitError.self) { try handle.treeChanges(from: missing, to: tree) }
        // A damaged tree (an entry cut short): libgit2 refuses it, so the reader must too.
        let damaged = try runProcess(
            "git", ["-C", repository.path, "hash-object", "-t", "tree", "-w", "--literally", "--stdin"], stdin: Data("100644 cut".utf8), environment: gitEnvironment
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let damagedID = try #require(ObjectID(hex: damaged))
        #expect(reader.changes(from: tree, to: damagedID, within: nil) == nil)
        #expect(throws: GitError.self) { try handle.treeChanges(from: tree, to: damagedID) }
    }
}
