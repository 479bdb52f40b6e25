/// Which version main carries after a release line is cut.
public enum NextLinePolicy: Sendable, Hashable, CustomStringConvertible {
    /// The following month (`24.03` -> `24.04`, `24.12` -> `25.01`), or the next sprint in `yy.n`.
    case nextMonth
    /// The next month of a release cadence (`[3, 9]`: `24.03` -> `24.09`, `24.09` -> `25.03`).
    case cadence([Int])
    /// Main keeps its version: no development versions on main.
    case none

    /// The names `next-line` accepts in `.release.toml`.
    public static let names = ["next-month", "cadence", "none"]

    /// The policy's name in `.release.toml`.
    public var name: String {
        switch self {
        case .nextMonth: return "next-month"
        case .cadence: return "cadence"
        case .none: return "none"
        }
    }

    /// The name, with the cadence's months.
    public var description: String {
        if case .cadence(let months) = self { return "cadence \(months)" }
        return name
    }
}

/// What `relkit version next` and the release commands can ask for.
public enum NextVersionRequest: Sendable, Hashable {
    case patch
    case pre(PreReleaseKind)
    case final
    case dev
    case nextLine
}

extension SchemeVersion {
    /// The next version of the requested kind; never lower than this one.
    ///
    /// - Parameters:
    ///   - request: which next version.
    ///   - policy: how the line moves (`.nextLine` requests).
    /// - Returns: the next version.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public func next(_ request: NextVersionRequest, policy: NextLinePolicy = .nextMonth) throws(SchemeError) -> SchemeVersion {
        switch request {
        case .patch: return try nextPatch()
        case .pre(let kind): return try nextPreRelease(kind)
        case .final: return try finalRelease()
        case .dev: return nextDev()
        case .nextLine:
            guard let line = try line.next(policy: policy) else {
                throw SchemeError("the next-line policy is 'none': main keeps its version after a cut")
            }
            return SchemeVersion(line: line, patch: .zero, dev: .zero)
        }
    }

    /// `24.03.1` -> `24.03.2`. A pre-release or dev version is not released yet: finalize it first.
    public func nextPatch() throws(SchemeError) -> SchemeVersion {
        guard isFinal else {
            throw SchemeError("\(self) is a \(kindName) of \(base); release it with --final before the next patch")
        }
        return SchemeVersion(line: line, patch: patch.successor)
    }

    /// The next pre-release of `kind`: `rc1` -> `rc2`, `b2` -> `rc1`, `24.03.1` -> `24.03.2rc1`,
    /// `24.04.0.dev3` -> `24.04.0a1`. Going from a later kind to an earlier one (`rc` -> `a`) is refused.
    ///
    /// - Parameter kind: alpha, beta or release candidate.
    /// - Returns: the next pre-release.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public func nextPreRelease(_ kind: PreReleaseKind) throws(SchemeError) -> SchemeVersion {
        if let pre {
            if kind < pre.kind {
                throw SchemeError(
                    "\(self) is already a\(pre.kind == .alpha ? "n" : "") \(pre.kind.longName); a\(kind == .alpha ? "n" : "") \(kind.longName) would go backwards (\(pre.kind) -> \(kind))")
            }
            if kind == pre.kind {
                // rc1.dev0 precedes rc1, so rc1 itself is next; otherwise the number goes up.
                let number = (dev != nil && post == nil) ? pre.number : pre.number.successor
                return SchemeVersion(line: line, patch: patch, pre: (kind, number))
            }
            return SchemeVersion(line: line, patch: patch, pre: (kind, Natural(1)))
        }
        if dev != nil && post == nil {
            // X.devN precedes every pre-release of X.
            return SchemeVersion(line: line, patch: patch, pre: (kind, Natural(1)))
        }
        return SchemeVersion(line: line, patch: patch.successor, pre: (kind, Natural(1)))
    }

    /// `24.03.0rc2` -> `24.03.0`, `24.04.0.dev1` -> `24.04.0`.
    public func finalRelease() throws(SchemeError) -> SchemeVersion {
        guard !isFinal else { throw SchemeError("\(self) is already a final release") }
        return base
    }

    /// `24.04.0.dev0` -> `24.04.0.dev1`; `24.03.1` -> `24.03.2.dev0`; `24.03.0rc1` -> `24.03.0rc2.dev0`.
    public func nextDev() -> SchemeVersion {
        if let dev { return SchemeVersion(line: line, patch: patch, pre: pre, post: post, dev: dev.successor) }
        if let pre { return SchemeVersion(line: line, patch: patch, pre: (pre.kind, pre.number.successor), dev: .zero) }
        return SchemeVersion(line: line, patch: patch.successor, dev: .zero)
    }

    var kindName: String {
        if let pre { return pre.kind.longName }
        return "development version"
    }
}

extension PreReleaseKind {
    /// `alpha`, `beta` or `release candidate`.
    public var longName: String {
        switch self {
        case .alpha: return "alpha"
        case .beta: return "beta"
        case .releaseCandidate: return "release candidate"
        }
    }
}

extension ReleaseLine {
    /// The line main moves to after this one is cut; nil when the policy keeps main as it is.
    ///
    /// - Parameter policy: `next-line`.
    /// - Returns: the next line, or nil.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public func next(policy: NextLinePolicy) throws(SchemeError) -> ReleaseLine? {
        switch (policy, scheme.lineStyle) {
        case (.none, _):
            return nil
        case (.nextMonth, .month):
            return number == 12 ? try nextYear(number: 1) : try ReleaseLine(scheme: scheme, year: year, number: number + 1)
        case (.nextMonth, .sequence):
            guard number < 99 else { throw SchemeError("sprint \(self) is the last of its year (99); name the next line explicitly") }
            return try ReleaseLine(scheme: scheme, year: year, number: number + 1)
        case (.cadence(let months), .month):
            try Self.validateCadence(months)
            if let later = months.sorted().first(where: { $0 > number }) {
                return try ReleaseLine(scheme: scheme, year: year, number: later)
            }
            return try nextYear(number: months.min()!)
        case (.cadence, .sequence):
            throw SchemeError("a cadence of months needs the yy.0m scheme, not \(scheme.name)")
        }
    }

    private func nextYear(number: Int) throws(SchemeError) -> ReleaseLine {
        guard year < 99 else { throw SchemeError("the year after \(String(year).leftPadded(to: 2)) does not fit in two digits") }
        return try ReleaseLine(scheme: scheme, year: year + 1, number: number)
    }

    /// A cadence is a non-empty list of distinct months.
    ///
    /// - Parameter months: the months.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public static func validateCadence(_ months: [Int]) throws(SchemeError) {
        guard !months.isEmpty else { throw SchemeError("the cadence lists no month") }
        if let bad = months.first(where: { !(1...12).contains($0) }) {
            throw SchemeError("the cadence lists \(bad), which is not a month (1 to 12)")
        }
        guard Set(months).count == months.count else { throw SchemeError("the cadence lists a month twice") }
    }
}
