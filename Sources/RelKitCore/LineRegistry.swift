/// A calendar day (UTC), as `YYYY-MM-DD`: the dates of release lines' lifecycles.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year (1-9999).
    public let year: Int
    /// The month (1-12).
    public let month: Int
    /// The day of the month (1 to the month's length).
    public let day: Int

    /// A date; nil when the day does not exist (`2027-02-29`).
    /// - Parameters:
    ///   - year: the year (1-9999).
    ///   - month: the month (1-12).
    ///   - day: the day.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= CalendarDate.days(inMonth: month, of: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// A date written `YYYY-MM-DD`; nil for anything else (another form, a day that does not exist).
    /// - Parameter text: the date.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy(ASCII.isDigit) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The number of days of a month.
    /// - Parameters:
    ///   - month: the month (1-12).
    ///   - year: its year.
    /// - Returns: 28 to 31.
    public static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The last day of the month `months` after this date's month (`2026-04-17` and 12: `2027-04-30`).
    /// - Parameter months: how many months on.
    /// - Returns: that month's last day.
    public func lastDayOfMonth(monthsLater months: Int) -> CalendarDate {
        let index = (year * 12 + month - 1) + months
        let year = index / 12
        let month = index % 12 + 1
        return CalendarDate(year: year, month: month, day: CalendarDate.days(inMonth: month, of: year))!
    }

    /// The next day.
    public var next: CalendarDate {
        if let tomorrow = CalendarDate(year: year, month: month, day: day + 1) { return tomorrow }
        if let first = CalendarDate(year: year, month: month + 1, day: 1) { return first }
        return CalendarDate(year: year + 1, month: 1, day: 1) ?? self
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Earlier days first.
    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}

/// A release line written in `.release.toml`'s registry (`[[lines]]`), or in the plain list of
/// older configurations (`[branches] maintained`).
public struct RegisteredLine: Sendable, Hashable {
    /// How the line is kept.
    public enum Kind: String, Sendable, Hashable {
        /// Maintained while it is the newest registered line.
        case regular
        /// Maintained through its `retire-after` date.
        case lts
        /// Named by `[branches] maintained`: maintained while it is listed.
        case listed
    }

    /// The line as written (`26.04`).
    public let name: String
    /// The line, parsed in the scheme of its time.
    public let line: ReleaseLine
    /// How it is kept.
    public let kind: Kind
    /// For an LTS line: the last day it is maintained.
    public let retireAfter: CalendarDate?
    /// Where it is written in `.release.toml`.
    public let location: SourceLocation

    /// A registered line.
    /// - Parameters:
    ///   - name: the line as written.
    ///   - line: the line.
    ///   - kind: how it is kept.
    ///   - retireAfter: an LTS line's last day.
    ///   - location: where it is written.
    public init(name: String, line: ReleaseLine, kind: Kind, retireAfter: CalendarDate? = nil, location: SourceLocation = .start) {
        self.name = name
        self.line = line
        self.kind = kind
        self.retireAfter = retireAfter
        self.location = location
    }
}

/// Where a registered line stands on a given day.
public struct LineStanding: Sendable, Hashable {
    /// The line.
    public let registered: RegisteredLine
    /// Whether backports go there today.
    public let maintained: Bool
    /// Why, in a few words ("LTS through 2027-04-30", "superseded by 26.10").
    public let reason: String
}

/// The lifecycle policy of release lines: which registered lines are maintained on a day.
public enum LineLifecycle {
    /// The standing of each registered line on `today`, in the registry's order. An LTS line is
    /// maintained through its `retire-after` day and due for retirement the day after; a regular
    /// line only while no newer line is registered; a listed one while it is listed.
    ///
    /// - Parameters:
    ///   - lines: the registry.
    ///   - today: the day (UTC).
    /// - Returns: each line's standing.
    public static func standings(_ lines: [RegisteredLine], today: CalendarDate) -> [LineStanding] {
        let newest = lines.map(\.line).max()
        return lines.map { registered in
            switch registered.kind {
            case .listed:
                return LineStanding(registered: registered, maintained: true, reason: "listed in [branches] maintained")
            case .lts:
                guard let last = registered.retireAfter else { return LineStanding(registered: registered, maintained: true, reason: "LTS") }
                if today <= last { return LineStanding(registered: registered, maintained: true, reason: "LTS through \(last)") }
                return LineStanding(registered: registered, maintained: false, reason: "LTS retired after \(last)")
            case .regular:
                if let newest, registered.line < newest {
                    let newer = lines.filter { $0.line > registered.line }.map(\.line).min()!
                    return LineStanding(registered: registered, maintained: false, reason: "regular, superseded by \(newer)")
                }
                return LineStanding(registered: registered, maintained: true, reason: "regular, the newest line")
            }
        }
    }

    /// The lines maintained on `today`.
    /// - Parameters:
    ///   - lines: the registry.
    ///   - today: the day (UTC).
    /// - Returns: the maintained lines, in the registry's order.
    public static func maintained(_ lines: [RegisteredLine], today: CalendarDate) -> [RegisteredLine] {
        standings(lines, today: today).filter(\.maintained).map(\.registered)
    }
}
