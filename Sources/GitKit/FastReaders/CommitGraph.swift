/// git's commit-graph (`objects/info/commit-graph`, or a chain of them in
/// `objects/info/commit-graphs/`), read directly: libgit2 1.5 does not use it for merge bases.
/// It gives each commit's parents and generation number (its topological level) without
/// inflating the commit, and, when git wrote it with `--changed-paths`, a Bloom filter of the
/// paths the commit changed against its first parent.
///
/// Format: git's Documentation/gitformat-commit-graph.txt. Read-only, mapped into memory. A file
/// that does not hold together (wrong signature, version or hash, chunks out of bounds) is not
/// used at all; an out-of-range parent position makes that one commit unknown, and callers then
/// read it from the object database. Entries are keyed by commit id, so a graph written before
/// newer commits is still right about the commits it has: it is never stale, only incomplete.
@_spi(FastReaders) public final class CommitGraph: @unchecked Sendable {
    /// One file: the whole graph, or one layer of a chain (base layers first).
    struct Layer {
        let base: UnsafeRawBufferPointer
        /// The mapped file `base` is, unmapped with its last reference; nil when `base` was
        /// allocated (`CommitGraph(bytes:)`).
        let file: MappedFile?
        /// Commits in the layers below this one: positions in this file start there.
        let offset: UInt32
        let count: UInt32
        let fanout: Int, lookup: Int, commitData: Int
        let extraEdges: (start: Int, count: Int)?
        let bloomIndex: Int?
        let bloomData: (start: Int, length: Int)?
        let bloomSettings: BloomSettings?

        /// A big-endian 32-bit value; offsets come from the validated chunk table.
        func word(_ at: Int) -> UInt32 { bigEndianWord(base, at) }
    }

    struct BloomSettings: Equatable {
        let hashVersion: UInt32
        let hashCount: UInt32
    }

    let layers: [Layer]
    /// All commits in the graph.
    public let count: UInt32

    private init(layers: [Layer]) {
        self.layers = layers
        count = layers.last.map { $0.offset + $0.count } ?? 0
    }

    deinit {
        for layer in layers where layer.file == nil { layer.base.deallocate() }
    }

    /// A single-file graph held in memory (the fuzz target and tests feed it any bytes); nil
    /// when the bytes are not a graph that holds together.
    ///
    /// - Parameter bytes: the contents of a commit-graph file.
    public convenience init?(bytes: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        copy.copyBytes(from: bytes)
        let base = UnsafeRawBufferPointer(start: copy.baseAddress, count: bytes.count)
        guard let layer = Layer.parse(base, file: nil, offset: 0, expectedBases: []) else {
            copy.deallocate()
            return nil
        }
        self.init(layers: [layer])
    }

    /// Where git writes a graph: one file, or the list of a chain's layers.
    static func files(objectsDirectory directory: String) -> (single: String, chain: String) {
        (directory + "/info/commit-graph", directory + "/info/commit-graphs/commit-graph-chain")
    }

    /// The graph of an objects directory (`.git/objects`), or nil when there is none or it cannot
    /// be used. git reads `info/commit-graph` first and the chain only without it; so does this.
    ///
    /// - Parameter objectsDirectory: the repository's objects directory.
    /// - Returns: the graph, or nil.
    public static func load(objectsDirectory: String) -> CommitGraph? {
        let directory = objectsDirectory.hasSuffix("/") ? String(objectsDirectory.dropLast()) : objectsDirectory
        let (single, chainFile) = files(objectsDirectory: directory)
        if let single = Layer.map(path: single, offset: 0, expectedBases: []) {
            return CommitGraph(layers: [single])
        }
        guard let chain = FileSystem.readSmallFile(chainFile) else { return nil }
        var layers: [Layer] = []
        var hashes: [[UInt8]] = []
        for line in chain.split(separator: UInt8(ascii: "\n")) {
            guard line.count == 40, let hash = hexBytes(line) else { break }
            let name = String(decoding: line, as: UTF8.self)
            let offset = layers.last.map { $0.offset + $0.count } ?? 0
            // A layer that does not load ends the chain: the layers below it are still right.
            guard let layer = Layer.map(path: directory + "/info/commit-graphs/graph-\(name).graph", offset: offset, expectedBases: hashes)
            else { break }
            layers.append(layer)
            hashes.append(hash)
        }
        return layers.isEmpty ? nil : CommitGraph(layers: layers)
    }

