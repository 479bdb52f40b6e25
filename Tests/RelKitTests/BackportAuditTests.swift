import Foundation
import RelKit
import RelKitCore
import RelKitTestSupport
import Testing

@Suite("relkit backport audit")
struct BackportAuditTests {
    /// main gets fixes and features; release branch 26.11 gets backports of several kinds.
    func history() throws -> (ScratchRepository, [String: String]) {
        let repository = try ScratchRepository(fixture: "check/clean")
        try repository.git("branch", "26.11")
        var ids: [String: String] = [:]
        func commitOnMain(_ name: String, _ file: String, _ contents: String, _ subject: String) throws {
            try repository.commit([file: contents], message: subject)
            ids[name] = try repository.git("rev-parse", "HEAD")
        }
        try commitOnMain("picked-x", "a.txt", "a\n", "fix: crash on empty widget (#1234)")
        try commitOnMain("squashed", "b.txt", "b\n", "fix(api): bad status (#1235)")
        try commitOnMain("patch-only", "c.txt", "c\n", "fix: typo in the docs (#1236)")
        try commitOnMain("missing-fix", "d.txt", "d\n", "fix: leak in the agent (#1237)")
        try commitOnMain("feature", "e.txt", "e\n", "feat: new dashboard (#1238)")
        try commitOnMain("fragment", "changes/1239.fix.md", "Fix the scheduler.\n", "scheduler: wrong order (#1239)")
        try commitOnMain("trailer", "f.txt", "f\n", "fix: handle timeouts")
        try repository.git("checkout", "-q", "26.11")
        // cherry-pick -x: the message names the commit.
        try repository.git("cherry-pick", "-x", ids["picked-x"]!)
        // A squash merge of a backport PR with a conflict resolved differently: another patch.
        try repository.commit(["b.txt": "b, adapted for 26.11\n"], message: "fix(api): bad status (#1235) (#1300)")
        // A plain cherry-pick with another subject: only the patch-id is the same.
        try repository.git("cherry-pick", ids["patch-only"]!)
        try repository.git("commit", "--amend", "-q", "-m", "[26.11] docs typo")
        // Trailers naming the commit, another patch.
        try repository.commit(["f.txt": "f for 26.11\n"], message: "fix: handle timeouts\n\nBackported-From: main\nBackported-To: 26.11\nBackport-of: \(ids["trailer"]!.prefix(12))")
        try repository.git("checkout", "-q", "main")
        return (repository, ids)
    }

    @Test func everyKindOfBackportIsRecognized() throws {
        let (repository, ids) = try history()
        defer { repository.remove() }
        let report = try BackportAudit.run(directory: repository.path, line: "26.11", source: nil, since: nil, onlyFixes: false)
        let byID = Dictionary(uniqueKeysWithValues: report.entries.map { ($0.commit.id.description, $0) })
        #expect(byID[ids["picked-x"]!]?.match?.kind == .message)
        #expect(byID[ids["squashed"]!]?.match?.kind == .pullRequest)
        #expect(byID[ids["patch-only"]!]?.match?.kind == .patchID)
        #expect(byID[ids["trailer"]!]?.match?.kind == .message)
        #expect(report.missing.map { $0.commit.id.description } == [ids["missing-fix"]!, ids["feature"]!, ids["fragment"]!])
        #expect(
            report.entries.map(\.commit.id.description) == ["picked-x", "squashed", "patch-only", "missing-fix", "feature", "fragment", "trailer"].map { ids[$0]! },
            "oldest first, in the source branch's order")

