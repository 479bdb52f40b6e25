import Testing

@testable import RelKitCore

/// Normalization cases written from the sections of PEP 440 (case, integers, pre/post/dev
/// separators and spellings, implicit numbers, implicit post releases, local labels, `v` prefix,
/// whitespace, epochs) and from version strings seen in real calver monorepos. nil: not a version.
/// The expected strings are what `str(packaging.version.Version(s))` prints.
let normalizationCases: [(String, String?)] = [
    ("1.0", "1.0"),
    ("1.0.0", "1.0.0"),
    ("1.0.0.0", "1.0.0.0"),
    ("01.02.03", "1.2.3"),
    ("1.0.00", "1.0.0"),
    ("00", "0"),
    ("0", "0"),
    ("000.000", "0.0"),
    ("1.0A1", "1.0a1"),
    ("1.0Alpha1", "1.0a1"),
    ("1.0ALPHA1", "1.0a1"),
    ("1.0a1", "1.0a1"),
    ("1.0.a1", "1.0a1"),
    ("1.0-a1", "1.0a1"),
    ("1.0_a1", "1.0a1"),
    ("1.0-A-1", "1.0a1"),
    ("1.0.alpha.1", "1.0a1"),
    ("1.0alpha_1", "1.0a1"),
    ("1.0b1", "1.0b1"),
    ("1.0beta1", "1.0b1"),
    ("1.0BETA2", "1.0b2"),
    ("1.0.b.2", "1.0b2"),
    ("1.0-beta-3", "1.0b3"),
    ("1.0rc1", "1.0rc1"),
    ("1.0c1", "1.0rc1"),
    ("1.0pre1", "1.0rc1"),
    ("1.0preview1", "1.0rc1"),
    ("1.0PREVIEW.1", "1.0rc1"),
    ("1.0-pre-1", "1.0rc1"),
    ("1.0.c.1", "1.0rc1"),
    ("1.0RC1", "1.0rc1"),
    ("1.0-rc_1", "1.0rc1"),
    ("1.0a", "1.0a0"),
    ("1.0b", "1.0b0"),
    ("1.0rc", "1.0rc0"),
    ("1.0c", "1.0rc0"),
    ("1.0pre", "1.0rc0"),
    ("1.0preview", "1.0rc0"),
    ("1.0alpha", "1.0a0"),
    ("1.0a-", "1.0a0"),
    ("1.0a01", "1.0a1"),
    ("1.0rc001", "1.0rc1"),
    ("1.0.post1", "1.0.post1"),
    ("1.0post1", "1.0.post1"),
    ("1.0-post1", "1.0.post1"),
    ("1.0_post1", "1.0.post1"),
    ("1.0.post.1", "1.0.post1"),
    ("1.0.post-1", "1.0.post1"),
    ("1.0post_1", "1.0.post1"),
    ("1.0POST1", "1.0.post1"),
    ("1.0r1", "1.0.post1"),
    ("1.0rev1", "1.0.post1"),
    ("1.0.rev.1", "1.0.post1"),
    ("1.0-r-1", "1.0.post1"),
    ("1.0REV1", "1.0.post1"),
    ("1.0.post", "1.0.post0"),
    ("1.0post", "1.0.post0"),
    ("1.0-r", "1.0.post0"),
    ("1.0rev", "1.0.post0"),
    ("1.0-1", "1.0.post1"),
    ("1.0-0", "1.0.post0"),
    ("1.0-01", "1.0.post1"),
    ("1.0a1-1", "1.0a1.post1"),
    ("1.0rc2-3", "1.0rc2.post3"),
    ("1.0.dev1", "1.0.dev1"),
    ("1.0dev1", "1.0.dev1"),
    ("1.0-dev1", "1.0.dev1"),
    ("1.0_dev1", "1.0.dev1"),
    ("1.0.dev", "1.0.dev0"),
    ("1.0dev", "1.0.dev0"),
    ("1.0DEV", "1.0.dev0"),
    ("1.0.dev.1", "1.0.dev1"),
    ("1.0-dev-1", "1.0.dev1"),
    ("1.0.dev01", "1.0.dev1"),
    ("1.0+ubuntu-1", "1.0+ubuntu.1"),
    ("1.0+UBUNTU.1", "1.0+ubuntu.1"),
    ("1.0+abc_def-01", "1.0+abc.def.1"),
    ("1.0+1.2.3", "1.0+1.2.3"),
    ("1.0+a.B.c", "1.0+a.b.c"),
    ("1.0+0001", "1.0+1"),
    ("1.0+local.7", "1.0+local.7"),
    ("1.0+ab12", "1.0+ab12"),
    ("v1.0", "1.0"),
    ("V1.0", "1.0"),
    ("v1!2.0", "1!2.0"),
    ("  1.0  ", "1.0"),
    ("\u{9}1.0\u{A}", "1.0"),
    ("1.0\u{D}", "1.0"),
    ("\u{B}1.0\u{C}", "1.0"),
    ("\u{A0}1.0\u{3000}", "1.0"),
    ("\u{2003}1.0\u{2028}", "1.0"),
    ("\u{1C}1.0\u{1F}", "1.0"),
    ("1!1.0", "1!1.0"),
    ("0!1.0", "1.0"),
    ("00!1.0", "1.0"),
    ("2!1.0a1.post2.dev3+local", "2!1.0a1.post2.dev3+local"),
    ("1!2!3", nil),
    ("1.0a1.post2.dev3", "1.0a1.post2.dev3"),
    ("1.0rc1.post1", "1.0rc1.post1"),
    ("1.0.post1.dev0", "1.0.post1.dev0"),
    ("1.0a1.dev0", "1.0a1.dev0"),
    ("1.0b2.post3", "1.0b2.post3"),
    ("1.0c1.dev7", "1.0rc1.dev7"),
    ("20.09.0", "20.9.0"),
    ("24.03.0-RC.01", "24.3.0rc1"),
    ("24.03.0dev", "24.3.0.dev0"),
    ("24.03.0dev0", "24.3.0.dev0"),
    ("24.03.0-dev0", "24.3.0.dev0"),
    ("23.03.0a2.dev", "23.3.0a2.dev0"),
    ("22.03.11.post1", "22.3.11.post1"),
    ("23.09.8.rc1", "23.9.8rc1"),
    ("v0.7.0", "0.7.0"),
    ("25.3.0rc1", "25.3.0rc1"),
    ("", nil),
    ("   ", nil),
    ("1.0.", nil),
    (".1.0", nil),
    ("1..0", nil),
    ("1.0-", nil),
    ("1.0+", nil),
    ("1.0+-a", nil),
    ("1.0+a-", nil),
    ("1.0a1a2", nil),
    ("1.0dev1a1", nil),
    ("1.0-dev-", "1.0.dev0"),
    ("1.0.post1.post2", nil),
    ("1.0_1", nil),
    ("1.0.1-", nil),
    ("1.0 1", nil),
    ("1.0-rc-1-2", "1.0rc1.post2"),
    ("1.0.0.0.0.0.1", "1.0.0.0.0.0.1"),
    ("99999999999999999999", "99999999999999999999"),
    ("1.99999999999999999999999", "1.99999999999999999999999"),
    ("1.0a99999999999999999999999", "1.0a99999999999999999999999"),
    ("api-v2.20170315", nil),
    ("abc", nil),
    ("1.0.x", nil),
    ("1,0", nil),
    ("1.0a.b", nil),
    ("1.0+\u{FC}", nil),
    ("\u{661}.\u{660}", nil),
    ("1.0\u{17F}", nil),
    ("1.0\u{2170}", nil),
    ("v", nil),
    ("1.0.dev1.dev2", nil),
    ("1.0rc1rc2", nil),
    ("1.0-1-1", nil),
    ("1.0_a_1_post_2_dev_3", "1.0a1.post2.dev3")
]

