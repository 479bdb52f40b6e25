import Clibgit2
import RelKitTestSupport
import Testing

@_spi(FastReaders) @testable import GitKit

/// SmallInflater against zlib, the reference: every stream zlib's deflate writes (levels,
/// strategies, window sizes, stored/fixed/dynamic and several blocks) decodes to the original, and
/// on damaged streams it gives either nothing or exactly what zlib gives.
@Suite struct SmallInflaterTests {
    /// zlib's deflate with these parameters (negative `windowBits`: raw deflate, no zlib wrapper).
    static func deflate(
        _ data: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION, windowBits: Int32 = 15, memLevel: Int32 = 8,
        strategy: Int32 = Z_DEFAULT_STRATEGY, dictionary: [UInt8]? = nil
    ) -> [UInt8] {
        var stream = z_stream()
        #expect(deflateInit2_(&stream, level, Z_DEFLATED, windowBits, memLevel, strategy, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        if let dictionary {
            #expect(deflateSetDictionary(&stream, dictionary, UInt32(dictionary.count)) == Z_OK)
        }
        var input = data
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 16)
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return Clibgit2.deflate(&stream, Z_FINISH)
            }
        }
        #expect(status == Z_STREAM_END)
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// Contents like those a repository holds, and some that are not.
    static func samples(_ random: inout SeededGenerator) -> [[UInt8]] {
        func hex(_ count: Int) -> String { String((0..<count).map { _ in "0123456789abcdef".randomElement(using: &random)! }) }
        func commit() -> [UInt8] {
            let parents = (0..<Int.random(in: 0...3, using: &random)).map { _ in "parent \(hex(40))\n" }.joined()
            let date = Int.random(in: 1_000_000_000...1_900_000_000, using: &random)
            let body = (0..<Int.random(in: 0...30, using: &random)).map { _ in "line \(hex(Int.random(in: 1...20, using: &random)))" }.joined(separator: "\n")
            return Array(
                "tree \(hex(40))\n\(parents)author A U Thor <a@example.org> \(date) +0100\ncommitter C O Mitter <c@example.org> \(date + 60) -0230\n\nfix: something (#\(date % 9999))\n\n\(body)\n"
                    .utf8)
        }
        var samples: [[UInt8]] = [
            [0x41], Array("x".utf8), Array("tree \n".utf8), [UInt8](repeating: 0x61, count: 1000),
            [UInt8](repeating: 0, count: 70_000)
        ]
        for _ in 0..<40 { samples.append(commit()) }
        for size in [1, 2, 3, 17, 258, 259, 1000, 4096, 40_000, 65_536] {
            samples.append((0..<size).map { _ in UInt8.random(in: 0...255, using: &random) })
            // Text with long and short repeats (matches of every length and distance).
            var text: [UInt8] = []
            while text.count < size {
                if text.count > 10, Bool.random(using: &random) {
                    let distance = Int.random(in: 1...min(text.count, 32_768), using: &random)
                    let length = Int.random(in: 3...258, using: &random)
                    for _ in 0..<length { text.append(text[text.count - distance]) }
                } else {
                    text += Array(hex(Int.random(in: 1...12, using: &random)).utf8)
                }
            }
            samples.append(Array(text.prefix(size)))
        }
        return samples
    }

    @Test func decodesWhatZlibWrites() {
        var random = SeededGenerator(seed: 51)
        let inflater = SmallInflater()
        var streams = 0
        var blocks: Set<Int> = []
        for sample in Self.samples(&random) {
            let settings: [(level: Int32, windowBits: Int32, memLevel: Int32, strategy: Int32)] = [
                (Z_DEFAULT_COMPRESSION, 15, 8, Z_DEFAULT_STRATEGY), (0, 15, 8, Z_DEFAULT_STRATEGY), (1, 15, 8, Z_DEFAULT_STRATEGY),
                (9, 15, 9, Z_DEFAULT_STRATEGY), (6, 9, 1, Z_DEFAULT_STRATEGY), (6, 15, 8, Z_FILTERED), (6, 15, 8, Z_HUFFMAN_ONLY),
                (6, 15, 8, Z_RLE), (6, 15, 8, Z_FIXED), (4, 12, 3, Z_DEFAULT_STRATEGY)
            ]
            for setting in settings {
                for raw in [false, true] {
                    let stream = Self.deflate(
                        sample, level: setting.level, windowBits: raw ? -setting.windowBits : setting.windowBits,
                        memLevel: setting.memLevel, strategy: setting.strategy)
                    // In a pack the next object follows: the stream's end must be found, not assumed.
                    let followed = stream + (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                    let decoded = inflater.inflate(followed, size: sample.count, raw: raw)
                    // (Compared first: a failed expectation would print both arrays.)
                    let same = decoded?.content == sample
                    #expect(same, "level \(setting.level) strategy \(setting.strategy) raw \(raw), \(sample.count) bytes")
                    #expect(decoded?.streamLength == stream.count)
                    // The first block's type (bits 1-2 of the deflate data).
                    blocks.insert(Int(stream[raw ? 0 : 2] >> 1) & 3)
                    streams += 1
                }
            }
        }
        #expect(streams > 1000)
        #expect(blocks == [0, 1, 2], "stored, fixed and dynamic blocks all tested")
    }

    @Test func agreesWithZlibOnDamagedStreams() {
        var random = SeededGenerator(seed: 52)
        let inflater = SmallInflater()
        var acceptedDamaged = 0
        var refused = 0
        let samples = Self.samples(&random).filter { $0.count <= 5000 }
        for round in 0..<6000 {
            let sample = samples[round % samples.count]
            let raw = round % 3 != 0
            var stream = Self.deflate(
                sample, level: Int32(round % 10), windowBits: raw ? -15 : 15,
                strategy: [Z_DEFAULT_STRATEGY, Z_FIXED, Z_HUFFMAN_ONLY][round % 3])
            var size = sample.count
            // One to three bit flips, a cut, or a wrong size.
            switch round % 5 {
            case 0: stream = Array(stream.prefix(Int.random(in: 0..<stream.count, using: &random)))
            case 1: size += Bool.random(using: &random) ? 1 : -1
            default:
                for _ in 0...Int.random(in: 0...2, using: &random) {
                    stream[Int.random(in: 0..<stream.count, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
                }
            }
            guard size > 0 else { continue }
            let reference = ZlibInflater().inflate(stream, size: size, raw: raw)
            if let decoded = inflater.inflate(stream, size: size, raw: raw) {
                let same = decoded.content == reference?.content
                #expect(same, "round \(round): decoded what zlib does not")
                #expect(decoded.streamLength == reference?.streamLength, "round \(round)")
                if decoded.content != sample { acceptedDamaged += 1 }
            } else {
                refused += 1
            }
        }
        // Raw deflate has no checksum: flipped literal bits decode (differently) in both; the
        // comparison above then ran on streams that differ from the originals.
        #expect(acceptedDamaged > 100)
        #expect(refused > 1000)
    }

    @Test func leavesToZlibWhatItDoesNotDecode() throws {
        let inflater = SmallInflater()
        let content = Array("tree 0123456789012345678901234567890123456789\n".utf8)
        let stream = Self.deflate(content)
        #expect(inflater.inflate(stream, size: content.count)?.content == content)
        // A preset dictionary (git never writes one).
        let withDictionary = Self.deflate(content, dictionary: Array("tree ".utf8))
        #expect(withDictionary[1] & 0x20 != 0)
        #expect(inflater.inflate(withDictionary, size: content.count) == nil)
        // A header that fails its check, or names a window larger than 32 KiB.
        var badCheck = stream
        badCheck[1] ^= 1
        #expect(inflater.inflate(badCheck, size: content.count) == nil)
        var largeWindow = stream
        largeWindow[0] = 0x88
        largeWindow[1] = UInt8(31 - (0x88 * 256) % 31)
        #expect((Int(largeWindow[0]) << 8 | Int(largeWindow[1])) % 31 == 0)
        #expect(inflater.inflate(largeWindow, size: content.count) == nil)
        // A wrong Adler-32.
        var badSum = stream
        badSum[badSum.count - 1] ^= 0x10
        #expect(inflater.inflate(badSum, size: content.count) == nil)
        #expect(ZlibInflater().inflate(badSum, size: content.count, raw: false) == nil)
        // Too short for the content it announces, or longer.
        #expect(inflater.inflate(stream, size: content.count + 1) == nil)
        #expect(inflater.inflate(stream, size: content.count - 1) == nil)
        // A distance reaching before the start: a fixed block whose first symbol is a match.
        // Bits, first first: final 1, type 01, length code 257 (0000001), distance code 0 (00000).
        let farBack: [UInt8] = [0x03, 0x02, 0x00, 0x00]
        #expect(ZlibInflater().inflate(farBack, size: 3, raw: true) == nil)
        #expect(inflater.inflate(farBack, size: 3, raw: true) == nil)
    }
}
