internal import Clibgit2

/// A decoder of the small zlib streams commits are stored in (RFC 1950 around RFC 1951), for the
/// walks that read thousands of them. Each commit is its own stream of one dynamic-Huffman block
/// of ~200 bytes, and zlib spends most of its time there building its decoding tables (512-entry
/// tables with sub-tables, in a general loop), not decoding. This builds smaller ones, in tight
/// loops, and decodes the rare longer codes bit by bit (as zlib's contrib/puff does).
///
/// It answers only streams it decodes completely and that check out: zlib's header, every block
/// well-formed with complete codes (what zlib's deflate writes), exactly `size` bytes, and the
/// stream's Adler-32 over them. Anything else gives nil and the caller inflates with zlib, which
/// decides; so where this answers, it answers what zlib does (the differential tests and the fuzz
/// target hold it to that).
@_spi(FastReaders) public final class SmallInflater {
    /// A canonical Huffman code (RFC 1951 3.2.2). Its table is indexed by the stream's next `bits`
    /// bits as they come (first bit lowest, so a code's bits appear reversed): each code of `bits`
    /// bits or fewer fills every entry its bits begin. Small tables built by doubling (zlib's are
    /// 512 entries with sub-tables, built in a general loop) cost less than decoding a 200-byte
    /// commit saves. An entry is `symbol << 4 | length`, or 0 for the prefix of a longer code,
    /// which is then read on bit by bit against the first code and the symbols of each length.
    private struct Code {
        let bits: Int
        let table: UnsafeMutablePointer<UInt16>
        let counts: UnsafeMutablePointer<Int> // codes of each length, 0...15
        let firsts: UnsafeMutablePointer<Int> // the first code of each length
        let offsets: UnsafeMutablePointer<Int> // where each length's symbols start in `symbols`
        let symbols: UnsafeMutablePointer<UInt16> // by length, then symbol

        init(bits: Int, symbols: Int) {
            precondition(bits <= 8) // codes are reversed a byte at a time
            self.bits = bits
            table = .allocate(capacity: 1 << bits)
            counts = .allocate(capacity: 16)
            firsts = .allocate(capacity: 16)
            offsets = .allocate(capacity: 17)
            self.symbols = .allocate(capacity: symbols)
        }

        func deallocate() {
            table.deallocate()
            counts.deallocate()
            firsts.deallocate()
            offsets.deallocate()
            symbols.deallocate()
        }

