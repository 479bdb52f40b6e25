import Foundation
import RelKitTestSupport
import Testing

/// An origin with a registry of lines made by relkit itself: 26.03 cut as LTS on 2026-03-15
/// (retire-after 2027-03-31), 26.09 cut as a regular line, each tagged; a fix on main.
func originWithLines() throws -> (origin: ScratchRepository, fix: String) {
    let origin = try ScratchRepository(fixture: "check/clean")
    let config = try origin.read(".release.toml").replacing("maintained = [\"26.09\", \"26.03\"]\n", with: "")
    try origin.commit([".release.toml": config], message: "configuration: lines registered by relkit cut")
    func run(_ arguments: [String], today: String) throws {
        let result = try relkit(arguments, in: origin.path, environment: releaseEnvironment.merging(["RELKIT_TODAY": today]) { $1 })
        guard result.status == 0 else { throw GitCommandError(description: "relkit \(arguments) failed: \(result.stdout)\(result.stderr)") }
    }
    try run(["cut", "26.03", "--lts"], today: "2026-03-15")
    try run(["tag", "--branch", "26.03"], today: "2026-03-16")
    try run(["cut", "26.09"], today: "2026-09-10")
    try run(["tag", "--branch", "26.09"], today: "2026-09-11")
    try origin.commit(["src/fix.txt": "fixed\n"], message: "fix: a crash on start (#42)")
    return (origin, try origin.git("rev-parse", "HEAD"))
}

func environment(today: String) -> [String: String] { releaseEnvironment.merging(["RELKIT_TODAY": today]) { $1 } }

func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
}

@Suite("Release lines: registry, lifecycle and relkit lines")
struct ReleaseLinesTests {
    @Test func cutRegistersLinesInTheCommitThatMovesMain() throws {
        let (origin, _) = try originWithLines()
        defer { origin.remove() }
        let text = try origin.git("show", "main:.release.toml")
        #expect(text.hasSuffix("[[lines]]\nname = \"26.03\"\nlts = true\nretire-after = 2027-03-31\n\n[[lines]]\nname = \"26.09\""), "\(text)")
        // The registration is in cut's own commit on main (no commit of its own).
        let log = try origin.git("log", "--format=%s", "main", "--", ".release.toml").split(separator: "\n")
        #expect(log.prefix(2) == ["main: register release line 26.09", "main: register release line 26.03"], "\(log)")
        // A regular line leaves the registry when a newer one registers; the LTS line stays.
        let cut = try relkit(["cut", "26.12", "--dry-run"], in: origin.path, environment: environment(today: "2026-12-01"))
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(cut.stdout.contains("-name = \"26.09\"\n+name = \"26.12\""), "\(cut.stdout)")
        #expect(cut.stdout.contains("note: release line 26.09 is superseded by 26.12"), "\(cut.stdout)")
        #expect(!cut.stdout.contains("-name = \"26.03\""), "\(cut.stdout)")
    }

    @Test func linesShowsTheLifecycleOnAnyDay() throws {
        let (origin, _) = try originWithLines()
        defer { origin.remove() }
        func lines(_ today: String) throws -> [[String: Any]] {
            let result = try relkit(["lines", "--today", today, "--format", "json"], in: origin.path, environment: releaseEnvironment)
            #expect(result.status == 0, "\(result.stderr)")
            return try json(result.stdout)["lines"] as? [[String: Any]] ?? []
        }
        let onTheDay = try lines("2027-03-31")
        #expect(onTheDay.map { "\($0["name"]!) \($0["kind"]!) \($0["maintained"]!) \($0["latest_tag"]!)" } == ["26.03 lts 1 26.03.0", "26.09 regular 1 26.09.0"])
        let after = try lines("2027-04-01")
        #expect(after.map { $0["due"] as? Bool } == [true, false])
        #expect(after.first?["reason"] as? String == "LTS retired after 2027-03-31")
        let text = try relkit(["lines", "--today", "2027-04-01"], in: origin.path, environment: releaseEnvironment)
        #expect(text.stdout.contains("due for retirement: 26.03 (relkit lines --retire drops them)"), "\(text.stdout)")
        // Dates are checked.
        let bad = try relkit(["lines", "--today", "2027-02-30"], in: origin.path, environment: releaseEnvironment)
        #expect(bad.status == 2 && bad.stderr.contains("2027-02-30"), "\(bad.stderr)")
        let badEnvironment = try relkit(["lines"], in: origin.path, environment: environment(today: "tomorrow"))
        #expect(badEnvironment.status == 2 && badEnvironment.stderr.contains("RELKIT_TODAY='tomorrow' is not a date"), "\(badEnvironment.stderr)")
    }

