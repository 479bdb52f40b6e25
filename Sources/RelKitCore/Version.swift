/// A PEP 440 version: parsed from any spelling Python's `packaging` accepts, printed in its
/// normalized form (`str(packaging.version.Version(s))`), ordered and compared as PEP 440 says.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// One part of a local version label: a number or text.
    public enum LocalPart: Sendable, Hashable {
        case number(Natural)
        case text(String)
    }

    /// The epoch (`1!`), 0 when absent.
    public var epoch: Natural
    /// The release numbers (`24.3.0`).
    public var release: [Natural]
    /// The pre-release, when it is one.
    public var pre: (kind: PreReleaseKind, number: Natural)?
    /// The post-release number, when it is one.
    public var post: Natural?
    /// The development release number, when it is one.
    public var dev: Natural?
    /// The local label's parts, when there is one (`+ubuntu.1`).
    public var local: [LocalPart]?

    /// A version from its parts.
    ///
    /// - Parameters:
    ///   - epoch: the epoch.
    ///   - release: the release numbers.
    ///   - pre: the pre-release.
    ///   - post: the post-release number.
    ///   - dev: the development release number.
    ///   - local: the local label's parts.
    public init(
        epoch: Natural = .zero, release: [Natural], pre: (kind: PreReleaseKind, number: Natural)? = nil,
        post: Natural? = nil, dev: Natural? = nil, local: [LocalPart]? = nil
    ) {
        precondition(!release.isEmpty, "a version has at least one release number")
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.local = local
    }

    /// Parses any PEP 440 spelling; throws `VersionParseError` naming what is wrong and where.
    ///
    /// - Parameter string: the version.
    /// - Throws: `VersionParseError` saying what is wrong and where.
    public init(parsing string: String) throws(VersionParseError) {
        var copy = string
        let result: Result<Version, VersionParseError> = copy.withUTF8 { bytes in
            switch VersionSyntax.parse(bytes) {
            case .success(let syntax): return .success(Version(syntax: syntax, in: bytes))
            case .failure(let error): return .failure(VersionParseError(input: string, syntaxError: error, bytes: bytes))
            }
        }
        self = try result.get()
    }

    /// Builds the value from a successful parse of `bytes`.
    ///
    /// - Parameters:
    ///   - syntax: the parse.
    ///   - bytes: the bytes it was made of.
    public init(syntax: VersionSyntax, in bytes: UnsafeBufferPointer<UInt8>) {
        func number(_ range: Range<Int>?) -> Natural {
            guard let range else { return .zero }
            return Natural(asciiDigits: bytes, range)
        }
        epoch = number(syntax.epoch)
        var components: [Natural] = []
        var componentStart = syntax.release.lowerBound
        for index in syntax.release where bytes[index] == ASCII.dot {
            components.append(Natural(asciiDigits: bytes, componentStart..<index))
            componentStart = index + 1
        }
        components.append(Natural(asciiDigits: bytes, componentStart..<syntax.release.upperBound))
        release = components
        if let affix = syntax.pre, let kind = syntax.preKind { pre = (kind, number(affix.number)) }
        if let affix = syntax.post { post = number(affix.number) }
        if let affix = syntax.dev { dev = number(affix.number) }
        if let span = syntax.local {
            var parts: [LocalPart] = []
            var partStart = span.lowerBound
            func addPart(_ range: Range<Int>) {
                if range.allSatisfy({ ASCII.isDigit(bytes[$0]) }) {
                    parts.append(.number(Natural(asciiDigits: bytes, range)))
                } else {
                    parts.append(.text(String(decoding: range.map { ASCII.lower(bytes[$0]) }, as: UTF8.self)))
                }
            }
            for index in span where ASCII.isSeparator(bytes[index]) {
                addPart(partStart..<index)
                partStart = index + 1
            }
            addPart(partStart..<span.upperBound)
            local = parts
        }
    }

    /// The normalized form, exactly as `str(packaging.version.Version(s))` prints it.
    public var description: String {
        var text = epoch.isZero ? "" : "\(epoch)!"
        text += release.map(\.description).joined(separator: ".")
        if let pre { text += "\(pre.kind)\(pre.number)" }
        if let post { text += ".post\(post)" }
        if let dev { text += ".dev\(dev)" }
        if let local {
            text +=
                "+"
                + local.map { part in
                    switch part {
                    case .number(let value): return value.description
                    case .text(let value): return value
                    }
                }.joined(separator: ".")
        }
        return text
    }

    /// Whether it is a pre-release or a development release.
    public var isPreRelease: Bool { pre != nil || dev != nil }
    /// Whether it is a development release.
    public var isDevRelease: Bool { dev != nil }
    /// Whether it is a post-release.
    public var isPostRelease: Bool { post != nil }

    // MARK: PEP 440 ordering (packaging's `_cmpkey`)

    /// The release without trailing zeros: `1.0.0 == 1`.
    var trimmedRelease: ArraySlice<Natural> {
        var count = release.count
        while count > 0 && release[count - 1].isZero { count -= 1 }
        return release[0..<count]
    }

    /// (pre rank, pre number, post rank, post number, dev rank, dev number).
    var suffixKey: (Int, Natural, Int, Natural, Int, Natural) {
        let preRank: Int
        let preNumber: Natural
        if let pre {
            preRank = pre.kind.rawValue
            preNumber = pre.number
        } else {
            // A dev-only release sorts before every pre-release; a final after them.
            preRank = (post == nil && dev != nil) ? -1 : 3
            preNumber = .zero
        }
        return (preRank, preNumber, post == nil ? 0 : 1, post ?? .zero, dev == nil ? 1 : 0, dev ?? .zero)
    }

    /// PEP 440 order.
    public static func < (lhs: Version, rhs: Version) -> Bool { compare(lhs, rhs) < 0 }

    /// Equal under PEP 440 (`24.03.0` and `24.3.0`).
    public static func == (lhs: Version, rhs: Version) -> Bool { compare(lhs, rhs) == 0 }

    /// Hashes the PEP 440 value.
    ///
    /// - Parameter hasher: the hasher.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(Array(trimmedRelease))
        let suffix = suffixKey
        hasher.combine(suffix.0)
        hasher.combine(suffix.1)
        hasher.combine(suffix.2)
        hasher.combine(suffix.3)
        hasher.combine(suffix.4)
        hasher.combine(suffix.5)
        hasher.combine(local)
    }

    /// -1, 0 or 1, as PEP 440 orders the two.
    ///
    /// - Parameters:
    ///   - lhs: a version.
    ///   - rhs: another.
    /// - Returns: the order.
    public static func compare(_ lhs: Version, _ rhs: Version) -> Int {
        if lhs.epoch != rhs.epoch { return lhs.epoch < rhs.epoch ? -1 : 1 }
        let left = lhs.trimmedRelease
        let right = rhs.trimmedRelease
        for (a, b) in zip(left, right) where a != b { return a < b ? -1 : 1 }
        if left.count != right.count { return left.count < right.count ? -1 : 1 }
        let l = lhs.suffixKey
        let r = rhs.suffixKey
        if l.0 != r.0 { return l.0 < r.0 ? -1 : 1 }
        if l.1 != r.1 { return l.1 < r.1 ? -1 : 1 }
        if l.2 != r.2 { return l.2 < r.2 ? -1 : 1 }
        if l.3 != r.3 { return l.3 < r.3 ? -1 : 1 }
        if l.4 != r.4 { return l.4 < r.4 ? -1 : 1 }
        if l.5 != r.5 { return l.5 < r.5 ? -1 : 1 }
        switch (lhs.local, rhs.local) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let a?, let b?):
            for (x, y) in zip(a, b) {
                switch (x, y) {
                case (.text(let s), .text(let t)) where s != t: return s < t ? -1 : 1
                case (.number(let m), .number(let n)) where m != n: return m < n ? -1 : 1
                case (.text, .number): return -1 // strings sort before numbers
                case (.number, .text): return 1
                default: continue
                }
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        }
    }
}

