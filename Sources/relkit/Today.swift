import ArgumentParser
import RelKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Today's date in UTC, for the API version's "not in the future".
func todayUTC() -> (year: Int, month: Int, day: Int) {
    // The C library's calendar: Foundation's named time zones (TimeZone(identifier: "UTC")) need
    // FoundationInternationalization, which relkit does not link (README, "How relkit is built").
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
}
