internal import Clibgit2
internal import SystemLibc

/// Commit and tree objects read straight from the object database's files: pack files (through
/// their version 2 indexes) and loose objects. It serves the walks that read thousands of commits
/// for their parents and dates, where libgit2 1.5 spends 6-7 µs a commit (a fresh zlib stream and
/// a cache entry each), and `TreeReader`'s tree differences (with a cache of delta bases). This reader inflates commits with `SmallInflater` (zlib for what it leaves)
/// and finds them in the pack index by interpolation.
///
/// It answers only what it can read cleanly, and nil otherwise (an object it cannot find, a pack
/// it does not know, an alternates file, a delta chain too deep, data that does not hold
/// together): the caller then asks libgit2, which decides. Formats: git's
/// Documentation/gitformat-pack.txt.
@_spi(FastReaders) public final class ObjectFiles {
    /// A pack and its index, mapped into memory.
    struct Pack {
        let index: MappedFile, data: MappedFile
        let count: Int
        /// Offsets of the index's tables.
        let names: Int, offsets: Int, largeOffsets: Int, largeOffsetCount: Int

        func fanout(_ byte: Int) -> Int { Int(index.word(8 + 4 * byte)) }

        /// Where the object with this id is in the pack, and the CRC-32 the index keeps of its
        /// packed bytes; nil when the pack does not have it.
        func entry(of id: ObjectID) -> (offset: Int, crc: UInt32)? {
            let first = Int(id[byte: 0])
            var low = first == 0 ? 0 : fanout(first - 1)
            var high = min(fanout(first), count)
            guard low <= high else { return nil }
            // Ids are evenly spread hashes: the position of an id among those of its first byte
            // is close to where its next bytes say (interpolation), two or three probes near each
            // other instead of a binary search's nine across the bucket, each a cache miss when
            // a walk looks up thousands of ids once. The bytes after the first, as a number:
            let key = id.bytesAfterFirst
            var lowKey: UInt64 = 0
            var highKey: UInt64 = .max
            for _ in 0..<4 where high - low > 8 && lowKey < highKey && (lowKey...highKey).contains(key) {
                let fraction = Double(key - lowKey) / Double(highKey - lowKey)
                let probe = min(high - 1, low + Int(fraction * Double(high - low)))
                let order = id.compare(index.bytes, at: names + 20 * probe)
                if order == 0 { return entryOffset(probe).map { ($0, index.word(names + 20 * count + 4 * probe)) } }
                let probeKey = ObjectID(index.bytes, at: names + 20 * probe).bytesAfterFirst
                if order < 0 {
                    high = probe
                    highKey = probeKey
                } else {
                    low = probe + 1
                    lowKey = probeKey
                }
            }
            while low < high {
                let middle = (low + high) / 2
                let order = id.compare(index.bytes, at: names + 20 * middle)
                if order == 0 { return entryOffset(middle).map { ($0, index.word(names + 20 * count + 4 * middle)) } }
                if order < 0 { high = middle } else { low = middle + 1 }
            }
            return nil
        }

        private func entryOffset(_ entry: Int) -> Int? {
            let small = index.word(offsets + 4 * entry)
            if small & 0x8000_0000 == 0 { return Int(small) }
            let large = Int(small & 0x7FFF_FFFF)
            guard large < largeOffsetCount else { return nil }
            let at = largeOffsets + 8 * large
            let value = UInt64(index.word(at)) << 32 | UInt64(index.word(at + 4))
            return value < UInt64(data.bytes.count) ? Int(value) : nil
        }

