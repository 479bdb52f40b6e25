import Testing

@testable import RelKitCore

/// (input, problem codes, suggestion) for invalid spellings in yy.0m.
let yearMonthInvalid: [(String, [String], String?)] = [
    ("24.3.0", ["month-digits"], "24.03.0"),
    ("24.13.0", ["month-range"], nil),
    ("24.00.0", ["month-range"], nil),
    ("24.03.01", ["patch-digits"], "24.03.1"),
    ("24.03.0dev0", ["dev-spelling"], "24.03.0.dev0"),
    ("24.03.0-dev0", ["dev-spelling"], "24.03.0.dev0"),
    ("24.03.0.dev", ["dev-spelling"], "24.03.0.dev0"),
    ("24.03.0.rc1", ["pre-spelling"], "24.03.0rc1"),
    ("24.03.0-RC1", ["pre-spelling"], "24.03.0rc1"),
    ("24.03.0c1", ["pre-spelling"], "24.03.0rc1"),
    ("24.03.0rc01", ["pre-spelling"], "24.03.0rc1"),
    ("24.03.0alpha", ["pre-spelling"], "24.03.0a0"),
    ("v24.03.0", ["v-prefix"], "24.03.0"),
    ("24.03", ["component-count"], "24.03.0"),
    ("24", ["component-count"], nil),
    ("24.03.0.1", ["component-count"], nil),
    ("24.03.0rc1.post1", ["post-not-allowed"], nil),
    ("2024.03.0", ["year-digits"], "24.03.0"),
    ("4.03.0", ["year-digits"], nil),
    ("024.03.0", ["year-digits"], "24.03.0"),
    ("1999.03.0", ["year-range"], nil),
    ("", ["empty"], nil),
    ("   ", ["blank"], nil),
    (" 24.03.0\t", ["whitespace"], "24.03.0"),
    ("0!24.03.0", ["epoch"], "24.03.0"),
    ("1!24.03.0", ["epoch"], nil),
    ("24.03.0+local", ["local"], nil),
    ("24.03.0_final", ["not-pep440"], nil),
    ("v2024.3.01-RC.1-dev", ["v-prefix", "year-digits", "month-digits", "patch-digits", "pre-spelling", "dev-spelling"], "24.03.1rc1.dev0"),
    ("23.03.0a2.dev", ["dev-spelling"], "23.03.0a2.dev0"),
    ("23.09.8.rc1", ["pre-spelling"], "23.09.8rc1")
]

@Suite("Schemes: validation of canonical spellings")
struct SchemeValidationTests {
    @Test("yy.0m rejects with precise problems and suggestions", arguments: yearMonthInvalid)
    func yearMonthInvalidSpellings(input: String, codes: [String], suggestion: String?) {
        guard case .invalid(let problems, let suggested) = VersionScheme.yearMonth.validate(input) else {
            Issue.record("\(input.debugDescription) should be invalid")
            return
        }
        #expect(problems.map(\.code) == codes, "\(input.debugDescription): \(problems)")
        #expect(suggested == suggestion, "\(input.debugDescription)")
        #expect(problems.allSatisfy { !$0.message.isEmpty })
        if let suggested { #expect(VersionScheme.yearMonth.validate(suggested).isValid, "suggestion \(suggested) is valid") }
    }

    @Test(
        "yy.0m accepts canonical spellings",
        arguments: [
            "24.03.0", "24.12.10", "00.01.0", "99.09.123", "24.03.0a1", "24.03.0b2", "24.03.0rc10", "24.04.0.dev0",
            "24.03.0rc1.dev2", "26.09.0a0"
        ])
    func yearMonthValid(input: String) throws {
        guard case .valid(let version) = VersionScheme.yearMonth.validate(input) else {
            Issue.record("\(input) should be valid")
            return
        }
        #expect(version.description == input)
    }

    @Test func messagesNameTheProblem() {
        let cases: [(String, String)] = [
            ("24.3.0", "month '3' needs two digits: '03'"),
            ("24.13.0", "month '13' is not a month (01 to 12)"),
            ("24.03.01", "patch '01' has a leading zero: '1'"),
            ("24.03.0-dev0", "dev release '-dev0' is written '.dev0'"),
            ("24.03.0-RC1", "pre-release '-RC1' is written 'rc1'"),
            ("24.03.0_final", "not a PEP 440 version: unexpected '_' at column 8")
        ]
        for (input, message) in cases {
            guard case .invalid(let problems, _) = VersionScheme.yearMonth.validate(input) else {
                Issue.record("\(input) should be invalid")
                continue
            }
            #expect(problems.first?.message == message)
        }
    }

    @Test func postReleasesWhenAllowed() {
        let scheme = VersionScheme(named: "yy.0m", allowsPost: true)!
        #expect(scheme.validate("22.03.11.post1").isValid)
        #expect(
            scheme.validate("22.03.11-1")
                == .invalid(
                    problems: [
                        SchemeProblem(code: "post-spelling", message: "post-release '-1' is written '.post1'", fixable: true)
                    ], suggestion: "22.03.11.post1"))
    }

