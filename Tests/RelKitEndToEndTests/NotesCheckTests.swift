import Foundation
import RelKitTestSupport
import Testing

/// `relkit check --notes` on real repositories: planted missing, misnamed, empty and hostile
/// fragments, towncrier's own reading of every fragment name as the oracle, and the repository
/// unchanged by the check.
@Suite("relkit check --notes: news fragments, end to end")
struct NotesCheckTests {
    static let releaseConfig = """
        [version]
        scheme = "yy.0m"

        [components.root]
        files = ["VERSION"]

        [notes]
        file = "CHANGELOG/{line}.md"
        exempt-subjects = ["^release:"]

        """
    static let towncrierConfig = """
        [tool.towncrier]
        directory = "changes"
        filename = "CHANGELOG.md"
        title_format = "## {version} ({project_date})"

        [[tool.towncrier.type]]
        directory = "feature"
        name = "Features"

        [[tool.towncrier.type]]
        directory = "fix"
        name = "Fixes"

        """

    /// main with the configuration, and a pull request branch `work` checked out on top.
    static func repositoryWithPullRequest() throws -> ScratchRepository {
        let repository = try ScratchRepository(commit: false)
        try repository.commit(
            [".release.toml": releaseConfig, "towncrier.toml": towncrierConfig, "VERSION": "26.04.0.dev0\n", "changes/.gitkeep": ""],
            message: "chore: start")
        _ = try repository.git("checkout", "-q", "-b", "work")
        return repository
    }

    /// The file names towncrier itself reads as fragments (the pinned towncrier `make deps` installs).
    static func towncrierReads(_ names: [String], types: [String]) throws -> [String: String?] {
        let script = """
            import json, sys
            from towncrier._builder import parse_newfragment_basename
            names, types = json.loads(sys.argv[1]), json.loads(sys.argv[2])
            print(json.dumps({n: parse_newfragment_basename(n, types)[1] for n in names}))
            """
        let arguments = [String(decoding: try JSONEncoder().encode(names), as: UTF8.self), String(decoding: try JSONEncoder().encode(types), as: UTF8.self)]
        let result = try runProcess("python3", ["-c", script] + arguments)
        guard result.status == 0 else { throw GitCommandError(description: "towncrier: \(result.stderr)") }
        return try JSONDecoder().decode([String: String?].self, from: Data(result.stdout.utf8))
    }

    @Test func plantedFragmentsAreFindingsWithTheirFiles() throws {
        let repository = try Self.repositoryWithPullRequest()
        defer { repository.remove() }
        try repository.commit(["src/a.py": "a = 1\n", "changes/12.feature.md": "Adds a.\n"], message: "feat: a, with its fragment (#12)")
        try repository.commit(["src/b.py": "b = 1\n"], message: "fix: b, without one (#13)")
        try repository.commit(["src/c.py": "c = 1\n"], message: "chore: exempt by its type (#14)")
        try repository.commit(["VERSION": "26.04.0\n"], message: "release: exempt by its subject")
        try repository.commit(
            ["changes/15.fix.md": "", "changes/abc.feature.md": "A name that is no number.\n", "changes/16.news.md": "An unknown type.\n", "changes/+orphan.fix.md": "Fine.\n"],
            message: "ci: plant fragments (#17)")
        let before = try RepositoryState(repository)
        let result = try relkit(["check", "--notes", "--base", "main", "--format", "json"], in: repository.path)
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        let found = Set(findings.map { "\($0["rule"] as? String ?? "") \($0["file"] as? String ?? "-")" })
        #expect(
            found == [
                "fragment-missing -", "fragment-empty changes/15.fix.md", "fragment-name changes/abc.feature.md", "fragment-type changes/16.news.md"
            ], "\(findings)")
        let missing = try #require(findings.first { $0["rule"] as? String == "fragment-missing" })
        #expect((missing["message"] as? String)?.contains("'fix: b, without one (#13)' needs a news fragment (changes/13.<type>.md)") == true)
        #expect(try RepositoryState(repository) == before, "the check changed nothing")

        // towncrier agrees on which names are fragments of which type.
        let names = ["12.feature.md", "15.fix.md", "abc.feature.md", "16.news.md", "+orphan.fix.md"]
        let towncrier = try Self.towncrierReads(names, types: ["feature", "fix"])
        #expect(towncrier["16.news.md"] == .some(nil) && towncrier["12.feature.md"] == "feature" && towncrier["+orphan.fix.md"] == "fix")