    // MARK: Commits

    /// The global position of a commit, or nil when the graph does not have it.
    ///
    /// - Parameter id: the commit's id.
    /// - Returns: its position, or nil.
    public func position(of id: ObjectID) -> UInt32? {
        let first = Int(id[byte: 0])
        for layer in layers {
            var low = first == 0 ? 0 : Int(layer.word(layer.fanout + 4 * (first - 1)))
            var high = Int(layer.word(layer.fanout + 4 * first))
            // Binary search in this layer's sorted ids, among those with the same first byte.
            while low < high {
                let middle = (low + high) / 2
                let order = id.compare(layer.base, at: layer.lookup + 20 * middle)
                if order == 0 { return layer.offset + UInt32(middle) }
                if order < 0 { high = middle } else { low = middle + 1 }
            }
        }
        return nil
    }

    /// The id of the commit at a global `position` of the graph.
    ///
    /// - Parameter position: a position below the graph's commit count.
    /// - Returns: the commit's id.
    public func id(at position: UInt32) -> ObjectID {
        let (layer, index) = locate(position)
        return ObjectID(layer.base, at: layer.lookup + 20 * index)
    }

    /// Calls `body` with each parent's position, in order, without allocating; false when the
    /// file's data for this commit is out of range.
    func forEachParent(at position: UInt32, _ body: (UInt32) throws -> Void) rethrows -> Bool {
        let (layer, index) = locate(position)
        let record = layer.commitData + 36 * index + 20
        let first = layer.word(record)
        let second = layer.word(record + 4)
        let none: UInt32 = 0x7000_0000
        if first == none { return second == none }
        guard first < count else { return false }
        if second == none {
            try body(first)
            return true
        }
        if second & 0x8000_0000 == 0 {
            guard second < count else { return false }
            try body(first)
            try body(second)
            return true
        }
        return try parents(at: position).map { parents in
            for parent in parents { try body(parent) }
            return true
        } ?? false
    }

    /// The parents' positions, or nil when the file's data for this commit is out of range.
    ///
    /// - Parameter position: the commit's position.
    /// - Returns: its parents' positions, first parent first.
    public func parents(at position: UInt32) -> [UInt32]? {
        let (layer, index) = locate(position)
        let record = layer.commitData + 36 * index + 20
        let first = layer.word(record)
        let second = layer.word(record + 4)
        let none: UInt32 = 0x7000_0000
        var parents: [UInt32] = []
        if first != none {
            guard first < count else { return nil }
            parents.append(first)
        }
        if second == none { return parents }
        guard first != none else { return nil }
        if second & 0x8000_0000 == 0 {
            guard second < count else { return nil }
            parents.append(second)
            return parents
        }
        // An octopus: the second and later parents are in the extra edge list, the last one
        // marked by its top bit.
        guard let edges = layer.extraEdges else { return nil }
        var edge = Int(second & 0x7FFF_FFFF)
        while true {
            guard edge < edges.count else { return nil }
            let value = layer.word(edges.start + 4 * edge)
            let parent = value & 0x7FFF_FFFF
            guard parent < count else { return nil }
            parents.append(parent)
            if value & 0x8000_0000 != 0 { return parents }
            edge += 1
        }
    }

    /// The topological level (generation number v1): 1 for a root, else one more than the highest
    /// of the parents'. 0 when the writer did not compute it (git before 2.19).
    ///
    /// - Parameter position: the commit's position.
    /// - Returns: its generation number.
    public func generation(at position: UInt32) -> UInt32 {
        let (layer, index) = locate(position)
        return layer.word(layer.commitData + 36 * index + 28) >> 2
    }

    /// The commit time, in seconds since the epoch.
    ///
    /// - Parameter position: the commit's position.
    /// - Returns: its commit time.
    public func commitTime(at position: UInt32) -> Int64 {
        let (layer, index) = locate(position)
        let record = layer.commitData + 36 * index + 28
        return Int64(layer.word(record) & 0x3) << 32 | Int64(layer.word(record + 4))
    }

    private func locate(_ position: UInt32) -> (Layer, Int) {
        var layerIndex = layers.count - 1
        while layers[layerIndex].offset > position { layerIndex -= 1 }
        return (layers[layerIndex], Int(position - layers[layerIndex].offset))
    }

    // MARK: Changed-path Bloom filters