/// A string that is not a PEP 440 version, with the reason and, when it helps, the column.
public struct VersionParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The string as given.
    public var input: String
    /// Why it is not a version.
    public var reason: String
    /// 1-based character column of the problem, when there is one place to point at.
    public var column: Int?

    /// An error.
    /// - Parameters:
    ///   - input: the string.
    ///   - reason: why it is not a version.
    ///   - column: where, when there is one place.
    public init(input: String, reason: String, column: Int? = nil) {
        self.input = input
        self.reason = reason
        self.column = column
    }

    /// The error the byte parser found, worded.
    /// - Parameters:
    ///   - input: the string.
    ///   - syntaxError: what the parser found.
    ///   - bytes: the string's UTF-8 bytes.
    public init(input: String, syntaxError: VersionSyntaxError, bytes: UnsafeBufferPointer<UInt8>) {
        self.input = input
        func columnOf(_ offset: Int) -> Int {
            // Count characters by their first UTF-8 byte.
            1 + bytes[0..<offset].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        }
        switch syntaxError.kind {
        case .empty:
            reason = "the version is empty"
        case .blank:
            reason = "the version is only whitespace"
        case .missingNumber:
            reason = "the version ends where a number is expected"
        case .unexpected(let offset):
            column = columnOf(offset)
            reason = "unexpected \(VersionParseError.describe(bytes, at: offset)) at column \(column!)"
        case .numberTooLong(let offset):
            column = columnOf(offset)
            reason = "the number at column \(column!) has more than \(maximumNumberDigits) digits"
        }
    }

    /// A short, printable description of the character at `offset`.
    static func describe(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> String {
        var end = offset + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        if UTF8Check.firstInvalidOffset(in: UnsafeBufferPointer(rebasing: bytes[offset..<end])) != nil {
            return "byte 0x\(String(bytes[offset], radix: 16, uppercase: true).leftPadded(to: 2)) (not UTF-8)"
        }
        let character = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
        guard let scalar = character.unicodeScalars.first else { return "character" }
        if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.properties.generalCategory == .format) {
            return "character U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))"
        }
        return "'\(character)'"
    }

    /// `invalid version 'TEXT': REASON`.
    public var description: String { "invalid version '\(input)': \(reason)" }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
