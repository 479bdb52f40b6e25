import Foundation
import RelKit
import RelKitCore
import RelKitTestSupport
import Testing

let fixedToday = CalendarDate(year: 2026, month: 11, day: 21)!

func check(_ directory: String, revision: String? = nil, tags: Bool = false) throws(OperationError) -> Check.Report {
    try Check.run(Check.Request(directory: directory, revision: revision, checkTags: tags, today: fixedToday))
}

/// (rule, file, line) of each finding, for exact comparison.
func places(_ report: Check.Report) -> [String] {
    report.findings.map { "\($0.rule) \($0.file ?? "-"):\($0.line.map(String.init) ?? "-")" }
}

@Suite("relkit check on fixture monorepos")
struct CheckFixtureTests {
    @Test func cleanMonorepoHasNoFindingsAndReadsSymlinkedFilesOnce() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let report = try check(repository.path)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.configuration.releaseUnit == "server")
        #expect(report.versions.map { "\($0.unit)=\($0.version?.description ?? "-")" } == ["server=26.11.0.dev0", "client=26.04.2"])
        // VERSION and its three symlinks are one file: VERSION, defs.py, client pyproject, openapi.json,
        // requirements.txt and the manager and agent pyproject.toml files.
        #expect(report.filesRead == 7)
    }

    @Test func everyPlantedFindingIsReportedByRuleFileAndLine() throws {
        let repository = try ScratchRepository(fixture: "check/planted")
        defer { repository.remove() }
        let report = try check(repository.path)
        #expect(
            places(report) == [
                "component-mismatch docs-site/conf.py:2",
                "api-version docs/openapi-next.json:1",
                "api-version docs/openapi.json:5",
                "pin-form requirements.txt:2",
                "group-mismatch src/ai/backend/common/defs.py:4",
                "pin-mismatch src/ai/backend/manager/pyproject.toml:6",
                "symlink-outside src/ai/backend/storage/VERSION:-",
                "version-invalid tools/VERSION:1"
            ])
        let byRule = Dictionary(report.findings.map { ($0.rule, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byRule["version-invalid"]?.suggestion == "26.09.0")
        #expect(byRule["pin-form"]?.suggestion == "26.11.0.dev0")
        #expect(byRule["pin-form"]?.column == 20)
        #expect(byRule["group-mismatch"]?.message.contains("src/ai/backend/common/defs.py:4") == true)
        #expect(byRule["group-mismatch"]?.message.contains("VERSION:1") == true)
        #expect(byRule["group-mismatch"]?.suggestion == "26.11.0.dev0")
        #expect(byRule["api-version"]?.message.contains("future") == true)
        #expect(report.errorCount == 8)
    }

    @Test func gitConsistencyRules() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        // A release branch that still carries main's development version.
        try repository.git("branch", "26.09")
        let onBranch = try check(repository.path, revision: "26.09")
        #expect(places(onBranch) == ["branch-line -:-", "dev-off-main -:-"])
        #expect(onBranch.findings[0].message == "branch 26.09 is release line 26.09, but 'server' is at 26.11.0.dev0 (line 26.11)")

        // A release tag on HEAD that is not the version.
        try repository.git("tag", "-a", "26.11.0", "-m", "release")
        #expect(places(try check(repository.path)) == ["head-tag -:-"])
    }

    @Test func tagsAreCheckedAgainstTheFilesAtTheirCommits() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(["README": "history before versions\n"], message: "start")
        try repository.git("tag", "26.01.0") // no VERSION file at this commit
        try repository.commit(["VERSION": "26.02.0\n"], message: "release")
        try repository.git("tag", "26.02.0")
        try repository.git("tag", "-a", "26.03.0rc1", "-m", "wrong commit") // VERSION says 26.02.0 there
        try repository.commit(["VERSION": "26.03.1\n"], message: "next")
        try repository.git("tag", "26.03.1.rc1") // misspelt, and VERSION says 26.03.1
        try repository.git("tag", "v0.7.0")
        try repository.git("tag", "api-v2.20170315")
        let report = try check(repository.path, tags: true)
        let summary = report.findings.map { "\($0.severity.rawValue) \($0.rule): \($0.message)" }
        #expect(summary.contains("error tag-mismatch: tag 26.03.0rc1 points to \(try repository.git("rev-parse", "--short=12", "26.02.0")), where 'root' is at 26.02.0"))
        #expect(summary.contains("error tag-mismatch: tag 26.03.1.rc1 points to \(try repository.git("rev-parse", "--short=12", "HEAD")), where 'root' is at 26.03.1"))
        #expect(summary.contains("warning tag-spelling: tag 26.03.1.rc1 is not spelled as yy.0m writes 26.03.1rc1"))
        #expect(summary.contains("warning tag-unparsable: tag v0.7.0 is not a release of yy.0m"))
        #expect(summary.contains("warning tag-unparsable: tag api-v2.20170315 is not a release of yy.0m"))
        #expect(summary.contains { $0.hasPrefix("warning tag-unverifiable: tag 26.01.0:") })
        #expect(!summary.contains { $0.contains("tag 26.02.0 ") })
        // HEAD carries the misspelt rc tag, which is not the version either.
        #expect(report.findings.filter { $0.rule == "head-tag" }.count == 1)
    }

    /// Files come later: a configured file that did not exist at a tagged commit is not a finding,
    /// the tag is verified against the files that did; a tagged commit's own .release.toml says
    /// which files it had; unverifiable only when none of them existed.
    @Test func tagsAreVerifiedAgainstTheFilesOfTheirTime() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(["README": "before versions\n"], message: "start")
        try repository.git("tag", "26.01.0") // no version file at all yet
        try repository.commit(["VERSION": "26.02.0\n"], message: "root VERSION only")
        try repository.git("tag", "26.02.0") // the package's VERSION came later
        try repository.git("tag", "26.02.1") // planted: the files say 26.02.0
        // Its own .release.toml names an old file of the time (since removed): that one decides.
        try repository.commit(
            [
                ".release.toml": "[components.root]\nfiles = [\"VERSION\", \"old/VERSION\"]\n\n[groups.server]\ncomponents = [\"root\"]\n",
                "VERSION": "26.03.0\n", "old/VERSION": "26.03.0\n"
            ], message: "own configuration")
        try repository.git("tag", "26.03.0")
        try repository.commit(["old/VERSION": "26.02.9\n"], message: "a mismatch only the old configuration sees")
        try repository.git("tag", "26.03.1") // planted: the files say 26.03.0
        try repository.git("rm", "-q", "-r", "old")
        try repository.commit(
            [
                ".release.toml": "[components.root]\nfiles = [\"VERSION\", \"pkg/*/VERSION\"]\n",
                "VERSION": "26.04.0\n", "pkg/a/VERSION": "26.04.0\n"
            ], message: "packages with their VERSION")
        try repository.git("tag", "26.04.0")
        let report = try check(repository.path, tags: true)
        let summary = report.findings.map { "\($0.rule): \($0.message)" }
        func short(_ revision: String) throws -> String { try repository.git("rev-parse", "--short=12", revision).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(summary.contains { $0.hasPrefix("tag-unverifiable: tag 26.01.0: no configured file of 'root' existed at") }, "\(summary)")
        #expect(!summary.contains { $0.contains("tag 26.02.0") }, "the package's later VERSION is not a finding: \(summary)")
        #expect(summary.contains("tag-mismatch: tag 26.02.1 points to \(try short("26.02.1")), where 'root' is at 26.02.0"), "\(summary)")
        #expect(!summary.contains { $0.contains("tag 26.03.0") }, "\(summary)")
        // Read with the commit's own configuration: its group 'server', which today's has not.
        #expect(summary.contains("tag-mismatch: tag 26.03.1 points to \(try short("26.03.1")), where 'server' is at 26.03.0"), "\(summary)")
        #expect(!summary.contains { $0.contains("tag 26.04.0") }, "\(summary)")
        #expect(report.findings.filter { $0.rule.hasPrefix("tag-") }.count == 3, "\(summary)")
    }

    @Test func refChecksCommittedFilesWithoutTouchingTheCheckout() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.write("VERSION", "26.11.0-dev0\n")
        let statusBefore = try repository.git("status", "--porcelain")
        #expect(places(try check(repository.path)).contains("version-invalid VERSION:1"))
        let committed = try check(repository.path, revision: "HEAD")
        #expect(committed.findings.isEmpty, "\(committed.findings)")
        #expect(committed.target.hasPrefix("HEAD ("))
        #expect(try repository.git("status", "--porcelain") == statusBefore)
        #expect(try repository.read("VERSION") == "26.11.0-dev0\n")

        #expect(throws: OperationError.self) { try check(repository.path, revision: "no-such-branch") }
    }

    @Test func configurationOfTheCheckedRevisionIsUsed() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("branch", "old")
        try repository.commit([".release.toml": "[version]\nscheme = \"yy.n\"\n", "VERSION": "26.14.0\n"], message: "switch to sprints")
        #expect(try check(repository.path).findings.isEmpty)
        #expect(try check(repository.path, revision: "old").findings.isEmpty)
    }
}

