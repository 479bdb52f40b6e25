/// The date formats git accepts in `GIT_AUTHOR_DATE` and `GIT_COMMITTER_DATE`.
public enum GitDate {
    /// Seconds since the epoch and the offset from UTC in minutes; nil when the text is not a date
    /// git would read. `localOffsetMinutes` applies to ISO dates written without an offset.
    ///
    /// - Parameters:
    ///   - text: a date as git reads `GIT_AUTHOR_DATE` (`@1700000000 +0000`, ISO 8601, RFC 2822).
    ///   - localOffsetMinutes: the offset for a date without one.
    /// - Returns: the time and offset, or nil.
    public static func parse(_ text: String, localOffsetMinutes: Int32 = 0) -> (seconds: Int64, offsetMinutes: Int32)? {
        let trimmed = text.trimmingSpaces()
        // git's own format: "@1700000000 +0100", "1700000000 +0100", "@1700000000".
        let parts = trimmed.split(separator: " ")
        if let first = parts.first, parts.count <= 2 {
            let digits = first.hasPrefix("@") ? first.dropFirst() : first[...]
            if let seconds = Int64(digits), digits.count >= (first.hasPrefix("@") ? 1 : 9) {
                if parts.count == 1 { return (seconds, 0) }
                if let offset = parseOffset(String(parts[1])) { return (seconds, offset) }
            }
        }
        return parseISO(trimmed, localOffsetMinutes: localOffsetMinutes) ?? parseRFC2822(trimmed)
    }

    /// "+0200", "-05:30", "Z".
    static func parseOffset(_ text: String) -> Int32? {
        if text == "Z" || text == "z" { return 0 }
        let sign: Int32
        switch text.first {
        case "+": sign = 1
        case "-": sign = -1
        default: return nil
        }
        let digits = text.dropFirst().filter { $0 != ":" }
        guard digits.count == 4, digits.allSatisfy(\.isASCII), let value = Int32(digits) else { return nil }
        let hours = value / 100
        let minutes = value % 100
        guard hours <= 14, minutes < 60 else { return nil }
        return sign * (hours * 60 + minutes)
    }

    /// "2005-04-07T22:13:13", "2005-04-07 22:13:13 +0200", "2005-04-07T22:13:13Z".
    static func parseISO(_ text: String, localOffsetMinutes: Int32) -> (Int64, Int32)? {
        var body = text.replacingFirst(" ", with: "T")
        var offset = localOffsetMinutes
        if body.hasSuffix("Z") || body.hasSuffix("z") {
            offset = 0
            body.removeLast()
        } else if let signIndex = body.lastIndex(where: { $0 == "+" || $0 == "-" }), let timeStart = body.firstIndex(of: "T"), signIndex > timeStart {
            guard let parsed = parseOffset(String(body[signIndex...]).trimmingSpaces()) else { return nil }
            offset = parsed
            body = String(body[..<signIndex]).trimmingSpaces()
        }
        let halves = body.split(separator: "T")
        guard halves.count == 2 else { return nil }
        let date = halves[0].split(separator: "-").map { Int($0) }
        let time = halves[1].split(separator: ":").map { Int($0) }
        guard date.count == 3, time.count == 3, let year = date[0], let month = date[1], let day = date[2],
            let hour = time[0], let minute = time[1], let second = time[2]
        else { return nil }
        return fromCivil(year, month, day, hour, minute, second, offset)
    }

    /// "Thu, 07 Apr 2005 22:13:13 +0200".
    static func parseRFC2822(_ text: String) -> (Int64, Int32)? {
        var parts = text.split(separator: " ").map(String.init)
        if let first = parts.first, first.hasSuffix(",") { parts.removeFirst() }
        guard parts.count == 5, let day = Int(parts[0]), let year = Int(parts[2]), let offset = parseOffset(parts[4]) else { return nil }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard let monthIndex = months.firstIndex(of: parts[1].lowercased().prefix(3).description) else { return nil }
        let time = parts[3].split(separator: ":").map { Int($0) }
        guard time.count == 3, let hour = time[0], let minute = time[1], let second = time[2] else { return nil }
        return fromCivil(year, monthIndex + 1, day, hour, minute, second, offset)
    }

    /// Seconds since the epoch of a civil date and time at an offset (Howard Hinnant's algorithm).
    static func fromCivil(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ offset: Int32) -> (Int64, Int32)? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146097 + dayOfEra - 719468
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset) * 60
        return (seconds, offset)
    }
}

extension String {
    func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