        /// Builds the code from the lengths of the symbols listed in `used` (each `base` more
        /// than its symbol; the others have none). False for a code that is over-subscribed or
        /// incomplete: zlib's deflate writes complete codes only, and zlib decides the rest.
        func build(
            _ lengths: UnsafePointer<UInt8>, used: UnsafePointer<UInt16>, count: Int, base: Int,
            reversed: UnsafePointer<UInt8>
        ) -> Bool {
            counts.update(repeating: 0, count: 16)
            for item in 0..<count { counts[Int(lengths[Int(used[item])])] &+= 1 }
            var left = 1
            offsets[1] = 0
            firsts[0] = 0
            var code = 0
            for length in 1..<16 {
                left = left << 1 &- counts[length]
                if left < 0 { return false }
                code = (code &+ counts[length &- 1]) << 1
                firsts[length] = code
                offsets[length &+ 1] = offsets[length] &+ counts[length]
            }
            guard left == 0 else { return false }
            // Counting sort by length; `used` is in symbol order already.
            var next = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &next) { raw in
                let next = raw.baseAddress!.assumingMemoryBound(to: Int.self)
                for length in 1..<16 { next[length] = offsets[length] }
                for item in 0..<count {
                    let symbol = Int(used[item])
                    let length = Int(lengths[symbol])
                    symbols[next[length]] = UInt16(truncatingIfNeeded: symbol &- base)
                    next[length] &+= 1
                }
            }
            // Built up a length at a time: the table for codes of up to `length` bits is the one
            // for `length - 1` twice over (a longer index with the same low bits starts with the
            // same short code), plus one entry for each code of exactly `length` bits. Entries no
            // code fills stay 0: prefixes of long codes.
            table[0] = 0
            table[1] = 0
            var size = 2
            var index = 0
            for length in 1...bits {
                if length > 1 {
                    (table + size).update(from: table, count: size)
                    size &<<= 1
                }
                for code in firsts[length]..<firsts[length] &+ counts[length] {
                    table[Int(reversed[code &<< (8 &- length)])] = symbols[index] << 4 | UInt16(length)
                    index &+= 1
                }
            }
            return true
        }
    }

    /// Table sizes (bits of lookahead): codes up to this long are found with one lookup.
    private let literals = Code(bits: 8, symbols: 288)
    private let distances = Code(bits: 5, symbols: 32)
    private let codeLengths = Code(bits: 7, symbols: 19)
    private let fixedLiterals = Code(bits: 8, symbols: 288)
    private let fixedDistances = Code(bits: 5, symbols: 32)
    /// The code lengths of a dynamic block (literal/length then distance codes), and which ones
    /// are not zero, in order.
    private let lengths = UnsafeMutablePointer<UInt8>.allocate(capacity: 320)
    private let used = UnsafeMutablePointer<UInt16>.allocate(capacity: 320)
    /// Bytes with their bits in reverse order (codes are stored first bit highest, read lowest).
    private let reversed = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    /// RFC 1951 3.2.5: each length and distance symbol's base and extra bits, and the order of
    /// the code length code's lengths.
    private let lengthBase = UnsafeMutablePointer<UInt16>.allocate(capacity: 29)
    private let lengthExtra = UnsafeMutablePointer<UInt8>.allocate(capacity: 29)
    private let distanceBase = UnsafeMutablePointer<UInt16>.allocate(capacity: 30)
    private let distanceExtra = UnsafeMutablePointer<UInt8>.allocate(capacity: 30)
    private let codeLengthOrder = UnsafeMutablePointer<Int>.allocate(capacity: 19)

    /// Builds the fixed Huffman tables once; one inflater decodes many streams, one at a time.
    public init() {
        for byte in 0..<256 {
            var value = 0
            for bit in 0..<8 where byte & 1 << bit != 0 { value |= 1 << (7 - bit) }
            reversed[byte] = UInt8(value)
        }
        lengthBase.initialize(from: [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258], count: 29)
        lengthExtra.initialize(from: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0], count: 29)
        distanceBase.initialize(
            from: [
                1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
                6145, 8193, 12289, 16385, 24577
            ], count: 30)
        distanceExtra.initialize(from: [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13], count: 30)
        codeLengthOrder.initialize(from: [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15], count: 19)
        // RFC 1951 3.2.6: the fixed codes (distance symbols 30 and 31 have codes but are invalid).
        for symbol in 0..<288 {
            lengths[symbol] = symbol < 144 ? 8 : symbol < 256 ? 9 : symbol < 280 ? 7 : 8
            used[symbol] = UInt16(symbol)
        }
        _ = fixedLiterals.build(lengths, used: used, count: 288, base: 0, reversed: reversed)
        for symbol in 0..<32 { lengths[symbol] = 5 }
        _ = fixedDistances.build(lengths, used: used, count: 32, base: 0, reversed: reversed)
    }

    deinit {
        for code in [literals, distances, codeLengths, fixedLiterals, fixedDistances] { code.deallocate() }
        for buffer in [lengths, reversed, lengthExtra, distanceExtra] { buffer.deallocate() }
        used.deallocate()
        lengthBase.deallocate()
        distanceBase.deallocate()
        codeLengthOrder.deallocate()
    }

    /// Reads the stream's bits, first bit first. Past the end it reads zeros, and the stream is
    /// refused at its end if it used any of them.
    private struct Bits {
        let input: UnsafePointer<UInt8>
        let end: Int
        var position = 0
        var buffer: UInt64 = 0
        var count = 0

        /// At least 56 bits in the buffer (a literal/length code, a distance code and their extra
        /// bits together take at most 48).
        @inline(__always) mutating func refill() {
            if position &+ 8 <= end {
                // Eight bytes at once; only the whole bytes that fit are counted, and the bits of
                // the rest are the same ones the next load puts there.
                buffer |= UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self).littleEndian &<< UInt64(count)
                position &+= (63 &- count) >> 3
                count |= 56
            } else {
                while count <= 56 {
                    if position < end { buffer |= UInt64(input[position]) &<< UInt64(count) }
                    position &+= 1
                    count &+= 8
                }
            }
        }

        @inline(__always) mutating func take(_ bits: Int) -> Int {
            let value = Int(truncatingIfNeeded: buffer & ((1 &<< UInt64(bits)) &- 1))
            buffer &>>= UInt64(bits)
            count &-= bits
            return value
        }

        /// Where the next whole byte is, once the bits of the current one are dropped.
        mutating func alignToByte() -> Int {
            _ = take(count & 7)
            return position &- count >> 3
        }
    }

    /// The next symbol of `code` (the buffer holds at least 15 bits).
    /// (`tableBits` is the code's `bits`, a constant at each call, which the shift then folds.)
    @inline(__always) private func decode(_ code: Code, _ tableBits: Int, _ bits: inout Bits) -> Int? {
        let index = Int(truncatingIfNeeded: bits.buffer) & ((1 &<< tableBits) &- 1)
        let entry = code.table[index]
        if entry != 0 {
            _ = bits.take(Int(entry & 15))
            return Int(entry &>> 4)
        }
        // (Out of line, and on a copy of the buffer, so that the bits stay in registers.) The
        // prefix in code order: the index's bits reversed.
        let prefix = Int(reversed[index]) &>> (8 &- tableBits)
        guard let (symbol, length) = decodeLong(code, prefix, bits.buffer &>> UInt64(tableBits)) else { return nil }
        _ = bits.take(length)
        return symbol
    }

    /// A code longer than the table: its first `bits` bits are `prefix`, then a bit at a time
    /// from `following`. The symbol and the code's length.
    @inline(never) private func decodeLong(_ code: Code, _ prefix: Int, _ following: UInt64) -> (Int, Int)? {
        var value = prefix
        var rest = following
        for length in (code.bits &+ 1)..<16 {
            value = value &<< 1 | Int(truncatingIfNeeded: rest & 1)
            rest &>>= 1
            let offset = value &- code.firsts[length]
            if offset < code.counts[length] { return (Int(code.symbols[code.offsets[length] &+ offset]), length) }
        }
        return nil
    }

    /// Inflates the zlib stream at `input` (at most `available` bytes, the stream may be followed
    /// by others) into `output`, which must come to exactly `size` bytes. Returns how many input
    /// bytes the stream took, or nil (the caller then asks zlib).
    func inflate(_ input: UnsafePointer<UInt8>, available: Int, into output: UnsafeMutablePointer<UInt8>, size: Int) -> Int? {
        // RFC 1950: deflate with a window of at most 32 KiB, no preset dictionary, header check;
        // after the data, the Adler-32 of the content, big-endian.
        guard available >= 6 else { return nil }
        let method = Int(input[0])
        let flags = Int(input[1])
        guard method & 0x0F == 8, method >> 4 <= 7, (method << 8 | flags) % 31 == 0, flags & 0x20 == 0,
            let length = inflateRaw(input + 2, available: available - 2, into: output, size: size), length + 4 <= available - 2
        else { return nil }
        let at = input + 2 + length
        let stored = UInt32(at[0]) << 24 | UInt32(at[1]) << 16 | UInt32(at[2]) << 8 | UInt32(at[3])
        guard UInt32(truncatingIfNeeded: adler32_z(1, output, size)) == stored else { return nil }
        return 2 + length + 4
    }

    /// Inflates raw deflate data (RFC 1951) into exactly `size` bytes; how many bytes the data
    /// took (to the end of the byte that ends its last block), or nil.
    func inflateRaw(_ input: UnsafePointer<UInt8>, available: Int, into output: UnsafeMutablePointer<UInt8>, size: Int) -> Int? {
        var bits = Bits(input: input, end: available)
        var written = 0
        var last = false
        while !last {
            bits.refill()
            last = bits.take(1) == 1
            let dynamic: Bool
            switch bits.take(2) {
            case 0:
                // Stored: LEN and its complement, byte-aligned, then LEN bytes as they are.
                var at = bits.alignToByte()
                guard at + 4 <= bits.end else { return nil }
                let length = Int(bits.input[at]) | Int(bits.input[at + 1]) << 8
                let complement = Int(bits.input[at + 2]) | Int(bits.input[at + 3]) << 8
                at += 4
                guard length ^ complement == 0xFFFF, at + length <= bits.end, written + length <= size else { return nil }
                output.advanced(by: written).update(from: bits.input + at, count: length)
                written += length
                bits = Bits(input: bits.input, end: bits.end, position: at + length)
                continue
            case 1:
                dynamic = false
            case 2:
                guard let after = readCodes(bits) else { return nil }
                bits = after
                dynamic = true
            default:
                return nil
            }
            guard decodeBlock(dynamic: dynamic, &bits, output, &written, size) else { return nil }
        }
        let end = bits.alignToByte()
        guard written == size, end <= bits.end else { return nil }
        return end
    }

    /// Decodes a block's symbols (with the block's own codes when `dynamic`, else the fixed ones)
    /// into `output` from `written` (moved on), up to its end-of-block symbol; false for data
    /// that does not hold together. Its own function, with the stream's state in locals and
    /// the codes' other parts read only for their rare long codes: in `inflateRaw`, beside the
    /// block headers' state, the loop's state did not fit in registers (~30 instructions a
    /// literal, five of them to the stack and back).
    @inline(never)
    private func decodeBlock(
        dynamic: Bool, _ stream: inout Bits, _ output: UnsafeMutablePointer<UInt8>, _ written: inout Int,
        _ size: Int
    ) -> Bool {
        let literalTable = dynamic ? literals.table : fixedLiterals.table
        let distanceTable = dynamic ? distances.table : fixedDistances.table
        var bits = stream
        var at = written
        defer {
            stream = bits
            written = at
        }
        while true {
            if bits.count < 48 { bits.refill() }
            let index = Int(truncatingIfNeeded: bits.buffer) & 0xFF
            var entry = Int(literalTable[index])
            if entry == 0 {
                guard let (symbol, length) = decodeLong(dynamic ? literals : fixedLiterals, Int(reversed[index]), bits.buffer &>> 8) else { return false }
                entry = symbol &<< 4 | length
            }
            _ = bits.take(entry & 15)
            var symbol = entry &>> 4
            if symbol < 256 {
                guard at < size else { return false }
                output[at] = UInt8(truncatingIfNeeded: symbol)
                at &+= 1
                continue
            }
            if symbol == 256 { return true }
            symbol &-= 257
            guard symbol < 29 else { return false }
            let length = Int(lengthBase[symbol]) &+ bits.take(Int(lengthExtra[symbol]))
            let distanceIndex = Int(truncatingIfNeeded: bits.buffer) & 0x1F
            var distanceEntry = Int(distanceTable[distanceIndex])
            if distanceEntry == 0 {
                guard
                    let (symbol, length) = decodeLong(
                        dynamic ? distances : fixedDistances, Int(reversed[distanceIndex]) &>> 3,
                        bits.buffer &>> 5)
                else { return false }
                distanceEntry = symbol &<< 4 | length
            }
            _ = bits.take(distanceEntry & 15)
            let distanceSymbol = distanceEntry &>> 4
            guard distanceSymbol < 30 else { return false }
            let distance = Int(distanceBase[distanceSymbol]) &+ bits.take(Int(distanceExtra[distanceSymbol]))
            guard distance <= at, at &+ length <= size else { return false }
            // Eight bytes at a time when the copy is that far behind (then what it reads was
            // written before); byte by byte when nearer (a run repeating what it writes).
            var from = at &- distance
            var left = length
            if distance >= 8 {
                while left >= 8 {
                    UnsafeMutableRawPointer(output + at).storeBytes(of: UnsafeRawPointer(output + from).loadUnaligned(as: UInt64.self), as: UInt64.self)
                    at &+= 8
                    from &+= 8
                    left &-= 8
                }
            }
            while left > 0 {
                output[at] = output[from]
                at &+= 1
                from &+= 1
                left &-= 1
            }
        }
    }

    /// The stream at `input` (at most `available` bytes; `raw`: deflate data without zlib's
    /// header and checksum) inflated into exactly `size` bytes, and the stream's length; nil for
    /// anything this decoder leaves to zlib. (`ZlibInflater.inflate` has the same shape.)
    func inflate(_ input: UnsafePointer<UInt8>, available: Int, size: Int, raw: Bool = false) -> (content: [UInt8], streamLength: Int)? {
        guard size > 0 else { return nil }
        var length: Int?
        let content = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            length =
                raw
                ? inflateRaw(input, available: available, into: buffer.baseAddress!, size: size)
                : inflate(input, available: available, into: buffer.baseAddress!, size: size)
            initialized = length == nil ? 0 : size
        }
        return length.map { (content, $0) }
    }

    /// `inflate` on an array, for tests and fuzzing.
    ///
    /// - Parameters:
    ///   - bytes: the stream.
    ///   - size: the inflated size expected.
    ///   - raw: a raw deflate stream, without zlib's header and checksum.
    /// - Returns: the content and how many bytes the stream took, or nil when it is not decoded whole.
    public func inflate(_ bytes: [UInt8], size: Int, raw: Bool = false) -> (content: [UInt8], streamLength: Int)? {
        bytes.withUnsafeBufferPointer { input in input.baseAddress.flatMap { inflate($0, available: input.count, size: size, raw: raw) } }
    }

    /// A dynamic block's header: the code-length code, then the literal/length and distance
    /// codes' lengths (one sequence: a repeat may run from one into the other).
    /// Returns the bits after them, or nil. (The bits by value: see `decode`.)
    private func readCodes(_ start: Bits) -> Bits? {
        var bits = start
        let literalCount = bits.take(5) + 257
        let distanceCount = bits.take(5) + 1
        let codeLengthCount = bits.take(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { return nil }
        for index in 0..<19 { lengths[index] = 0 }
        var usedCount = 0
        for index in 0..<codeLengthCount {
            if bits.count < 3 { bits.refill() }
            let symbol = codeLengthOrder[index]
            lengths[symbol] = UInt8(truncatingIfNeeded: bits.take(3))
        }
        for symbol in 0..<19 where lengths[symbol] != 0 {
            used[usedCount] = UInt16(symbol)
            usedCount += 1
        }
        guard codeLengths.build(lengths, used: used, count: usedCount, base: 0, reversed: reversed) else { return nil }
        let total = literalCount + distanceCount
        var index = 0
        usedCount = 0
        while index < total {
            if bits.count < 16 { bits.refill() } // a code of up to 7 bits and up to 7 more
            guard let symbol = decode(codeLengths, 7, &bits) else { return nil }
            if symbol < 16 {
                lengths[index] = UInt8(truncatingIfNeeded: symbol)
                if symbol != 0 {
                    used[usedCount] = UInt16(truncatingIfNeeded: index)
                    usedCount &+= 1
                }
                index &+= 1
                continue
            }
            var length: UInt8 = 0
            var times: Int
            switch symbol {
            case 16:
                guard index > 0 else { return nil }
                length = lengths[index &- 1]
                times = 3 &+ bits.take(2)
            case 17: times = 3 &+ bits.take(3)
            default: times = 11 &+ bits.take(7)
            }
            guard times <= total &- index else { return nil }
            (lengths + index).update(repeating: length, count: times)
            if length != 0 {
                for offset in 0..<times { used[usedCount &+ offset] = UInt16(truncatingIfNeeded: index &+ offset) }
                usedCount &+= times
            }
            index &+= times
        }
        // The used lengths up to the literal/length code's last one are its own.
        var literalsUsed = usedCount
        while literalsUsed > 0, Int(used[literalsUsed &- 1]) >= literalCount { literalsUsed &-= 1 }
        // A block without an end-of-block code could not end.
        guard lengths[256] != 0 else { return nil }
        guard literals.build(lengths, used: used, count: literalsUsed, base: 0, reversed: reversed),
            distances.build(lengths, used: used + literalsUsed, count: usedCount - literalsUsed, base: literalCount, reversed: reversed)
        else { return nil }
        return bits
    }
}