    @Test func yearSequenceScheme() {
        let scheme = VersionScheme.yearSequence
        #expect(scheme.validate("25.14.2").isValid)
        #expect(scheme.validate("25.1.0").isValid)
        #expect(scheme.validate("25.99.0rc1").isValid)
        #expect(
            scheme.validate("25.01.0")
                == .invalid(
                    problems: [
                        SchemeProblem(code: "sprint-digits", message: "sprint '01' is written without a leading zero: '1'", fixable: true)
                    ], suggestion: "25.1.0"))
        guard case .invalid(let problems, nil) = scheme.validate("25.100.0") else {
            Issue.record("sprint 100 is out of range")
            return
        }
        #expect(problems.map(\.code) == ["sprint-range"])
        #expect(!scheme.validate("25.0.0").isValid)
    }
}

@Suite("Schemes: conversions and release lines")
struct SchemeConversionTests {
    @Test func schemeAndPEP440FormsConvert() throws {
        let scheme = VersionScheme.yearMonth
        #expect(try scheme.version(parsing: "24.3.0rc1").description == "24.03.0rc1")
        #expect(try scheme.version(parsing: "24.03.0rc1").pep440.description == "24.3.0rc1")
        #expect(try scheme.version(parsing: "20.09.0").pep440.description == "20.9.0")
        #expect(try scheme.version(parsing: "24.04.0.dev0").pep440.description == "24.4.0.dev0")
        #expect(try VersionScheme.yearSequence.version(parsing: "25.14.2").pep440.description == "25.14.2")
        #expect(throws: SchemeError.self) { try scheme.version(parsing: "24.13.0") }
        #expect(throws: SchemeError("'1!24.03.0' has an epoch, which yy.0m does not use")) { try scheme.version(parsing: "1!24.03.0") }
        #expect(throws: SchemeError.self) { try scheme.version(parsing: "24.03.0.post1") }
        #expect(throws: SchemeError.self) { try scheme.version(parsing: "2024.03.0") }
    }

    @Test func releaseLineOfAVersion() throws {
        #expect(try VersionScheme.yearMonth.version(parsing: "24.03.2rc1").line.description == "24.03")
        #expect(try VersionScheme.yearSequence.version(parsing: "25.4.1").line.description == "25.4")
    }

    @Test func releaseLinesParseStrictly() throws {
        #expect(try ReleaseLine(parsing: "24.03", scheme: .yearMonth).number == 3)
        #expect(throws: SchemeError("release line '24.3' is spelled '24.03' in yy.0m")) { try ReleaseLine(parsing: "24.3", scheme: .yearMonth) }
        #expect(throws: SchemeError.self) { try ReleaseLine(parsing: "24.13", scheme: .yearMonth) }
        #expect(throws: SchemeError.self) { try ReleaseLine(parsing: "main", scheme: .yearMonth) }
        #expect(throws: SchemeError.self) { try ReleaseLine(parsing: "24.03.1", scheme: .yearMonth) }
        #expect(try ReleaseLine(parsing: "25.14", scheme: .yearSequence).number == 14)
        #expect(throws: SchemeError.self) { try ReleaseLine(parsing: "25.014", scheme: .yearSequence) }
        #expect(try ReleaseLine.ofMonth(year: 2026, month: 11).description == "26.11")
    }

    @Test func schemeVersionsOrderAsPEP440() throws {
        let scheme = VersionScheme.yearMonth
        let ordered = try ["24.03.0.dev0", "24.03.0a1", "24.03.0rc1", "24.03.0", "24.03.1", "24.04.0.dev0"].map { try scheme.version(parsing: $0) }
        #expect(ordered.shuffled().sorted() == ordered)
    }
}

@Suite("Next-version arithmetic")
struct NextVersionTests {
    func next(
        _ version: String, _ request: NextVersionRequest, policy: NextLinePolicy = .nextMonth,
        scheme: VersionScheme = .yearMonth
    ) throws -> String {
        try scheme.version(parsing: version).next(request, policy: policy).description
    }

    @Test func examplesFromTheRules() throws {
        #expect(try next("24.03.1", .patch) == "24.03.2")
        #expect(try next("24.03.0rc1", .pre(.releaseCandidate)) == "24.03.0rc2")
        #expect(try next("24.03.0b2", .pre(.releaseCandidate)) == "24.03.0rc1")
        #expect(try next("24.03.1", .pre(.releaseCandidate)) == "24.03.2rc1")
        #expect(try next("24.03.0rc2", .final) == "24.03.0")
        #expect(try next("24.04.0.dev0", .dev) == "24.04.0.dev1")
        #expect(try next("24.03.0", .nextLine) == "24.04.0.dev0")
        #expect(try next("24.12.3", .nextLine) == "25.01.0.dev0")
        #expect(try next("24.03.0", .nextLine, policy: .cadence([3, 9])) == "24.09.0.dev0")
        #expect(try next("24.09.0", .nextLine, policy: .cadence([3, 9])) == "25.03.0.dev0")
        #expect(try next("24.01.0", .nextLine, policy: .cadence([9, 3])) == "24.03.0.dev0")
        #expect(try next("25.14.2", .nextLine, scheme: .yearSequence) == "25.15.0.dev0")
    }

