/// The parsed shape of a PEP 440 version string: where each part stands in the input.
///
/// The grammar is exactly the one of Python `packaging` (`packaging.version.VERSION_PATTERN`,
/// compiled with `re.VERBOSE | re.IGNORECASE` and matched with `fullmatch` between `\s*`), including
/// its possessive groups, its ASCII-only letters and digits, and its Unicode whitespace at both
/// ends. Working on byte offsets lets the streaming normalizer run without allocating.
public struct VersionSyntax: Sendable, Equatable {
    /// A pre-, post- or dev-release part: its whole span, its spelled letters and its number.
    public struct Affix: Sendable, Equatable {
        /// The whole part, separators included (`-RC.01`).
        public var span: Range<Int>
        /// The letters as written (`RC`); nil for the implicit post-release form `-1`.
        public var letters: Range<Int>?
        /// The digits as written; nil when the number is implicit (then it is 0).
        public var number: Range<Int>?
    }

    /// The span between the surrounding whitespace.
    public var trimmed: Range<Int>
    /// Whether the string starts with `v` or `V`.
    public var hasVPrefix: Bool
    /// The epoch digits, without the `!`.
    public var epoch: Range<Int>?
    /// The release segment, digits and dots (`24.03.0`).
    public var release: Range<Int>
    /// The pre-release and which kind its letters mean.
    public var pre: Affix?
    /// Which kind the pre-release letters mean.
    public var preKind: PreReleaseKind?
    /// The post-release part.
    public var post: Affix?
    /// The development release part.
    public var dev: Affix?
    /// The local label after `+`.
    public var local: Range<Int>?
}

/// Why a string is not a PEP 440 version.
public struct VersionSyntaxError: Error, Sendable, Equatable {
    /// What kind of problem.
    public enum Kind: Sendable, Equatable {
        case empty
        case blank
        /// Something that is not part of a version, at a byte offset.
        case unexpected(offset: Int)
        /// The string ended where a number was expected.
        case missingNumber
        /// A number longer than Python accepts (`int()` refuses more than 4300 digits).
        case numberTooLong(offset: Int)
    }
    /// What kind of problem.
    public var kind: Kind
}

/// Pre-release kinds in PEP 440 order.
public enum PreReleaseKind: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case alpha = 0
    case beta = 1
    case releaseCandidate = 2

    /// The canonical letters: `a`, `b`, `rc`.
    public var description: String {
        switch self {
        case .alpha: return "a"
        case .beta: return "b"
        case .releaseCandidate: return "rc"
        }
    }

    /// The kind of `a`, `b` or `rc`; nil for other letters.
    ///
    /// - Parameter letters: the canonical letters.
    public init?(letters: String) {
        switch letters {
        case "a": self = .alpha
        case "b": self = .beta
        case "rc": self = .releaseCandidate
        default: return nil
        }
    }

    /// Alpha, beta, release candidate.
    public static func < (lhs: PreReleaseKind, rhs: PreReleaseKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Byte classes of ASCII text, for scanners that work on UTF-8 bytes.
public enum ASCII {
    static let dot: UInt8 = 0x2E, dash: UInt8 = 0x2D, underscore: UInt8 = 0x5F, plus: UInt8 = 0x2B, bang: UInt8 = 0x21

    /// Whether the byte is an ASCII digit.
    ///
    /// - Parameter byte: the byte.
    /// - Returns: whether it is a digit.
    @inlinable @inline(__always) public static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    /// 0-9, a-f and A-F.
    ///
    /// - Parameter byte: the byte.
    /// - Returns: whether it is a hexadecimal digit.
    @inlinable @inline(__always) public static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20) &- 0x61 < 6 }
    @inline(__always) static func isSeparator(_ byte: UInt8) -> Bool { byte == dot || byte == dash || byte == underscore }
    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || lower(byte) &- 0x61 < 26 }

    /// Whether `word` occurs in `bytes`, compared as bytes (no String search is set up). With
    /// `foldingCase`, each byte of `bytes` is compared with its 0x20 bit set, so that a lowercase
    /// `word` matches either case.
    ///
    /// - Parameters:
    ///   - bytes: where to look.
    ///   - word: what to look for.
    ///   - foldingCase: compare without regard to case.
    /// - Returns: whether it occurs.
    @inlinable public static func contains(_ bytes: [UInt8], _ word: [UInt8], foldingCase: Bool = false) -> Bool {
        guard !word.isEmpty else { return true }
        guard bytes.count >= word.count else { return false }
        let fold: UInt8 = foldingCase ? 0x20 : 0
        for start in 0...(bytes.count - word.count) where bytes[start] | fold == word[0] {
            if (1..<word.count).allSatisfy({ bytes[start + $0] | fold == word[$0] }) { return true }
        }
        return false
    }
}

/// Python's `int()` refuses decimal strings longer than this (`sys.get_int_max_str_digits()`).
let maximumNumberDigits = 4300