        // git's own view (patch-ids only) misses the backports whose patches differ; relkit finds them.
        let gitMissing = Set(try repository.git("log", "--cherry-pick", "--right-only", "--no-merges", "--format=%H", "26.11...main").split(separator: "\n").map(String.init))
        let relkitMissing = Set(report.missing.map { $0.commit.id.description })
        #expect(relkitMissing.isSubset(of: gitMissing))
        #expect(gitMissing.subtracting(relkitMissing) == [ids["squashed"]!, ids["trailer"]!])
    }

    @Test func onlyFixesAndExitCodes() throws {
        let (repository, ids) = try history()
        defer { repository.remove() }
        let fixes = try BackportAudit.run(directory: repository.path, line: "26.11", source: nil, since: nil, onlyFixes: true)
        #expect(fixes.missing.map { $0.commit.id.description } == [ids["missing-fix"]!, ids["fragment"]!], "a fix subject, or an added changes/*.fix.md")
        #expect(!fixes.entries.contains { $0.commit.id.description == ids["feature"]! })

        let result = try runProcess(
            relkitBinaryForIntegration, ["backport", "audit", "--to", "26.11", "--only-fixes", "--fail-on-missing"],
            directory: repository.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("  missing    \(ids["missing-fix"]!.prefix(12))  fix: leak in the agent (#1237)\n"))
        #expect(result.stdoutLines.last == "6 commits: 2 missing, 4 backported")
        let json = try runProcess(relkitBinaryForIntegration, ["backport", "audit", "--to", "26.11", "--format", "json"], directory: repository.path)
        #expect(json.status == 0, "missing commits fail only with --fail-on-missing")
        #expect(json.stdout.contains("\"kind\" : \"patch-id\""))
        #expect(try runProcess(relkitBinaryForIntegration, ["backport", "audit", "--to", "26.12"], directory: repository.path).status == 2)
    }

    /// A real partial clone (`git clone --filter=blob:none --no-checkout` from a `file://` URL with
    /// `uploadpack.allowFilter`): its blobs are not there. The audit goes on; a commit whose
    /// patch-id needs a missing blob is `unknown` with the reason, every other commit gets the
    /// answer the full repository gives, and the exit code is 3.
    @Test func aPartialCloneIsAuditedWithTheSameAnswersWhereObjectsArePresent() throws {
        let (repository, ids) = try history()
        defer { repository.remove() }
        let scratch = try ScratchDirectory("partial-clone")
        defer { scratch.remove() }
        let clone = scratch.file("clone")
        try repository.partialClone(to: clone, branches: ["26.11"])
        let missingBlob = try runProcess("git", ["-C", clone, "rev-list", "--objects", "--missing=print", "--all"], environment: gitEnvironment)
        #expect(missingBlob.stdout.contains("\n?"), "the clone lacks blobs")

        let full = try BackportAudit.run(directory: repository.path, line: "26.11", source: nil, since: nil, onlyFixes: false)
        let partial = try BackportAudit.run(directory: clone, line: "26.11", source: nil, since: nil, onlyFixes: false)
        #expect(partial.entries.map(\.commit.id) == full.entries.map(\.commit.id))
        let unknown = partial.unknown.map { $0.commit.id.description }
        #expect(unknown == [ids["patch-only"]!], "only the commit a patch-id decides is unknown")
        #expect(partial.unknown.first?.unknown?.contains("is not in the repository") == true)
        for (ours, theirs) in zip(partial.entries, full.entries) where ours.unknown == nil {
            #expect(ours.match?.kind == theirs.match?.kind && ours.match?.by.id == theirs.match?.by.id, "\(ours.commit.subject)")
        }

        let text = try runProcess(relkitBinaryForIntegration, ["backport", "audit", "--to", "26.11"], directory: clone)
        #expect(text.status == 3, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("  unknown    \(ids["patch-only"]!.prefix(12))  fix: typo in the docs (#1236)  (cannot compare by patch-id:"))
        #expect(text.stdoutLines.last == "7 commits: 3 missing, 3 backported, 1 unknown")
        let json = try runProcess(relkitBinaryForIntegration, ["backport", "audit", "--to", "26.11", "--format", "json"], directory: clone)
        #expect(json.status == 3)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((document["summary"] as? [String: Any])?["unknown"] as? Int == 1)
        let entry = (document["commits"] as? [[String: Any]])?.first { $0["id"] as? String == ids["patch-only"]! }
        #expect(entry?["status"] as? String == "unknown")
        #expect((entry?["detail"] as? String)?.hasPrefix("cannot compare by patch-id") == true)
        // The full repository: nothing unknown, exit 0.
        #expect(try runProcess(relkitBinaryForIntegration, ["backport", "audit", "--to", "26.11"], directory: repository.path).status == 0)
    }
}

/// The relkit binary built beside the tests.
let relkitBinaryForIntegration: String = {
    let besideTests = Bundle.main.bundleURL.appendingPathComponent("relkit").path
    return FileManager.default.isExecutableFile(atPath: besideTests) ? besideTests : packageRoot + "/.build/debug/relkit"
}()

@Suite("relkit backport audit on a long history")
struct LongAuditTests {
    /// 300 commits on main (enough for the audit's parallel path), each changing its own file; the
    /// release branch has every seventh as a plain cherry-pick with another subject: only patch-ids
    /// relate them, so relkit's missing commits must be exactly git log --cherry-pick's.
    @Test func patchIDMatchesAgreeWithGitOnThreads() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        var stream = ""
        func blob(_ text: String) -> String { "data \(text.utf8.count)\n\(text)\n" }
        stream += "commit refs/heads/main\nmark :1\ncommitter T <t@example.invalid> 1790000000 +0000\n" + blob("import")
        for file in 0..<300 { stream += "M 100644 inline f\(file).txt\n" + blob("line 1\nline 2 of \(file)\nline 3\n") }
        for n in 0..<300 {
            stream += "commit refs/heads/main\nmark :\(n + 2)\ncommitter T <t@example.invalid> \(1_790_000_001 + n) +0000\n" + blob("change \(n)")
            stream += "from :\(n + 1)\nM 100644 inline f\(n).txt\n" + blob("line 1\nline 2 of \(n), changed\nline 3\n")
        }
        var parent = 1
        for n in stride(from: 0, to: 300, by: 7) {
            stream += "commit refs/heads/26.11\nmark :\(1000 + n)\ncommitter T <t@example.invalid> \(1_790_100_000 + n) +0000\n" + blob("release: other subject \(n)")
            stream += "from :\(parent)\nM 100644 inline f\(n).txt\n" + blob("line 1\nline 2 of \(n), changed\nline 3\n")
            parent = 1000 + n
        }
        stream += "done\n"
        let imported = try runProcess("git", ["-C", repository.path, "fast-import", "--quiet", "--done"], stdin: Data(stream.utf8), environment: gitEnvironment)
        try #require(imported.status == 0, "\(imported.stderr)")
        try repository.git("checkout", "-q", "-f", "main")

        let report = try BackportAudit.run(directory: repository.path, line: "26.11", source: nil, since: nil, onlyFixes: false)
        #expect(report.entries.count == 300)
        let matched = report.entries.filter { $0.match != nil }
        #expect(matched.count == 43 && matched.allSatisfy { $0.match?.kind == .patchID }, "\(matched.count)")
        let gitMissing = try repository.git("log", "--cherry-pick", "--right-only", "--no-merges", "--format=%H", "26.11...main").split(separator: "\n").map(String.init)
        #expect(Set(report.missing.map { $0.commit.id.description }) == Set(gitMissing))
        #expect(report.entries.map { $0.commit.subject } == (0..<300).map { "change \($0)" }, "in history order")
    }
}
