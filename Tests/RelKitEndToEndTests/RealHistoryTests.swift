import Foundation
import RelKitTestSupport
import Testing

/// History as real calver monorepos have it: `yy.0m` lines and tags for years, then a switch to
/// `yy.n`; packages and their `VERSION` files added over time; planted tag/version mismatches in
/// both schemes; release branches of both schemes maintained at once.
@Suite("Real monorepo history, end to end")
struct RealHistoryTests {
    static let configurationAfterTheSwitch = """
        [version]
        scheme = "yy.n"

        [[version.earlier]]
        scheme = "yy.0m"
        until = "24.12"

        [components.root]
        files = ["VERSION", "pkg/*/VERSION"]

        [branches]
        maintained = ["24.03", "25.2"]

        """

    /// The repository, and the id of the fix on main that the release branches do not have yet.
    static func history() throws -> (ScratchRepository, fix: String) {
        let repository = try ScratchRepository()
        try repository.commit(
            [
                ".release.toml": "[version]\nscheme = \"yy.0m\"\n\n[components.root]\nfiles = [\"VERSION\"]\n",
                "VERSION": "23.09.0\n", "src/app.py": "print('app')\n"
            ], message: "release 23.09.0")
        try repository.git("tag", "-a", "23.09.0", "-m", "23.09.0")
        try repository.git("branch", "23.09")
        // A package and its VERSION come along; the configuration lists it.
        try repository.commit(
            [
                ".release.toml": "[version]\nscheme = \"yy.0m\"\n\n[components.root]\nfiles = [\"VERSION\", \"pkg/*/VERSION\"]\n",
                "VERSION": "24.03.0\n", "pkg/a/VERSION": "24.03.0\n"
            ], message: "release 24.03.0")
        try repository.git("tag", "-a", "24.03.0", "-m", "24.03.0")
        try repository.git("tag", "-a", "24.03.1", "-m", "planted: the files say 24.03.0")
        try repository.git("branch", "24.03")
        // The switch to year and sprint, with a second package.
        try repository.commit(
            [
                ".release.toml": configurationAfterTheSwitch, "VERSION": "25.1.0\n", "pkg/a/VERSION": "25.1.0\n",
                "pkg/b/VERSION": "25.1.0\n"
            ], message: "release 25.1.0: sprints from now on")
        try repository.git("tag", "-a", "25.1.0", "-m", "25.1.0")
        try repository.commit(["VERSION": "25.2.0\n", "pkg/a/VERSION": "25.2.0\n", "pkg/b/VERSION": "25.2.0\n"], message: "release 25.2.0")
        try repository.git("tag", "-a", "25.2.0", "-m", "25.2.0")
        try repository.git("tag", "-a", "25.2.1", "-m", "planted: the files say 25.2.0")
        try repository.git("branch", "25.2")
        try repository.commit(["VERSION": "25.3.0.dev0\n", "pkg/a/VERSION": "25.3.0.dev0\n", "pkg/b/VERSION": "25.3.0.dev0\n"], message: "main to 25.3.0.dev0")
        try repository.commit(["src/app.py": "print('app, fixed')\n"], message: "fix: crash on start (#77)")
        let fix = try repository.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        return (repository, fix)
    }

