import Testing

@testable import RelKitCore

@Suite("Glob")
struct GlobTests {
    @Test(arguments: [
        ("VERSION", "VERSION", true), ("VERSION", "a/VERSION", false),
        ("src/*/VERSION", "src/manager/VERSION", true), ("src/*/VERSION", "src/a/b/VERSION", false),
        ("**/VERSION", "VERSION", true), ("**/VERSION", "a/b/c/VERSION", true), ("src/**/x.py", "src/x.py", true),
        ("requirements*.txt", "requirements-dev.txt", true), ("requirements*.txt", "requirements.txt", true),
        ("requirements*.txt", "dir/requirements.txt", false), ("file?.json", "file1.json", true), ("file?.json", "file10.json", false),
        ("[ab]*.toml", "a1.toml", true), ("[ab]*.toml", "c1.toml", false), ("[!ab]*.toml", "c1.toml", true),
        ("v[0-9].txt", "v7.txt", true), ("v[0-9].txt", "vx.txt", false), ("**/alembic/versions/**", "src/m/alembic/versions/1_a.py", true),
        ("*", ".hidden", true), ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false)
    ])
    func matching(pattern: String, path: String, expected: Bool) {
        #expect(Glob(pattern).matches(path) == expected, "\(pattern) ~ \(path)")
    }

    @Test func literalDirectoryIsWhereTheSearchStarts() {
        #expect(Glob("src/ai/backend/*/VERSION").literalDirectory == "src/ai/backend")
        #expect(Glob("**/pyproject.toml").literalDirectory == "")
        #expect(Glob("requirements*.txt").literalDirectory == "")
        #expect(Glob("VERSION").isLiteral && !Glob("*.txt").isLiteral)
    }
}

@Suite("JSON locator")
struct JSONLocatorTests {
    @Test func findsNestedValuesWithTheirPosition() throws {
        let document = Array("{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"A\", \"version\": \"v8.20240315\"},\n  \"n\": [1, {\"version\": \"x\"}]\n}".utf8)
        let found = try JSONLocator.locate(["info", "version"], in: document)
        #expect(found == JSONLocator.Located(value: "v8.20240315", isString: true, location: SourceLocation(line: 3, column: 37), byteRange: 60..<73))
        #expect(try JSONLocator.locate(["n", "1", "version"], in: document).value == "x")
        #expect(try JSONLocator.locate(["n", "0"], in: document) == JSONLocator.Located(value: "1", isString: false, location: SourceLocation(line: 4, column: 9), byteRange: 84..<85))
    }

    @Test func decodesEscapesAndReportsProblems() throws {
        #expect(try JSONLocator.locate(["a"], in: Array(#"{"a": "x\"y\u00e9\ud83d\ude00"}"#.utf8)).value == "x\"yé😀")
        #expect(throws: JSONLocator.Failure.missing(key: "b")) { try JSONLocator.locate(["b"], in: Array(#"{"a": 1}"#.utf8)) }
        #expect(throws: JSONLocator.Failure.notAScalar(key: "a")) { try JSONLocator.locate(["a"], in: Array(#"{"a": {}}"#.utf8)) }
        #expect(throws: JSONLocator.Failure.syntax(message: "expected ',' or '}' in an object", line: 2, column: 1)) {
            try JSONLocator.locate(["a"], in: Array("{\"a\": 1\n\"b\": 2}".utf8))
        }
        #expect(throws: JSONLocator.Failure.syntax(message: "unexpected text after the JSON document", line: 1, column: 10)) {
            try JSONLocator.locate(["a"], in: Array(#"{"a": 1} x"#.utf8))
        }
    }
}

@Suite("Requirement pins")
struct RequirementPinTests {
    let patterns = ["backend.ai-*"]