@Suite("relkit check: configuration errors name file, line and column")
struct CheckConfigurationErrorTests {
    func failure(_ config: String, files: [String: String] = ["VERSION": "26.11.0\n"], symlinks: [String: String] = [:]) throws -> String {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write(".release.toml", config)
        for (path, contents) in files { try scratch.write(path, contents) }
        for (link, target) in symlinks {
            try FileManager.default.createDirectory(atPath: (scratch.file(link) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: scratch.file(link), withDestinationPath: target)
        }
        do {
            _ = try check(scratch.path)
            return "no error"
        } catch {
            #expect(error.exitCode == 2)
            return error.message
        }
    }

    @Test func pathsAndGlobs() throws {
        #expect(try failure("[components.a]\nfiles = [\"pkgs/*/VERSION\"]\n") == ".release.toml:2:10: glob 'pkgs/*/VERSION' matches no file in the working tree")
        #expect(try failure("[components.a]\nfiles = [\"MISSING\"]\n") == ".release.toml:2:10: 'MISSING' does not exist in the working tree")
        #expect(try failure("[components.a]\nfiles = [\"../VERSION\"]\n") == ".release.toml:2:10: '../VERSION' leaves the repository ('..')")
        #expect(try failure("[components.a]\nfiles = [\"/etc/hostname\"]\n") == ".release.toml:2:10: '/etc/hostname' is absolute; paths are relative to the repository root")
        #expect(
            try failure("[components.a]\nfiles = [\"out/VERSION\"]\n", symlinks: ["out": "/etc"])
                == ".release.toml:2:10: 'out/VERSION' leaves the repository through the symlink out -> /etc")
        #expect(try failure("[components.a]\nfiles = [\"sub\"]\n", files: ["sub/x": ""]) == ".release.toml:2:10: 'sub' is a directory, not a file")
    }