    @Test func retireCommitsOnMainAndIsIdempotent() throws {
        let (origin, _) = try originWithLines()
        defer { origin.remove() }
        let before = try RepositoryState(origin)
        let dryRun = try relkit(["lines", "--retire", "--today", "2027-04-01", "--dry-run"], in: origin.path, environment: releaseEnvironment)
        #expect(dryRun.status == 0 && dryRun.stdout.contains("-name = \"26.03\""), "\(dryRun.stdout)")
        #expect(try RepositoryState(origin) == before)
        let retire = try relkit(["lines", "--retire", "--today", "2027-04-01"], in: origin.path, environment: releaseEnvironment)
        #expect(retire.status == 0, "\(retire.stderr)")
        #expect(try origin.git("log", "-1", "--format=%s", "main") == "main: retire release line 26.03")
        let text = try origin.git("show", "main:.release.toml")
        #expect(!text.contains("name = \"26.03\"") && text.contains("name = \"26.09\""), "\(text)")
        #expect(try origin.read(".release.toml") == text + "\n", "the checkout of main follows")
        let main = try origin.git("rev-parse", "main")
        let again = try relkit(["lines", "--retire", "--today", "2027-04-01"], in: origin.path, environment: releaseEnvironment)
        #expect(again.status == 0 && again.stdout.contains("nothing to retire"), "\(again.stdout)")
        #expect(try origin.git("rev-parse", "main") == main)
    }

    @Test func everyCommandReadsTheRegistry() throws {
        let (origin, fix) = try originWithLines()
        defer { origin.remove() }
        // Before 26.03's date both lines get the fix; after it, only 26.09.
        let before = try relkit(["backport", fix, "--maintained", "--dry-run", "--format", "json"], in: origin.path, environment: environment(today: "2027-03-31"))
        #expect(((try json(before.stdout)["targets"] as? [[String: Any]]) ?? []).map { $0["branch"] as? String } == ["26.03", "26.09"], "\(before.stdout)")
        let after = try relkit(["backport", fix, "--maintained", "--dry-run", "--format", "json"], in: origin.path, environment: environment(today: "2027-04-01"))
        #expect(((try json(after.stdout)["targets"] as? [[String: Any]]) ?? []).map { $0["branch"] as? String } == ["26.09"], "\(after.stdout)")
        let status = try relkit(["status", "--format", "json"], in: origin.path, environment: environment(today: "2027-04-01"))
        #expect(((try json(status.stdout)["maintained"] as? [[String: Any]]) ?? []).map { $0["branch"] as? String } == ["26.09"], "\(status.stdout)")
        // check: the due line is a warning, a maintained line without its branch is one too.
        let due = try relkit(["check", "--format", "json"], in: origin.path, environment: environment(today: "2027-04-01"))
        #expect(due.status == 0 && due.stdout.contains("\"rule\" : \"line-due\""), "\(due.stdout)")
        try origin.git("branch", "-D", "26.09")
        let missing = try relkit(["check"], in: origin.path, environment: environment(today: "2027-01-01"))
        #expect(missing.status == 0 && missing.stdout.contains("line-branch-missing"), "\(missing.stdout)")
        #expect(missing.stdout.contains("release line 26.09 is registered as maintained, but there is no branch 26.09"), "\(missing.stdout)")
    }
}

