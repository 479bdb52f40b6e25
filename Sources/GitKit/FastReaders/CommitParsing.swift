internal import SystemLibc

/// Commits parsed from their raw content (as `ObjectFiles` reads it), for the plain form git
/// writes: `tree`, `parent`s, `author`, `committer` (name, email, date, zone), other headers, a
/// blank line, the message. Anything else (uppercase hex, a missing date or zone, a NUL byte,
/// a line cut short) gives nil and the caller asks libgit2: where these parsers answer, they
/// answer what libgit2 1.5's commit parser does (the differential tests hold them to it).

/// What a walk needs of a commit: its parents and its committer date (libgit2's walks order by
/// the committer's date too).
@_spi(FastReaders) public struct CommitHeader: Equatable, Sendable {
    /// The parents' ids, in the commit's order.
    public let parents: [ObjectID]
    /// The committer date, in seconds since the epoch.
    public let date: Int64

    /// A header as a parser read it (tests build them to compare).
    ///
    /// - Parameters:
    ///   - parents: the parents' ids.
    ///   - date: the committer date, in seconds since the epoch.
    public init(parents: [ObjectID], date: Int64) {
        self.parents = parents
        self.date = date
    }

    /// Read for every commit of a walk (thousands): no string is made, and the tree line is only
    /// checked for its shape, as libgit2's quick parse skips it.
    ///
    /// - Parameter content: the commit object's content, without its header.
    public init?(_ content: [UInt8]) {
        var cursor = CommitCursor(content)
        guard cursor.skipTreeLine() else { return nil }
        var parents: [ObjectID] = []
        while cursor.startsWith("parent ") {
            guard let parent = cursor.objectLine("parent ") else { return nil }
            parents.append(parent)
        }
        guard let author = cursor.line("author "), cursor.signature(author) != nil else { return nil }
        while cursor.startsWith("author ") {
            guard let extra = cursor.line("author "), cursor.signature(extra) != nil else { return nil }
        }
        guard let committer = cursor.line("committer "), let signature = cursor.signature(committer) else { return nil }
        self.parents = parents
        date = signature.time
    }
}

extension CommitInfo {
    /// A commit parsed from its raw content; nil when it is not in the plain form.
    ///
    /// - Parameters:
    ///   - id: the commit's id.
    ///   - content: the commit object's content, without its header.
    @_spi(FastReaders) public init?(id: ObjectID, content: [UInt8]) {
        // libgit2's C strings would stop at a NUL.
        guard content.withUnsafeBytes({ $0.isEmpty || memchr($0.baseAddress!, 0, $0.count) == nil }) else { return nil }
        var cursor = CommitCursor(content)
        guard let tree = cursor.objectLine("tree ") else { return nil }
        var parents: [ObjectID] = []
        while cursor.startsWith("parent ") {
            guard let parent = cursor.objectLine("parent ") else { return nil }
            parents.append(parent)
        }
        // libgit2 keeps the first author line and skips any others.
        guard let authorLine = cursor.line("author "), let author = cursor.identity(authorLine) else { return nil }
        while cursor.startsWith("author ") {
            guard let extra = cursor.line("author "), cursor.identity(extra) != nil else { return nil }
        }
        guard let committerLine = cursor.line("committer "), let committer = cursor.identity(committerLine) else { return nil }
        // Other headers (encoding, gpgsig and its continuation lines, mergetag) up to the blank
        // line; the message is everything after it (empty when there is none).
        let message = cursor.messageAfterHeaders()
        self.init(
            id: id, parents: parents, tree: tree, message: String(decoding: message, as: UTF8.self),
            author: author, committer: committer)
    }
}

/// Reads a commit's lines from the front.
struct CommitCursor {
    let content: [UInt8]
    private(set) var at = 0

    init(_ content: [UInt8]) { self.content = content }

    func startsWith(_ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard at + length <= content.count else { return false }
        let expected = prefix.utf8Start
        for index in 0..<length where content[at + index] != expected[index] { return false }
        return true
    }

    /// The rest of a line that starts with `prefix` (and ends with a newline); moves past it.
    mutating func line(_ prefix: StaticString) -> Range<Int>? {
        guard startsWith(prefix) else { return nil }
        let start = at + prefix.utf8CodeUnitCount
        guard let end = newline(from: start) else { return nil }
        at = end + 1
        return start..<end
    }

