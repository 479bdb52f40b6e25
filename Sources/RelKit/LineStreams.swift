#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import RelKitCore

/// Reads a file descriptor line by line without holding the whole input: each line is handed
/// over as bytes, without its `\n` or `\r\n`.
public struct LineReader {
    public let fileDescriptor: Int32

    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    /// Calls `body` with each line and its 1-based number. A final line without `\n` counts.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        let chunkSize = 1 << 16
        var pending: [UInt8] = []
        pending.reserveCapacity(chunkSize * 2)
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var lineNumber = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw LineStreamError(message: "cannot read the input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            pending.append(contentsOf: chunk[0..<count])
            var consumed = 0
            try pending.withUnsafeBufferPointer { buffer in
                var lineStart = 0
                while let newline = Self.indexOfNewline(buffer, from: lineStart) {
                    lineNumber += 1
                    try body(Self.line(buffer, lineStart, newline), lineNumber)
                    lineStart = newline + 1
                }
                consumed = lineStart
            }
            pending.removeFirst(consumed)
        }
        if !pending.isEmpty {
            lineNumber += 1
            try pending.withUnsafeBufferPointer { try body(Self.line($0, 0, $0.count), lineNumber) }
        }
    }

    /// Every line as a `String` (invalid UTF-8 repaired, and described in `notUTF8`), for inputs
    /// that are read whole anyway.
    public func lines() throws -> [(text: String, notUTF8: String?)] {
        var result: [(text: String, notUTF8: String?)] = []
        try forEachLine { bytes, _ in
            let invalid = UTF8Check.firstInvalidOffset(in: bytes).map { UTF8Check.describe(bytes, invalidAt: $0) }
            result.append((String(decoding: bytes, as: UTF8.self), invalid))
        }
        return result
    }

    private static func line(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        var stop = end
        if stop > start && buffer[stop - 1] == 0x0D { stop -= 1 }
        return UnsafeBufferPointer(rebasing: buffer[start..<stop])
    }

    private static func indexOfNewline(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress,
              let found = memchr(base + start, 0x0A, buffer.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}

/// Reads a file descriptor in blocks of whole lines: each block ends with a `\n`, except the last
/// one when the input does not; a line longer than a block makes its block longer.
struct BlockReader {
    let fileDescriptor: Int32
    let blockSize: Int
    private var carried: [UInt8] = []
    private var ended = false

    init(fileDescriptor: Int32, blockSize: Int) {
        self.fileDescriptor = fileDescriptor
        self.blockSize = blockSize
    }

    /// The next block, or nil at the end of the input.
    mutating func next() throws -> [UInt8]? {
        var block = carried
        carried = []
        var filled = block.count
        var wanted = max(blockSize, filled * 2)
        block += repeatElement(0, count: wanted - filled)
        while true {
            while filled < wanted && !ended {
                let count = block.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress! + filled, wanted - filled) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw LineStreamError(message: "cannot read the input: \(String(cString: strerror(errno)))")
                }
                if count == 0 { ended = true } else { filled += count }
            }
            if ended {
                block.removeSubrange(filled...)
                return block.isEmpty ? nil : block
            }
            if let newline = block[..<filled].lastIndex(of: 0x0A) {
                carried = Array(block[(newline + 1)..<filled])
                block.removeSubrange((newline + 1)...)
                return block
            }
            // One line longer than the block: read on.
            block += repeatElement(0, count: wanted)
            wanted *= 2
        }
    }
}