        /// The index (version 2: magic, fanout, names, CRCs, offsets, large offsets, two
        /// checksums) and the pack header ("PACK", version 2 or 3, the same object count).
        static func open(indexPath: String, packPath: String) -> Pack? {
            guard let index = MappedFile.shared(path: indexPath), let data = MappedFile.shared(path: packPath) else { return nil }
            let bytes = index.bytes
            guard bytes.count >= 8 + 1024 + 40, index.word(0) == 0xFF74_4F63, index.word(4) == 2 else { return nil }
            let count = Int(index.word(8 + 4 * 255))
            let names = 8 + 1024
            let offsets = names + 24 * count
            let largeOffsets = offsets + 4 * count
            let rest = bytes.count - largeOffsets - 40
            guard rest >= 0, rest % 8 == 0 else { return nil }
            guard data.bytes.count >= 12 + 20, data.word(0) == 0x5041_434B, [2, 3].contains(data.word(4)), Int(data.word(8)) == count else { return nil }
            return Pack(index: index, data: data, count: count, names: names, offsets: offsets, largeOffsets: largeOffsets, largeOffsetCount: rest / 8)
        }
    }

    /// What an object read gives: its type (git's numbers: 1 commit, 2 tree, 3 blob, 4 tag) and content.
    struct Object {
        let type: Int
        let bytes: [UInt8]
    }

    /// Objects larger than this are left to libgit2 (commits are a few hundred bytes).
    static let sizeLimit = 1 << 20
    /// Longer delta chains are left to libgit2 (git's default depth is 50).
    static let chainLimit = 64

    private let objectsDirectory: String
    private var packs: [Pack]
    /// Objects resolved from deltas, kept for the next delta that names them as its base; nil
    /// (the default) keeps none. Commits are read once each and need none; trees are read again
    /// and again, each version a delta of the one before (up to 50 deep), where without it
    /// every read would resolve the whole chain.
    var deltaBases: DeltaBaseCache?
    /// The pack that had the last object found: consecutive reads mostly hit the same one.
    /// (This and `lastStreamLength` are `@exclusivity(unchecked)`: one thread reads through an
    /// ObjectFiles, and the runtime's checks cost more than the reads of a small commit.)
    @exclusivity(unchecked) private var lastPack = 0
    private let zlib = ZlibInflater()
    /// Streams up to this size (commits, most trees) go to `SmallInflater` first.
    static let smallStreamLimit = 1 << 16
    private let smallInflater = SmallInflater()
    /// `RELKIT_SMALL_INFLATER=0`: zlib inflates every stream (the reference; benchmarks compare).
    static let usesSmallInflater = environmentValue("RELKIT_SMALL_INFLATER") != "0"
    /// The input length of the stream `inflate` last inflated.
    @exclusivity(unchecked) private var lastStreamLength = 0

    private init(objectsDirectory: String, packs: [Pack]) {
        self.objectsDirectory = objectsDirectory
        self.packs = packs
    }

    /// The reader of an objects directory, or nil when it has objects elsewhere too (alternates)
    /// or a pack index this reader does not know: then every read goes to libgit2.
    static func open(objectsDirectory: String) -> ObjectFiles? {
        let directory = objectsDirectory.hasSuffix("/") ? String(objectsDirectory.dropLast()) : objectsDirectory
        if access(directory + "/info/alternates", F_OK) == 0 { return nil }
        var packs: [Pack] = []
        for name in FileSystem.directoryEntries(directory + "/pack") {
            guard name.hasPrefix("pack-"), name.hasSuffix(".idx") else { continue }
            let stem = directory + "/pack/" + name.dropLast(4)
            // An index without its pack is a pack being written or removed: not there yet.
            guard access(stem + ".pack", F_OK) == 0 else { continue }
            guard let pack = Pack.open(indexPath: stem + ".idx", packPath: stem + ".pack") else { return nil }
            packs.append(pack)
        }
        return ObjectFiles(objectsDirectory: directory, packs: packs)
    }

    /// An object's type and content, or nil when this reader cannot give it.
    func read(_ id: ObjectID) -> Object? { read(id, depth: 0) }

    /// A commit's parents and date, and its content; nil when this reader cannot give them (or
    /// the object is no commit in the plain form `CommitHeader` reads).
    func readCommit(_ id: ObjectID) -> (header: CommitHeader, content: [UInt8])? {
        guard let object = read(id), object.type == 1, let header = CommitHeader(object.bytes) else { return nil }
        return (header, object.bytes)
    }

