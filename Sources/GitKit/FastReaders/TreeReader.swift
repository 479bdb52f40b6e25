internal import SystemLibc

/// Tree differences read straight from the object files: what `Repository.treeChanges` computes
/// with libgit2 (the reference), for the audit's thousands of commits. libgit2 allocates a parsed
/// entry table for every tree it reads and takes a lock shared by every handle of the process for
/// each pack read, so threads that diff trees wait on each other; this reader walks the raw
/// entries of two trees together and makes a value only for an entry that differs, with trees
/// resolved from their delta chains through a cache of bases (each version of a directory is
/// mostly a delta of the previous one).
///
/// It answers only what it reads cleanly (both trees found, of type tree, every entry well
/// formed), else nil, and the caller asks libgit2. Format: git's Documentation/gitformat-index
/// ("tree objects": `<octal mode> <name>\0<20-byte id>`, in git's name order).
@_spi(FastReaders) public final class TreeReader {
    private let files: ObjectFiles

    /// Bases kept per reader (one per repository handle, one handle per thread).
    static let cachedBytes = 1 << 20

    init(files: ObjectFiles) {
        self.files = files
        files.deltaBases = DeltaBaseCache(limit: Self.cachedBytes)
    }

    /// The file-level differences of two trees, as `Repository.treeChanges(from:to:within:)`
    /// gives them; nil when a tree cannot be read here.
    func changes(from old: ObjectID?, to new: ObjectID, within: Set<String>?) -> [TreeChange]? {
        var changes: [TreeChange] = []
        return compare(old, new, prefix: "", within: within, into: &changes) ? changes : nil
    }

    /// The entry at `path` in a tree, as `Repository.entry(inTree:path:)` gives it: `.some(nil)`
    /// when there is none; nil when this reader cannot tell (a tree it cannot read, a path with
    /// an empty component).
    func entry(inTree tree: ObjectID, path: String) -> (id: ObjectID, mode: UInt32)?? {
        let components = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard !components.contains(where: \.isEmpty) else { return nil }
        var current = tree
        for (depth, component) in components.enumerated() {
            guard let bytes = self.tree(current) else { return nil }
            let name = Array(component)
            let found: (id: ObjectID, mode: UInt32, isTree: Bool)?? = bytes.withUnsafeBufferPointer { buffer in
                var at = 0
                while at < buffer.count {
                    guard let (entry, next) = Self.entry(in: buffer, at: at) else { return .none }
                    if entry.nameEnd - entry.nameStart == name.count, memcmp(buffer.baseAddress! + entry.nameStart, name, name.count) == 0 {
                        return .some((ObjectID(UnsafeRawBufferPointer(buffer), at: entry.idStart), entry.normalizedMode, entry.isTree))
                    }
                    at = next
                }
                return .some(nil)
            }
            guard let found else { return nil }
            guard let entry = found else { return .some(nil) }
            if depth == components.count - 1 { return .some((entry.id, entry.mode)) }
            guard entry.isTree else { return .some(nil) }
            current = entry.id
        }
        return nil
    }

    /// The entries of a raw tree as this reader parses them (names and modes as stored), or nil
    /// when it refuses the bytes: for the fuzzer.
    @_spi(FastReaders) public static func entries(of bytes: [UInt8]) -> [(name: [UInt8], mode: UInt32, id: ObjectID)]? {
        bytes.withUnsafeBufferPointer { buffer in
            var entries: [(name: [UInt8], mode: UInt32, id: ObjectID)] = []
            var at = 0
            while at < buffer.count {
                guard let (entry, next) = entry(in: buffer, at: at) else { return nil }
                entries.append((Array(buffer[entry.nameStart..<entry.nameEnd]), entry.mode, ObjectID(UnsafeRawBufferPointer(buffer), at: entry.idStart)))
                at = next
            }
            return entries
        }
    }

    /// The content of a tree; nil when it is not here or not a tree.
    private func tree(_ id: ObjectID) -> [UInt8]? {
        guard let object = files.read(id), object.type == 2 else { return nil }
        return object.bytes
    }