        // For GitHub: one annotation per finding, on the fragment's file.
        let github = try relkit(["check", "--notes", "--base", "main", "--format", "github"], in: repository.path)
        #expect(github.stdoutLines.contains { $0.hasPrefix("::error file=changes/15.fix.md,line=1,title=relkit fragment-empty::") })
        #expect(github.stdoutLines.filter { $0.hasPrefix("::error ") }.count == 4)
    }

    @Test func aPullRequestsOwnFragmentCoversItsCommits() throws {
        let repository = try Self.repositoryWithPullRequest()
        defer { repository.remove() }
        try repository.commit(["src/a.py": "a = 1\n"], message: "feat: first step")
        try repository.commit(["src/a.py": "a = 2\n"], message: "feat: second step")
        let without = try relkit(["check", "--notes"], in: repository.path)
        #expect(without.status == 1)
        #expect(without.stdout.components(separatedBy: "[fragment-missing]").count == 3, "both commits need one: \(without.stdout)")
        try repository.commit(["changes/+steps.feature.md": "Two steps.\n"], message: "docs: the fragment")
        // The base defaults to where HEAD left main.
        let with = try relkit(["check", "--notes"], in: repository.path)
        #expect(with.status == 0, "\(with.stdout)\(with.stderr)")
        #expect(with.stdout.hasPrefix("relkit check: no findings"))
    }

    @Test func hostileFragmentsAreClearFindingsAndChangeNothing() throws {
        let repository = try Self.repositoryWithPullRequest()
        defer { repository.remove() }
        try repository.commit(["changes/1.feature.md": "Fine.\n"], message: "feat: fine (#1)")
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: URL(fileURLWithPath: repository.scratch.file("changes/2.fix.md")))
        try Data(repeating: 0x61, count: 10_000_000).write(to: URL(fileURLWithPath: repository.scratch.file("changes/3.fix.md")))
        try repository.write("changes/..fix.md", "A name of dots.\n")
        try FileManager.default.createSymbolicLink(atPath: repository.scratch.file("changes/4.fix.md"), withDestinationPath: "../../../../etc/passwd")
        _ = try repository.git("add", "-A")
        _ = try repository.git("commit", "-q", "-m", "fix: hostile fragments (#2)")
        let before = try RepositoryState(repository)
        let result = try relkit(["check", "--notes"], in: repository.path)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("news fragment 2.fix.md is not UTF-8 text  [fragment-content]"))
        #expect(result.stdout.contains("news fragment 3.fix.md is 10000000 bytes, more than 65536 (64 KiB): not a note  [fragment-content]"))
        #expect(result.stdout.contains("news fragment ..fix.md names no pull request: '.' is not a number"))
        #expect(result.stdout.contains("news fragment 4.fix.md is not a file (a symlink or a submodule)"))
        #expect(!result.stdout.contains("root:"), "the symlink's target is never read")
        #expect(try RepositoryState(repository) == before)
    }

    @Test func initProposesNotesWhereTowncrierIsConfigured() throws {
        let repository = try ScratchRepository(commit: false)
        defer { repository.remove() }
        try repository.commit(["VERSION": "26.04.0.dev0\n", "pyproject.toml": "[project]\nname = \"demo\"\n"], message: "chore: start")
        let without = try relkit(["init", "--dry-run"], in: repository.path)
        #expect(without.status == 0, "\(without.stderr)")
        #expect(!without.stdout.contains("[notes]"))
        // towncrier's table in pyproject.toml: found as towncrier finds it.
        try repository.commit(["pyproject.toml": "[project]\nname = \"demo\"\n\n[tool.towncrier]\ndirectory = \"changes\"\n"], message: "chore: towncrier")
        let proposed = try relkit(["init"], in: repository.path)
        #expect(proposed.status == 0, "\(proposed.stderr)")
        let written = try repository.read(".release.toml")
        #expect(written.contains("towncrier (configured in pyproject.toml)") && written.contains("[notes]\nfile = \"CHANGELOG/{line}.md\"\n"), "\(written)")
        // What init wrote is read back: the check runs (and finds the change without a fragment).
        _ = try repository.git("add", "-A")
        _ = try repository.git("commit", "-q", "-m", "feat: configure relkit (#3)")
        let check = try relkit(["check", "--notes", "--base", "HEAD~1"], in: repository.path)
        #expect(check.status == 1, "\(check.stderr)")
        #expect(check.stdout.contains("needs a news fragment (changes/3.<type>.md)"), "\(check.stdout)")
    }

    @Test func usageErrors() throws {
        let repository = try Self.repositoryWithPullRequest()
        defer { repository.remove() }
        let baseAlone = try relkit(["check", "--base", "main"], in: repository.path)
        #expect(baseAlone.status == 2)
        #expect(baseAlone.stderr == "error: --base goes with --notes (where the changes the notes check looks at start)\n")
        let badBase = try relkit(["check", "--notes", "--base", "nope"], in: repository.path)
        #expect(badBase.status == 2)
        #expect(badBase.stderr.hasPrefix("error: cannot read revision 'nope'"))
        try repository.commit([".release.toml": Self.releaseConfig.replacingOccurrences(of: "[notes]", with: "[othernotes]")], message: "chore: no notes")
        let noNotes = try relkit(["check", "--notes"], in: repository.path)
        #expect(noNotes.status == 2)
        // The unknown table is the configuration error relkit reports first.
        #expect(noNotes.stderr.contains("othernotes"))
        try repository.commit([".release.toml": Self.releaseConfig, "towncrier.toml": "[tool.towncrier]\nfilename = \"NEWS.md\"\n"], message: "chore: no directory")
        let noDirectory = try relkit(["check", "--notes"], in: repository.path)
        #expect(noDirectory.status == 1)
        #expect(noDirectory.stdout.contains("[tool.towncrier] in towncrier.toml has no 'directory'"))
    }
}
