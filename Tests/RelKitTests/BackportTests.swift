import Foundation
import RelKit
import RelKitCore
import RelKitTestSupport
import Testing

/// A repository with `main` and release branch `26.11` forked from it, built with the git CLI.
struct BackportScenario {
    let repository: ScratchRepository

    init(base: [String: String] = ["app.txt": "one\ntwo\nthree\nfour\nfive\n"]) throws {
        _ = setTestIdentity
        repository = try ScratchRepository()
        try repository.commit(base.merging(["VERSION": "26.11.0.dev0\n"]) { $1 }, message: "base")
        try repository.git("branch", "26.11")
    }

    func on(_ branch: String, _ body: () throws -> Void) throws {
        try repository.git("checkout", "-q", branch)
        try body()
        try repository.git("checkout", "-q", "main")
    }

    @discardableResult
    func commit(_ files: [String: String], _ message: String) throws -> String {
        try repository.commit(files, message: message)
        return try repository.git("rev-parse", "HEAD")
    }

    func backport(
        _ revisions: [String], to lines: [String] = ["26.11"], mainline: Int? = nil, source: String? = nil,
        allowOffSource: Bool = false
    ) throws(OperationError) -> Backport.Report {
        try Backport.run(
            Backport.Request(
                directory: repository.path, revisions: revisions, lines: lines, source: source,
                mainline: mainline, allowOffSource: allowOffSource)
        ) { _ in }
    }