    @Test func locatorsThatFindNothing() throws {
        #expect(
            try failure("[components.a]\nfiles = [{ path = \"defs.py\", pattern = 'V = \"{version}\"' }]\n", files: ["defs.py": "X = 1\n"])
                == ".release.toml:2:12: defs.py: no line matches the pattern 'V = \"{version}\"'")
        #expect(
            try failure("[components.a]\nfiles = [{ path = \"p.toml\", toml = \"project.version\" }]\n", files: ["p.toml": "[project]\nname = \"x\"\n"])
                == ".release.toml:2:12: p.toml: TOML key project.version is not in the file")
        #expect(
            try failure("[components.a]\nfiles = [{ path = \"a.json\", json = \"info.version\" }]\n", files: ["a.json": "{\"info\": {}}"])
                == ".release.toml:2:12: a.json: JSON key info.version is not in the file")
        #expect(
            try failure("[components.a]\nfiles = [{ path = \"a.json\", json = \"version\" }]\n", files: ["a.json": "{\"version\": 3"])
                == ".release.toml:2:12: a.json: not valid JSON: the document ends inside an object at 1:14")
    }

    @Test func keysTypesAndNames() throws {
        #expect(try failure("[components.a]\nfile = [\"VERSION\"]\n") == ".release.toml:2:1: unknown key 'file' in [components.a]; did you mean 'files'?")
        #expect(try failure("[components.a]\nfiles = \"VERSION\"\n") == ".release.toml:2:1: 'components.a.files' must be an array, not a string")
        #expect(
            try failure("[components.a]\nfiles = [\"VERSION\"]\n[groups.g]\ncomponents = [\"b\"]\n")
                == ".release.toml:4:15: 'groups.g.components[0]' names component 'b', which is not defined; defined: a")
        #expect(
            try failure("[components.a]\nfiles = [{ path = \"VERSION\", form = \"semver\" }]\n")
                == ".release.toml:2:30: unknown form 'semver'; use scheme (24.03.0) or pep440 (24.3.0)")
        #expect(
            try failure("[components.a]\nfiles = [{ path = \"VERSION\", pattern = \"v\" }]\n")
                == ".release.toml:2:30: pattern must contain {version} exactly once: 'v'")
        #expect(
            try failure("[version]\nrelease = \"sever\"\n[components.server]\nfiles = [\"VERSION\"]\n")
                == ".release.toml:2:1: 'version.release' names group or component 'sever', which is not defined; did you mean 'server'?")
        #expect(
            try failure("[branches]\nrelease-pattern = \"release/line\"\n")
                == ".release.toml:2:1: release-pattern must contain {line} exactly once, e.g. \"release/{line}\"")
        #expect(
            try failure("[branches]\nmaintained = [\"24.3\"]\n")
                == ".release.toml:2:15: maintained branch '24.3' is not a release branch ({line} with a line such as YY.MM, e.g. 24.03)")
        #expect(try failure("[tags]\nprefix = \"v \"\n") == ".release.toml:2:1: 'v 24.03.0' is not a valid git tag prefix")
        #expect(
            try failure("[backport]\ntrailers = [\"Backported-From {source}\"]\n")
                == ".release.toml:2:13: trailer 'Backported-From {source}' is not 'Key: value' (a key of letters, digits and '-')")
        #expect(
            try failure("[backport]\ntrailers = [\"Backported-To: {branch}\"]\n")
                == ".release.toml:2:13: unknown placeholder '{branch}'; known: {source}, {target}, {commit}, {short-commit}, {pr}")
        #expect(try failure("[components]\n") == ".release.toml:1:2: [components] defines no component")
        #expect(
            try failure("[[requirements]]\nfiles = [\"r.txt\"]\npackages = [\"x-*\"]\nversion-of = \"nothing\"\n")
                == ".release.toml:4:1: 'requirements[0].version-of' names group or component 'nothing', which is not defined; defined: root")
    }

    @Test func syntaxErrorsAndDefaults() throws {
        let message = try failure("[version\nscheme = 1\n")
        #expect(message.hasPrefix(".release.toml:1:"), "\(message)")
        // Without .release.toml and without VERSION, the default configuration says what is missing.
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let missing = #expect(throws: OperationError.self) { try check(scratch.path) }
        #expect(
            missing?.message
                == "there is no .release.toml here, and relkit's default configuration (one VERSION file at the root) does not fit: 'VERSION' does not exist in the working tree; run relkit init to make a .release.toml for this repository"
        )
    }
}