    /// One entry of a raw tree: where its name is, its mode as stored, where its id is.
    struct Entry {
        var nameStart: Int, nameEnd: Int, mode: UInt32, idStart: Int

        /// As libgit2 decides it (`S_ISDIR` of the stored mode): compared as if named with a
        /// trailing "/", and a directory to descend into.
        var isTree: Bool { mode & 0o170000 == 0o040000 }

        /// libgit2's `git_tree_entry_filemode`: the stored mode made one of git's five.
        var normalizedMode: UInt32 {
            if mode & 0o170000 == 0o040000 { return 0o040000 }
            if mode & 0o100 != 0 { return 0o100755 }
            if mode & 0o170000 == 0o160000 { return 0o160000 }
            if mode & 0o170000 == 0o120000 { return 0o120000 }
            return 0o100644
        }
    }

    /// The entry that starts at `at`, and where the next one starts; nil for bytes that are no
    /// entry (libgit2 would refuse the tree: then it is left to say so).
    static func entry(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (Entry, next: Int)? {
        var at = start
        var mode: UInt32 = 0
        while at < bytes.count, bytes[at] != 0x20 {
            let digit = bytes[at] &- 0x30
            guard digit < 8, mode < 0o1000000 else { return nil }
            mode = mode << 3 | UInt32(digit)
            at += 1
        }
        // libgit2 keeps a mode in 16 bits and refuses a tree with a larger one.
        guard at > start, at < bytes.count, mode <= 0xFFFF else { return nil }
        at += 1
        let nameStart = at
        while at < bytes.count, bytes[at] != 0 { at += 1 }
        guard at > nameStart, at + 21 <= bytes.count else { return nil }
        return (Entry(nameStart: nameStart, nameEnd: at, mode: mode, idStart: at + 1), at + 21)
    }

    /// The length of the run of equal bytes of `a` from `i` and `b` from `j`.
    static func commonPrefixLength(_ a: UnsafeBufferPointer<UInt8>, from i: Int, _ b: UnsafeBufferPointer<UInt8>, from j: Int) -> Int {
        let limit = min(a.count - i, b.count - j)
        let one = UnsafeRawPointer(a.baseAddress! + i)
        let other = UnsafeRawPointer(b.baseAddress! + j)
        var length = 0
        while length + 8 <= limit, one.loadUnaligned(fromByteOffset: length, as: UInt64.self) == other.loadUnaligned(fromByteOffset: length, as: UInt64.self) { length += 8 }
        while length < limit, a[i + length] == b[j + length] { length += 1 }
        return length
    }

    /// Where the name of the entry starting at `start` ends (its NUL): the mode and the name hold
    /// none. Nil past the end.
    static func nameEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let found = memchr(bytes.baseAddress! + start, 0, bytes.count - start) else { return nil }
        return UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress!
    }

    /// git's order of tree entries (libgit2's `git_tree_entry_cmp`): names byte by byte, a
    /// tree's as if it ended in "/".
    static func order(_ a: Entry, in one: UnsafeBufferPointer<UInt8>, _ b: Entry, in other: UnsafeBufferPointer<UInt8>) -> Int {
        let lengthA = a.nameEnd - a.nameStart
        let lengthB = b.nameEnd - b.nameStart
        let common = min(lengthA, lengthB)
        let compared = memcmp(one.baseAddress! + a.nameStart, other.baseAddress! + b.nameStart, common)
        if compared != 0 { return Int(compared) }
        let nextA = common < lengthA ? one[a.nameStart + common] : a.isTree ? 0x2F : 0
        let nextB = common < lengthB ? other[b.nameStart + common] : b.isTree ? 0x2F : 0
        return nextA < nextB ? -1 : nextA > nextB ? 1 : 0
    }