    /// The tree `git cherry-pick` makes of the same picks, in a scratch worktree; nil on a conflict.
    func gitCherryPickTree(_ picks: [String], onto start: String, mainline: Int? = nil) throws -> String? {
        let path = repository.scratch.path + "-oracle-\(UUID().uuidString.prefix(8))"
        try repository.git("worktree", "add", "-q", "--detach", path, start)
        defer {
            _ = try? repository.git("worktree", "remove", "--force", path)
        }
        for pick in picks {
            let result = try runProcess(
                "git", ["-C", path, "cherry-pick", "--allow-empty", "--keep-redundant-commits"] + (mainline.map { ["-m", "\($0)"] } ?? []) + [pick],
                environment: gitEnvironment)
            if result.status != 0 { return nil }
        }
        return try runProcess("git", ["-C", path, "rev-parse", "HEAD^{tree}"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func tree(_ revision: String) throws -> String { try repository.git("rev-parse", "\(revision)^{tree}") }
}

@Suite("relkit backport: results identical to git cherry-pick")
struct BackportScenarioTests {
    @Test func cleanPicksOfEveryKindOfChange() throws {
        let scenario = try BackportScenario(base: [
            "app.txt": "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n", "bin.dat": "\u{0}\u{1}binary\u{2}", "tool.sh": "echo hi\n",
            "crlf.txt": "a\r\nb\r\nc\r\n", "gone.txt": "delete me\n", "old-name.txt": "rename me\n"
        ])
        defer { scenario.repository.remove() }
        let repo = scenario.repository
        // The release branch diverged elsewhere in the same file: the picks must merge.
        try scenario.on("26.11") { try scenario.commit(["app.txt": "one\ntwo\nthree\nfour\nfive\nsix\nseven\nEIGHT (release)\n"], "release edit") }
        var picks: [String] = []
        picks.append(try scenario.commit(["app.txt": "ONE (fix)\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n"], "fix: first line (#1)"))
        picks.append(try scenario.commit(["bin.dat": "\u{0}\u{1}changed\u{2}", "crlf.txt": "a\r\nB\r\nc\r\n"], "fix: binary and crlf (#2)"))
        try repo.git("rm", "-q", "gone.txt")
        try repo.git("mv", "old-name.txt", "new-name.txt")
        try repo.git("commit", "-q", "-m", "fix: delete and rename (#3)")
        picks.append(try repo.git("rev-parse", "HEAD"))
        chmod(repo.scratch.file("tool.sh"), 0o755)
        try FileManager.default.createSymbolicLink(atPath: repo.scratch.file("link"), withDestinationPath: "tool.sh")
        try repo.git("add", "-A")
        try repo.git("commit", "-q", "-m", "fix: executable bit and a symlink\n\nSigned-off-by: Dev <dev@example.com>")
        picks.append(try repo.git("rev-parse", "HEAD"))

        let start = try scenario.tree("26.11")
        _ = start
        let releaseTip = try repo.git("rev-parse", "26.11")
        let report = try scenario.backport(picks.map { String($0.prefix(10)) }.reversed()) // any order: history order is used
        #expect(report.targets[0].picks.map(\.commit.id.description) == picks)
        #expect(report.targets[0].picks.allSatisfy { if case .picked = $0.outcome { return true } else { return false } })
        #expect(try scenario.tree("26.11") == scenario.gitCherryPickTree(picks, onto: releaseTip))
        #expect(
            try repo.git("log", "--format=%s", "-5", "26.11").split(separator: "\n") == [
                "fix: executable bit and a symlink", "fix: delete and rename (#3)", "fix: binary and crlf (#2)", "fix: first line (#1)", "release edit"
            ])
        // Trailers: joined to the Signed-off-by block; git parses every one.
        #expect(
            try runProcess("git", ["-C", repo.path, "log", "-1", "--format=%(trailers:only,unfold)", "26.11"]).stdout
                == "Signed-off-by: Dev <dev@example.com>\nBackported-From: main\nBackported-To: 26.11\n\n")
        #expect(try repo.git("log", "-1", "--format=%an|%cn", "26.11") == "Test Author|Test Committer")
        #expect(try repo.git("reflog", "-1", "--format=%gs", "26.11") == "relkit backport: picks from main onto 26.11")
        #expect(try repo.git("fsck", "--strict", "--no-dangling").isEmpty)
        #expect(try repo.git("status", "--porcelain").isEmpty, "the checkout of main was not touched")
    }

    @Test func rangesAndCommitsGivenOutOfOrderArePickedInHistoryOrder() throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        let commits = try (1...6).map { n in try scenario.commit(["fix\(n).txt": "\(n)\n"], "fix: change \(n) (#\(n))") }
        let releaseTip = try scenario.repository.git("rev-parse", "26.11")
        // One range (commits 2 and 3) among single commits, newest first and mixed.
        let report = try scenario.backport([commits[4], "\(commits[0])..\(commits[2])", commits[5], commits[3]])
        #expect(report.targets[0].picks.map(\.commit.id.description) == Array(commits[1...]))
        #expect(
            try scenario.repository.git("log", "--format=%s", "-5", "26.11").split(separator: "\n").reversed()
                == (2...6).map { "fix: change \($0) (#\($0))" })
        #expect(try scenario.tree("26.11") == scenario.gitCherryPickTree(Array(commits[1...]), onto: releaseTip))
    }

    @Test func messagesWithoutNewlineAndWithPatchLines() throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        let first = try scenario.commit(["a.txt": "a\n"], "fix: no newline at the end (#5)")
        try scenario.repository.git("commit", "--amend", "-q", "--cleanup=verbatim", "-m", "fix: no newline at the end (#5)")
        let amended = try scenario.repository.git("rev-parse", "HEAD")
        _ = first
        let dashed = try scenario.commit(["b.txt": "b\n"], "fix: with a divider\n\nSome text\n---\nnot a patch, but git stops reading trailers here")
        _ = try scenario.backport([amended, dashed])
        let messages = try scenario.repository.git("log", "--format=%B%x00", "-2", "26.11").components(separatedBy: "\0\n")
        #expect(messages[1].hasPrefix("fix: no newline at the end (#5)\n\n(cherry picked from commit \(amended))\nBackported-From: main\nBackported-To: 26.11"))
        // Before the '---' line, where git still finds them.
        #expect(messages[0].hasPrefix("fix: with a divider\n\nSome text\n\n(cherry picked from commit \(dashed))\nBackported-From: main\nBackported-To: 26.11\n---\n"))
        let parsed = try runProcess("git", ["interpret-trailers", "--parse"], stdin: Data(messages[0].utf8)).stdout
        #expect(parsed == "Backported-From: main\nBackported-To: 26.11\n")
    }

    @Test func severalTargetsAndARange() throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        try scenario.repository.git("branch", "26.09", "26.11")
        let start = try scenario.repository.git("rev-parse", "main")
        let a = try scenario.commit(["a.txt": "a\n"], "fix: a (#10)")
        let b = try scenario.commit(["b.txt": "b\n"], "fix: b (#11)")
        let report = try scenario.backport(["\(start)..main"], to: ["26.09", "26.11"])
        #expect(report.targets.map(\.branch) == ["26.09", "26.11"])
        for branch in ["26.09", "26.11"] {
            #expect(try scenario.repository.git("log", "--format=%s", "-2", branch) == "fix: b (#11)\nfix: a (#10)")
            #expect(try scenario.tree(branch) == scenario.gitCherryPickTree([a, b], onto: start))
        }
        #expect(try scenario.repository.git("log", "-1", "--format=%(trailers:key=Backported-To,valueonly)", "26.09") == "26.09")
    }

    @Test func mergeCommitsNeedAMainline() throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        let repo = scenario.repository
        try repo.git("checkout", "-q", "-b", "topic")
        try scenario.commit(["topic.txt": "topic\n"], "topic work")
        try repo.git("checkout", "-q", "main")
        try scenario.commit(["other.txt": "other\n"], "other work")
        try repo.git("merge", "-q", "--no-ff", "-m", "Merge topic (#20)", "topic")
        let merge = try repo.git("rev-parse", "HEAD")
        let releaseTip = try repo.git("rev-parse", "26.11")
        let refusal = #expect(throws: OperationError.self) { try scenario.backport([merge]) }
        #expect(refusal?.exitCode == 2)
        #expect(refusal?.message.hasSuffix("is a merge; say which parent is the mainline with --mainline N (1 for the first parent)") == true)
        _ = try scenario.backport([merge], mainline: 1)
        #expect(try scenario.tree("26.11") == scenario.gitCherryPickTree([merge], onto: releaseTip, mainline: 1))
        #expect(try repo.git("show", "26.11:topic.txt") == "topic")
    }

    @Test func alreadyThereIsSkippedNeverEmpty() throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        let fix = try scenario.commit(["a.txt": "a\n"], "fix: a (#30)")
        // The same change made on the release branch by hand, with another message.
        try scenario.on("26.11") { try scenario.commit(["a.txt": "a\n"], "same change, other words") }
        let tip = try scenario.repository.git("rev-parse", "26.11")
        let report = try scenario.backport([fix])
        guard case .alreadyThere(let by) = report.targets[0].picks[0].outcome else {
            Issue.record("expected already there, got \(report.targets[0].picks[0].outcome)")
            return
        }
        #expect(by.contains("patch-id"))
        #expect(try scenario.repository.git("rev-parse", "26.11") == tip, "no empty commit")
    }

    /// A release branch with more than 64 commits of its own: they are read on a second thread
    /// while the first pick is made (and that pick dropped when it is there already), with and
    /// without a commit-graph.
    @Test(arguments: [false, true])
    func aLongReleaseBranchIsReadAlongsideThePick(withGraph: Bool) throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        let repo = scenario.repository
        let a = try scenario.commit(["a.txt": "a\n"], "fix: a (#80)")
        let b = try scenario.commit(["b.txt": "b\n"], "fix: b (#81)")
        let c = try scenario.commit(["c.txt": "c\n"], "fix: c (#82)")
        try scenario.on("26.11") {
            for index in 0..<35 { try repo.git("commit", "-q", "--allow-empty", "-m", "release chore \(index)") }
            try repo.git("cherry-pick", "-x", a)
            for index in 35..<55 { try repo.git("commit", "-q", "--allow-empty", "-m", "release chore \(index)") }
            try scenario.commit(["b.txt": "b, resolved by hand\n"], "[26.11] fix: b (#81) (#90)")
            for index in 55..<75 { try repo.git("commit", "-q", "--allow-empty", "-m", "release chore \(index)") }
        }
        if withGraph { try repo.git("commit-graph", "write", "--reachable", "--changed-paths") }
        let tip = try repo.git("rev-parse", "26.11")
        let report = try scenario.backport([a, b, c])
        let outcomes = report.targets[0].picks.map(\.outcome)
        guard outcomes.count == 3, case .alreadyThere(let byMessage) = outcomes[0], case .alreadyThere(let byNumber) = outcomes[1],
            case .picked(let made, _) = outcomes[2]
        else {
            Issue.record("unexpected outcomes: \(outcomes)")
            return
        }
        #expect(byMessage.contains("(message: names \(a)") || byMessage.contains("(message: names \(a.prefix(7))"), "\(byMessage)")
        #expect(byNumber.contains("(pr-number: #81)"), "\(byNumber)")
        #expect(try repo.git("rev-parse", "26.11") == made.description)
        #expect(try repo.git("rev-parse", "26.11^") == tip, "one commit: the two picks already there left nothing")
        #expect(try repo.git("show", "26.11:b.txt") == "b, resolved by hand")
        #expect(try repo.git("fsck", "--no-dangling", "--strict").isEmpty)
    }

    @Test func offSourceCommitsAreRefusedUnlessAllowed() throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        try scenario.repository.git("checkout", "-q", "-b", "feature")
        let feature = try scenario.commit(["f.txt": "f\n"], "fix: only on a feature branch")
        try scenario.repository.git("checkout", "-q", "main")
        let refusal = #expect(throws: OperationError.self) { try scenario.backport([feature]) }
        #expect(refusal?.exitCode == 1)
        #expect(refusal?.message == "\(feature.prefix(12)) is not on main; fixes land on main first (--allow-off-source to pick it anyway)")
        _ = try scenario.backport([feature], allowOffSource: true)
        #expect(try scenario.repository.git("show", "26.11:f.txt") == "f")
    }

    @Test func aBackportOfABackport() throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        try scenario.repository.git("branch", "26.09", "26.11")
        try scenario.on("26.11") { try scenario.commit(["only-in-26.11.txt": "x\n"], "fix: found on 26.11 (#40)") }
        let picked = try scenario.repository.git("rev-parse", "26.11")
        _ = try scenario.backport([picked], to: ["26.09"], source: "26.11")
        #expect(try scenario.repository.git("log", "-1", "--format=%(trailers:only,unfold)", "26.09") == "Backported-From: 26.11\nBackported-To: 26.09")
        #expect(try scenario.repository.git("show", "26.09:only-in-26.11.txt") == "x")
    }

    @Test func aCheckedOutTargetBringsItsCheckoutAlong() throws {
        let scenario = try BackportScenario()
        defer { scenario.repository.remove() }
        let fix = try scenario.commit(["app.txt": "one\ntwo (fix)\nthree\nfour\nfive\n"], "fix: two (#70)")
        try scenario.repository.git("checkout", "-q", "26.11")
        try scenario.repository.write("UNTRACKED", "keep\n")
        _ = try scenario.backport([fix])
        #expect(try scenario.repository.read("app.txt") == "one\ntwo (fix)\nthree\nfour\nfive\n")
        #expect(try scenario.repository.git("status", "--porcelain") == "?? UNTRACKED")
        // Local changes in a file the backport changes: refused, nothing moves.
        try scenario.repository.git("checkout", "-q", "main")
        let second = try scenario.commit(["app.txt": "one\ntwo (fix)\nthree (fix)\nfour\nfive\n"], "fix: three (#71)")
        try scenario.repository.git("checkout", "-q", "26.11")
        try scenario.repository.write("app.txt", "local edit\n")
        let tip = try scenario.repository.git("rev-parse", "26.11")
        let refusal = #expect(throws: OperationError.self) { try scenario.backport([second]) }
        #expect(refusal?.exitCode == 3)
        #expect(try scenario.repository.git("rev-parse", "26.11") == tip)
        #expect(try scenario.repository.read("app.txt") == "local edit\n")
    }

    @Test func renamesOnTheTargetGoThroughTheFullMerge() throws {
        let scenario = try BackportScenario(base: ["src/module.py": "def f():\n    return 1\n\n\ndef g():\n    return 2\n"])
        defer { scenario.repository.remove() }
        try scenario.on("26.11") {
            try scenario.repository.git("mv", "src/module.py", "src/renamed.py")
            try scenario.repository.git("commit", "-q", "-m", "rename on the release branch")
        }
        let releaseTip = try scenario.repository.git("rev-parse", "26.11")
        let fix = try scenario.commit(["src/module.py": "def f():\n    return 1\n\n\ndef g():\n    return 3\n"], "fix: g (#50)")
        let report = try scenario.backport([fix])
        guard case .picked(_, let fastPath) = report.targets[0].picks[0].outcome else {
            Issue.record("expected a pick, got \(report.targets[0].picks[0].outcome)")
            return
        }
        #expect(!fastPath, "a path missing on the target needs rename detection")
        #expect(try scenario.tree("26.11") == scenario.gitCherryPickTree([fix], onto: releaseTip))
        #expect(try scenario.repository.git("show", "26.11:src/renamed.py").hasSuffix("return 3"))
    }
}