@Suite("PEP 440 parsing and normalization")
struct NormalizationTests {
    @Test("normal form matches packaging", arguments: normalizationCases)
    func normalForm(input: String, expected: String?) {
        let parsed = try? Version(parsing: input)
        #expect(parsed?.description == expected, "Version(parsing: \(input.debugDescription))")
    }

    @Test("the streaming normalizer prints what Version prints", arguments: normalizationCases)
    func streamingNormalForm(input: String, expected: String?) {
        #expect(VersionSyntax.normalized(input) == expected, "normalizer on \(input.debugDescription)")
    }

    @Test func normalFormIsAFixedPoint() throws {
        for (_, expected) in normalizationCases {
            guard let expected else { continue }
            #expect(try Version(parsing: expected).description == expected)
        }
    }

    @Test func errorsSayWhatAndWhere() {
        #expect(throws: VersionParseError(input: "", reason: "the version is empty")) { try Version(parsing: "") }
        #expect(throws: VersionParseError(input: " \t", reason: "the version is only whitespace")) { try Version(parsing: " \t") }
        #expect(throws: VersionParseError(input: "1.0x", reason: "unexpected 'x' at column 4", column: 4)) { try Version(parsing: "1.0x") }
        #expect(throws: VersionParseError(input: "ü1", reason: "unexpected 'ü' at column 1", column: 1)) { try Version(parsing: "ü1") }
        #expect(throws: VersionParseError(input: "1.0\u{0}", reason: "unexpected character U+0000 at column 4", column: 4)) { try Version(parsing: "1.0\u{0}") }
        #expect(throws: VersionParseError(input: "v", reason: "the version ends where a number is expected")) { try Version(parsing: "v") }
    }