    @Test func findsPinsInRequirementsPyprojectAndSetupCfg() {
        let text = """
            # backend.ai-common==1.0 in a comment is not a pin
            backend.ai-common==24.03.1
            Backend_AI.Manager[redis] >= 24.3.0, <25 ; python_version >= "3.11"
            dependencies = ["backend.ai-agent~=24.3.0", "aiohttp==3.9"]
            install_requires =
                backend.ai-client==24.3.0
            name = "backend.ai-cli"
            """
        let pins = RequirementScanner.pins(in: Array(text.utf8), packages: patterns)
        #expect(
            pins.map { "\($0.package)\($0.comparison)\($0.version)@\($0.line):\($0.column)" } == [
                "backend.ai-common==24.03.1@2:20",
                "Backend_AI.Manager>=24.3.0@3:30",
                "Backend_AI.Manager<25@3:39",
                "backend.ai-agent~=24.3.0@4:36",
                "backend.ai-client==24.3.0@6:24"
            ])
    }

    @Test func namesCompareAsPEP503() {
        #expect(RequirementScanner.normalizedName("Backend_AI..Manager") == "backend-ai-manager")
        #expect(RequirementScanner.matches("backend_ai-common", patterns: patterns))
        #expect(!RequirementScanner.matches("other", patterns: patterns))
    }

    func verdict(_ line: String, _ version: String) throws -> String? {
        let pin = try #require(RequirementScanner.pins(in: Array(line.utf8), packages: patterns).first)
        return RequirementScanner.check(pin, against: try VersionScheme.yearMonth.version(parsing: version)).map { "\($0.rule): \($0.suggestion ?? "-")" }
    }

    @Test func checksFormAndVersion() throws {
        #expect(try verdict("backend.ai-common==24.3.1", "24.03.1") == nil)
        #expect(try verdict("backend.ai-common==24.03.1", "24.03.1") == "pin-form: 24.3.1")
        #expect(try verdict("backend.ai-common==24.3.0", "24.03.1") == "pin-mismatch: 24.3.1")
        #expect(try verdict("backend.ai-common==24.03.0", "24.03.1") == "pin-form: 24.3.1")
        #expect(try verdict("backend.ai-common~=24.3.0", "24.03.4") == nil)
        #expect(try verdict("backend.ai-common~=24.3.0", "24.04.0") == "pin-mismatch: -")
        #expect(try verdict("backend.ai-common>=24.3,<25", "24.09.0") == nil)
        #expect(try verdict("backend.ai-common==24.3.*", "24.03.7") == nil)
        #expect(try verdict("backend.ai-common==24.4.*", "24.03.7") == "pin-mismatch: 24.3.7")
        #expect(try verdict("backend.ai-common==24.3.0.dev0", "24.03.0.dev0") == nil)
        #expect(try verdict("backend.ai-common==24.3.0dev0", "24.03.0.dev0") == "pin-form: 24.3.0.dev0")
    }
}

@Suite("Check rules")
struct CheckRuleTests {
    @Test func apiVersions() {
        let today = (year: 2026, month: 11, day: 21)
        #expect(CheckRules.apiVersion("v8.20261121", today: today) == nil)
        #expect(CheckRules.apiVersion("v8.20240229", today: today) == nil)
        #expect(CheckRules.apiVersion("v8.20230229", today: today) == "API version 'v8.20230229' has 20230229, which is not a real date")
        #expect(CheckRules.apiVersion("v8.20261122", today: today) == "API version 'v8.20261122' is dated in the future (today is 2026-11-21)")
        #expect(CheckRules.apiVersion("8.20240315", today: today) == "API version '8.20240315' is not vN.yyyymmdd (e.g. v8.20240315)")
        #expect(CheckRules.apiVersion("v8.2024031", today: today) != nil)
        #expect(CheckRules.apiVersion("v.20240315", today: today) != nil)
        #expect(CheckRules.apiVersion("v8.20241301", today: today) != nil)
    }

