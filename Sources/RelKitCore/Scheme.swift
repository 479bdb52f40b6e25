/// A calendar versioning scheme: how a release line and a version are spelled.
///
/// Versions are `YY.L.P` plus the PEP 440 suffixes `aN`, `bN`, `rcN`, `.postN` (where allowed) and
/// `.devN`. The schemes differ in the line number `L`: a zero-padded month (`yy.0m`, `24.03.1`) or a
/// sprint number without padding (`yy.n`, `25.14.2`).
public struct VersionScheme: Sendable, Hashable, CustomStringConvertible {
    /// What the second number of a release line counts.
    public enum LineStyle: Sendable, Hashable {
        /// Two-digit month 01-12.
        case month
        /// Sequence number 1-99 without a zero pad.
        case sequence
    }

    /// `yy.0m` or `yy.n`.
    public let name: String
    /// Months or a sequence.
    public let lineStyle: LineStyle
    /// Whether `.postN` releases are allowed (off by default).
    public var allowsPost: Bool

    /// `yy.0m`: year and zero-padded month (`24.03`).
    public static let yearMonth = VersionScheme(name: "yy.0m", lineStyle: .month, allowsPost: false)
    /// `yy.n`: year and a sequence number (`25.14`).
    public static let yearSequence = VersionScheme(name: "yy.n", lineStyle: .sequence, allowsPost: false)
    /// Every scheme relkit knows.
    public static let all = [yearMonth, yearSequence]

    /// What is said of a name that is no scheme, wherever it was given.
    ///
    /// - Parameter name: what was given.
    /// - Returns: the sentence, naming the schemes there are.
    public static func unknownName(_ name: String) -> String {
        "unknown scheme '\(name)'; use one of: \(all.map(\.name).joined(separator: ", "))"
    }

    /// A scheme.
    /// - Parameters:
    ///   - name: its name.
    ///   - lineStyle: what the line's second number counts.
    ///   - allowsPost: whether `.postN` releases are allowed.
    public init(name: String, lineStyle: LineStyle, allowsPost: Bool) {
        self.name = name
        self.lineStyle = lineStyle
        self.allowsPost = allowsPost
    }

    /// The scheme named `yy.0m` or `yy.n`.
    ///
    /// - Parameters:
    ///   - name: `yy.0m` or `yy.n`.
    ///   - allowsPost: whether `.postN` releases are allowed.
    public init?(named name: String, allowsPost: Bool = false) {
        guard let scheme = VersionScheme.all.first(where: { $0.name == name }) else { return nil }
        self = scheme
        self.allowsPost = allowsPost
    }

    /// The scheme's name.
    public var description: String { name }

    /// What the middle number is called in messages.
    var lineNumberName: String { lineStyle == .month ? "month" : "sprint" }

    /// Whether `number` is a possible line number.
    func isValidLineNumber(_ number: Int) -> Bool {
        lineStyle == .month ? (1...12).contains(number) : (1...99).contains(number)
    }

    /// The canonical spelling of a line number.
    func spell(lineNumber number: Int) -> String {
        lineStyle == .month ? String(number).leftPadded(to: 2) : String(number)
    }
}