    /// Whether some layer of the graph has changed-path filters.
    public var hasChangedPathFilters: Bool { layers.contains { $0.bloomSettings != nil } }

    /// Whether the commit at `position` may have changed `path` against its first parent: false
    /// only when its Bloom filter says certainly not. True when there is no filter, when the filter
    /// is "too many changes", and for false positives (about 1 in 100 with git's settings).
    ///
    /// - Parameters:
    ///   - position: the commit's position.
    ///   - key: the path's hashes.
    /// - Returns: false only when the filter rules the path out.
    public func mayHaveChanged(at position: UInt32, _ key: ChangedPathKey) -> Bool {
        let (layer, index) = locate(position)
        guard let settings = layer.bloomSettings, let bloomIndex = layer.bloomIndex, let data = layer.bloomData else { return true }
        let end = Int(layer.word(bloomIndex + 4 * index))
        let start = index == 0 ? 0 : Int(layer.word(bloomIndex + 4 * (index - 1)))
        guard start <= end, end <= data.length else { return true }
        let length = end - start
        if length == 0 { return true }
        guard let (first, second) = key.hashes(version: settings.hashVersion) else { return true }
        let bits = UInt64(length) * 8
        for i in 0..<settings.hashCount {
            let hash = UInt64(first &+ i &* second) % bits
            if layer.base[data.start + start + Int(hash / 8)] & (1 << (hash % 8)) == 0 { return false }
        }
        return true
    }
}

/// One commit's changed-path filter (`Repository.changedPathFilter(of:)`).
@_spi(FastReaders) public struct ChangedPathFilter: Sendable {
    let graph: CommitGraph
    let position: UInt32

    /// False only when the commit certainly did not change `key`'s path against its first parent.
    ///
    /// - Parameter key: the path's hashes.
    /// - Returns: false only when the filter rules the path out.
    public func mayHaveChanged(_ key: ChangedPathKey) -> Bool { graph.mayHaveChanged(at: position, key) }
}

/// A path's two base hashes for changed-path Bloom filters (murmur3, git's seeds), computed once
/// and tested against many commits' filters.
@_spi(FastReaders) public struct ChangedPathKey: Sendable {
    /// The path, relative to the repository's root, without a leading slash.
    public let path: String
    let version2: (UInt32, UInt32)
    /// git before 2.44 wrote "version 1" filters whose hash sign-extends bytes >= 0x80 in a path's
    /// last 1 to 3 bytes on platforms where `char` is signed, and not where it is unsigned: for
    /// such paths a version 1 filter cannot be trusted, and the answer is "maybe".
    let version1: (UInt32, UInt32)?

    /// Computes the path's hashes once, for the filters of every layer.
    /// - Parameter path: a path relative to the repository's root.
    public init(_ path: String) {
        self.path = path
        let bytes = Array(path.utf8)
        version2 = (murmur3(bytes, seed: 0x293A_E76F), murmur3(bytes, seed: 0x7E64_6E2C))
        version1 = bytes.contains { $0 >= 0x80 } ? nil : version2
    }

    func hashes(version: UInt32) -> (UInt32, UInt32)? {
        switch version {
        case 1: return version1
        case 2: return version2
        default: return nil
        }
    }
}

/// 32-bit murmur3 over bytes (unsigned), as git's `murmur3_seeded_v2`.
func murmur3(_ data: [UInt8], seed: UInt32) -> UInt32 {
    let c1: UInt32 = 0xCC9E_2D51
    let c2: UInt32 = 0x1B87_3593
    func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value << count | value >> (32 - count) }
    var hash = seed
    let blocks = data.count / 4
    for block in 0..<blocks {
        var k = UInt32(data[4 * block]) | UInt32(data[4 * block + 1]) << 8 | UInt32(data[4 * block + 2]) << 16 | UInt32(data[4 * block + 3]) << 24
        k = rotate(k &* c1, 15) &* c2
        hash ^= k
        hash = rotate(hash, 13) &* 5 &+ 0xE654_6B64
    }
    var k: UInt32 = 0
    let tail = 4 * blocks
    switch data.count & 3 {
    case 3:
        k ^= UInt32(data[tail + 2]) << 16
        fallthrough
    case 2:
        k ^= UInt32(data[tail + 1]) << 8
        fallthrough
    case 1:
        k ^= UInt32(data[tail])
        hash ^= rotate(k &* c1, 15) &* c2
    default:
        break
    }
    hash ^= UInt32(truncatingIfNeeded: data.count)
    hash ^= hash >> 16
    hash = hash &* 0x85EB_CA6B
    hash ^= hash >> 13
    hash = hash &* 0xC2B2_AE35
    hash ^= hash >> 16
    return hash
}

