internal import Clibgit2

/// A git object id (SHA-1), copied out of C. Stored inline (no allocation): walks and audits
/// make, hash and compare thousands of them.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0-7, 8-15 and 16-19 of the id, big-endian, so that comparing the words in order
    /// compares the ids as git sorts them.
    private let high: UInt64, middle: UInt64, low: UInt32

    init(_ oid: git_oid) {
        var copy = oid
        let words = withUnsafeBytes(of: &copy.id) { raw in
            (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
            )
        }
        high = UInt64(bigEndian: words.0)
        middle = UInt64(bigEndian: words.1)
        low = UInt32(bigEndian: words.2)
    }

    init(_ pointer: UnsafePointer<git_oid>) { self.init(pointer.pointee) }

    /// The 20 raw bytes of an id at `offset` (as stored in git's binary files).
    init(_ raw: UnsafeRawBufferPointer, at offset: Int) {
        high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        middle = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        low = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self))
    }

    /// Parses 40 hexadecimal digits.
    ///
    /// - Parameter hex: the digits, either case.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstr(&oid, hex) == 0 else { return nil }
        self.init(oid)
    }

    /// Ids are hashes already: their first eight bytes spread them as well as all twenty, at a
    /// third of the hashing (walks hash thousands). Equality still compares all of them.
    ///
    /// - Parameter hasher: the hasher.
    public func hash(into hasher: inout Hasher) { hasher.combine(high) }

    /// Byte `index` (0 to 19) of the id.
    subscript(byte index: Int) -> UInt8 {
        switch index {
        case 0..<8: return UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
        case 8..<16: return UInt8(truncatingIfNeeded: middle >> (56 - 8 * (index - 8)))
        default: return UInt8(truncatingIfNeeded: low >> (24 - 8 * (index - 16)))
        }
    }

    /// 40 lowercase hexadecimal digits at `digits` (as commits and refs store ids); nil for
    /// anything else.
    init?(lowercaseHex digits: UnsafeRawPointer) {
        // Eight digits at a time, as one 64-bit word (the first digit in its lowest byte): a
        // walk parses thousands of parent lines, and a digit at a time took ~800 instructions an id.
        func word(_ offset: Int) -> UInt32? {
            let text = digits.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
            // Every byte 0-9 or a-f. Below 0x80, adding 0x80 - c to a byte sets its top bit when
            // the byte is c or more, and no carry reaches the next byte.
            let ascii: UInt64 = 0x8080_8080_8080_8080
            let ones: UInt64 = 0x0101_0101_0101_0101
            let atLeast0 = text &+ ones &* (0x80 - 0x30)
            let above9 = text &+ ones &* (0x80 - 0x3A)
            let atLeastA = text &+ ones &* (0x80 - 0x61)
            let aboveF = text &+ ones &* (0x80 - 0x67)
            guard text & ascii == 0, (atLeast0 & ~above9 | atLeastA & ~aboveF) & ascii == ascii else { return nil }
            // Each byte's value: its low four bits, plus 9 for a letter (bit 6 set).
            let nibbles = (text & 0x0F0F_0F0F_0F0F_0F0F) &+ ((text >> 6) & ones) &* 9
            // Pairs into bytes (the first digit high), then the four bytes together, first lowest.
            var packed = (nibbles & 0x000F_000F_000F_000F) << 4 | (nibbles >> 8) & 0x000F_000F_000F_000F
            packed = (packed | packed >> 8) & 0x0000_FFFF_0000_FFFF
            packed = (packed | packed >> 16) & 0xFFFF_FFFF
            return UInt32(truncatingIfNeeded: packed).byteSwapped
        }
        guard let a = word(0), let b = word(8), let c = word(16), let d = word(24), let e = word(32) else { return nil }
        high = UInt64(a) << 32 | UInt64(b)
        middle = UInt64(c) << 32 | UInt64(d)
        low = e
    }

    /// Bytes 1 to 8 of the id as one number (where an id falls among those of its first byte).
    var bytesAfterFirst: UInt64 { high << 8 | middle >> 56 }

    /// Orders ids as git sorts them (bytewise); -1, 0 or 1.
    func compare(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Int {
        let other = ObjectID(raw, at: offset)
        if high != other.high { return high < other.high ? -1 : 1 }
        if middle != other.middle { return middle < other.middle ? -1 : 1 }
        if low != other.low { return low < other.low ? -1 : 1 }
        return 0
    }

    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { buffer in
            buffer.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            buffer.storeBytes(of: middle.bigEndian, toByteOffset: 8, as: UInt64.self)
            buffer.storeBytes(of: low.bigEndian, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }

    /// The 40 hexadecimal digits.
    public var description: String {
        // Bytes, not Characters: this runs for every commit an audit prints or compares.
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 40) { buffer in
            digits.withUTF8Buffer { hex in
                for index in 0..<20 {
                    let byte = self[byte: index]
                    buffer[2 * index] = hex[Int(byte >> 4)]
                    buffer[2 * index + 1] = hex[Int(byte & 0x0F)]
                }
            }
            return 40
        }
    }

    /// The first 12 hexadecimal digits, as relkit shows ids.
    public var short: String { String(description.prefix(12)) }
}

extension UInt8 {
    var isHexDigit: Bool { (0x30...0x39).contains(self) || (0x61...0x66).contains(self) || (0x41...0x46).contains(self) }
}