    @Test func checkTagsValidatesEachTagInItsSchemeAgainstTheFilesOfItsTime() throws {
        let (repository, _) = try Self.history()
        defer { repository.remove() }
        let result = try relkit(["check", "--tags", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = (document["findings"] as? [[String: Any]] ?? []).map { "\($0["rule"] as? String ?? ""): \($0["message"] as? String ?? "")" }
        // Exactly the two planted mismatches: no old tag is misspelt in the new scheme, and the
        // packages that came later do not make the old tags unverifiable.
        #expect(findings.count == 2, "\(findings)")
        #expect(findings.contains { $0.hasPrefix("tag-mismatch: tag 24.03.1 points to") && $0.hasSuffix("where 'root' is at 24.03.0") }, "\(findings)")
        #expect(findings.contains { $0.hasPrefix("tag-mismatch: tag 25.2.1 points to") && $0.hasSuffix("where 'root' is at 25.2.0") }, "\(findings)")
        // A tag misspelt in its own scheme is still a spelling warning.
        try repository.git("tag", "24.3.2", "24.03")
        let misspelt = try relkit(["check", "--tags"], in: repository.path, environment: releaseEnvironment)
        #expect(misspelt.stdout.contains("tag 24.3.2 is not spelled as yy.0m writes 24.03.2"), "\(misspelt.stdout)")
    }

    @Test func statusShowsTheSchemesAndWhereEachApplies() throws {
        let (repository, _) = try Self.history()
        defer { repository.remove() }
        let result = try relkit(["status"], in: repository.path, environment: releaseEnvironment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("scheme:      yy.n (.release.toml)\n  yy.0m   up to 24.12\n  yy.n    after 24.12\n"), "\(result.stdout)")
        let json = try relkit(["status", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let schemes = (document["schemes"] as? [[String: Any]])?.compactMap { $0["scheme"] as? String }
        #expect(schemes == ["yy.0m", "yy.n"])
    }

    @Test func backportAndAuditTakeLinesOfBothSchemes() throws {
        let (repository, fix) = try Self.history()
        defer { repository.remove() }
        // An old-scheme line named with --to, as it is spelt in its scheme (and not otherwise).
        let toOld = try relkit(["backport", fix, "--to", "23.09", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(toOld.status == 0 && toOld.stdout.contains("  23.09 (at "), "\(toOld.stdout)\(toOld.stderr)")
        #expect(try relkit(["backport", fix, "--to", "23.9", "--dry-run"], in: repository.path, environment: releaseEnvironment).status == 2)
        // Both maintained lines, one of each scheme.
        let picked = try relkit(["backport", fix, "--maintained"], in: repository.path, environment: releaseEnvironment)
        #expect(picked.status == 0, "\(picked.stdout)\(picked.stderr)")
        for line in ["24.03", "25.2"] {
            let message = try repository.git("log", "-1", "--format=%B", line)
            let trailers = try runProcess("git", ["interpret-trailers", "--parse"], stdin: Data(message.utf8), environment: gitEnvironment).stdout
            #expect(trailers == "Backported-From: main\nBackported-To: \(line)\n", "\(line): \(trailers)")
            #expect(try repository.git("show", "\(line):src/app.py") == "print('app, fixed')")
        }
        // An old-scheme line named as it is spelt in its scheme; its sprint-style spelling is not.
        let audit = try relkit(["backport", "audit", "--to", "24.03", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        let entry = (document["commits"] as? [[String: Any]])?.first { $0["id"] as? String == fix }
        #expect(entry?["status"] as? String == "backported")
        let misspelt = try relkit(["backport", "audit", "--to", "24.3"], in: repository.path, environment: releaseEnvironment)
        #expect(misspelt.status == 2)
        #expect(misspelt.stderr.contains("24.3"), "\(misspelt.stderr)")
        // The 23.09 line is not maintained, but it can be named.
        let older = try relkit(["backport", "audit", "--to", "23.09"], in: repository.path, environment: releaseEnvironment)
        #expect(older.status == 0, "\(older.stdout)\(older.stderr)")
    }

    @Test func versionCommandsReadEachVersionInTheSchemeOfItsTime() throws {
        let (repository, _) = try Self.history()
        defer { repository.remove() }
        let result = try relkit(["version", "validate", "23.09.0", "25.1.0", "24.3.0", "25.01.0"], in: repository.path)
        #expect(result.status == 1)
        #expect(
            result.stdoutLines == [
                "argument 1: ok 23.09.0",
                "argument 2: ok 25.1.0",
                "argument 3: invalid '24.3.0' in yy.0m: month '3' needs two digits: '03' (suggestion: 24.03.0)",
                "argument 4: invalid '25.01.0' in yy.n: sprint '01' is written without a leading zero: '1' (suggestion: 25.1.0)"
            ], "\(result.stdout)")
        #expect(try relkit(["version", "next", "24.03.1", "--patch"], in: repository.path).stdout == "24.03.2\n")
        #expect(try relkit(["version", "next", "25.2.0", "--patch"], in: repository.path).stdout == "25.2.1\n")
        // The next line after the earlier scheme's last is the current scheme's first.
        #expect(try relkit(["version", "next", "24.11.0", "--next-line"], in: repository.path).stdout == "24.12.0.dev0\n")
        #expect(try relkit(["version", "next", "24.12.0", "--next-line"], in: repository.path).stdout == "25.1.0.dev0\n")
        #expect(try relkit(["version", "next", "25.14.0", "--next-line"], in: repository.path).stdout == "25.15.0.dev0\n")
    }

    /// `relkit init` reads the history: the current scheme and the earlier one, the latest release
    /// branches as the registry of lines (the newest regular, older ones still in LTS support), migration directories as sensitive paths, no `form` override to make
    /// a version fit; and the file it writes gives `check --tags` the same answers.
    @Test func initReadsTheHistory() throws {
        let (repository, _) = try Self.history()
        defer { repository.remove() }
        try repository.write("src/manager/models/alembic/versions/1a2b_init.py", "revision = \"1a2b\"\n")
        try repository.write("web/app/migrations/__init__.py", "")
        try repository.write("VERSION", "25.3.0rc1\n")
        // On this day 24.03's LTS support (to 2025-03-31) has not ended, 23.09's has.
        let result = try relkit(["init", "--dry-run"], in: repository.path, environment: releaseEnvironment.merging(["RELKIT_TODAY": "2025-01-15"]) { $1 })
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let text = result.stdout
        #expect(text.contains("scheme = \"yy.n\"  # from "), "\(text)")
        #expect(text.contains("[[version.earlier]]\nscheme = \"yy.0m\"\nuntil = \"24.03\"\n"), "\(text)")
        #expect(text.contains("[[lines]]\nname = \"25.2\"\n\n[[lines]]\nname = \"24.03\"\nlts = true\nretire-after = 2025-03-31"), "\(text)")
        #expect(!text.contains("name = \"23.09\""), "\(text)")
        #expect(text.contains("sensitive-paths = [\"src/manager/models/alembic/versions/**\", \"web/app/migrations/**\"]"), "\(text)")
        #expect(!text.contains("form = \"pep440\""), "\(text)")
        // Written in place of today's configuration, it reads the history as that one does.
        let written = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[1]
        try repository.write(".release.toml", String(written))
        try repository.write("VERSION", "25.3.0.dev0\n")
        let check = try relkit(["check", "--tags", "--format", "json"], in: repository.path, environment: releaseEnvironment.merging(["RELKIT_TODAY": "2025-01-15"]) { $1 })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any], "\(check.stdout)\(check.stderr)")
        let rules = (document["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        #expect(rules == ["tag-mismatch", "tag-mismatch"], "\(check.stdout)")
        // After 24.03's support ends it is due: a warning, and relkit lines --retire drops it.
        let later = try relkit(["check", "--format", "json"], in: repository.path, environment: releaseEnvironment.merging(["RELKIT_TODAY": "2025-04-01"]) { $1 })
        #expect(later.stdout.contains("\"rule\" : \"line-due\""), "\(later.stdout)")
    }

    /// A partial clone of this history (blobs left behind) is audited with the full repository's
    /// answers for every commit whose objects are there; the others are `unknown`, exit 3.
    @Test func aPartialCloneIsAuditedAsTheFullRepositoryIs() throws {
        let (repository, fix) = try Self.history()
        defer { repository.remove() }
        // The fix on 24.03 by hand, as a patch of its own (only its patch-id can tell).
        try repository.git("checkout", "-q", "24.03")
        try repository.commit(["src/app.py": "print('app, fixed')\n"], message: "[24.03] the crash on start")
        try repository.git("checkout", "-q", "main")
        let scratch = try ScratchDirectory("partial-history")
        defer { scratch.remove() }
        let clone = scratch.file("clone")
        try repository.partialClone(to: clone, branches: ["24.03"])
        func audit(_ directory: String) throws -> (Int32, [String: String]) {
            let result = try relkit(["backport", "audit", "--to", "24.03", "--format", "json"], in: directory, environment: releaseEnvironment)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
            var statuses: [String: String] = [:]
            for entry in document["commits"] as? [[String: Any]] ?? [] { statuses[entry["id"] as? String ?? ""] = entry["status"] as? String }
            return (result.status, statuses)
        }
        let (fullStatus, full) = try audit(repository.path)
        let (partialStatus, partial) = try audit(clone)
        #expect(fullStatus == 0 && partialStatus == 3)
        #expect(full[fix] == "backported" && partial[fix] == "unknown")
        #expect(Set(full.keys) == Set(partial.keys) && full.count > 3)
        for (id, status) in partial where status != "unknown" { #expect(full[id] == status, "\(id)") }
    }

    /// Releases of an old-scheme line: tag, bump and check work on it in its own scheme, while a
    /// new line is cut in the current one.
    @Test func releasesOfALineOfEachScheme() throws {
        let (repository, _) = try Self.history()
        defer { repository.remove() }
        // The planted tags take the next patch numbers: relkit refuses to move them.
        let taken = try relkit(["tag", "--branch", "24.03", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(taken.status == 1 && taken.stderr.contains("tag 24.03.1 exists already"), "\(taken.stdout)\(taken.stderr)")
        try repository.git("tag", "-d", "24.03.1", "25.2.1")
        let oldLine = try relkit(["tag", "--branch", "24.03", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(oldLine.status == 0, "\(oldLine.stdout)\(oldLine.stderr)")
        #expect(oldLine.stdout.hasPrefix("relkit tag: release 24.03.1 on 24.03"), "\(oldLine.stdout)")
        let newLine = try relkit(["tag", "--branch", "25.2", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(newLine.stdout.hasPrefix("relkit tag: release 25.2.1 on 25.2"), "\(newLine.stdout)")
        let cut = try relkit(["cut", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(cut.stdout.hasPrefix("relkit cut: create release line 25.3 from main"), "\(cut.stdout)")
        try repository.git("checkout", "-q", "24.03")
        #expect(try relkit(["check"], in: repository.path, environment: releaseEnvironment).status == 0)
        let bump = try relkit(["bump", "24.03.5", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(bump.status == 0, "\(bump.stdout)\(bump.stderr)")
        #expect(try relkit(["bump", "24.3.5", "--dry-run"], in: repository.path, environment: releaseEnvironment).status == 2, "misspelt in its own scheme")
    }
}
