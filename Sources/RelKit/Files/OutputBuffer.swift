import Dispatch
import Foundation
import GitKit
import RelKitCore
internal import SystemLibc

/// Buffered writes to a file descriptor, into memory it owns (no array bookkeeping per write).
public final class OutputBuffer {
    /// The descriptor written to.
    public let fileDescriptor: Int32
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private let flushThreshold = 1 << 16

    /// A buffer for a file descriptor (1: standard output, 2: standard error).
    ///
    /// - Parameter fileDescriptor: the descriptor.
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
    ///
    /// - Parameter size: the most bytes that will be written.
    /// - Returns: where to write them.
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

    /// Takes in what was written at `reserve`'s pointer; writes the buffer out once it is full enough.
    ///
    /// - Parameter written: how many bytes were written there.
    @inline(__always)
    public func commit(_ written: Int) {
        count += written
        if count >= flushThreshold { flush() }
    }

    /// Bytes of any length: copied in pieces no larger than the buffer.
    ///
    /// - Parameter bytes: the bytes.
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

    /// Appends a string's UTF-8 bytes.
    ///
    /// - Parameter string: the text.
    public func append(_ string: String) {
        var copy = string
        copy.withUTF8 { bytes in
            let destination = reserve(bytes.count)
            if let base = bytes.baseAddress { destination.update(from: base, count: bytes.count) }
            commit(bytes.count)
        }
    }

    /// Writes what is buffered.
    public func flush() {
        _ = FileSystem.writeAll(fileDescriptor, UnsafeRawBufferPointer(start: storage, count: count))
        count = 0
    }
}

/// Standard output and standard error, both buffered (a write system call per 64 KiB, not per
/// line). When both go to the same file (a terminal, `2>&1`), error lines are written through the
/// output's buffer, so that the two keep the order they were written in. `flush()` before exit
/// and before anything that waits for the user.
public final class StandardStreams {
    /// Standard output's buffer.
    public let output: OutputBuffer
    /// Standard error's buffer (the output's, when both are one file).
    public let errors: OutputBuffer

    /// The two streams.
    /// - Parameters:
    ///   - outputDescriptor: standard output's descriptor.
    ///   - errorDescriptor: standard error's descriptor.
    public init(output outputDescriptor: Int32 = 1, errors errorDescriptor: Int32 = 2) {
        output = OutputBuffer(fileDescriptor: outputDescriptor)
        errors = Self.sameFile(outputDescriptor, errorDescriptor) ? output : OutputBuffer(fileDescriptor: errorDescriptor)
    }

    deinit { flush() }

    /// A line on standard output.
    ///
    /// - Parameter line: the line, without its newline.
    public func out(_ line: String) { output.append(line + "\n") }
    /// A line on standard error.
    ///
    /// - Parameter line: the line, without its newline.
    public func error(_ line: String) { errors.append(line + "\n") }

    /// Writes both buffers.
    public func flush() {
        output.flush()
        if errors !== output { errors.flush() }
    }

    static func sameFile(_ one: Int32, _ two: Int32) -> Bool {
        var first = stat()
        var second = stat()
        guard fstat(one, &first) == 0, fstat(two, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}
