import RelKitCore
import Testing

@Suite("Release lines: dates and the lifecycle policy")
struct LineRegistryTests {
    func date(_ text: String) -> CalendarDate { CalendarDate(parsing: text)! }
    func line(_ text: String) -> ReleaseLine { try! ReleaseLine(parsing: text, scheme: .yearMonth) }

    @Test(arguments: [
        ("2027-04-30", true), ("2028-02-29", true), ("2027-02-29", false), ("2100-02-29", false), ("2000-02-29", true),
        ("2027-4-30", false), ("2027-04-31", false), ("27-04-30", false), ("2027-13-01", false), ("2027-00-10", false),
        ("2027-04-30T00:00", false), (" 2027-04-30", false), ("２０２７-04-30", false)
    ])
    func datesParseOnlyWhenTheyExist(text: String, valid: Bool) {
        #expect((CalendarDate(parsing: text) != nil) == valid, "\(text)")
        if valid { #expect(CalendarDate(parsing: text)!.description == text) }
    }

    /// The default policy: the last day of the month one year after the month of registration.
    @Test(arguments: [
        ("2026-04-17", 12, "2027-04-30"), ("2026-04-01", 12, "2027-04-30"), ("2026-02-10", 12, "2027-02-28"),
        ("2027-02-10", 12, "2028-02-29"), ("2026-12-31", 1, "2027-01-31"), ("2026-11-05", 18, "2028-05-31"), ("2026-08-31", 24, "2028-08-31")
    ])
    func retireAfterDates(registered: String, months: Int, expected: String) {
        #expect(date(registered).lastDayOfMonth(monthsLater: months).description == expected)
    }

    @Test func nextDays() {
        #expect(date("2027-04-30").next.description == "2027-05-01")
        #expect(date("2026-12-31").next.description == "2027-01-01")
        #expect(date("2028-02-28").next.description == "2028-02-29")
    }

    /// An LTS line is maintained through its date and due the day after; a regular line only while
    /// it is the newest registered line (LTS or not); a listed line while it is listed.
    @Test(arguments: [
        // (registry, today, maintained)
        ([("26.04", "lts", "2027-04-30")], "2027-04-30", ["26.04"]),
        ([("26.04", "lts", "2027-04-30")], "2027-05-01", []),
        ([("26.04", "regular", "")], "2030-01-01", ["26.04"]),
        ([("26.04", "regular", ""), ("26.10", "regular", "")], "2026-11-01", ["26.10"]),
        ([("26.04", "regular", ""), ("26.10", "lts", "2027-10-31")], "2026-11-01", ["26.10"]),
        ([("26.04", "lts", "2027-04-30"), ("26.10", "regular", "")], "2026-11-01", ["26.04", "26.10"]),
        ([("26.04", "lts", "2027-04-30"), ("26.10", "regular", ""), ("27.04", "regular", "")], "2027-04-30", ["26.04", "27.04"]),
        ([("26.04", "lts", "2027-04-30"), ("26.10", "regular", ""), ("27.04", "regular", "")], "2027-05-01", ["27.04"]),
        ([("25.10", "listed", ""), ("26.04", "listed", "")], "2040-01-01", ["25.10", "26.04"])
    ])
    func whichLinesAreMaintained(registry: [(String, String, String)], today: String, maintained: [String]) {
        let lines = registry.map { name, kind, retireAfter in
            RegisteredLine(name: name, line: line(name), kind: RegisteredLine.Kind(rawValue: kind)!, retireAfter: retireAfter.isEmpty ? nil : date(retireAfter))
        }
        #expect(LineLifecycle.maintained(lines, today: date(today)).map(\.name) == maintained)
        let standings = LineLifecycle.standings(lines, today: date(today))
        #expect(standings.count == lines.count)
        for standing in standings where !standing.maintained {
            #expect(standing.reason.contains("retired after") || standing.reason.contains("superseded by"), "\(standing.reason)")
        }
    }

    @Test func supersededSaysByWhichLine() {
        let lines = ["26.04", "26.10", "27.04"].map { RegisteredLine(name: $0, line: line($0), kind: .regular) }
        #expect(
            LineLifecycle.standings(lines, today: date("2027-05-01")).map(\.reason) == [
                "regular, superseded by 26.10", "regular, superseded by 27.04", "regular, the newest line"
            ])
    }
}
