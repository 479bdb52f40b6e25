#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// Normalizes every line of `input` to `streams.output`; each invalid line goes to
    /// `streams.errors` (`writeInvalidLine`), and the others are still printed. Returns the
    /// number of invalid lines. Both streams are flushed at the end.
    public static func run(input: Int32, streams: StandardStreams) throws -> Int {
        let out = streams.output
        var invalid = 0
        var syntax = VersionSyntax.empty
        defer { streams.flush() }
        try LineReader(fileDescriptor: input).forEachLine { bytes, lineNumber in
            if let error = VersionSyntax.parse(bytes, into: &syntax) {
                invalid += 1
                writeInvalidLine(lineNumber, bytes, error, to: streams.errors)
                return
            }
            let destination = out.reserve(VersionSyntax.maximumNormalizedLength(bytes.count) + 1)
            let written = syntax.writeNormalized(of: bytes, to: destination)
            destination[written] = 0x0A
            out.commit(written + 1)
        }
        return invalid
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
