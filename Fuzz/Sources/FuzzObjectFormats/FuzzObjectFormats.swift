// libFuzzer target: relkit's own readers of git's object formats (GitKit/CommitParsing.swift,
// ObjectFiles.applyDelta, SmallInflater, TreeReader's entries), which read whatever a repository's pack files hold.
// Besides "no crash, no read out of bounds" (AddressSanitizer): a commit the full parser accepts,
// the walk's parser accepts too, with the same parents and date; a delta gives nil or exactly the
// size it announces; a deflate stream SmallInflater decodes, zlib decodes to the same bytes and
// length (raw deflate: no checksum stops a damaged stream before the comparison).
@_spi(FastReaders) import GitKit

let anyID = ObjectID(hex: String(repeating: "ab", count: 20))!
// libFuzzer calls from one thread.
nonisolated(unsafe) let inflater = SmallInflater()
nonisolated(unsafe) let zlib = ZlibInflater()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzObjectFormats(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: count - 1))
    if data[0] & 3 == 3 {
        // A deflate stream (raw when bit 2 is set) and the size it must give, from two bytes.
        guard bytes.count >= 2 else { return 0 }
        let size = Int(bytes[0]) | Int(bytes[1]) << 8
        let stream = Array(bytes.dropFirst(2))
        let raw = data[0] & 4 != 0
        if let decoded = inflater.inflate(stream, size: size, raw: raw) {
            let reference = zlib.inflate(stream, size: size, raw: raw)
            require(reference?.content == decoded.content, "SmallInflater decoded what zlib does not")
            require(reference?.streamLength == decoded.streamLength, "SmallInflater and zlib end the stream in different places")
        }
    } else if data[0] & 1 == 0 {
        // A commit's content.
        let header = CommitHeader(bytes)
        if let commit = CommitInfo(id: anyID, content: bytes) {
            require(header != nil, "the full parser accepts a commit the walk's parser refuses")
            require(header?.parents == commit.parents && header?.date == commit.committer.time, "the two parsers disagree")
        }
    } else if data[0] & 4 != 0 {
        // A tree's content: each entry the reader accepts has a mode that fits libgit2's 16 bits
        // and a name without NUL, and the entries (each at least "0 n\0" and an id) fit the bytes.
        if let entries = TreeReader.entries(of: bytes) {
            for entry in entries {
                require(entry.mode <= 0xFFFF && !entry.name.isEmpty && !entry.name.contains(0), "a tree entry the reader should refuse")
            }
            require(entries.count * 24 <= bytes.count, "the tree reader found more entries than the bytes hold")
        }
    } else {
        // A base and a delta, split where the second byte says.
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % bytes.count
        let base = Array(bytes.dropFirst().prefix(split))
        let delta = Array(bytes.dropFirst(1 + split))
        if let result = ObjectFiles.applyDelta(delta, to: base) {
            var at = 0
            func size() -> Int {
                var value = 0
                var shift = 0
                while at < delta.count {
                    let byte = delta[at]
                    at += 1
                    value |= Int(byte & 0x7F) << shift
                    if byte & 0x80 == 0 { break }
                    shift += 7
                }
                return value
            }
            _ = size()
            require(result.count == size(), "a delta's result is not the size it announces")
        }
    }
    return 0
}

/// A failed property traps with its message (precondition drops messages in optimized builds).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