    /// `depth`: deltas resolved so far on the way here (a chain of deltas naming their bases by
    /// id could otherwise go round for ever in a broken pack).
    private func read(_ id: ObjectID, depth: Int) -> Object? {
        for step in 0..<packs.count {
            let number = (lastPack + step) % packs.count
            if let entry = packs[number].entry(of: id) {
                lastPack = number
                return readPacked(packs[number], number: number, at: entry.offset, depth: depth, crc: entry.crc)
            }
        }
        return readLoose(id)
    }

    // MARK: Packed objects

    /// The object at `offset`. With `crc` (an object found through the index, not a delta's base
    /// found by offset), its packed bytes are checked against the index's CRC-32 too: neither git
    /// nor libgit2 checks them when reading, but it costs little, and a damaged pack then gives
    /// nothing here rather than a wrong object.
    private func readPacked(_ pack: Pack, number: Int, at offset: Int, depth: Int, crc: UInt32? = nil) -> Object? {
        guard depth < Self.chainLimit else { return nil }
        let key = number << 44 | offset
        if let deltaBases, let known = deltaBases.object(at: key) { return known }
        let bytes = pack.data.bytes
        let end = bytes.count - 20 // the pack's checksum
        var at = offset
        guard at >= 12, at < end else { return nil }
        // Type and size: 3 bits and 4, then 7 bits a byte while the high bit is set.
        var byte = bytes[at]
        at += 1
        let type = Int(byte >> 4) & 7
        var size = Int(byte & 0x0F)
        var shift = 4
        while byte & 0x80 != 0 {
            guard at < end, shift < 32 else { return nil }
            byte = bytes[at]
            at += 1
            size |= Int(byte & 0x7F) << shift
            shift += 7
        }
        guard size <= Self.sizeLimit else { return nil }
        switch type {
        case 1...4:
            guard let content = inflate(bytes, from: at, to: end, size: size), packedBytesMatch(bytes, offset, at, crc) else { return nil }
            let object = Object(type: type, bytes: content)
            if depth > 0 { deltaBases?.keep(object, at: key) }
            return object
        case 6:
            // OFS_DELTA: the base is this many bytes before, in a big-endian varint where each
            // continuation adds one (so that every length has its own range).
            guard at < end else { return nil }
            byte = bytes[at]
            at += 1
            var distance = Int(byte & 0x7F)
            while byte & 0x80 != 0 {
                guard at < end, distance < 1 << 48 else { return nil }
                byte = bytes[at]
                at += 1
                distance = ((distance + 1) << 7) | Int(byte & 0x7F)
            }
            guard distance > 0, distance < offset,
                let base = readPacked(pack, number: number, at: offset - distance, depth: depth + 1),
                let delta = inflate(bytes, from: at, to: end, size: size), packedBytesMatch(bytes, offset, at, crc),
                let content = Self.applyDelta(delta, to: base.bytes)
            else { return nil }
            let object = Object(type: base.type, bytes: content)
            deltaBases?.keep(object, at: key)
            return object
        case 7:
            // REF_DELTA: the base is named by its id (in this pack or elsewhere).
            guard at + 20 <= end else { return nil }
            let baseID = ObjectID(bytes, at: at)
            guard let base = read(baseID, depth: depth + 1), let delta = inflate(bytes, from: at + 20, to: end, size: size),
                packedBytesMatch(bytes, offset, at + 20, crc), let content = Self.applyDelta(delta, to: base.bytes)
            else { return nil }
            let object = Object(type: base.type, bytes: content)
            deltaBases?.keep(object, at: key)
            return object
        default:
            return nil
        }
    }

    /// Whether the entry from `offset` to the end of the stream just inflated (which began at
    /// `dataStart`) has the CRC-32 the index gives; true when there is none to check.
    private func packedBytesMatch(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ dataStart: Int, _ expected: UInt32?) -> Bool {
        guard let expected else { return true }
        let length = dataStart - offset + lastStreamLength
        let start = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset
        return UInt32(truncatingIfNeeded: crc32(0, start, UInt32(length))) == expected
    }

