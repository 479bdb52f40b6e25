/// A non-negative integer of any size, as version numbers are (PEP 440 puts no bound on them).
///
/// Small values, the common case, stay in a machine word; larger ones keep their canonical
/// decimal digits so that parsing never overflows and comparison stays exact.
public enum Natural: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// A value below `smallLimit`.
    case small(UInt64)
    /// A value of at least `smallLimit`, as decimal digits without leading zeros.
    case big(String)

    static let smallLimit: UInt64 = 1_000_000_000_000_000_000 // 10^18
    static let smallDigits = 18

    /// Zero.
    public static let zero = Natural.small(0)

    /// A natural number from a non-negative `Int`.
    ///
    /// - Parameter value: a non-negative integer.
    public init(_ value: Int) {
        precondition(value >= 0, "Natural must be non-negative")
        self.init(UInt64(value))
    }

    /// A natural number from a `UInt64`.
    ///
    /// - Parameter value: the value.
    public init(_ value: UInt64) {
        self = value < Natural.smallLimit ? .small(value) : .big(String(value))
    }

    /// Parses ASCII decimal digits (leading zeros allowed); nil for anything else or no digits.
    ///
    /// - Parameter digits: the text.
    public init?(digits: some StringProtocol) {
        var bytes = Array(digits.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let count = bytes.count
        self = bytes.withUnsafeMutableBufferPointer { Natural(asciiDigits: UnsafeBufferPointer($0), 0..<count) }
    }

    /// Builds a value from a run of ASCII digits already known to be digits.
    init(asciiDigits buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        var start = range.lowerBound
        while start < range.upperBound - 1 && buffer[start] == 0x30 { start += 1 }
        let count = range.upperBound - start
        if count <= Natural.smallDigits {
            var value: UInt64 = 0
            for index in start..<range.upperBound { value = value * 10 + UInt64(buffer[index] - 0x30) }
            self = .small(value)
        } else {
            self = .big(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<range.upperBound]), as: UTF8.self))
        }
    }

    /// Whether it is zero.
    public var isZero: Bool { self == .small(0) }

    /// The value as an `Int` when it fits.
    public var intValue: Int? {
        if case .small(let value) = self, value <= UInt64(Int.max) { return Int(value) }
        return nil
    }

    /// The decimal digits, without leading zeros.
    public var description: String {
        switch self {
        case .small(let value): return String(value)
        case .big(let digits): return digits
        }
    }

    /// This value plus one.
    public var successor: Natural {
        switch self {
        case .small(let value):
            return Natural(value + 1)
        case .big(let digits):
            var bytes = Array(digits.utf8)
            var index = bytes.count - 1
            while index >= 0 && bytes[index] == 0x39 {
                bytes[index] = 0x30
                index -= 1
            }
            if index < 0 { bytes.insert(0x31, at: 0) } else { bytes[index] += 1 }
            return .big(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Numeric order.
    public static func < (lhs: Natural, rhs: Natural) -> Bool {
        switch (lhs, rhs) {
        case (.small(let a), .small(let b)): return a < b
        case (.small, .big): return true
        case (.big, .small): return false
        case (.big(let a), .big(let b)):
            return a.utf8.count != b.utf8.count ? a.utf8.count < b.utf8.count : a < b
        }
    }
}