    /// Where the first newline at or after `start` is, or nil when there is none.
    private func newline(from start: Int) -> Int? {
        content.withUnsafeBytes { raw -> Int? in
            guard start < raw.count, let found = memchr(raw.baseAddress! + start, 0x0A, raw.count - start) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
    }

    /// "tree " and 40 characters and a newline: the shape libgit2's quick parse checks.
    mutating func skipTreeLine() -> Bool {
        guard startsWith("tree "), at + 46 <= content.count, content[at + 45] == 0x0A else { return false }
        at += 46
        return true
    }

    /// A `tree` or `parent` line: 40 lowercase hexadecimal digits.
    mutating func objectLine(_ prefix: StaticString) -> ObjectID? {
        guard let range = line(prefix), range.count == 40 else { return nil }
        return content.withUnsafeBytes { ObjectID(lowercaseHex: $0.baseAddress! + range.lowerBound) }
    }

    /// "Name <email> 1700000000 +0100", as libgit2's signature parser reads it: the email between
    /// the line's last '<' and last '>'; then the date and the zone. Only the full form: a missing
    /// or odd date or zone is left to libgit2. No strings are made here (see `identity`).
    ///
    /// Read from the end of the line: it must end "> <1 to 18 digits> <+|-><4 digits>", and as
    /// none of that tail is a bracket, its '>' is the line's last; the last '<' is then the first
    /// one before it. (Every commit of a walk has two of these lines.)
    func signature(_ range: Range<Int>) -> (open: Int, close: Int, time: Int64, offset: Int32)? {
        content.withUnsafeBufferPointer { bytes -> (open: Int, close: Int, time: Int64, offset: Int32)? in
            let lower = range.lowerBound
            let end = range.upperBound
            // "<" ">" " " digit " " sign and four digits: ten bytes at least.
            guard end - lower >= 10, bytes[end - 6] == 0x20 else { return nil }
            let sign = bytes[end - 5]
            guard sign == 0x2B || sign == 0x2D else { return nil }
            var zone: Int32 = 0
            for index in (end - 4)..<end {
                let digit = bytes[index] &- 0x30
                guard digit < 10 else { return nil }
                zone = zone &* 10 &+ Int32(digit)
            }
            // The date's digits, back from the zone (a nineteenth means too many).
            var first = end - 6
            while first > lower, end - 6 - first < 19, bytes[first - 1] &- 0x30 < 10 { first -= 1 }
            let digits = end - 6 - first
            guard (1...18).contains(digits), first - 2 > lower, bytes[first - 1] == 0x20, bytes[first - 2] == 0x3E else { return nil }
            let close = first - 2
            var open = close - 1
            while open >= lower, bytes[open] != 0x3C { open -= 1 }
            guard open >= lower else { return nil }
            var time: Int64 = 0
            for index in first..<(end - 6) { time = time &* 10 &+ Int64(bytes[index] &- 0x30) }
            // libgit2 keeps an impossible zone as UTC.
            let hours = zone / 100
            let minutes = zone % 100
            var offset: Int32 = hours <= 14 && minutes <= 59 ? hours * 60 + minutes : 0
            if sign == 0x2D { offset = -offset }
            return (open, close, time, offset)
        }
    }

    /// The signature with its name and email, each trimmed as libgit2 trims them.
    func identity(_ range: Range<Int>) -> Identity? {
        guard let signature = signature(range) else { return nil }
        let name = trimmed(range.lowerBound..<signature.open)
        let email = trimmed((signature.open + 1)..<signature.close)
        return Identity(
            name: String(decoding: content[name], as: UTF8.self), email: String(decoding: content[email], as: UTF8.self),
            time: signature.time, offsetMinutes: signature.offset)
    }

    /// Without the "crud" libgit2 strips from both ends of a name or email: control characters,
    /// space, and , : ; < > " \ ' — and `.` up to libgit2 1.7 (1.8 keeps dots, as git's ident.c
    /// does: libgit2 pull request 6657). The rule of the libgit2 this process runs with is used,
    /// so that these parses equal its own.
    private func trimmed(_ range: Range<Int>) -> Range<Int> {
        let dotIsCrud = LibGit2Version.trimsDotsFromSignatures
        func isCrud(_ byte: UInt8) -> Bool {
            switch byte {
            case 0...0x20, UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: ">"),
                UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"):
                return true
            case UInt8(ascii: "."): return dotIsCrud
            default: return false
            }
        }
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isCrud(content[lower]) { lower += 1 }
        while upper > lower, isCrud(content[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Skips the remaining header lines up to the blank one and returns what follows it.
    mutating func messageAfterHeaders() -> ArraySlice<UInt8> {
        while at < content.count {
            if content[at] == 0x0A { return content[(at + 1)...] }
            guard let end = newline(from: at) else { break }
            at = end + 1
        }
        return []
    }
}