    @Test func agreementNamesEveryPlace() throws {
        let scheme = VersionScheme.yearMonth
        func occurrence(_ file: String, _ text: String, _ form: VersionForm = .scheme) -> VersionOccurrence {
            VersionOccurrence(component: "c", file: file, line: 1, column: 1, text: text, form: form, value: scheme.check(text, form: form).value)
        }
        let (agreed, findings) = CheckRules.agreement(
            of: [occurrence("A", "24.03.0"), occurrence("B", "24.3.0", .pep440), occurrence("C", "24.04.0")],
            unit: "server", isGroup: true)
        #expect(agreed?.description == "24.03.0")
        #expect(findings.map(\.file) == ["C"])
        #expect(findings.first?.message == "group 'server' disagrees: this file says 24.04.0, but the group's version is 24.03.0 (the most common; all: 24.03.0 (A:1, B:1); 24.04.0 (C:1))")
        #expect(CheckRules.agreement(of: [occurrence("A", "24.03.0"), occurrence("B", "24.3.0", .pep440)], unit: "s", isGroup: true).1.isEmpty)
    }

    @Test func formsOfConfiguredVersions() {
        let scheme = VersionScheme.yearMonth
        #expect(scheme.check("24.3.1", form: .pep440).problem == nil)
        #expect(scheme.check("24.03.1", form: .pep440).suggestion == "24.3.1")
        #expect(scheme.check("24.3.1", form: .scheme).suggestion == "24.03.1")
        #expect(scheme.check("24.13.1", form: .pep440).value == nil)
        #expect(scheme.spell(try! scheme.version(parsing: "24.03.0rc1"), form: .pep440) == "24.3.0rc1")
    }

    @Test func releaseTags() {
        let scheme = VersionScheme.yearMonth
        #expect(scheme.releaseTagVersion("24.03.0")?.canonical == true)
        #expect(scheme.releaseTagVersion("23.09.8.rc1")?.version.description == "23.09.8rc1")
        #expect(scheme.releaseTagVersion("23.09.8.rc1")?.canonical == false)
        #expect(scheme.releaseTagVersion("v0.7.0") == nil)
        #expect(scheme.releaseTagVersion("api-v2.20170315") == nil)
        #expect(scheme.releaseTagVersion("2024.03.0") == nil)
    }

    @Test func branchAndTagPolicies() throws {
        var branches = BranchPolicy()
        #expect(branches.line(ofBranch: "24.03", scheme: .yearMonth)?.description == "24.03")
        #expect(branches.line(ofBranch: "main", scheme: .yearMonth) == nil)
        branches.releasePattern = "release/{line}"
        #expect(branches.line(ofBranch: "release/24.09", scheme: .yearMonth)?.description == "24.09")
        #expect(branches.line(ofBranch: "24.09", scheme: .yearMonth) == nil)
        #expect(branches.branchName(of: try ReleaseLine(parsing: "24.09", scheme: .yearMonth)) == "release/24.09")
        var tags = TagPolicy()
        tags.prefix = "v"
        #expect(tags.versionText(ofTag: "v24.03.0") == "24.03.0")
        #expect(tags.versionText(ofTag: "24.03.0") == nil)
        #expect(tags.tagName(of: try VersionScheme.yearMonth.version(parsing: "24.03.1")) == "v24.03.1")
    }
}

/// The byte search the audit uses ("backport" in a message).
@Test func asciiContainsFindsWordsAsBytes() {
    let text = Array("[branches]\nmain = \"trunk\"\nBackported-From: main\n".utf8)
    #expect(ASCII.contains(text, Array("main".utf8)))
    #expect(ASCII.contains(text, Array("[branches]".utf8)))
    #expect(!ASCII.contains(text, Array("maintained".utf8)))
    #expect(!ASCII.contains(text, Array("backport".utf8)))
    #expect(ASCII.contains(text, Array("backport".utf8), foldingCase: true))
    #expect(!ASCII.contains(Array("mai".utf8), Array("main".utf8)))
    #expect(ASCII.contains(Array("main".utf8), Array("main".utf8)))
    #expect(ASCII.contains([], []))
}
