/// Which scheme a project's history is written in, from the versions, tags and branch names it
/// has (`relkit init`): `24.03` (a zero-padded month) is `yy.0m`, `25.1` or `25.14` (no pad, or
/// past 12) is `yy.n`; `24.11` says nothing. The scheme of the latest evidence is the current
/// one; when the other scheme's evidence all comes before it, that one is an earlier scheme up to
/// its last line.
public enum SchemeInference {
    /// The inferred scheme, and the earlier one when the history changed schemes.
    public struct Result: Equatable, Sendable {
        /// The current scheme.
        public let scheme: VersionScheme
        /// The scheme used before, up to its last line.
        public let earlier: EarlierScheme?
        /// How many texts said something (0: the default, `yy.0m`).
        public let evidence: Int
    }

    /// The scheme one text is evidence of, with its line's (year, number); nil when it says nothing.
    ///
    /// - Parameter text: a version, tag or branch name.
    /// - Returns: the scheme and line, or nil.
    public static func evidence(of text: String) -> (scheme: VersionScheme, year: Int, number: Int)? {
        guard let (year, second, rest) = ReleaseLine.leadingDigitRuns(of: text), year.count == 2, (1...2).contains(second.count),
            rest.isEmpty || rest.first == UInt8(ascii: ".")
        else { return nil }
        let yearValue = ReleaseLine.value(of: year)
        let number = ReleaseLine.value(of: second)
        if second.count == 2 && second.first == UInt8(ascii: "0") {
            return number >= 1 ? (.yearMonth, yearValue, number) : nil
        }
        if number > 12 || (second.count == 1 && number >= 1) { return (.yearSequence, yearValue, number) }
        return nil
    }

    /// The scheme a project's versions, tags and branch names are written in.
    /// - Parameter texts: versions, tag names and branch names.
    /// - Returns: the current scheme and any earlier one.
    public static func infer(_ texts: [String]) -> Result {
        let found = texts.compactMap(evidence(of:)).sorted { ($0.year, $0.number) < ($1.year, $1.number) }
        guard let latest = found.last else { return Result(scheme: .yearMonth, earlier: nil, evidence: 0) }
        let current = latest.scheme
        let firstOfCurrent = found.first { $0.scheme == current }!
        let before = found.filter { $0.scheme != current && ($0.year, $0.number) < (firstOfCurrent.year, firstOfCurrent.number) }
        guard let last = before.last, let until = try? ReleaseLine(scheme: last.scheme, year: last.year, number: last.number) else {
            return Result(scheme: current, earlier: nil, evidence: found.count)
        }
        return Result(scheme: current, earlier: EarlierScheme(scheme: last.scheme, until: until), evidence: found.count)
    }
}
