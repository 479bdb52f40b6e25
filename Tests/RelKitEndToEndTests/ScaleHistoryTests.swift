import Foundation
import RelKitTestSupport
import Testing

/// The answers of the scale benchmark (make bench-scale, issue 26) on a small history of the same
/// generator: relkit's missing commits are git's `--cherry-pick` answer, which patch-ids decide,
/// with and without a commit-graph. (Its speed is measured by the benchmark, never here.)
@Suite("Generated histories: backport audit agrees with git log --cherry-pick")
struct ScaleHistoryTests {
    @Test func auditAgreesWithGitOnAGeneratedHistory() throws {
        let directory = try ScratchDirectory("relkit-scale")
        defer { directory.remove() }
        let root = directory.path + "/history"
        let made = try runProcess("python3", [packageRoot + "/Benchmarks/scale_history.py", root, "--commits", "240", "--base", "60"])
        try #require(made.status == 0, "\(made.stderr)")
        let expected = Set(try String(contentsOfFile: root + "/.git/expected-missing", encoding: .utf8).split(separator: "\n").map(String.init))
        #expect(expected.count == 232, "240 commits, every 30th backported")
        for graph in [false, true] {
            if graph { _ = try runProcess("git", ["commit-graph", "write", "--reachable", "--changed-paths"], environment: gitEnvironment, directory: root) }
            let git = try runProcess("git", ["log", "--cherry-pick", "--right-only", "--no-merges", "--format=%H", "24.03...main"], environment: gitEnvironment, directory: root)
            #expect(Set(git.stdout.split(separator: "\n").map(String.init)) == expected)
            let audit = try relkit(["backport", "audit", "--to", "24.03", "--format", "json"], in: root, environment: releaseEnvironment)
            #expect(audit.status == 0, "\(audit.stderr)")
            let commits = try #require(try json(audit.stdout)["commits"] as? [[String: Any]])
            let missing = Set(commits.filter { $0["status"] as? String == "missing" }.compactMap { $0["id"] as? String })
            #expect(missing == expected, "with\(graph ? "" : "out") a commit-graph: \(missing.symmetricDifference(expected).count) differ")
            #expect(commits.count == 240, "every commit of main since the branch point, once")
        }
    }
}