extension VersionSyntax {
    /// Parses a version held in a byte buffer (UTF-8).
    ///
    /// - Parameter bytes: the bytes.
    /// - Returns: the parse, or why it is not a version.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<VersionSyntax, VersionSyntaxError> {
        var syntax = VersionSyntax.empty
        if let error = parse(bytes, into: &syntax) { return .failure(error) }
        return .success(syntax)
    }

    /// Parses into an existing value, for loops over many versions: no copy of the result.
    /// Returns nil on success; on failure `syntax` holds nothing meaningful.
    ///
    /// - Parameters:
    ///   - bytes: the bytes.
    ///   - syntax: where the parse goes.
    /// - Returns: nil, or why it is not a version.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, into syntax: inout VersionSyntax) -> VersionSyntaxError? {
        var parser = Parser(bytes: bytes)
        return parser.parse(into: &syntax)
    }

    /// A value to parse into.
    public static let empty = VersionSyntax(
        trimmed: 0..<0, hasVPrefix: false, epoch: nil, release: 0..<0, pre: nil,
        preKind: nil, post: nil, dev: nil, local: nil)

    /// Parses a version string.
    ///
    /// - Parameter string: the version.
    /// - Returns: the parse, or why it is not a version.
    public static func parse(_ string: String) -> Result<VersionSyntax, VersionSyntaxError> {
        var copy = string
        return copy.withUTF8 { parse($0) }
    }
}

/// Unicode whitespace as Python's `\s` knows it (`str.isspace()`), measured in UTF-8 bytes.
enum PythonWhitespace {
    /// Length of the whitespace character that starts at `index`, or 0.
    @inline(__always)
    static func leading(_ b: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> Int {
        let first = b[index]
        if first < 0x80 { return (first >= 0x09 && first <= 0x0D) || (first >= 0x1C && first <= 0x20) ? 1 : 0 }
        if first == 0xC2, index + 1 < end { return b[index + 1] == 0x85 || b[index + 1] == 0xA0 ? 2 : 0 }
        if index + 2 < end { return isThreeByte(first, b[index + 1], b[index + 2]) ? 3 : 0 }
        return 0
    }

    /// Length of the whitespace character that ends just before `end`, or 0.
    @inline(__always)
    static func trailing(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        let last = b[end - 1]
        if last < 0x80 { return (last >= 0x09 && last <= 0x0D) || (last >= 0x1C && last <= 0x20) ? 1 : 0 }
        if end - 2 >= start, b[end - 2] == 0xC2, last == 0x85 || last == 0xA0 { return 2 }
        if end - 3 >= start, isThreeByte(b[end - 3], b[end - 2], last) { return 3 }
        return 0
    }

    // U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    @inline(__always)
    private static func isThreeByte(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        switch (a, b) {
        case (0xE1, 0x9A): return c == 0x80
        case (0xE2, 0x80): return (c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF
        case (0xE2, 0x81): return c == 0x9F
        case (0xE3, 0x80): return c == 0x80
        default: return false
        }
    }
}

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var end = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.end = bytes.count
    }

    mutating func parse(into syntax: inout VersionSyntax) -> VersionSyntaxError? {
        if bytes.isEmpty { return .init(kind: .empty) }
        while index < end {
            let width = PythonWhitespace.leading(bytes, index, end)
            if width == 0 { break }
            index += width
        }
        if index == end { return .init(kind: .blank) }
        while end > index {
            let width = PythonWhitespace.trailing(bytes, index, end)
            if width == 0 { break }
            end -= width
        }
        let start = index
        syntax.trimmed = start..<end

        syntax.hasVPrefix = false
        if ASCII.lower(bytes[index]) == 0x76 { // v
            syntax.hasVPrefix = true
            index += 1
        }

        // Epoch: digits followed by "!", else nothing consumed.
        syntax.epoch = nil
        let epochDigits = digitRun(from: index)
        if epochDigits > 0, index + epochDigits < end, bytes[index + epochDigits] == ASCII.bang {
            syntax.epoch = index..<(index + epochDigits)
            index += epochDigits + 1
        }

        // Release: a number, then ".number" as often as it appears.
        let releaseStart = index
        let first = digitRun(from: index)
        if first == 0 { return failure(at: index) }
        index += first
        while index + 1 < end, bytes[index] == ASCII.dot, ASCII.isDigit(bytes[index + 1]) {
            index += 1 + digitRun(from: index + 1)
        }
        syntax.release = releaseStart..<index

        syntax.pre = nil
        syntax.preKind = nil
        if let (affix, kind) = letteredAffix(.pre) {
            syntax.pre = affix
            syntax.preKind = kind
        }

        syntax.post = nil
        if index + 1 < end, bytes[index] == ASCII.dash, ASCII.isDigit(bytes[index + 1]) {
            let count = digitRun(from: index + 1)
            syntax.post = .init(span: index..<(index + 1 + count), letters: nil, number: (index + 1)..<(index + 1 + count))
            index += 1 + count
        } else if let (affix, _) = letteredAffix(.post) {
            syntax.post = affix
        }

        syntax.dev = letteredAffix(.dev)?.0

        syntax.local = nil
        if index + 1 < end, bytes[index] == ASCII.plus, ASCII.isAlphanumeric(bytes[index + 1]) {
            let localStart = index + 1
            index = localStart + alphanumericRun(from: localStart)
            while index + 1 < end, ASCII.isSeparator(bytes[index]), ASCII.isAlphanumeric(bytes[index + 1]) {
                index += 1 + alphanumericRun(from: index + 1)
            }
            syntax.local = localStart..<index
        }

        if index != end { return failure(at: index) }
        // Only strings this long can hold such a number; the check stays off the hot path.
        if end - start > maximumNumberDigits, let tooLong = firstOverlongNumber(syntax) {
            return .init(kind: .numberTooLong(offset: tooLong))
        }
        return nil
    }