@Suite("relkit backport: conflicts")
struct BackportConflictTests {
    func conflicted() throws -> (BackportScenario, String, String) {
        let scenario = try BackportScenario()
        try scenario.on("26.11") { try scenario.commit(["app.txt": "one\nRELEASE\nthree\nfour\nfive\n"], "release edit") }
        let conflicting = try scenario.commit(["app.txt": "one\nMAIN\nthree\nfour\nfive\n"], "fix: two (#60)")
        let later = try scenario.commit(["later.txt": "later\n"], "fix: later (#61)")
        return (scenario, conflicting, later)
    }

    @Test func stopContinueAndTheOtherTargetsComplete() throws {
        let (scenario, conflicting, later) = try conflicted()
        defer { scenario.repository.remove() }
        let repo = scenario.repository
        try repo.git("branch", "26.09", "main~2") // a second target without the conflict
        let tip = try repo.git("rev-parse", "26.11")
        let report = try scenario.backport([conflicting, later], to: ["26.09", "26.11"])
        #expect(report.hasConflicts)
        #expect(report.targets[0].newTip != nil, "26.09 completed")
        #expect(try repo.git("log", "--format=%s", "-2", "26.09") == "fix: later (#61)\nfix: two (#60)")
        #expect(try repo.git("rev-parse", "26.11") == tip, "the stopped target did not move")
        let worktree = try #require(report.targets[1].worktree)
        #expect(try String(contentsOfFile: worktree + "/app.txt", encoding: .utf8).contains("<<<<<<< "))
        #expect(try repo.git("status", "--porcelain").isEmpty, "the user's checkout is untouched")

        let status = try #require(try Backport.status(directory: repo.path) { _ in })
        #expect(status.targets.map(\.branch) == ["26.11"])
        #expect(status.targets[0].paths == ["app.txt"])
        // Markers left: refused.
        let early = #expect(throws: OperationError.self) { try Backport.resume(directory: repo.path) { _ in } }
        #expect(early?.exitCode == 1)
        #expect(early?.message.hasPrefix("conflict markers are left in app.txt") == true)
        // Another backport while one is stopped: refused.
        #expect(throws: OperationError.self) { try scenario.backport([later]) }

        try "one\nRESOLVED\nthree\nfour\nfive\n".write(toFile: worktree + "/app.txt", atomically: true, encoding: .utf8)
        let resumed = try Backport.resume(directory: repo.path) { _ in }
        #expect(!resumed.hasConflicts)
        #expect(try repo.git("log", "--format=%s", "-3", "26.11") == "fix: later (#61)\nfix: two (#60)\nrelease edit")
        #expect(try repo.git("show", "26.11:app.txt") == "one\nRESOLVED\nthree\nfour\nfive")
        #expect(try repo.git("log", "-1", "--format=%(trailers:only,unfold)", "26.11~1") == "Backported-From: main\nBackported-To: 26.11")
        #expect(!FileManager.default.fileExists(atPath: worktree))
        #expect(try repo.git("worktree", "list").split(separator: "\n").count == 1)
        #expect(try Backport.status(directory: repo.path) { _ in } == nil)
        #expect(try repo.git("fsck", "--no-dangling").isEmpty)
    }