/// zlib's inflate, with one stream state reset for each use: what `ObjectFiles` falls back to for
/// the streams `SmallInflater` leaves (and reads loose objects with), and the reference that
/// SmallInflater's tests and fuzz target hold it to.
@_spi(FastReaders) public final class ZlibInflater {
    var stream = z_stream()
    private var ready = false

    /// A zlib stream, set up on first use (`inflateInit2`).
    public init() {}

    deinit { if ready { inflateEnd(&stream) } }

    /// Ready for a new stream (`raw`: deflate data without zlib's header and checksum).
    func reset(raw: Bool = false) -> Bool {
        if ready { return inflateReset2(&stream, raw ? -15 : 15) == Z_OK }
        guard relkit_inflate_init2(&stream, raw ? -15 : 15) == Z_OK else { return false }
        ready = true
        return true
    }

    /// The stream at `input` (at most `available` bytes) inflated, when it ends giving exactly
    /// `size` bytes; and the stream's length.
    func inflate(_ input: UnsafePointer<UInt8>, available: Int, size: Int, raw: Bool = false) -> (content: [UInt8], streamLength: Int)? {
        guard reset(raw: raw) else { return nil }
        // One spare byte: a stream that holds more than it announced must not end cleanly.
        var status: Int32 = Z_DATA_ERROR
        let output = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, initialized in
            stream.next_in = UnsafeMutablePointer(mutating: input)
            stream.avail_in = UInt32(min(available, Int(UInt32.max)))
            stream.next_out = buffer.baseAddress!
            stream.avail_out = UInt32(buffer.count)
            status = Clibgit2.inflate(&stream, Z_FINISH)
            // What zlib wrote, and no more (the spare byte only when it was written).
            initialized = min(Int(stream.total_out), size + 1)
        }
        guard status == Z_STREAM_END, output.count == size else { return nil }
        return (output, Int(stream.total_in))
    }

    /// `inflate` on an array, for tests and fuzzing.
    ///
    /// - Parameters:
    ///   - bytes: the stream.
    ///   - size: the inflated size expected.
    ///   - raw: a raw deflate stream, without zlib's header and checksum.
    /// - Returns: the content and how many bytes the stream took, or nil when zlib fails.
    public func inflate(_ bytes: [UInt8], size: Int, raw: Bool = false) -> (content: [UInt8], streamLength: Int)? {
        bytes.withUnsafeBufferPointer { input in input.baseAddress.flatMap { inflate($0, available: input.count, size: size, raw: raw) } }
    }
}
