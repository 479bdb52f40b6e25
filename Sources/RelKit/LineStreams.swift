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

    /// Every line as a `String` (invalid UTF-8 repaired), for inputs that are read whole anyway.
    public func lines() throws -> [String] {
        var result: [String] = []
        try forEachLine { bytes, _ in result.append(String(decoding: bytes, as: UTF8.self)) }
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

/// Buffered writes to a file descriptor.
public struct OutputBuffer {
    public let fileDescriptor: Int32
    public var bytes: [UInt8] = []
    let flushThreshold = 1 << 16

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        bytes.reserveCapacity(flushThreshold * 2)
    }

    public mutating func append(_ string: String) {
        bytes.append(contentsOf: string.utf8)
        flushIfFull()
    }

    @inline(__always)
    public mutating func flushIfFull() {
        if bytes.count >= flushThreshold { flush() }
    }

    public mutating func flush() {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = write(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// `relkit version normalize -`: PEP 440 normal forms of a stream of versions, one a line.
public enum StreamNormalizer {
    /// Normalizes every line of `input` to `output`; each invalid line goes to `onInvalid` with its
    /// number and reason, and the others are still printed. Returns the number of invalid lines.
    public static func run(input: Int32, output: Int32, onInvalid: (Int, VersionParseError) -> Void) throws -> Int {
        var out = OutputBuffer(fileDescriptor: output)
        var invalid = 0
        try LineReader(fileDescriptor: input).forEachLine { bytes, lineNumber in
            switch VersionSyntax.parse(bytes) {
            case .success(let syntax):
                syntax.appendNormalized(of: bytes, to: &out.bytes)
                out.bytes.append(0x0A)
                out.flushIfFull()
            case .failure(let error):
                invalid += 1
                // Keep what was printed so far in order with the error message.
                out.flush()
                onInvalid(lineNumber, VersionParseError(input: String(decoding: bytes, as: UTF8.self), syntaxError: error, bytes: bytes))
            }
        }
        out.flush()
        return invalid
    }
}