/// A release line, the name of a release branch: `24.03` in `yy.0m`, `25.14` in `yy.n`.
public struct ReleaseLine: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The scheme the line is spelled in.
    public let scheme: VersionScheme
    /// Two-digit year, 0-99.
    public let year: Int
    /// Month or sprint number.
    public let number: Int

    /// A release line.
    /// - Parameters:
    ///   - scheme: its scheme.
    ///   - year: two-digit year.
    ///   - number: month (1-12) or sequence number.
    /// - Throws: `SchemeError` when a number does not fit the scheme.
    public init(scheme: VersionScheme, year: Int, number: Int) throws(SchemeError) {
        guard (0...99).contains(year) else { throw SchemeError("year \(year) does not fit in two digits") }
        guard scheme.isValidLineNumber(number) else {
            throw SchemeError(
                scheme.lineStyle == .month
                    ? "month \(number) is not a month (01 to 12)" : "sprint \(number) is not between 1 and 99")
        }
        self.scheme = scheme
        self.year = year
        self.number = number
    }

    /// Parses a branch name spelled exactly as the scheme writes a line (`24.03`).
    ///
    /// - Parameters:
    ///   - text: the line.
    ///   - scheme: its scheme.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public init(parsing text: String, scheme: VersionScheme) throws(SchemeError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]),
            parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(ASCII.isDigit) })
        else {
            throw SchemeError("'\(text)' is not a release line of \(scheme.name) (expected \(scheme.lineExample))")
        }
        try self.init(scheme: scheme, year: year, number: number)
        guard description == text else {
            throw SchemeError("release line '\(text)' is spelled '\(description)' in \(scheme.name)")
        }
    }

    /// The line as the scheme spells it (`24.03`).
    public var description: String { String(year).leftPadded(to: 2) + "." + scheme.spell(lineNumber: number) }

    /// Year, then number.
    public static func < (lhs: ReleaseLine, rhs: ReleaseLine) -> Bool {
        (lhs.year, lhs.number) < (rhs.year, rhs.number)
    }

    /// The same year, number and line style (a `yy.0m` and a `yy.n` line are never equal).
    public static func == (lhs: ReleaseLine, rhs: ReleaseLine) -> Bool {
        lhs.year == rhs.year && lhs.number == rhs.number && lhs.scheme.lineStyle == rhs.scheme.lineStyle
    }

    /// Hashes the year and number.
    ///
    /// - Parameter hasher: the hasher.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(year)
        hasher.combine(number)
    }

    /// The first version of the line: `X.Y.0`, or `X.Y.0rc1` (etc.) for a pre-release start.
    ///
    /// - Parameter kind: a pre-release kind to start with.
    /// - Returns: the line's first version.
    public func firstVersion(pre kind: PreReleaseKind? = nil) -> SchemeVersion {
        SchemeVersion(line: self, patch: .zero, pre: kind.map { ($0, Natural(1)) })
    }

    /// The line of a calendar month, in `yy.0m` (`2024-03` -> `24.03`).
    ///
    /// - Parameters:
    ///   - year: the full or two-digit year.
    ///   - month: 1-12.
    /// - Returns: the line.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public static func ofMonth(year: Int, month: Int) throws(SchemeError) -> ReleaseLine {
        try ReleaseLine(scheme: .yearMonth, year: year % 100, number: month)
    }
}

extension VersionScheme {
    /// How a line of this scheme looks, for messages.
    public var lineExample: String { lineStyle == .month ? "YY.MM, e.g. 24.03" : "YY.N, e.g. 25.14" }
    /// How a version of this scheme looks, for messages.
    public var versionExample: String { lineStyle == .month ? "YY.MM.P, e.g. 24.03.0" : "YY.N.P, e.g. 25.14.0" }
}

/// A problem with a version, a line or a next-version request, said in one sentence.
public struct SchemeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The sentence.
    public var message: String
    /// An error with its sentence.
    ///
    /// - Parameter message: the sentence.
    public init(_ message: String) { self.message = message }
    /// The sentence.
    public var description: String { message }
}

/// A version as a scheme spells it: a release line, a patch number and PEP 440 suffixes.
public struct SchemeVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The release line.
    public var line: ReleaseLine
    /// The patch number.
    public var patch: Natural
    /// The pre-release, when it is one.
    public var pre: (kind: PreReleaseKind, number: Natural)?
    /// The post-release number, when it is one.
    public var post: Natural?
    /// The development release number, when it is one.
    public var dev: Natural?

    /// A version from its parts.
    ///
    /// - Parameters:
    ///   - line: the release line.
    ///   - patch: the patch number.
    ///   - pre: the pre-release.
    ///   - post: the post-release number.
    ///   - dev: the development release number.
    public init(
        line: ReleaseLine, patch: Natural, pre: (kind: PreReleaseKind, number: Natural)? = nil,
        post: Natural? = nil, dev: Natural? = nil
    ) {
        self.line = line
        self.patch = patch
        self.pre = pre
        self.post = post
        self.dev = dev
    }

    /// The scheme of its line.
    public var scheme: VersionScheme { line.scheme }

    /// The scheme's spelling: `24.03.0rc1`, `24.04.0.dev0`.
    public var description: String {
        var text = "\(line).\(patch)"
        if let pre { text += "\(pre.kind)\(pre.number)" }
        if let post { text += ".post\(post)" }
        if let dev { text += ".dev\(dev)" }
        return text
    }

    /// The same version as PEP 440 writes it (`24.3.0rc1`), as Python requirement pins need.
    public var pep440: Version {
        Version(release: [Natural(line.year), Natural(line.number), patch], pre: pre, post: post, dev: dev)
    }

    /// A final release: no pre-release, no dev release (a post-release counts as final).
    public var isFinal: Bool { pre == nil && dev == nil }

    /// This version without pre, post and dev parts.
    public var base: SchemeVersion { SchemeVersion(line: line, patch: patch) }

    /// PEP 440 order.
    public static func < (lhs: SchemeVersion, rhs: SchemeVersion) -> Bool { lhs.pep440 < rhs.pep440 }
    /// The same PEP 440 version.
    public static func == (lhs: SchemeVersion, rhs: SchemeVersion) -> Bool { lhs.pep440 == rhs.pep440 }
    /// Hashes the PEP 440 value.
    ///
    /// - Parameter hasher: the hasher.
    public func hash(into hasher: inout Hasher) { hasher.combine(pep440) }
}