    /// `Repository.compareTrees`, over raw entries; false when something cannot be read here.
    private func compare(_ old: ObjectID?, _ new: ObjectID?, prefix: String, within: Set<String>?, into changes: inout [TreeChange]) -> Bool {
        if old == new { return true }
        var oldBytes: [UInt8] = []
        var newBytes: [UInt8] = []
        if let old {
            guard let read = tree(old) else { return false }
            oldBytes = read
        }
        if let new {
            guard let read = tree(new) else { return false }
            newBytes = read
        }
        // Subtrees are compared where they are met, as libgit2's walk does (the same order of changes).
        return oldBytes.withUnsafeBufferPointer { a in
            newBytes.withUnsafeBufferPointer { b in
                func side(_ entry: Entry, _ bytes: UnsafeBufferPointer<UInt8>) -> (id: ObjectID, mode: UInt32) {
                    (ObjectID(UnsafeRawBufferPointer(bytes), at: entry.idStart), entry.normalizedMode)
                }
                func path(_ entry: Entry, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
                    prefix + String(decoding: UnsafeBufferPointer(rebasing: bytes[entry.nameStart..<entry.nameEnd]), as: UTF8.self)
                }
                var i = 0
                var j = 0
                var ea = i < a.count ? Self.entry(in: a, at: i) : nil
                var eb = j < b.count ? Self.entry(in: b, at: j) : nil
                while i < a.count || j < b.count {
                    // Two versions of a directory mostly differ in an entry or two: whole entries
                    // that are the same bytes at the same place are passed over without parsing.
                    if i < a.count && j < b.count && ea != nil && eb != nil {
                        if a.count - i == b.count - j && memcmp(a.baseAddress! + i, b.baseAddress! + j, a.count - i) == 0 { break }
                        let same = Self.commonPrefixLength(a, from: i, b, from: j)
                        if same > 0 {
                            var end = i
                            while let nul = Self.nameEnd(in: a, from: end), nul + 21 <= i + same { end = nul + 21 }
                            if end > i {
                                j += end - i
                                i = end
                                ea = i < a.count ? Self.entry(in: a, at: i) : nil
                                eb = j < b.count ? Self.entry(in: b, at: j) : nil
                                continue
                            }
                        }
                    }
                    if i < a.count && ea == nil { return false }
                    if j < b.count && eb == nil { return false }
                    let order: Int
                    if let ea, let eb { order = Self.order(ea.0, in: a, eb.0, in: b) } else { order = ea == nil ? 1 : -1 }
                    if order == 0, let (entryA, nextA) = ea, let (entryB, nextB) = eb {
                        i = nextA
                        j = nextB
                        ea = i < a.count ? Self.entry(in: a, at: i) : nil
                        eb = j < b.count ? Self.entry(in: b, at: j) : nil
                        if memcmp(a.baseAddress! + entryA.idStart, b.baseAddress! + entryB.idStart, 20) == 0 && entryA.normalizedMode == entryB.normalizedMode { continue }
                        let name = path(entryA, a)
                        if let within, !within.contains(name) { continue }
                        if entryA.isTree && entryB.isTree {
                            guard compare(side(entryA, a).id, side(entryB, b).id, prefix: name + "/", within: within, into: &changes) else { return false }
                        } else {
                            changes.append(TreeChange(path: name, old: side(entryA, a), new: side(entryB, b)))
                        }
                    } else if order < 0, let (entryA, nextA) = ea {
                        i = nextA
                        ea = i < a.count ? Self.entry(in: a, at: i) : nil
                        let name = path(entryA, a)
                        if let within, !within.contains(name) { continue }
                        if entryA.isTree {
                            guard compare(side(entryA, a).id, nil, prefix: name + "/", within: within, into: &changes) else { return false }
                        } else {
                            changes.append(TreeChange(path: name, old: side(entryA, a), new: nil))
                        }
                    } else if let (entryB, nextB) = eb {
                        j = nextB
                        eb = j < b.count ? Self.entry(in: b, at: j) : nil
                        let name = path(entryB, b)
                        if let within, !within.contains(name) { continue }
                        if entryB.isTree {
                            guard compare(nil, side(entryB, b).id, prefix: name + "/", within: within, into: &changes) else { return false }
                        } else {
                            changes.append(TreeChange(path: name, old: nil, new: side(entryB, b)))
                        }
                    }
                }
                return true
            }
        }
    }
}