    @Test func neverGoesBackwards() throws {
        #expect(throws: SchemeError("24.03.0rc1 is already a release candidate; an alpha would go backwards (rc -> a)")) {
            try next("24.03.0rc1", .pre(.alpha))
        }
        #expect(throws: SchemeError.self) { try next("24.03.0b1", .pre(.alpha)) }
        #expect(throws: SchemeError("24.03.0 is already a final release")) { try next("24.03.0", .final) }
        #expect(throws: SchemeError.self) { try next("24.03.2rc1", .patch) }
        #expect(throws: SchemeError.self) { try next("24.04.0.dev0", .patch) }
        #expect(throws: SchemeError.self) { try next("99.12.0", .nextLine) }
        #expect(throws: SchemeError.self) { try next("25.99.0", .nextLine, scheme: .yearSequence) }
        #expect(throws: SchemeError.self) { try next("24.03.0", .nextLine, policy: .none) }
        #expect(throws: SchemeError.self) { try next("24.03.0", .nextLine, policy: .cadence([13])) }
    }

    @Test(
        "every next version is greater",
        arguments: [
            "24.03.0", "24.03.1", "24.03.0a1", "24.03.0b3", "24.03.0rc1", "24.03.0rc1.dev0", "24.04.0.dev0", "24.12.9"
        ])
    func nextIsAlwaysGreater(version: String) throws {
        let current = try VersionScheme.yearMonth.version(parsing: version)
        let requests: [NextVersionRequest] = [.patch, .pre(.alpha), .pre(.beta), .pre(.releaseCandidate), .final, .dev, .nextLine]
        for request in requests {
            guard let result = try? current.next(request) else { continue }
            #expect(result > current, "\(version) \(request) -> \(result)")
        }
    }

    @Test func devAndPreDetails() throws {
        #expect(try next("24.04.0.dev3", .pre(.alpha)) == "24.04.0a1")
        #expect(try next("24.03.0rc1.dev0", .pre(.releaseCandidate)) == "24.03.0rc1")
        #expect(try next("24.03.1", .dev) == "24.03.2.dev0")
        #expect(try next("24.03.0rc1", .dev) == "24.03.0rc2.dev0")
        #expect(try next("24.04.0.dev1", .final) == "24.04.0")
        #expect(try ReleaseLine(parsing: "24.03", scheme: .yearMonth).firstVersion(pre: .releaseCandidate).description == "24.03.0rc1")
    }
}

@Suite("Display of untrusted input")
struct DisplayTests {
    @Test func controlAndBidiCharactersAreEscaped() {
        #expect("1.0\u{0}".displayable() == "1.0\\u{0}")
        #expect("\u{202E}1.0".displayable() == "\\u{202E}1.0")
        #expect("a\nb".displayable() == "a\\u{A}b")
        #expect(String(repeating: "9", count: 500).displayable(limit: 10) == "9999999999… (500 characters)")
        #expect("24.03.0".displayable() == "24.03.0")
    }
}

@Suite("Scheme inference (relkit init)")
struct SchemeInferenceTests {
    @Test(
        arguments: [
            ("24.03", "yy.0m"), ("24.03.1rc1", "yy.0m"), ("v23.09.8.rc1", "yy.0m"), ("25.1", "yy.n"), ("25.14.0", "yy.n"), ("26.8.0rc1", "yy.n"),
            ("24.11.0", nil), ("24.10", nil), ("24.00.1", nil), ("2024.03.0", nil), ("api-v2.20170315", nil), ("main", nil), ("v0.7.0", nil), ("24.031", nil)
        ] as [(String, String?)])
    func evidenceOfOneText(text: String, scheme: String?) {
        #expect(SchemeInference.evidence(of: text)?.scheme.name == scheme)
    }

    @Test func aHistoryThatSwitchedSchemes() throws {
        // As a public calver monorepo has it: yy.0m lines until 2024, then year and sprint.
        let result = SchemeInference.infer([
            "20.03.0", "22.03.11.post1", "23.09.8.rc1", "24.09.1", "24.09", "25.1.0", "25.15.2", "25.15", "26.4.0",
            "v0.7.0", "api-v2.20170315", "main", "26.8.0rc1"
        ])
        #expect(result.scheme == .yearSequence)
        #expect(result.earlier?.scheme == .yearMonth)
        #expect(result.earlier?.until.description == "24.09")
        #expect(result.evidence == 10)
    }

    @Test func oneSchemeOrNoEvidence() {
        #expect(SchemeInference.infer(["24.03.0", "24.09.1", "24.12.0"]) == .init(scheme: .yearMonth, earlier: nil, evidence: 2))
        #expect(SchemeInference.infer(["25.1.0", "25.14"]).scheme == .yearSequence)
        #expect(SchemeInference.infer(["25.1.0", "25.14"]).earlier == nil)
        #expect(SchemeInference.infer(["24.11.0", "main"]) == .init(scheme: .yearMonth, earlier: nil, evidence: 0))
    }
}