@Suite("Release branches that live on the remote (a CI clone)")
struct RemoteTrackingLinesTests {
    @Test func aCloneSeesTheRemoteLines() throws {
        let (origin, fix) = try originWithLines()
        defer { origin.remove() }
        let clone = try ScratchRepository(cloning: origin)
        defer { clone.remove() }
        #expect(try clone.git("for-each-ref", "--format=%(refname:short)", "refs/heads") == "main")
        let lines = try json(try relkit(["lines", "--format", "json"], in: clone.path, environment: releaseEnvironment).stdout)
        let branches = (lines["lines"] as? [[String: Any]] ?? []).map { ($0["branch"] as? [String: Any])?["ref"] as? String }
        #expect(branches == ["origin/26.03", "origin/26.09"], "\(lines)")
        let status = try relkit(["status"], in: clone.path, environment: releaseEnvironment)
        #expect(status.stdout.contains("maintained:  26.03 (LTS through 2027-03-31, origin/26.03 "), "\(status.stdout)")
        let audit = try relkit(["backport", "audit", "--to", "26.09", "--format", "json"], in: clone.path, environment: releaseEnvironment)
        #expect(audit.status == 0, "\(audit.stderr)")
        let report = try json(audit.stdout)
        #expect(report["target_ref"] as? String == "origin/26.09")
        #expect((report["summary"] as? [String: Int])?["missing"] == 1, "\(report)")
        let initPlan = try relkit(["init", "--dry-run"], in: clone.path, environment: releaseEnvironment)
        #expect(initPlan.stdout.contains("[[lines]]\nname = \"26.09\"\n\n[[lines]]\nname = \"26.03\"\nlts = true\nretire-after = 2027-03-31"), "\(initPlan.stdout)")
        #expect(try relkit(["check", "--ref", "26.03"], in: clone.path, environment: releaseEnvironment).status == 0)
        #expect(try relkit(["check", "--ref", "origin/26.09"], in: clone.path, environment: releaseEnvironment).status == 0)
        let upgrade = try relkit(["upgrade", "26.03", "26.09", "--format", "json"], in: clone.path, environment: releaseEnvironment)
        #expect(upgrade.status != 2, "\(upgrade.stderr)")
        // Nothing above wrote anything.
        #expect(try clone.git("for-each-ref", "--format=%(refname:short)", "refs/heads") == "main")

        // A backport starts the local branch from origin/26.09, tracking it, as git switch would.
        let remoteTip = try clone.git("rev-parse", "origin/26.09")
        let backport = try relkit(["backport", fix, "--to", "26.09"], in: clone.path, environment: releaseEnvironment)
        #expect(backport.status == 0, "\(backport.stdout)\(backport.stderr)")
        #expect(try clone.git("rev-parse", "26.09~1") == remoteTip)
        #expect(try clone.git("rev-parse", "origin/26.09") == remoteTip, "the remote-tracking branch does not move")
        #expect(try clone.git("config", "branch.26.09.remote") == "origin")
        #expect(try clone.git("config", "branch.26.09.merge") == "refs/heads/26.09")
        #expect(try clone.git("rev-parse", "--abbrev-ref", "26.09@{upstream}") == "origin/26.09")
        let trailers = try clone.git("log", "-1", "--format=%(trailers:key=Backported-To,valueonly)", "26.09")
        #expect(trailers == "26.09")
        #expect(try origin.git("rev-parse", "26.09") == remoteTip, "origin is untouched")
    }

    @Test func aLocalBranchBehindOrDivergedIsSaid() throws {
        let (origin, fix) = try originWithLines()
        defer { origin.remove() }
        let clone = try ScratchRepository(cloning: origin)
        defer { clone.remove() }
        try clone.git("branch", "26.09", "origin/26.09")
        // origin's 26.09 moves on: the clone's local branch is behind after a fetch.
        #expect(try relkit(["backport", fix, "--to", "26.09"], in: origin.path, environment: releaseEnvironment).status == 0)
        try clone.git("fetch", "-q", "origin")
        let behind = try relkit(["backport", "audit", "--to", "26.09"], in: clone.path, environment: releaseEnvironment)
        #expect(behind.stderr.contains("local branch 26.09 is 1 commit behind origin/26.09"), "\(behind.stderr)")
        let status = try relkit(["status"], in: clone.path, environment: releaseEnvironment)
        #expect(status.stderr.contains("is 1 commit behind origin/26.09"), "\(status.stderr)")
        // A commit of its own here too: diverged.
        try clone.git("checkout", "-q", "26.09")
        try clone.commit(["local.txt": "local\n"], message: "a local change")
        let diverged = try relkit(["backport", fix, "--to", "26.09", "--dry-run"], in: clone.path, environment: releaseEnvironment)
        #expect(diverged.stderr.contains("local branch 26.09 and origin/26.09 have diverged (1 commit only here, 1 commit only there)"), "\(diverged.stderr)")
    }

    @Test func aLineThatExistsNowhereSaysWhereItLooked() throws {
        let (origin, fix) = try originWithLines()
        defer { origin.remove() }
        let result = try relkit(["backport", fix, "--to", "26.06"], in: origin.path, environment: releaseEnvironment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("there is no branch '26.06', here or as origin/26.06"), "\(result.stderr)")
    }
}

