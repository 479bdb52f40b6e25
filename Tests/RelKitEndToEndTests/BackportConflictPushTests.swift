import Foundation
import RelKitTestSupport
import Testing

/// The lines of `originWithLines`, where 26.09 has its own `src/fix.txt`: the fix of main
/// conflicts there (both add the file).
func bareOriginWithConflict() throws -> (bare: ScratchRepository, clone: ScratchRepository, fix: String, work: ScratchRepository) {
    let (work, fix) = try originWithLines()
    try work.git("checkout", "-q", "26.09")
    try work.commit(["src/fix.txt": "fixed on the release line\n"], message: "fix: the release line's own crash fix")
    try work.git("checkout", "-q", "main")
    let bare = try ScratchRepository(cloning: work, bare: true)
    let clone = try ScratchRepository(cloning: bare)
    return (bare, clone, fix, work)
}

/// What `git cherry-pick` leaves in a conflicted file, the labels of its marker lines dropped
/// (git writes HEAD and a 7-digit commit; relkit the target line and a 12-digit one).
func markersWithoutLabels(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        for marker in ["<<<<<<< ", ">>>>>>> "] where line.hasPrefix(marker) { return String(marker.dropLast()) }
        return String(line)
    }.joined(separator: "\n")
}

@Suite("Conflicts under --push, and paths that keep the target's content")
struct BackportConflictPushTests {
    @Test func aConflictStopsAndContinuePushesTheResolution() throws {
        let (bare, clone, fix, work) = try bareOriginWithConflict()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        let remoteBefore = try refs(bare)
        let localBefore = try refs(clone)
        let stopped = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(stopped.status == 1, "\(stopped.stdout)\(stopped.stderr)")
        #expect(stopped.stdout.contains("--continue pushes the branch"), "\(stopped.stdout)")
        // Nothing pushed, nothing moved here.
        #expect(try refs(bare) == remoteBefore)
        #expect(try refs(clone) == localBefore)
        let worktree = try #require(
            stopped.stdout.split(separator: "\n").first { $0.contains("resolve the conflicts in ") }.map { line in
                String(line.split(separator: " ").first { $0.hasPrefix("/") }!.dropLast())
            })
        #expect(try String(contentsOfFile: worktree + "/src/fix.txt", encoding: .utf8).contains("<<<<<<< "))
        // Unresolved: refused, nothing pushed.
        let early = try relkit(["backport", "--continue"], in: clone.path, environment: releaseEnvironment)
        #expect(early.status == 1 && early.stderr.contains("conflict markers are left in src/fix.txt"), "\(early.stderr)")
        #expect(try refs(bare) == remoteBefore)
        try "fixed, both ways\n".write(toFile: worktree + "/src/fix.txt", atomically: true, encoding: .utf8)
        let resumed = try relkit(["backport", "--continue", "--format", "json"], in: clone.path, environment: releaseEnvironment)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let target = try #require((try json(resumed.stdout)["targets"] as? [[String: Any]])?.first)
        let spec = try #require(target["pull_request"] as? [String: Any])
        #expect(spec["head"] as? String == "backport/42-to-26.09" && spec["title"] as? String == "fix: a crash on start (#42)" && spec["conflicted"] as? Bool == false)
        // The remote: the branch with the resolution and the trailers; 26.09 untouched there and here.
        let remoteAfter = try refs(bare)
        #expect(remoteAfter["refs/heads/26.09"] == remoteBefore["refs/heads/26.09"])
        let pushed = try #require(remoteAfter["refs/heads/backport/42-to-26.09"])
        #expect(try bare.git("show", pushed + ":src/fix.txt") == "fixed, both ways")
        #expect(try bare.git("rev-parse", pushed + "~1") == remoteBefore["refs/heads/26.09"])
        #expect(try bare.git("log", "-1", "--format=%(trailers:key=Backported-To,valueonly)", pushed) == "26.09")
        try expectOnlyTheBranchMovedHere(clone, since: localBefore, at: pushed)
        #expect(!FileManager.default.fileExists(atPath: worktree))
        #expect(try relkit(["backport", "--status"], in: clone.path, environment: releaseEnvironment).stdout.contains("nothing is stopped"))
    }

    @Test func commitConflictsPushesTheMarkersAsGitWritesThem() throws {
        let (bare, clone, fix, work) = try bareOriginWithConflict()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        let localBefore = try refs(clone)
        let result = try relkit(["backport", fix, "--to", "26.09", "--push", "origin", "--commit-conflicts", "--format", "json"], in: clone.path, environment: releaseEnvironment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("warning: backport/42-to-26.09 carries conflict markers in src/fix.txt"), "\(result.stderr)")
        let target = try #require((try json(result.stdout)["targets"] as? [[String: Any]])?.first)
        let spec = try #require(target["pull_request"] as? [String: Any])
        #expect(spec["conflicted"] as? Bool == true && spec["files"] as? [String] == ["src/fix.txt"], "\(spec)")
        #expect((spec["body"] as? String)?.contains("Committed with conflict markers") == true)
        let pushed = try bare.git("rev-parse", "backport/42-to-26.09")
        #expect(try bare.git("log", "-1", "--format=%(trailers:key=Backported-From,valueonly)", pushed) == "main")
        // The oracle: git cherry-pick of the same commit onto the same tip, in a clone of its own.
        let oracle = try ScratchRepository(cloning: bare)
        defer { oracle.remove() }
        try oracle.git("checkout", "-q", "--detach", "origin/26.09")
        #expect(throws: (any Error).self) { try oracle.git("cherry-pick", fix) }
        let gitWrote = try oracle.read("src/fix.txt")
        #expect(gitWrote.contains("<<<<<<< HEAD"))
        #expect(markersWithoutLabels(try bare.git("show", pushed + ":src/fix.txt") + "\n") == markersWithoutLabels(gitWrote))
        // Here, only the new branch (and git push's record of it).
        try expectOnlyTheBranchMovedHere(clone, since: localBefore, at: pushed)
        let misuse = try relkit(["backport", fix, "--to", "26.09", "--commit-conflicts"], in: clone.path, environment: releaseEnvironment)
        #expect(misuse.status == 2 && misuse.stderr.contains("--commit-conflicts goes with --push REMOTE"), "\(misuse.stderr)")
    }

    @Test func keepTargetPathsKeepTheReleaseBranchContent() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let config = try repository.read(".release.toml").replacing("[backport]\n", with: "[backport]\nkeep-target = [\"docs/generated/*\"]\n")
        try repository.commit([".release.toml": config, "docs/generated/schema.txt": "schema of main\n"], message: "chore: generated schema")
        #expect(try relkit(["cut", "26.12"], in: repository.path, environment: releaseEnvironment).status == 0)
        try repository.git("checkout", "-q", "26.12")
        try repository.commit(["docs/generated/schema.txt": "schema of 26.12\n"], message: "chore: regenerate the schema")
        try repository.git("checkout", "-q", "main")
        let release = try repository.git("rev-parse", "26.12")
        // A fix that regenerates the schema too: the schema keeps 26.12's content (it would conflict).
        try repository.commit(["src/fix.txt": "fixed\n", "docs/generated/schema.txt": "schema of main, regenerated\n"], message: "fix: the schema's crash (#51)")
        let fix = try repository.git("rev-parse", "HEAD")
        let picked = try relkit(["backport", fix, "--to", "26.12"], in: repository.path, environment: releaseEnvironment)
        #expect(picked.status == 0, "\(picked.stdout)\(picked.stderr)")
        #expect(try repository.git("show", "26.12:docs/generated/schema.txt") == "schema of 26.12")
        #expect(try repository.git("show", "26.12:src/fix.txt") == "fixed")
        #expect(try repository.git("diff", "--name-only", release, "26.12") == "src/fix.txt")
        // A change of kept paths alone is not picked, and says why.
        try repository.commit(["docs/generated/schema.txt": "schema of main, once more\n"], message: "fix: regenerate the schema (#52)")
        let only = try relkit(["backport", "HEAD", "--to", "26.12"], in: repository.path, environment: releaseEnvironment)
        #expect(only.status == 0 && only.stdout.contains("it changes only paths that [backport] keep-target keeps as 26.12 has them"), "\(only.stdout)")
        // A conflict elsewhere: the worktree shows the kept path as 26.12 has it, and so does the commit.
        try repository.git("checkout", "-q", "26.12")
        try repository.commit(["src/fix.txt": "fixed on 26.12 alone\n"], message: "fix: the line's own fix")
        try repository.git("checkout", "-q", "main")
        try repository.commit(["src/fix.txt": "fixed again\n", "docs/generated/schema.txt": "schema of main, third\n"], message: "fix: again (#53)")
        let stopped = try relkit(["backport", "HEAD", "--to", "26.12"], in: repository.path, environment: releaseEnvironment)
        #expect(stopped.status == 1, "\(stopped.stdout)\(stopped.stderr)")
        let worktree = repository.path + "/.git/relkit/backport-26.12"
        #expect(try String(contentsOfFile: worktree + "/docs/generated/schema.txt", encoding: .utf8) == "schema of 26.12\n")
        try "resolved\n".write(toFile: worktree + "/src/fix.txt", atomically: true, encoding: .utf8)
        let resumed = try relkit(["backport", "--continue"], in: repository.path, environment: releaseEnvironment)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try repository.git("show", "26.12:docs/generated/schema.txt") == "schema of 26.12")
        #expect(try repository.git("show", "26.12:src/fix.txt") == "resolved")
        // A glob that leaves the repository is a configuration error with its place.
        try repository.write(".release.toml", config.replacing("docs/generated/*", with: "../x"))
        let bad = try relkit(["backport", "HEAD", "--to", "26.12", "--dry-run"], in: repository.path, environment: releaseEnvironment)
        #expect(bad.status != 0 && bad.stderr.contains(".release.toml:59:16: '../x' leaves the repository"), "\(bad.stderr)")
    }
}
