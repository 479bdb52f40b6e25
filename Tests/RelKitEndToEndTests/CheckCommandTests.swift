import Foundation
import RelKitTestSupport
import Testing

@Suite("relkit check, status and init, end to end")
struct CheckCommandEndToEndTests {
    @Test func cleanRepositoryExitsZero() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let result = try relkit(["check"], in: repository.path)
        #expect(result.status == 0)
        #expect(result.stdout == "relkit check: no findings in the working tree; 7 files read\n")
        #expect(!result.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
    }

    @Test func plantedFindingsExitOneInEveryFormat() throws {
        let repository = try ScratchRepository(fixture: "check/planted")
        defer { repository.remove() }
        let text = try relkit(["check"], in: repository.path)
        #expect(text.status == 1)
        #expect(text.stdoutLines.contains("tools/VERSION"))
        #expect(text.stdoutLines.contains("  1:1     error  '26.9.0' (yy.0m form): month '9' needs two digits: '09'  [version-invalid]"))
        #expect(text.stdoutLines.contains("      suggestion: 26.09.0"))
        #expect(text.stdoutLines.last == "relkit check: 8 errors and 0 warnings in the working tree, in 8 files; 11 files read")

        let json = try relkit(["check", "--format", "json"], in: repository.path)
        #expect(json.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["schema"] as? Int == 1)
        #expect((document["summary"] as? [String: Int])?["errors"] == 8)
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.count == 8)
        #expect(Set(findings.flatMap(\.keys)) == ["rule", "severity", "file", "line", "column", "message", "suggestion"])
        let symlink = try #require(findings.first { $0["rule"] as? String == "symlink-outside" })
        #expect(symlink["line"] is NSNull)

        let github = try relkit(["check", "--format", "github"], in: repository.path)
        #expect(github.status == 1)
        #expect(github.stdoutLines.contains("::error file=tools/VERSION,line=1,col=1,title=relkit version-invalid::'26.9.0' (yy.0m form): month '9' needs two digits: '09' (suggestion: 26.09.0)"))
        #expect(github.stdoutLines.filter { $0.hasPrefix("::error ") }.count == 8)
    }

    @Test func configurationAndUsageErrorsExitTwo() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.write(".release.toml", "[components.server]\nfiles = [\"pkgs/*/VERSION\"]\n")
        let broken = try relkit(["check"], in: repository.path)
        #expect(broken.status == 2)
        #expect(broken.stderr == "error: .release.toml:2:10: glob 'pkgs/*/VERSION' matches no file in the working tree\n")
        #expect(broken.stdout.isEmpty)

        let missing = try relkit(["check", "--ref", "nope"], in: repository.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("error: cannot read revision 'nope'"))
        #expect(try relkit(["check", "--format", "xml"], in: repository.path).status == 2)
    }

    @Test func tagsFlagAndRef() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("tag", "v0.7.0")
        let warningsOnly = try relkit(["check", "--tags"], in: repository.path)
        #expect(warningsOnly.status == 0, "warnings do not fail the check")
        #expect(warningsOnly.stdout.contains("warning  tag v0.7.0 is not a release of yy.0m  [tag-unparsable]"))
        try repository.git("tag", "26.09.0")
        let mismatch = try relkit(["check", "--tags", "--format", "json"], in: repository.path)
        #expect(mismatch.status == 1)
        #expect(mismatch.stdout.contains("\"rule\" : \"tag-mismatch\""))
        #expect(try relkit(["check", "--ref", "v0.7.0"], in: repository.path).status == 1, "HEAD-tag rule at the revision")
    }

    @Test func statusAndInit() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let status = try relkit(["status"], in: repository.path)
        #expect(status.status == 0)
        #expect(status.stdoutLines.contains("  server  26.11.0.dev0  (PEP 440: 26.11.0.dev0)  [release]  group of root, manager, agent, common"))
        #expect(status.stdoutLines.contains("  client  26.04.2  (PEP 440: 26.4.2)"))
        let json = try relkit(["status", "--format", "json"], in: repository.path)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["release_unit"] as? String == "server")
        #expect(document["schema"] as? Int == 1)
        // Every key is there; absent values are null, as in every other relkit document.
        #expect(document["interrupted"] is NSNull, "\(json.stdout)")
        #expect(document["api_version"] != nil)
        #expect(Set(document.keys).isSuperset(of: ["scheme", "schemes", "configuration", "branch", "role", "release_unit", "versions", "api_version", "lines", "maintained", "interrupted"]))

        let refused = try relkit(["init"], in: repository.path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("exists already"))

        try FileManager.default.removeItem(atPath: repository.scratch.file(".release.toml"))
        let dryRun = try relkit(["init", "--dry-run"], in: repository.path)
        #expect(dryRun.status == 0)
        #expect(dryRun.stdout.contains("[components.root]\n# found: 26.11.0.dev0\nfiles = [\n    \"VERSION\",\n    \"src/ai/backend/agent/VERSION\","))
        #expect(dryRun.stdout.contains("{ path = \"src/ai/backend/client/pyproject.toml\", toml = \"project.version\", form = \"pep440\" }"))
        #expect(!FileManager.default.fileExists(atPath: repository.scratch.file(".release.toml")))
        let written = try relkit(["init"], in: repository.path)
        #expect(written.status == 0)
        #expect(try relkit(["check"], in: repository.path).status == 0)
    }
}