    /// Inflates one zlib stream starting at `start`, which must give exactly `size` bytes; its
    /// length is then in `lastStreamLength`.
    private func inflate(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, size: Int) -> [UInt8]? {
        guard start < end else { return nil }
        let input = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + start
        let small = size <= Self.smallStreamLimit && Self.usesSmallInflater ? smallInflater.inflate(input, available: end - start, size: size) : nil
        guard let (content, length) = small ?? zlib.inflate(input, available: end - start, size: size) else { return nil }
        lastStreamLength = length
        return content
    }

    /// git's delta format: the base's size and the result's, then instructions that copy a range
    /// of the base or insert the bytes that follow. Nil for a delta that does not fit its base.
    ///
    /// - Parameters:
    ///   - delta: the delta's bytes.
    ///   - base: the object it applies to.
    /// - Returns: the result, or nil when the delta does not fit its base.
    public static func applyDelta(_ delta: [UInt8], to base: [UInt8]) -> [UInt8]? {
        var at = 0
        func size() -> Int? {
            var value = 0
            var shift = 0
            while at < delta.count {
                let byte = delta[at]
                at += 1
                value |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
                if shift > 35 { return nil }
            }
            return nil
        }
        guard let baseSize = size(), baseSize == base.count, let resultSize = size(), resultSize <= sizeLimit else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(resultSize)
        while at < delta.count {
            let instruction = delta[at]
            at += 1
            if instruction & 0x80 != 0 {
                var offset = 0
                var length = 0
                for bit in 0..<4 where instruction & (1 << bit) != 0 {
                    guard at < delta.count else { return nil }
                    offset |= Int(delta[at]) << (8 * bit)
                    at += 1
                }
                for bit in 0..<3 where instruction & (0x10 << bit) != 0 {
                    guard at < delta.count else { return nil }
                    length |= Int(delta[at]) << (8 * bit)
                    at += 1
                }
                if length == 0 { length = 0x10000 }
                guard offset + length <= base.count, result.count + length <= resultSize else { return nil }
                result.append(contentsOf: base[offset..<offset + length])
            } else if instruction != 0 {
                let length = Int(instruction)
                guard at + length <= delta.count, result.count + length <= resultSize else { return nil }
                result.append(contentsOf: delta[at..<at + length])
                at += length
            } else {
                return nil // reserved
            }
        }
        return result.count == resultSize ? result : nil
    }

    // MARK: Loose objects

    /// `objects/xx/yyyy…`: one zlib stream of "<type> <size>\0<content>". The header is
    /// inflated first, then the content into a buffer of the size it announces.
    private func readLoose(_ id: ObjectID) -> Object? {
        let hex = id.description
        guard let file = MappedFile(path: objectsDirectory + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)), zlib.reset() else { return nil }
        let input = file.bytes
        zlib.stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self))
        zlib.stream.avail_in = UInt32(min(input.count, Int(UInt32.max)))
        // "commit 1048576\0" is 15 bytes; 32 leaves room and may hold the start of the content.
        var head = [UInt8](repeating: 0, count: 32)
        let first: Int32 = head.withUnsafeMutableBytes { buffer in
            zlib.stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            zlib.stream.avail_out = UInt32(buffer.count)
            return Clibgit2.inflate(&zlib.stream, Z_SYNC_FLUSH)
        }
        guard first == Z_OK || first == Z_STREAM_END else { return nil }
        head.removeSubrange(Int(zlib.stream.total_out)...)
        guard let space = head.firstIndex(of: 0x20), let nul = head.firstIndex(of: 0), space < nul else { return nil }
        let types: [String: Int] = ["commit": 1, "tree": 2, "blob": 3, "tag": 4]
        guard let type = types[String(decoding: head[..<space], as: UTF8.self)],
            let size = Int(String(decoding: head[(space + 1)..<nul], as: UTF8.self)), size <= Self.sizeLimit
        else { return nil }
        let already = Array(head[(nul + 1)...])
        guard already.count <= size else { return nil }
        var content = [UInt8](repeating: 0, count: size + 1)
        content.replaceSubrange(0..<already.count, with: already)
        var status = first
        if status != Z_STREAM_END {
            status = content.withUnsafeMutableBytes { buffer in
                zlib.stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + already.count
                zlib.stream.avail_out = UInt32(buffer.count - already.count)
                return Clibgit2.inflate(&zlib.stream, Z_FINISH)
            }
        }
        // The spare byte must stay unused: the object is exactly as long as it says.
        guard status == Z_STREAM_END, Int(zlib.stream.total_out) == nul + 1 + size else { return nil }
        content.removeLast()
        return Object(type: type, bytes: content)
    }
}