    @Test func numbersLongerThanPythonAcceptsAreRejected() {
        let limit = String(repeating: "7", count: 4300)
        #expect((try? Version(parsing: "1." + limit))?.description == "1." + limit)
        let tooLong = String(repeating: "0", count: 4301)
        #expect(throws: VersionParseError.self) { try Version(parsing: "1." + tooLong) }
        // A long alphanumeric local part is not a number, as in packaging.
        #expect((try? Version(parsing: "1.0+a" + tooLong)) != nil)
    }

    @Test func componentsAreExposed() throws {
        let version = try Version(parsing: "2!24.03.0-RC.01.post2.dev3+Ubuntu-1")
        #expect(version.epoch == Natural(2))
        #expect(version.release == [Natural(24), Natural(3), Natural(0)])
        #expect(version.pre?.kind == .releaseCandidate)
        #expect(version.pre?.number == Natural(1))
        #expect(version.post == Natural(2))
        #expect(version.dev == Natural(3))
        #expect(version.local == [.text("ubuntu"), .number(Natural(1))])
        #expect(version.isPreRelease && version.isDevRelease && version.isPostRelease)
    }
}

@Suite("PEP 440 ordering")
struct OrderingTests {
    /// Strictly increasing, following PEP 440's summary of ordering.
    static let increasing = [
        "1.0.dev0", "1.0.dev456", "1.0a1.dev0", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
        "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1",
        "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1",
        "1.1", "2.0", "24.03.0.dev0", "24.03.0a1", "24.03.0b1", "24.03.0rc1", "24.03.0", "24.03.0.post1",
        "24.03.1", "24.04.0.dev0", "99999999999999999999", "1!0.1", "1!1.0"
    ]

    @Test func increasingSequenceIsOrdered() throws {
        let versions = try Self.increasing.map { try Version(parsing: $0) }
        for (lower, upper) in zip(versions, versions.dropFirst()) {
            #expect(lower < upper, "\(lower) < \(upper)")
            #expect(!(upper < lower))
            #expect(lower != upper)
            #expect(Version.compare(lower, upper) == -1 && Version.compare(upper, lower) == 1)
        }
        #expect(versions.shuffled().sorted() == versions)
    }

    @Test(arguments: [
        ("1.0", "1.0.0"), ("1", "1.0.0.0"), ("24.3.0", "24.03.0"), ("1.0+ABC", "1.0+abc"),
        ("1.0+1-2", "1.0+1.2"), ("0!1.0", "1.0"), ("1.0c1", "1.0rc1"), ("1.0-1", "1.0.post1"), ("v1.0", "1.0")
    ])
    func equalVersions(a: String, b: String) throws {
        let x = try Version(parsing: a)
        let y = try Version(parsing: b)
        #expect(x == y)
        #expect(x.hashValue == y.hashValue)
        #expect(Set([x, y]).count == 1)
    }

    @Test func localLabelsOrderStringsBeforeNumbersAndShorterFirst() throws {
        let ordered = try ["1.0+a", "1.0+a.b", "1.0+a.1", "1.0+b", "1.0+1", "1.0+1.a", "1.0+2", "1.0+10"].map { try Version(parsing: $0) }
        for (lower, upper) in zip(ordered, ordered.dropFirst()) { #expect(lower < upper, "\(lower) < \(upper)") }
    }
}

@Suite("Natural numbers")
struct NaturalTests {
    @Test func parsesAndCompares() throws {
        #expect(Natural(digits: "007") == Natural(7))
        #expect(Natural(digits: "") == nil)
        #expect(Natural(digits: "1a") == nil)
        let big = try #require(Natural(digits: "123456789012345678901234567890"))
        #expect(big.description == "123456789012345678901234567890")
        #expect(Natural(UInt64.max) < big)
        #expect(Natural(digits: "999999999999999999")! < Natural(digits: "1000000000000000000")!)
        #expect(Natural(digits: "1000000000000000000")!.description == "1000000000000000000")
    }

    @Test func successorCarries() {
        #expect(Natural(41).successor == Natural(42))
        #expect(Natural(999_999_999_999_999_999).successor.description == "1000000000000000000")
        #expect(Natural(digits: "99999999999999999999")!.successor.description == "100000000000000000000")
        #expect(Natural(digits: "12345678901234567899")!.successor.description == "12345678901234567900")
    }
}
