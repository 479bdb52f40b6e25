import RelKitCore
import Testing

@Suite("Which lines a fix goes to")
struct BackportRoutingTests {
    let maintained = ["26.03", "26.09"].map { try! ReleaseLine(parsing: $0, scheme: .yearMonth) }
    let configuration = ReleaseConfiguration(scheme: .yearMonth)

    func decide(subject: String, message: String? = nil, body: String? = nil, to: [String] = [], onSource: Bool = true) -> String {
        let isFix = subject.firstMatch(of: try! Regex("^fix(\\([^)]*\\))?!?:").ignoresCase()) != nil
        do {
            let trailer = try BackportRouting.trailerRequest(message: message ?? subject + "\n", body: body)
            let decision = try BackportRouting.decide(
                onSource: onSource, isFix: isFix, trailer: trailer, to: to, maintained: maintained, parse: configuration.releaseLine(written:))
            let dropped = decision.dropped.map { " -\($0.name)" }.joined()
            return "\(decision.reason.rawValue): \(decision.targets.map(\.description).joined(separator: ","))\(dropped)"
        } catch {
            return "refused: \(error)"
        }
    }

    @Test(
        arguments: [
            // Subjects.
            ("fix: a crash (#42)", nil, nil, [], true, "fix-subject: 26.03,26.09"),
            ("fix(manager): a crash", nil, nil, [], true, "fix-subject: 26.03,26.09"),
            ("fix!: a breaking crash", nil, nil, [], true, "fix-subject: 26.03,26.09"),
            ("Fix: capitalised", nil, nil, [], true, "fix-subject: 26.03,26.09"),
            ("feat: a feature", nil, nil, [], true, "not-a-fix: "),
            ("fixup: not a fix", nil, nil, [], true, "not-a-fix: "),
            ("refactor: fix: inside", nil, nil, [], true, "not-a-fix: "),
            // Trailers name lines or opt out, whatever the subject says.
            ("feat: a feature", "feat: a feature\n\nBody.\n\nBackport: 26.09\n", nil, [], true, "trailer: 26.09"),
            ("fix: a crash", "fix: a crash\n\nBackport: none\n", nil, [], true, "opted-out: "),
            ("fix: a crash", "fix: a crash\n\nBackport: NONE\n", nil, [], true, "opted-out: "),
            ("fix: a crash", "fix: a crash\n\nBackport: 26.9 26.3\n", nil, [], true, "trailer: 26.03,26.09"),
            ("fix: a crash", "fix: a crash\n\nBackport: 26.09,26.03\n", nil, [], true, "trailer: 26.03,26.09"),
            ("fix: a crash", "fix: a crash\r\n\r\nSigned-off-by: A <a@example.invalid>\r\nBackport: 26.09\r\n", nil, [], true, "trailer: 26.09"),
            ("fix: a crash", "fix: a crash\n\nSigned-off-by: A <a@example.invalid>\nBackport: 26.03\nReviewed-by: B <b@example.invalid>\n", nil, [], true, "trailer: 26.03"),
            // A "Backport:" line that is not in the trailer block is prose.
            ("fix: a crash", "fix: a crash\n\nBackport: 26.03\nis what we said before.\n\nSigned-off-by: A <a@example.invalid>\n", nil, [], true, "fix-subject: 26.03,26.09"),
            (
                "fix: a crash", "fix: a crash\n\nBackport: 26.06\n", nil, [], true,
                "refused: the Backport: trailer names 26.06, which is not a maintained line (maintained: 26.03, 26.09); nothing is backported"
            ),
            (
                "fix: a crash", "fix: a crash\n\nBackport: 26.09, banana\n", nil, [], true,
                "refused: the Backport: trailer names banana, which is not a maintained line (maintained: 26.03, 26.09); nothing is backported"
            ),
            ("fix: a crash", "fix: a crash\n\nBackport: none 26.09\n", nil, [], true, "refused: the Backport: trailers say both none and 26.09; say one"),
            // The pull request's description, CRLF as web forms send it.
            ("chore: deps", nil, "Bumps a pin.\r\n\r\nBackport: 26.03\r\n", [], true, "trailer: 26.03"),
            ("fix: a crash", nil, "## Why\r\nBackport: none\r\n## How\r\n", [], true, "opted-out: "),
            // --to overrides; unmaintained ones are dropped while one is left.
            ("feat: a feature", "feat: a feature\n\nBackport: none\n", nil, ["26.9"], true, "to: 26.09"),
            ("fix: a crash", nil, nil, ["26.06", "26.09", "26.3"], true, "to: 26.03,26.09 -26.06"),
            ("fix: a crash", nil, nil, ["26.06", "banana"], true, "refused: none of 26.06, banana is a maintained line (maintained: 26.03, 26.09)"),
            // A change on a release branch (not on the source) has no targets.
            ("fix: a crash", "fix: a crash\n\nBackport: 26.09\n", nil, [], false, "not-on-source: ")
        ] as [(String, String?, String?, [String], Bool, String)])
    func targets(subject: String, message: String?, body: String?, to: [String], onSource: Bool, expected: String) {
        #expect(decide(subject: subject, message: message, body: body, to: to, onSource: onSource) == expected)
    }

    @Test func linesAsPeopleWriteThem() {
        #expect(configuration.releaseLine(written: "26.4")?.description == "26.04")
        #expect(configuration.releaseLine(written: "26.04")?.description == "26.04")
        #expect(configuration.releaseLine(written: "26.13") == nil)
        #expect(configuration.releaseLine(written: "26.4.1") == nil)
        #expect(configuration.releaseLine(written: "v26.4") == nil)
    }
}