/// Objects resolved from a pack, by their place in it (the pack's number and the offset), up to a
/// number of bytes: the oldest go first. Kept for deltas whose base they are.
final class DeltaBaseCache {
    private var objects: [Int: ObjectFiles.Object] = [:]
    /// Keys in the order they came; `first` is the oldest still kept.
    private var order: [Int] = []
    private var first = 0
    private var size = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func object(at key: Int) -> ObjectFiles.Object? { objects[key] }

    func keep(_ object: ObjectFiles.Object, at key: Int) {
        guard object.bytes.count <= limit / 4, objects.updateValue(object, forKey: key) == nil else { return }
        order.append(key)
        size += object.bytes.count
        while size > limit, first < order.count {
            if let gone = objects.removeValue(forKey: order[first]) { size -= gone.bytes.count }
            first += 1
        }
        if first > 4096, first * 2 > order.count {
            order.removeFirst(first)
            first = 0
        }
    }
}

/// A file mapped read-only into memory, unmapped with its last reference.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else { return nil }
        let length = Int(status.st_size)
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: address, count: length)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }

    /// The mapping of a file that does not change (a pack or its index), one for the whole
    /// process while anything holds it: each thread's reader maps the same packs, and every
    /// mapping of a page counts again in the process's resident memory.
    static func shared(path: String) -> MappedFile? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        // A file replaced under the same name (a repack) is another file.
        let key = "\(status.st_dev) \(status.st_ino) \(status.st_size) \(path)"
        pthread_mutex_lock(sharedLock)
        defer { pthread_mutex_unlock(sharedLock) }
        if let known = sharedFiles[key]?.file { return known }
        guard let file = MappedFile(path: path) else { return nil }
        sharedFiles = sharedFiles.filter { $0.value.file != nil }
        sharedFiles[key] = WeakFile(file)
        return file
    }

    private final class WeakFile {
        weak var file: MappedFile?
        init(_ file: MappedFile) { self.file = file }
    }
    private nonisolated(unsafe) static var sharedFiles: [String: WeakFile] = [:]
    private nonisolated(unsafe) static let sharedLock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        return lock
    }()

    /// A big-endian 32-bit value at `offset` (the caller checked the bounds).
    func word(_ offset: Int) -> UInt32 { bigEndianWord(bytes, offset) }
}

extension Repository {
    /// Commits read in full on a thread of their own (a second libgit2 handle would be opened for
    /// it otherwise): straight from the object files, each parsed as libgit2 parses it; the few
    /// the reader cannot give (not plain, unreadable) through a libgit2 handle opened for them.
    ///
    /// - Parameters:
    ///   - ids: the commits to read.
    ///   - gitDirectory: the repository's git directory.
    ///   - commonDirectory: its common directory (a worktree's main one).
    /// - Returns: the commits, in the order of `ids`.
    /// - Throws: `GitError` naming the failed call.
    public static func readCommits(_ ids: [ObjectID], gitDirectory: String, commonDirectory: String) throws(GitError) -> [CommitInfo] {
        let files = environmentValue("RELKIT_OBJECT_FILES") == "0" ? nil : ObjectFiles.open(objectsDirectory: commonDirectory + "objects")
        var handle: Repository?
        var commits: [CommitInfo] = []
        commits.reserveCapacity(ids.count)
        for id in ids {
            if let object = files?.read(id), object.type == 1, let commit = CommitInfo(id: id, content: object.bytes) {
                commits.append(commit)
                continue
            }
            if handle == nil { handle = try Repository.open(at: gitDirectory) }
            commits.append(try handle!.commit(id))
        }
        return commits
    }
}