public struct LineStreamError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Buffered writes to a file descriptor, into memory it owns (no array bookkeeping per write).
public final class OutputBuffer {
    public let fileDescriptor: Int32
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private let flushThreshold = 1 << 16

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        capacity = flushThreshold * 2
        storage = .allocate(capacity: capacity)
    }

    deinit {
        flush()
        storage.deallocate()
    }

    /// Room for `size` more bytes; write them there, then `commit` how many were written.
    @inline(__always)
    public func reserve(_ size: Int) -> UnsafeMutablePointer<UInt8> {
        if count + size > capacity {
            flush()
            if size > capacity {
                storage.deallocate()
                capacity = size
                storage = .allocate(capacity: capacity)
            }
        }
        return storage + count
    }

    @inline(__always)
    public func commit(_ written: Int) {
        count += written
        if count >= flushThreshold { flush() }
    }

    /// Bytes of any length: copied in pieces no larger than the buffer.
    public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard var source = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let piece = min(remaining, flushThreshold)
            reserve(piece).update(from: source, count: piece)
            commit(piece)
            source += piece
            remaining -= piece
        }
    }

    public func append(_ string: String) {
        var copy = string
        copy.withUTF8 { bytes in
            let destination = reserve(bytes.count)
            if let base = bytes.baseAddress { destination.update(from: base, count: bytes.count) }
            commit(bytes.count)
        }
    }

    public func flush() {
        var offset = 0
        while offset < count {
            let written = write(fileDescriptor, storage + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                break
            }
            offset += written
        }
        count = 0
    }
}

/// Standard output and standard error, both buffered (a write system call per 64 KiB, not per
/// line). When both go to the same file (a terminal, `2>&1`), error lines are written through the
/// output's buffer, so that the two keep the order they were written in. `flush()` before exit
/// and before anything that waits for the user.
public final class StandardStreams {
    public let output: OutputBuffer
    public let errors: OutputBuffer

    public init(output outputDescriptor: Int32 = 1, errors errorDescriptor: Int32 = 2) {
        output = OutputBuffer(fileDescriptor: outputDescriptor)
        errors = Self.sameFile(outputDescriptor, errorDescriptor) ? output : OutputBuffer(fileDescriptor: errorDescriptor)
    }

    deinit { flush() }

    public func out(_ line: String) { output.append(line + "\n") }
    public func error(_ line: String) { errors.append(line + "\n") }

    public func flush() {
        output.flush()
        if errors !== output { errors.flush() }
    }

