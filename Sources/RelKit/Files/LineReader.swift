import Dispatch
import Foundation
import GitKit
import RelKitCore

/// Reads a file descriptor line by line without holding the whole input: each line is handed
/// over as bytes, without its `\n` or `\r\n`.
public struct LineReader {
    /// The descriptor read.
    public let fileDescriptor: Int32

    /// A reader of a file descriptor (0: standard input).
    ///
    /// - Parameter fileDescriptor: the descriptor.
    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    /// Calls `body` with each line and its 1-based number. A final line without `\n` counts.
    ///
    /// - Parameter body: called with each line's bytes and number.
    /// - Throws: `LineStreamError` when the input cannot be read, or what `body` throws.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var reader = BlockReader(fileDescriptor: fileDescriptor, blockSize: 1 << 16)
        var lineNumber = 0
        while let block = try reader.next() {
            try block.withUnsafeBufferPointer { bytes in
                try Self.forEachLine(in: bytes) { line, _ in
                    lineNumber += 1
                    try body(line, lineNumber)
                }
            }
        }
    }

    /// Calls `body` with each line of a block of whole lines (`BlockReader`'s: a last line without
    /// `\n` counts), without its `\n` or `\r\n`, and the line's byte range in the block.
    static func forEachLine(in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>) throws -> Void) rethrows {
        guard let base = bytes.baseAddress else { return }
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd =
                memchr(base + lineStart, 0x0A, bytes.count - lineStart)
                .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
            var stop = lineEnd
            if stop > lineStart && bytes[stop - 1] == 0x0D { stop -= 1 }
            try body(UnsafeBufferPointer(rebasing: bytes[lineStart..<stop]), lineStart..<stop)
            lineStart = lineEnd + 1
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
                let count = FileSystem.retryingInterrupts { block.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress! + filled, wanted - filled) } }
                if count < 0 { throw LineStreamError(reason: .system(errno: errno)) }
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

/// The input cannot be read: the system's reason.
public struct LineStreamError: Error, CustomStringConvertible {
    /// Why.
    public let reason: SystemError
    /// What happened.
    public var description: String { "cannot read the input: \(reason)" }
    /// What happened (the description).
    public var message: String { description }
}
