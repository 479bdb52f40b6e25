import Clibgit2
import Foundation
import RelKitTestSupport
import Testing

@_spi(FastReaders) @testable import GitKit

/// relkit's own reader of pack files and loose objects, its commit parsers, the merge bases it
/// walks without a commit-graph, against git and
/// libgit2: every object of repositories packed every way git packs them, hashed again (an id is
/// the hash of the content: a reader that gets one byte wrong cannot pass); every commit parsed
/// as libgit2 parses it; every merge base as `git merge-base --all` finds it.
@Suite("Object files: packs, loose objects, commit parsing, date-ordered merge bases")
struct ObjectFilesTests {
    /// All object ids of a repository, with git's type names.
    static func allObjects(_ repository: ScratchRepository) throws -> [(id: ObjectID, type: String)] {
        try repository.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)").split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            return (ObjectID(hex: String(fields[0]))!, String(fields[1]))
        }
    }

    /// The id of `content` as an object of `type` (libgit2 hashes it: the id is the content's name).
    static func objectID(of content: [UInt8], type: Int) -> ObjectID {
        var oid = git_oid()
        _ = content.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, content.count, git_object_t(rawValue: Int32(type))) }
        return ObjectID(oid)
    }

    /// Each way git stores objects: loose; packed with deltas against earlier offsets, or naming
    /// their bases by id; an index whose offsets are all in the 64-bit table; several packs.
    @Test(arguments: ["loose", "offset-deltas", "reference-deltas", "large-offsets", "several-packs"])
    func everyObjectReadsBackToItsID(storage: String) throws {
        let (repository, _) = try CommitGraphTests.randomHistory(seed: 11, commits: 60)
        defer { repository.remove() }
        let types = ["commit": 1, "tree": 2, "blob": 3, "tag": 4]
        switch storage {
        case "loose":
            // Unpacked: every object its own zlib file.
            try repository.unpackAllPacks()
        case "offset-deltas":
            // Deep delta chains, commits and trees included.
            try repository.repackWithDeepDeltas()
        case "reference-deltas":
            try repository.repackWithDeepDeltas(referenceDeltas: true)
        case "large-offsets":
            // Index version 2 with every offset above 256 bytes in the 64-bit table.
            _ = try repository.git("repack", "-a", "-d", "-f")
            let directory = repository.path + "/.git/objects/pack/"
            let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".pack") })
            let index = directory + String(pack.dropLast(5)) + ".idx"
            chmod(index, 0o644)
            try FileManager.default.removeItem(atPath: index)
            _ = try repository.git("index-pack", "--index-version=2,0x100", directory + pack)
        default:
            // Commits added after the first pack get a pack of their own (and some stay loose).
            for round in 0..<3 {
                try repository.write("more-\(round).txt", "round \(round)\n")
                _ = try repository.git("add", "-A")
                _ = try repository.git("commit", "-q", "-m", "round \(round)")
                if round < 2 { _ = try repository.git("repack", "-q") }
            }
        }
        let objects = try Self.allObjects(repository)
        #expect(objects.count > 200)
        let files = try #require(ObjectFiles.open(objectsDirectory: repository.path + "/.git/objects"))
        for (id, type) in objects {
            let object = try #require(files.read(id), "\(storage): \(id) (\(type)) not read")
            #expect(object.type == types[type], "\(id)")
            #expect(Self.objectID(of: object.bytes, type: object.type) == id, "\(storage): \(id) (\(type)) read wrong")
        }
        #expect(files.read(ObjectID(hex: String(repeating: "0", count: 40))!) == nil)
    }

    /// A pack larger than 2 GiB (monorepos have them): its entries beyond the first 2.5 GiB, found
    /// through the index's 64-bit offsets. The pack is sparse: its header, a hole, then the entries
    /// of a small pack git wrote (deltas name their bases by distance, so they still hold), and an
    /// index written here with every offset moved by the hole.
    @Test func objectsBeyondTwoGibibytesReadBackToTheirIDs() throws {
        let (repository, _) = try CommitGraphTests.randomHistory(seed: 17, commits: 40)
        defer { repository.remove() }
        _ = try repository.git("repack", "-a", "-d", "-f", "--depth=20")
        let directory = repository.path + "/.git/objects/pack/"
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".pack") })
        let pack = try Data(contentsOf: URL(fileURLWithPath: directory + name))
        let index = try Data(contentsOf: URL(fileURLWithPath: directory + name.dropLast(5) + ".idx"))
        func word(_ data: Data, _ at: Int) -> UInt32 { data.withUnsafeBytes { bigEndianWord($0, at) } }
        let count = Int(word(index, 8 + 4 * 255))
        let names = 8 + 1024
        let crcs = names + 20 * count
        let offsets = crcs + 4 * count
        #expect(word(index, 4) == 2 && count > 100)
        // git wrote this small pack's offsets in the 32-bit table.
        let hole = (5 << 29) as Int // 2.5 GiB
        var moved = Data(index[0..<offsets])
        var large = Data()
        for entry in 0..<count {
            let offset = Int(word(index, offsets + 4 * entry))
            #expect(offset & 0x8000_0000 == 0)
            withUnsafeBytes(of: (UInt32(0x8000_0000) | UInt32(entry)).bigEndian) { moved.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt64(offset + hole).bigEndian) { large.append(contentsOf: $0) }
        }
        moved.append(large)
        moved.append(index[(index.count - 40)...]) // the pack's and the index's checksums, as they were

        let objects = repository.scratch.file("large/objects")
        try FileManager.default.createDirectory(atPath: objects + "/pack", withIntermediateDirectories: true)
        let stem = objects + "/pack/" + name.dropLast(5)
        try moved.write(to: URL(fileURLWithPath: stem + ".idx"))
        let descriptor = open(stem + ".pack", O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        let header = pack.prefix(12)
        let rest = pack.dropFirst(12)
        let wrote =
            header.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, 12, 0) } == 12
            && rest.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, rest.count, off_t(12 + hole)) } == rest.count
        close(descriptor)
        try #require(wrote)
        var status = stat()
        #expect(stat(stem + ".pack", &status) == 0 && Int(status.st_size) == pack.count + hole)

        let files = try #require(ObjectFiles.open(objectsDirectory: objects))
        let types = ["commit": 1, "tree": 2, "blob": 3, "tag": 4]
        let all = try Self.allObjects(repository)
        #expect(all.count == count)
        for (id, type) in all {
            let object = try #require(files.read(id), "\(id) (\(type)) not read")
            #expect(object.type == types[type] && Self.objectID(of: object.bytes, type: object.type) == id, "\(id) (\(type)) read wrong")
        }
    }

    /// Every commit of a history parsed from its raw content as libgit2 parses it.
    @Test func commitsParseAsLibgit2ParsesThem() throws {
        let (repository, ids) = try CommitGraphTests.randomHistory(seed: 12, commits: 50)
        defer { repository.remove() }
        let handle = try Repository.open(at: repository.path)
        let files = try #require(ObjectFiles.open(objectsDirectory: repository.path + "/.git/objects"))
        for hex in ids {
            let id = ObjectID(hex: hex)!
            let object = try #require(files.read(id))
            let parsed = try #require(CommitInfo(id: id, content: object.bytes))
            #expect(parsed == (try handle.commit(id)))
            #expect(CommitHeader(object.bytes) == CommitHeader(parents: parsed.parents, date: parsed.committer.time))
        }
    }

    /// Parent and tree lines' ids, read eight digits at a time: every id git's own parser reads
    /// (libgit2's git_oid_fromstr, through `ObjectID(hex:)`), and nil for any other byte anywhere.
    @Test func hexIDsReadAsLibgit2ReadsThem() {
        var random = SeededGenerator(seed: 0x1D5)
        let digits = Array("0123456789abcdef".utf8)
        func parse(_ text: [UInt8]) -> ObjectID? { text.withUnsafeBytes { ObjectID(lowercaseHex: $0.baseAddress!) } }
        for _ in 0..<2_000 {
            var text = (0..<40).map { _ in digits[Int(random.next() % 16)] }
            let expected = ObjectID(hex: String(decoding: text, as: UTF8.self))
            #expect(expected != nil && parse(text) == expected)
            // One byte replaced by any other value: an id only when it is a lowercase digit.
            let position = Int(random.next() % 40)
            let byte = UInt8(truncatingIfNeeded: random.next())
            text[position] = byte
            let isDigit = digits.contains(byte)
            let parsed = parse(text)
            #expect(
                isDigit ? parsed == ObjectID(hex: String(decoding: text, as: UTF8.self)) : parsed == nil,
                "byte \(byte) at \(position)")
        }
        // Every byte value at every position of one id (the checks work on eight bytes at once).
        let base = Array(String(repeating: "0123456789abcdef", count: 3).utf8.prefix(40))
        for position in 0..<40 {
            for byte in 0...255 {
                var text = base
                text[position] = UInt8(byte)
                #expect((parse(text) != nil) == digits.contains(UInt8(byte)))
            }
        }
    }

    /// The signature lines of commits, read from their end, give what reading them as the format
    /// says gives (the email between the line's last '<' and last '>', then " <1 to 18 digits>
    /// <sign><4 digits>" to the end): the reference below reads them that way, from the front.
    @Test func signaturesReadFromTheEndAsTheFormatSays() {
        func reference(_ line: [UInt8]) -> (open: Int, close: Int, time: Int64, offset: Int32)? {
            guard let open = line.lastIndex(of: UInt8(ascii: "<")), let close = line.lastIndex(of: UInt8(ascii: ">")), close > open else { return nil }
            let tail = Array(line[(close + 1)...])
            // " " digits " " sign four digits
            guard tail.count >= 8, tail[0] == 0x20 else { return nil }
            let digitCount = tail.dropFirst().prefix { (0x30...0x39).contains($0) }.count
            guard (1...18).contains(digitCount), tail.count == 1 + digitCount + 6 else { return nil }
            let zone = tail.suffix(6)
            guard zone.first == 0x20, zone.dropFirst().first == UInt8(ascii: "+") || zone.dropFirst().first == UInt8(ascii: "-"),
                zone.suffix(4).allSatisfy({ (0x30...0x39).contains($0) })
            else { return nil }
            let time = Int64(String(decoding: tail[1...digitCount], as: UTF8.self))!
            let value = Int32(String(decoding: zone.suffix(4), as: UTF8.self))!
            let hours = value / 100
            let minutes = value % 100
            var offset: Int32 = hours <= 14 && minutes <= 59 ? hours * 60 + minutes : 0
            if zone.dropFirst().first == UInt8(ascii: "-") { offset = -offset }
            return (open, close, time, offset)
        }
        var random = SeededGenerator(seed: 0x516)
        let pieces = [
            "A U Thor", " ", "<", ">", "a@example.invalid", "1700000000", "0", "99999999999999999999", "123456789", "+0100", "-0230",
            "+", "-", "1", "12", "x", "\t"
        ]
        var accepted = 0
        for round in 0..<20_000 {
            var text: String
            if round % 2 == 0 {
                // The plain form with a piece changed, dropped or added somewhere.
                var parts = ["A U Thor", " ", "<", "a@example.invalid", ">", " ", "1700000000", " ", "+0100"]
                let position = Int(random.next() % UInt64(parts.count))
                switch random.next() % 3 {
                case 0: parts[position] = pieces[Int(random.next() % UInt64(pieces.count))]
                case 1: parts.remove(at: position)
                default: parts.insert(pieces[Int(random.next() % UInt64(pieces.count))], at: position)
                }
                text = parts.joined()
            } else {
                text = (0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            }
            // Inside a longer content, as in a commit: the line is a range of it.
            let line = Array(text.utf8)
            let content = Array("author ".utf8) + line + [0x0A]
            let parsed = CommitCursor(content).signature(7..<(7 + line.count))
            let expected = reference(line).map { (open: $0.open + 7, close: $0.close + 7, time: $0.time, offset: $0.offset) }
            #expect(
                parsed?.open == expected?.open && parsed?.close == expected?.close && parsed?.time == expected?.time
                    && parsed?.offset == expected?.offset, "\(text)")
            if parsed != nil { accepted += 1 }
        }
        // Both kinds of answer were asked for.
        #expect(accepted > 1_000 && accepted < 19_000)
    }

    /// Commits as odd as git lets them be (written with `hash-object --literally`): the parsers
    /// either give what libgit2 gives, or nil (libgit2 then reads them); never something else.
    @Test(arguments: [
        "author A U Thor <a@example.invalid> 1700000000 +0100\ncommitter C O Mitter <c@example.invalid> 1700000100 -0230\n\nsubject\n\nbody\n",
        "author   Spaced   Name   <  spaced@example.invalid  > 1700000000 +0000\ncommitter C <c@example.invalid> 1700000100 +0000\n\nm\n",
        "author A <b> <c@example.invalid> 1700000000 +0000\ncommitter C <<c>@example.invalid> 1700000100 +0000\n\nm\n",
        "author 'Quoted, Name.' <\"a\"@example.invalid;> 1700000000 +0000\ncommitter \\C\\ <:c:@example.invalid> 1700000100 +0000\n\ncrud\n",
        "author A <a@example.invalid> 1700000000 +1560\ncommitter C <c@example.invalid> 1700000100 +9999\n\nimpossible zones\n",
        "author A <a@example.invalid> 1700000000 -0000\ncommitter C <c@example.invalid> 1700000100 +1400\n\nm",
        "author A <a@example.invalid> 1700000000 +0000\nauthor B <b@example.invalid> 1700000001 +0000\ncommitter C <c@example.invalid> 1700000100 +0000\n\ntwo authors\n",
        "author A <a@example.invalid> 1700000000 +0000\ncommitter C <c@example.invalid> 1700000100 +0000\nencoding ISO-8859-1\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nsigned\n",
        "author A <a@example.invalid> 1700000000 +0000\ncommitter C <c@example.invalid> 1700000100 +0000\n",
        "author A <a@example.invalid> 1700000000 +0000\ncommitter C <c@example.invalid> 1700000100 +0000\n\n\n\nleading blank lines\r\nand CRLF\r\n",
        "author A <a@example.invalid>\ncommitter C <c@example.invalid> 1700000100 +0000\n\nno author date\n",
        "author A <a@example.invalid> 1700000000\ncommitter C <c@example.invalid> 1700000100\n\nno zones\n",
        "author A <a@example.invalid> 1700000000 +0000\ncommitter C <c@example.invalid> 99999999999999999999 +0000\n\nhuge date\n",
        "author A a@example.invalid 1700000000 +0000\ncommitter C <c@example.invalid> 1700000100 +0000\n\nno brackets\n",
        "author Caf\u{e9} \u{1F600} <\u{e9}@example.invalid> 1700000000 +0530\ncommitter C <c@example.invalid> 1700000100 +0530\n\nunicode \u{e9}\n"
    ])
    func oddCommitsParseAsLibgit2ParsesThemOrNotAtAll(rest: String) throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(["a.txt": "a\n"], message: "first")
        let tree = try repository.git("rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines)
        let parent = try repository.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let content = "tree \(tree)\nparent \(parent)\n" + rest
        let written = try runProcess(
            "git", ["-C", repository.path, "hash-object", "-w", "--literally", "-t", "commit", "--stdin"],
            stdin: Data(content.utf8), environment: gitEnvironment)
        #expect(written.status == 0)
        let id = try #require(ObjectID(hex: written.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let bytes = [UInt8](content.utf8)
        let handle = try Repository.open(at: repository.path)
        let byLibgit2 = try? handle.commit(id)
        if let parsed = CommitInfo(id: id, content: bytes) {
            #expect(parsed == byLibgit2)
        }
        if let header = CommitHeader(bytes) {
            #expect(header.parents == byLibgit2?.parents)
            #expect(header.date == byLibgit2?.committer.time)
        }
        // The plain form is always parsed.
        if rest.hasPrefix("author A U Thor") { #expect(CommitInfo(id: id, content: bytes) != nil) }
        // And the reader gives the same bytes back (a loose object).
        let files = try #require(ObjectFiles.open(objectsDirectory: repository.path + "/.git/objects"))
        #expect(files.read(id)?.bytes == bytes)
    }

    /// Without a commit-graph, merge bases come from the date-ordered walk over the object files
    /// (git's own algorithm); where it finds several candidates it says so, and libgit2 answers.
    @Test(arguments: [13, 14, 15] as [UInt64])
    func dateOrderedMergeBasesAreGits(seed: UInt64) throws {
        let (repository, ids) = try CommitGraphTests.randomHistory(seed: seed)
        defer { repository.remove() }
        let files = try #require(ObjectFiles.open(objectsDirectory: repository.path + "/.git/objects"))
        let walker = DateOrderedWalker(files: files)
        var random = SeededGenerator(seed: seed)
        var answered = 0
        for _ in 0..<40 {
            let a = ids.randomElement(using: &random)!
            let b = ids.randomElement(using: &random)!
            let git = try CommitGraphTests.gitMergeBases(repository, a, b)
            if let bases = try walker.mergeBases(ObjectID(hex: a)!, ObjectID(hex: b)!) {
                answered += 1
                #expect(Set(bases.map(\.description)) == git, "merge bases of \(a) and \(b)")
                #expect(bases.count <= 1)
            } else {
                #expect(git.count > 1, "several candidates for \(a) and \(b), but git finds \(git)")
            }
        }
        // Most pairs have one merge base: the walk answers those itself.
        #expect(answered >= 20)
        // Commits it read are parsed from their content, as libgit2 reads them.
        let handle = try Repository.open(at: repository.path)
        for hex in ids.prefix(20) {
            if let read = walker.commitInfo(ObjectID(hex: hex)!) { #expect(read == (try handle.commit(ObjectID(hex: hex)!))) }
        }
    }

    /// A damaged entry in a pack gives nil (its bytes no longer match the index's CRC-32; libgit2
    /// then reads it, and reports), never a wrong object; the other objects still read right.
    @Test func aDamagedEntryGivesNothingAndTheRestStillReads() throws {
        let (repository, _) = try CommitGraphTests.randomHistory(seed: 18, commits: 30)
        defer { repository.remove() }
        _ = try repository.git("repack", "-a", "-d", "-f", "--depth=20")
        let objects = try Self.allObjects(repository)
        let directory = repository.path + "/.git/objects/pack/"
        let pack = directory + (try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".pack") }))
        // verify-pack -v: "<id> <type> <size> <packed size> <offset> [<depth> <base id>]".
        let entries = try repository.git("verify-pack", "-v", String(pack.dropLast(5)) + ".idx").split(separator: "\n")
            .map { $0.split(separator: " ").map(String.init) }.filter { $0.count >= 5 && ["commit", "tree", "blob"].contains($0[1]) }
        let bases = Set(entries.compactMap { $0.count == 7 ? $0[6] : nil })
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pack)))
        chmod(pack, 0o644)
        var random = SeededGenerator(seed: 19)
        // Entries no other entry is a delta of, commits among them.
        let candidates = entries.filter { !bases.contains($0[0]) && Int($0[3])! > 4 }
        #expect(candidates.contains { $0[1] == "commit" })
        for entry in candidates.shuffled(using: &random).prefix(12) {
            var damaged = original
            let offset = Int(entry[4])!
            let packedSize = Int(entry[3])!
            damaged[offset + packedSize / 2] ^= 0x5A
            try Data(damaged).write(to: URL(fileURLWithPath: pack))
            let files = try #require(ObjectFiles.open(objectsDirectory: repository.path + "/.git/objects"))
            for (id, _) in objects {
                if id.description == entry[0] {
                    #expect(files.read(id) == nil, "damaged \(entry[1]) \(id) read")
                } else if let object = files.read(id) {
                    #expect(Self.objectID(of: object.bytes, type: object.type) == id, "\(id) read wrong")
                } else {
                    Issue.record("\(id) not read, though its entry is intact")
                }
            }
        }
    }
}
