import ArgumentParser
import GitKit
import RelKit
import RelKitCore
internal import SystemLibc

/// Today's date in UTC: the API version's "not in the future", the month a cut defaults to, and
/// which release lines are maintained. `RELKIT_TODAY=YYYY-MM-DD` stands in for the clock, for
/// tests and reproducible CI runs (as `relkit lines --today` does for one command).
func todayUTC() throws(CLIError) -> CalendarDate {
    if let text = environmentValue("RELKIT_TODAY") {
        guard let date = CalendarDate(parsing: text) else {
            throw CLIError("RELKIT_TODAY='\(text.displayable())' is not a date written YYYY-MM-DD that exists")
        }
        return date
    }
    // The C library's calendar: Foundation's named time zones (TimeZone(identifier: "UTC")) need
    // FoundationInternationalization, which relkit does not link (README, "How relkit is built").
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    return CalendarDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))!
}

/// A `--today YYYY-MM-DD` option's value.
extension CalendarDate: ExpressibleByArgument {
    /// Parses `YYYY-MM-DD`.
    public init?(argument: String) { self.init(parsing: argument) }
}
