import Dispatch
import Foundation
import RelKitCore

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
    ///
    /// - Parameters:
    ///   - input: the descriptor read.
    ///   - streams: where normal forms and errors go.
    ///   - blockSize: the bytes of whole lines normalized together.
    /// - Returns: how many lines were invalid.
    /// - Throws: `LineStreamError` when the input cannot be read.
    public static func run(input: Int32, streams: StandardStreams, blockSize: Int = blockSize) throws -> Int {
        defer { streams.flush() }
        // When both streams are one file, an error line goes between the normal forms around it.
        let interleaved = streams.errors === streams.output
        var reader = BlockReader(fileDescriptor: input, blockSize: max(1, blockSize))
        let width = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        var invalid = 0
        var linesBefore = 0
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
                guard let destination = output.baseAddress else { return }
                LineReader.forEachLine(in: bytes) { line, range in
                    result.lineCount += 1
                    if let error = VersionSyntax.parse(line, into: &syntax) {
                        result.invalid.append((result.lineCount, range, error, count))
                    } else {
                        count += syntax.writeNormalized(of: line, to: destination + count)
                        destination[count] = 0x0A
                        count += 1
                    }
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
            var rest = value
            var low = at
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
