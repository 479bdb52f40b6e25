import RelKit
import RelKitCore
import Testing

@Suite("[[lines]] and the [branches] lifecycle keys in .release.toml")
struct LineRegistryConfigurationTests {
    func load(_ text: String) throws(ConfigurationError) -> ReleaseConfiguration { try ConfigurationLoader.load(text: text, file: ".release.toml") }

    func failure(_ text: String) -> String? {
        do {
            _ = try load(text)
            return nil
        } catch { return error.description }
    }

    @Test func theRegistryIsRead() throws {
        let configuration = try load(
            """
            [branches]
            remote = "upstream"
            lts-support = "2 years"

            [[lines]]
            name = "26.04"
            lts = true
            retire-after = 2028-04-30

            [[lines]]
            name = "26.10"

            [[lines]]
            name = "26.11"
            lts = true
            retire-after = "2027-11-30"
            """)
        #expect(configuration.branches.remote == "upstream" && configuration.branches.ltsSupportMonths == 24)
        #expect(configuration.branches.usesLineTables)
        #expect(configuration.branches.lines.map(\.name) == ["26.04", "26.10", "26.11"])
        #expect(configuration.branches.lines.map(\.kind) == [.lts, .regular, .lts])
        #expect(configuration.branches.lines.map { $0.retireAfter?.description } == ["2028-04-30", nil, "2027-11-30"])
        #expect(configuration.branches.lines.map(\.location.line) == [5, 10, 13])
        #expect(configuration.maintainedBranches(on: CalendarDate(parsing: "2027-12-01")!) == ["26.04"])
    }

    /// Older configurations keep working: the plain list is the registry, every line listed.
    @Test func thePlainListStillWorks() throws {
        let configuration = try load("[branches]\nmaintained = [\"26.09\", \"26.03\"]\n")
        #expect(!configuration.branches.usesLineTables)
        #expect(configuration.branches.lines.map(\.kind) == [.listed, .listed])
        #expect(configuration.maintainedBranches(on: CalendarDate(parsing: "2040-01-01")!) == ["26.09", "26.03"])
        #expect(configuration.branches.remote == "origin" && configuration.branches.ltsSupportMonths == 12)
    }

    @Test(arguments: [
        ("[[lines]]\nname = \"26.04\"\nlts = true\nretire-after = 2027-02-30\n", ".release.toml:4:"),
        ("[[lines]]\nname = \"26.04\"\nlts = true\nretire-after = \"2027-4-30\"\n", ".release.toml:4:1: '2027-4-30' is not a date written YYYY-MM-DD that exists"),
        ("[[lines]]\nname = \"26.04\"\nlts = true\n", ".release.toml:1:3: LTS line 26.04 needs retire-after"),
        ("[[lines]]\nname = \"26.04\"\nretire-after = 2027-04-30\n", ".release.toml:3:1: retire-after is for LTS lines; add lts = true, or remove it"),
        ("[[lines]]\nname = \"26.04\"\nkind = \"lts\"\n", ".release.toml:3:1: unknown key 'kind' in [lines[0]]"),
        ("[[lines]]\nlts = true\n", ".release.toml:1:3: each [[lines]] entry needs name"),
        ("[[lines]]\nname = \"26.13\"\n", ".release.toml:2:1: '26.13' is not a release line"),
        ("[[lines]]\nname = \"26.04\"\n[[lines]]\nname = \"26.04\"\n", ".release.toml:4:1: line 26.04 is registered twice (also at line 1)"),
        ("[[lines]]\nname = \"26.4\"\n", ".release.toml:2:1: '26.4' is not a release line: release line '26.4' is spelled '26.04' in yy.0m"),
        ("lines = \"26.04\"\n", ".release.toml:1:1: 'lines' must be an array of tables ([[lines]])"),
        ("[branches]\nmaintained = [\"26.03\"]\n[[lines]]\nname = \"26.04\"\n", "[[lines]] and [branches] maintained both list release lines"),
        ("[branches]\nlts-support = \"a year\"\n", ".release.toml:2:1: lts-support must be a length in months or years"),
        ("[branches]\nlts-support = \"0 months\"\n", ".release.toml:2:1: lts-support must be a length"),
        ("[branches]\nremote = \"up stream\"\n", ".release.toml:2:1: 'up stream' is not a valid git remote name")
    ])
    func mistakesSayWhere(text: String, expected: String) {
        let message = failure(text)
        #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
    }
}