@Suite("relkit backport targets and --auto")
struct BackportTargetsTests {
    @Test func aFixGoesToEveryMaintainedLine() throws {
        let (origin, fix) = try originWithLines()
        defer { origin.remove() }
        // The fixture's [backport] sensitive-paths holds the alembic versions directory.
        try origin.commit(["src/ai/backend/manager/models/alembic/versions/1a2b_fix.py": "revision = \"1a2b\"\n"], message: "fix: add a migration (#43)")
        let migration = try origin.git("rev-parse", "HEAD")
        let result = try relkit(["backport", "targets", migration, "--format", "json"], in: origin.path, environment: releaseEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        let answer = try json(result.stdout)
        let targets = answer["targets"] as? [[String: Any]] ?? []
        #expect(targets.map { $0["line"] as? String } == ["26.03", "26.09"])
        #expect(targets.allSatisfy { $0["branch_exists"] as? Bool == true && $0["pull_request"] as? String == "43" && $0["touches_sensitive_paths"] as? Bool == true })
        #expect(targets.first?["author_name"] as? String == "Test Author" && targets.first?["author_email"] as? String == "author@example.invalid")
        #expect(answer["reason"] as? String == "fix-subject")
        // The first fix touches no sensitive path; its text answer names both lines.
        let text = try relkit(["backport", "targets", fix], in: origin.path, environment: releaseEnvironment)
        #expect(
            text.stdout
                == "relkit backport targets: \(fix.prefix(12)) fix: a crash on start (#42) (pull request #42)\n  a fix goes to every maintained line:\n  26.03  branch 26.03\n  26.09  branch 26.09\n",
            "\(text.stdout)")
    }

    @Test func trailersTitlesBodiesAndTo() throws {
        let (origin, _) = try originWithLines()
        defer { origin.remove() }
        try origin.commit(["src/feature.txt": "x\n"], message: "feat: a feature (#50)\n\nSigned-off-by: A <a@example.invalid>\nBackport: 26.9\n")
        let named = try origin.git("rev-parse", "HEAD")
        func targets(_ arguments: [String]) throws -> (Int32, [String], String) {
            let result = try relkit(["backport", "targets"] + arguments + ["--format", "json"], in: origin.path, environment: releaseEnvironment)
            let lines = (try? json(result.stdout)["targets"] as? [[String: Any]])??.compactMap { $0["line"] as? String } ?? []
            return (result.status, lines, result.stderr)
        }
        #expect(try targets([named]).1 == ["26.09"])
        // The pull request's title is a fix, but the trailer decides.
        #expect(try targets([named, "--title", "fix: it was a fix after all (#50)"]).1 == ["26.09"])
        try origin.commit(["src/other.txt": "y\n"], message: "chore: tidy (#51)")
        let chore = try origin.git("rev-parse", "HEAD")
        #expect(try targets([chore]).1 == [])
        #expect(try targets([chore, "--title", "fix: really a fix (#51)"]).1 == ["26.03", "26.09"])
        #expect(try targets([chore, "--body", "Some text.\r\n\r\nBackport: 26.03\r\n"]).1 == ["26.03"])
        #expect(try targets([chore, "--to", "26.06", "--to", "26.09"]).1 == ["26.09"])
        let none = try targets([chore, "--to", "26.06"])
        #expect(none.0 == 1 && none.2.contains("none of 26.06 is a maintained line (maintained: 26.03, 26.09)"), "\(none.2)")
        try origin.commit(["src/third.txt": "z\n"], message: "fix: a crash (#52)\n\nBackport: 25.09\n")
        let unknown = try targets([try origin.git("rev-parse", "HEAD")])
        #expect(unknown.0 == 1 && unknown.2.contains("names 25.09, which is not a maintained line"), "\(unknown.2)")
        // A change made on a release branch has no targets: it is a backport itself.
        #expect(try targets(["26.09"]).1 == [])
        #expect(try relkit(["backport", "targets", "nope"], in: origin.path, environment: releaseEnvironment).status == 2)
    }

    @Test func autoPicksToExactlyTheTargets() throws {
        let (origin, fix) = try originWithLines()
        defer { origin.remove() }
        let picked = try relkit(["backport", fix, "--auto"], in: origin.path, environment: environment(today: "2027-04-01"))
        #expect(picked.status == 0, "\(picked.stdout)\(picked.stderr)")
        #expect(picked.stderr.contains("goes to 26.09: a fix goes to every maintained line"), "\(picked.stderr)")
        #expect(try origin.git("log", "-1", "--format=%s", "26.09") == "fix: a crash on start (#42)")
        #expect(try origin.git("log", "-1", "--format=%s", "26.03") != "fix: a crash on start (#42)", "26.03 is retired on that day")
        try origin.commit(["src/other.txt": "y\n"], message: "docs: a typo")
        let docs = try relkit(["backport", "HEAD", "--auto"], in: origin.path, environment: releaseEnvironment)
        #expect(docs.status == 0 && docs.stdout.contains("goes to no line: not a fix"), "\(docs.stdout)")
        #expect(try relkit(["backport", fix, "--auto", "--to", "26.09"], in: origin.path, environment: releaseEnvironment).status == 2)
    }
}