    func failure(at offset: Int) -> VersionSyntaxError {
        .init(kind: offset >= end ? .missingNumber : .unexpected(offset: offset))
    }

    func digitRun(from start: Int) -> Int {
        var cursor = start
        while cursor < end, ASCII.isDigit(bytes[cursor]) { cursor += 1 }
        return cursor - start
    }

    func alphanumericRun(from start: Int) -> Int {
        var cursor = start
        while cursor < end, ASCII.isAlphanumeric(bytes[cursor]) { cursor += 1 }
        return cursor - start
    }

    /// The first number longer than Python's `int()` accepts. packaging converts the epoch, each
    /// release component, the pre/post/dev numbers and the all-digit parts of the local label.
    func firstOverlongNumber(_ syntax: VersionSyntax) -> Int? {
        var numbers: [Range<Int>] = []
        if let epoch = syntax.epoch { numbers.append(epoch) }
        numbers.append(contentsOf: splitRuns(syntax.release))
        for affix in [syntax.pre, syntax.post, syntax.dev] { if let number = affix?.number { numbers.append(number) } }
        if let local = syntax.local {
            numbers.append(contentsOf: splitRuns(local).filter { run in run.allSatisfy { ASCII.isDigit(bytes[$0]) } })
        }
        return numbers.first { $0.count > maximumNumberDigits }?.lowerBound
    }

    /// The parts of a span between `.`, `-` and `_`.
    func splitRuns(_ span: Range<Int>) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var partStart = span.lowerBound
        for cursor in span where ASCII.isSeparator(bytes[cursor]) {
            runs.append(partStart..<cursor)
            partStart = cursor + 1
        }
        runs.append(partStart..<span.upperBound)
        return runs
    }

    enum Letters { case pre, post, dev }

    /// `[._-]? (letters) [._-]? ([0-9]+)?` as one atomic group: the first alternative that
    /// matches wins and is never revisited. Returns the affix and, for pre-releases, its kind.
    @inline(__always)
    mutating func letteredAffix(_ letters: Letters) -> (VersionSyntax.Affix, PreReleaseKind?)? {
        if index == end { return nil }
        var cursor = index
        if cursor < end, ASCII.isSeparator(bytes[cursor]) { cursor += 1 }
        let length: Int
        var kind: PreReleaseKind?
        switch letters {
        case .pre:
            guard let (found, size) = matchPre(at: cursor) else { return nil }
            kind = found
            length = size
        case .post:
            guard let size = matchPost(at: cursor) else { return nil }
            length = size
        case .dev:
            guard matches("dev", at: cursor) else { return nil }
            length = 3
        }
        let letterRange = cursor..<(cursor + length)
        cursor += length
        if cursor < end, ASCII.isSeparator(bytes[cursor]) { cursor += 1 }
        let digits = digitRun(from: cursor)
        let number: Range<Int>? = digits > 0 ? cursor..<(cursor + digits) : nil
        cursor += digits
        let affix = VersionSyntax.Affix(span: index..<cursor, letters: letterRange, number: number)
        index = cursor
        return (affix, kind)
    }

    /// packaging's order: alpha|a|beta|b|preview|pre|c|rc.
    @inline(__always)
    func matchPre(at start: Int) -> (PreReleaseKind, Int)? {
        guard start < end else { return nil }
        switch ASCII.lower(bytes[start]) {
        case 0x61: return (.alpha, matches("alpha", at: start) ? 5 : 1)
        case 0x62: return (.beta, matches("beta", at: start) ? 4 : 1)
        case 0x70:
            if matches("preview", at: start) { return (.releaseCandidate, 7) }
            return matches("pre", at: start) ? (.releaseCandidate, 3) : nil
        case 0x63: return (.releaseCandidate, 1)
        case 0x72: return matches("rc", at: start) ? (.releaseCandidate, 2) : nil
        default: return nil
        }
    }

    /// packaging's order: post|rev|r.
    @inline(__always)
    func matchPost(at start: Int) -> Int? {
        guard start < end else { return nil }
        switch ASCII.lower(bytes[start]) {
        case 0x70: return matches("post", at: start) ? 4 : nil
        case 0x72: return matches("rev", at: start) ? 3 : 1
        default: return nil
        }
    }

    /// Whether the lowercase ASCII `word` is written at `start`, in any case.
    @inline(__always)
    func matches(_ word: StaticString, at start: Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard start + count <= end else { return false }
        let letters = word.utf8Start
        for offset in 0..<count where ASCII.lower(bytes[start + offset]) != letters[offset] { return false }
        return true
    }
}