extension CommitGraph.Layer {
    /// Maps one file and checks that it holds together; nil when it does not.
    static func map(path: String, offset: UInt32, expectedBases: [[UInt8]]) -> CommitGraph.Layer? {
        guard let file = MappedFile(path: path), file.bytes.count >= 8 + 12 + 20 else { return nil }
        return parse(file.bytes, file: file, offset: offset, expectedBases: expectedBases)
    }

    /// The header and chunk table: signature "CGPH", version 1, SHA-1, chunks inside the file.
    static func parse(_ base: UnsafeRawBufferPointer, file: MappedFile?, offset: UInt32, expectedBases: [[UInt8]]) -> CommitGraph.Layer? {
        func word(_ at: Int) -> UInt32 { bigEndianWord(base, at) }
        let size = base.count
        guard size >= 8 + 12 + 20, word(0) == 0x4347_5048, base[4] == 1, base[5] == 1 else { return nil }
        let chunkCount = Int(base[6])
        let baseCount = Int(base[7])
        guard baseCount == expectedBases.count, 8 + 12 * (chunkCount + 1) <= size - 20 else { return nil }
        var chunks: [UInt32: (start: Int, length: Int)] = [:]
        for index in 0..<chunkCount {
            let entry = 8 + 12 * index
            let id = word(entry)
            let start = Int(word(entry + 4)) << 32 | Int(word(entry + 8))
            let end = Int(word(entry + 16)) << 32 | Int(word(entry + 20))
            guard id != 0, start >= 8 + 12 * (chunkCount + 1), start <= end, end <= size - 20, chunks[id] == nil else { return nil }
            chunks[id] = (start, end - start)
        }
        guard let fanout = chunks[0x4F49_4446], fanout.length == 1024, // OIDF
            let lookup = chunks[0x4F49_444C], // OIDL
            let commitData = chunks[0x4344_4154] // CDAT
        else { return nil }
        var previous: UInt32 = 0
        for index in 0..<256 {
            let value = word(fanout.start + 4 * index)
            guard value >= previous else { return nil }
            previous = value
        }
        let count = previous
        guard lookup.length == 20 * Int(count), commitData.length == 36 * Int(count), UInt64(offset) + UInt64(count) < 0x7000_0000 else { return nil }
        if baseCount > 0 {
            guard let bases = chunks[0x4241_5345], bases.length == 20 * baseCount else { return nil } // BASE
            for (index, hash) in expectedBases.enumerated() where !hash.elementsEqual(base[(bases.start + 20 * index)..<(bases.start + 20 * index + 20)]) {
                return nil
            }
        }
        let extraEdges = chunks[0x4544_4745].flatMap { $0.length % 4 == 0 ? ($0.start, $0.length / 4) : nil } // EDGE
        var bloomIndex: Int?
        var bloomData: (Int, Int)?
        var bloomSettings: CommitGraph.BloomSettings?
        if let index = chunks[0x4249_4458], index.length == 4 * Int(count), // BIDX
            let data = chunks[0x4244_4154], data.length >= 12
        { // BDAT
            let settings = CommitGraph.BloomSettings(hashVersion: word(data.start), hashCount: word(data.start + 4))
            if (1...2).contains(settings.hashVersion), (1...32).contains(settings.hashCount) {
                bloomIndex = index.start
                bloomData = (data.start + 12, data.length - 12)
                bloomSettings = settings
            }
        }
        return CommitGraph.Layer(
            base: base, file: file, offset: offset, count: count, fanout: fanout.start,
            lookup: lookup.start, commitData: commitData.start, extraEdges: extraEdges,
            bloomIndex: bloomIndex, bloomData: bloomData, bloomSettings: bloomSettings)
    }
}

/// The big-endian 32-bit value at `offset` (git's binary files are all big-endian).
func bigEndianWord(_ base: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
}

private func hexBytes(_ text: ArraySlice<UInt8>) -> [UInt8]? {
    func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        guard let high = value(text[index]), let low = value(text[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
        index += 2
    }
    return bytes
}