    @Test func abortLeavesEveryBranchWhereItWas() throws {
        let (scenario, conflicting, later) = try conflicted()
        defer { scenario.repository.remove() }
        let repo = scenario.repository
        let refs = try repo.git("for-each-ref", "--format=%(refname) %(objectname)")
        let report = try scenario.backport([conflicting, later])
        let worktree = try #require(report.targets[0].worktree)
        #expect(try Backport.abort(directory: repo.path) { _ in } == ["26.11"])
        #expect(try repo.git("for-each-ref", "--format=%(refname) %(objectname)") == refs)
        #expect(!FileManager.default.fileExists(atPath: worktree))
        #expect(try repo.git("worktree", "list").split(separator: "\n").count == 1)
        #expect((#expect(throws: OperationError.self) { try Backport.abort(directory: repo.path) { _ in } })?.exitCode == 1)
    }

    @Test func aTargetThatMovedMeanwhileIsNotOverwritten() throws {
        let (scenario, conflicting, _) = try conflicted()
        defer { scenario.repository.remove() }
        let repo = scenario.repository
        let report = try scenario.backport([conflicting])
        let worktree = try #require(report.targets[0].worktree)
        try "resolved\n".write(toFile: worktree + "/app.txt", atomically: true, encoding: .utf8)
        try scenario.on("26.11") { try scenario.commit(["hotfix.txt": "x\n"], "someone else's commit") }
        let moved = try repo.git("rev-parse", "26.11")
        let refusal = #expect(throws: OperationError.self) { try Backport.resume(directory: repo.path) { _ in } }
        #expect(refusal?.exitCode == 3)
        #expect(refusal?.message.contains("26.11 moved from") == true)
        #expect(try repo.git("rev-parse", "26.11") == moved)
    }
}