@Suite("relkit init and status")
struct InitStatusTests {
    @Test func initWritesAConfigurationThatChecksClean() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.write("VERSION", "26.11.0.dev0\n")
        try FileManager.default.createDirectory(atPath: repository.scratch.file("src/manager"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: repository.scratch.file("src/manager/VERSION"), withDestinationPath: "../../VERSION")
        try repository.write("src/client/pyproject.toml", "[project]\nname = \"acme-client\"\nversion = \"26.4.2\"\n")
        try repository.write("web/package.json", "{\n  \"name\": \"acme-web\",\n  \"version\": \"26.11.0.dev0\"\n}\n")
        try repository.write("node_modules/dep/package.json", "{\"name\": \"dep\", \"version\": \"1.0.0\"}")

        let plan = try Init.plan(directory: repository.path)
        // Breadth first: web/package.json is found before src/client/pyproject.toml.
        #expect(plan.components.map(\.name) == ["root", "acme-web", "acme-client"])
        #expect(plan.components[0].files.map(\.path) == ["VERSION", "src/manager/VERSION"])
        #expect(plan.components[2].files[0].form == .pep440)
        #expect(plan.components[1].files[0].locator == .jsonKey(["version"]))
        #expect(plan.group == ["root", "acme-web"])
        try Init.apply(plan)
        let report = try check(repository.path)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.configuration.releaseUnit == "core")
        #expect(report.versions.map { "\($0.unit)=\($0.version?.description ?? "-")" } == ["core=26.11.0.dev0", "acme-client=26.04.2"])

        // Planned again (what --dry-run shows), but never written over the file.
        let again = try Init.plan(directory: repository.path)
        #expect(again.exists)
        let refusal = #expect(throws: OperationError.self) { try Init.apply(again) }
        #expect(refusal?.exitCode == 1)
        #expect(refusal?.message.hasSuffix(".release.toml exists already; relkit init does not overwrite it") == true)
    }

    @Test func statusSummarizesVersionsBranchAndTags() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("tag", "26.09.0")
        try repository.git("tag", "26.09.1")
        try repository.git("tag", "26.03.4")
        try repository.git("branch", "26.09")
        let summary = try Status.run(directory: repository.path, today: fixedToday)
        #expect(summary.role == "main branch")
        #expect(summary.versions.map { "\($0.name)=\($0.version?.description ?? "-")" } == ["server=26.11.0.dev0", "client=26.04.2"])
        #expect(summary.versions[0].members == ["root", "manager", "agent", "common"])
        #expect(summary.apiVersion == "v8.20261101")
        #expect(summary.lines.map { "\($0.line) \($0.latestTag ?? "-") \($0.count)" } == ["26.09 26.09.1 2", "26.03 26.03.4 1"])
        #expect(summary.maintained.map { "\($0.name) \($0.tip == nil ? "missing" : "present")" } == ["26.09 present", "26.03 missing"])
    }
}