extension VersionScheme {
    /// Reads a version in any PEP 440 spelling whose numbers fit the scheme (`24.3.0rc1` or
    /// `24.03.0-RC1` both give `24.03.0rc1`). `validate` is the strict check of the spelling.
    ///
    /// - Parameter text: the version.
    /// - Returns: the version.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public func version(parsing text: String) throws(SchemeError) -> SchemeVersion {
        let parsed: Version
        do {
            parsed = try Version(parsing: text)
        } catch {
            throw SchemeError("'\(text)' is not a version: \(error.reason)")
        }
        return try version(from: parsed, spelled: text)
    }

    /// Converts a PEP 440 version into the scheme, when it fits.
    ///
    /// - Parameters:
    ///   - parsed: the PEP 440 version.
    ///   - text: how it was spelled, for messages.
    /// - Returns: the version.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public func version(from parsed: Version, spelled text: String? = nil) throws(SchemeError) -> SchemeVersion {
        let shown = text ?? parsed.description
        guard parsed.epoch.isZero else { throw SchemeError("'\(shown)' has an epoch, which \(name) does not use") }
        guard parsed.local == nil else { throw SchemeError("'\(shown)' has a local label, which \(name) does not use") }
        guard parsed.release.count == 3 else {
            throw SchemeError("'\(shown)' has \(parsed.release.count) release numbers; \(name) needs three (\(versionExample))")
        }
        guard let year = parsed.release[0].intValue, year < 100 else {
            throw SchemeError("'\(shown)' has year \(parsed.release[0]); \(name) needs a two-digit year")
        }
        guard let number = parsed.release[1].intValue, isValidLineNumber(number) else {
            throw SchemeError(
                lineStyle == .month
                    ? "'\(shown)' has month \(parsed.release[1]), which is not a month (01 to 12)"
                    : "'\(shown)' has sprint \(parsed.release[1]), which is not between 1 and 99")
        }
        if parsed.post != nil && !allowsPost {
            throw SchemeError("'\(shown)' is a post-release, which the configuration does not allow (allow-post = false)")
        }
        let line = try ReleaseLine(scheme: self, year: year, number: number)
        return SchemeVersion(line: line, patch: parsed.release[2], pre: parsed.pre, post: parsed.post, dev: parsed.dev)
    }
}

extension ReleaseLine {
    /// The first two dot-separated runs of digits of a line, tag or version, a leading `v` passed
    /// over, and what follows them: "v23.09.8" -> ("23", "09", ".8"); nil when it does not start
    /// that way. (Which scheme a text belongs to is read from these.)
    ///
    /// - Parameter text: the text.
    /// - Returns: the year digits, the number digits and the rest, or nil.
    public static func leadingDigitRuns(of text: String) -> (year: ArraySlice<UInt8>, number: ArraySlice<UInt8>, rest: ArraySlice<UInt8>)? {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "V") { bytes = bytes.dropFirst() }
        let year = bytes.prefix { ASCII.isDigit($0) }
        bytes = bytes.dropFirst(year.count)
        guard !year.isEmpty, bytes.first == UInt8(ascii: ".") else { return nil }
        bytes = bytes.dropFirst()
        let number = bytes.prefix { ASCII.isDigit($0) }
        guard !number.isEmpty else { return nil }
        return (year, number, bytes.dropFirst(number.count))
    }

    /// The value of a run of digits (at most its first `limit`).
    static func value(of digits: ArraySlice<UInt8>, limit: Int = 6) -> Int {
        digits.prefix(limit).reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
