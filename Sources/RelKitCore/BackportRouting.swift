/// Which maintained lines a change must reach (`relkit backport targets`): the rules, without
/// I/O. The caller says whether the subject is a fix and which lines are maintained.
public enum BackportRouting {
    /// What a `Backport:` trailer asks for.
    public enum TrailerRequest: Sendable, Equatable {
        /// `Backport: none` (any case): no backport, whatever the subject says.
        case optOut
        /// `Backport: 26.4, 26.8` (commas or spaces): these lines, as written.
        case lines([String])
    }

    /// Why a change has the targets it has.
    public enum Reason: String, Sendable, Equatable {
        /// Lines given with `--to` (a `/backport 26.4` comment).
        case to
        /// A `Backport:` trailer naming lines.
        case trailer
        /// `Backport: none`.
        case optedOut = "opted-out"
        /// A fix subject: every maintained line.
        case fixSubject = "fix-subject"
        /// Neither a fix nor a trailer: no targets.
        case notAFix = "not-a-fix"
        /// Not on the source branch (a backport itself, or not merged): no targets.
        case notOnSource = "not-on-source"
    }

    /// The decision: the lines to reach, the ones given and dropped, and why.
    public struct Decision: Sendable, Equatable {
        /// The maintained lines to reach, in the registry's order.
        public var targets: [ReleaseLine]
        /// Lines given with `--to` that are not maintained (or not lines), with why.
        public var dropped: [(name: String, reason: String)]
        /// What decided.
        public var reason: Reason

        /// Two decisions are equal when they say the same.
        public static func == (a: Decision, b: Decision) -> Bool {
            a.targets == b.targets && a.reason == b.reason && a.dropped.map(\.name) == b.dropped.map(\.name) && a.dropped.map(\.reason) == b.dropped.map(\.reason)
        }
    }

    /// A decision that cannot be made: a trailer names a line that is not maintained (never a
    /// silent partial backport), or none of the `--to` lines is maintained.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, naming the lines.
        public let description: String
    }

    /// The `Backport:` trailers of a message (its trailer block, by git's rules) and of a pull
    /// request's description (any line `Backport: ...`, for templates that put it above other
    /// text), taken together; nil when there is none. Line endings may be CRLF.
    ///
    /// - Parameters:
    ///   - message: the commit message.
    ///   - body: the pull request's description.
    ///   - key: the trailer key (`Backport`).
    /// - Returns: what they ask for, or nil.
    /// - Throws: `Refusal` when one says `none` and another names lines.
    public static func trailerRequest(message: String, body: String?, key: String = "Backport") throws(Refusal) -> TrailerRequest? {
        var values = Trailers.parse(message.replacing("\r\n", with: "\n")).filter { $0.matches(key: key) }.map(\.value)
        if let body {
            let prefix = key.lowercased() + ":"
            for line in body.replacing("\r\n", with: "\n").split(separator: "\n") {
                let text = line.trimmingSpaces()
                if text.lowercased().hasPrefix(prefix) { values.append(String(text.dropFirst(prefix.count)).trimmingSpaces()) }
            }
        }
        guard !values.isEmpty else { return nil }
        var lines: [String] = []
        var optOut = false
        for value in values {
            let words = value.split { $0 == "," || $0 == " " || $0 == "\t" }.map(String.init)
            for word in words {
                if word.lowercased() == "none" { optOut = true } else if !lines.contains(word) { lines.append(word) }
            }
        }
        if optOut && !lines.isEmpty {
            throw Refusal(description: "the \(key): trailers say both none and \(lines.joined(separator: ", ")); say one")
        }
        if optOut { return .optOut }
        guard !lines.isEmpty else { throw Refusal(description: "a \(key): trailer names no line (write \(key): 26.4, 26.8, or \(key): none)") }
        return .lines(lines)
    }

    /// Decides the targets.
    ///
    /// - Parameters:
    ///   - onSource: whether the change is on the source branch.
    ///   - isFix: whether its subject (or the pull request's title) is a fix.
    ///   - trailer: what its `Backport:` trailers ask for.
    ///   - to: lines given with `--to` (they override the rest).
    ///   - maintained: the maintained lines, in the registry's order.
    ///   - parse: reads a line as written (`26.4` or `26.04`); nil when it is no line.
    /// - Returns: the decision.
    /// - Throws: `Refusal` for a trailer naming a line that is not maintained, or `--to` lines of
    ///   which none is maintained.
    public static func decide(
        onSource: Bool, isFix: Bool, trailer: TrailerRequest?, to: [String], maintained: [ReleaseLine],
        parse: (String) -> ReleaseLine?
    ) throws(Refusal) -> Decision {
        let maintainedList = maintained.isEmpty ? "none" : maintained.map(\.description).joined(separator: ", ")
        if !to.isEmpty {
            var targets: [ReleaseLine] = []
            var dropped: [(name: String, reason: String)] = []
            for name in to {
                guard let line = parse(name) else {
                    dropped.append((name, "not a release line"))
                    continue
                }
                if maintained.contains(line) {
                    if !targets.contains(line) { targets.append(line) }
                } else {
                    dropped.append((name, "not maintained (maintained: \(maintainedList))"))
                }
            }
            guard !targets.isEmpty else {
                throw Refusal(description: "none of \(to.joined(separator: ", ")) is a maintained line (maintained: \(maintainedList))")
            }
            return Decision(targets: maintained.filter(targets.contains), dropped: dropped, reason: .to)
        }
        guard onSource else { return Decision(targets: [], dropped: [], reason: .notOnSource) }
        switch trailer {
        case .optOut?:
            return Decision(targets: [], dropped: [], reason: .optedOut)
        case .lines(let names)?:
            var targets: [ReleaseLine] = []
            for name in names {
                guard let line = parse(name), maintained.contains(line) else {
                    throw Refusal(description: "the Backport: trailer names \(name), which is not a maintained line (maintained: \(maintainedList)); nothing is backported")
                }
                if !targets.contains(line) { targets.append(line) }
            }
            return Decision(targets: maintained.filter(targets.contains), dropped: [], reason: .trailer)
        case nil:
            return isFix ? Decision(targets: maintained, dropped: [], reason: .fixSubject) : Decision(targets: [], dropped: [], reason: .notAFix)
        }
    }
}