    static func sameFile(_ one: Int32, _ two: Int32) -> Bool {
        var first = stat(), second = stat()
        guard fstat(one, &first) == 0, fstat(two, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}

/// `relkit version normalize -`: PEP 440 normal forms of a stream of versions, one a line.
public enum StreamNormalizer {
    /// Lines are normalized in blocks of about this many bytes, one block per core at a time,
    /// and printed in input order: the per-line work (a parse and a write, ~150 ns) is what a
    /// stream of versions costs, and it spreads over the cores. Memory stays a few blocks.
    public static let blockSize = 1 << 19

    /// A block's normal forms, and its invalid lines to be said where they stood.
    struct NormalizedBlock {
        var output: [UInt8] = []
        /// Each invalid line: its number in the block (1-based), its bytes in the block, the
        /// error, and how much of `output` came before it.
        var invalid: [(line: Int, bytes: Range<Int>, error: VersionSyntaxError, outputBefore: Int)] = []
        var lineCount = 0
    }

    /// Normalizes every line of `input` to `streams.output`; each invalid line goes to
    /// `streams.errors` (`writeInvalidLine`), and the others are still printed. Returns the
    /// number of invalid lines. Both streams are flushed at the end.
    public static func run(input: Int32, streams: StandardStreams, blockSize: Int = blockSize) throws -> Int {
        defer { streams.flush() }
        // When both streams are one file, an error line goes between the normal forms around it.
        let interleaved = streams.errors === streams.output
        var reader = BlockReader(fileDescriptor: input, blockSize: max(1, blockSize))
        let width = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        var invalid = 0, linesBefore = 0
        while true {
            var blocks: [[UInt8]] = []
            while blocks.count < width, let block = try reader.next() { blocks.append(block) }
            if blocks.isEmpty { break }
            let normalized: [NormalizedBlock]
            if blocks.count == 1 {
                normalized = [normalize(blocks[0])]
            } else {
                let results = ParallelResults<NormalizedBlock>(count: blocks.count)
                let work = blocks
                DispatchQueue.concurrentPerform(iterations: work.count) { index in results.set(index, normalize(work[index])) }
                normalized = results.values.map { $0! }
            }
            for (block, result) in zip(blocks, normalized) {
                block.withUnsafeBufferPointer { block in
                    result.output.withUnsafeBufferPointer { output in
                        var printed = 0
                        for line in result.invalid {
                            if interleaved {
                                streams.output.append(UnsafeBufferPointer(rebasing: output[printed..<line.outputBefore]))
                                printed = line.outputBefore
                            }
                            writeInvalidLine(linesBefore + line.line, UnsafeBufferPointer(rebasing: block[line.bytes]), line.error, to: streams.errors)
                        }
                        streams.output.append(UnsafeBufferPointer(rebasing: output[printed...]))
                    }
                }
                linesBefore += result.lineCount
                invalid += result.invalid.count
            }
        }
        return invalid
    }

    /// The lines of one block (the last one without its `\n`, when the input ended so), each
    /// without its `\n` or `\r\n`.
    static func normalize(_ block: [UInt8]) -> NormalizedBlock {
        var result = NormalizedBlock()
        var syntax = VersionSyntax.empty
        // Room for the longest possible output (every line at its longest normal form): pages
        // never written to are never backed by memory.
        let room = (VersionSyntax.maximumNormalizedLength(0) + 1) * (block.count + 1) + 2 * block.count
        result.output = [UInt8](unsafeUninitializedCapacity: room) { output, initialized in
            var count = 0
            block.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress, let destination = output.baseAddress else { return }
                var lineStart = 0
                while lineStart < bytes.count {
                    let lineEnd = memchr(base + lineStart, 0x0A, bytes.count - lineStart)
                        .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
                    var stop = lineEnd
                    if stop > lineStart && bytes[stop - 1] == 0x0D { stop -= 1 }
                    let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<stop])
                    result.lineCount += 1
                    if let error = VersionSyntax.parse(line, into: &syntax) {
                        result.invalid.append((result.lineCount, lineStart..<stop, error, count))
                    } else {
                        count += syntax.writeNormalized(of: line, to: destination + count)
                        destination[count] = 0x0A
                        count += 1
                    }
                    lineStart = lineEnd + 1
                }
            }
            initialized = count
        }
        return result
    }

    /// `line N: invalid version 'TEXT': REASON`, as `VersionParseError` words it
    /// (`errorLine` below). The common case, a short printable ASCII line with an unexpected
    /// character, is written as bytes straight into the buffer (a String for each of 100,000
    /// invalid lines took most of the time); everything else goes through `errorLine`.
    static func writeInvalidLine(_ number: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ error: VersionSyntaxError, to buffer: OutputBuffer) {
        guard case .unexpected(let offset) = error.kind, bytes.count <= 120, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            buffer.append(errorLine(number, VersionParseError(input: String(decoding: bytes, as: UTF8.self), syntaxError: error, bytes: bytes)) + "\n")
            return
        }
        let destination = buffer.reserve(bytes.count + 96)
        var at = 0
        func put(_ text: StaticString) {
            text.withUTF8Buffer { text in
                destination.advanced(by: at).update(from: text.baseAddress!, count: text.count)
                at += text.count
            }
        }
        func put(_ value: Int) {
            // Digits last to first, then turned round.
            var rest = value, low = at
            repeat {
                destination[at] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                at += 1
            } while rest > 0
            var high = at - 1
            while low < high {
                (destination[low], destination[high]) = (destination[high], destination[low])
                low += 1
                high -= 1
            }
        }
        put("line ")
        put(number)
        put(": invalid version '")
        destination.advanced(by: at).update(from: bytes.baseAddress!, count: bytes.count)
        at += bytes.count
        put("': unexpected '")
        destination[at] = bytes[offset]
        at += 1
        put("' at column ")
        put(offset + 1)
        destination[at] = 0x0A
        buffer.commit(at + 1)
    }

    /// The reference wording of an invalid line (without its newline).
    static func errorLine(_ number: Int, _ error: VersionParseError) -> String {
        "line \(number): invalid version '\(error.input.displayable())': \(error.reason)"
    }
}
