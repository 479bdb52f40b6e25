import Foundation
import RelKitTestSupport
import Testing

/// `origin` as a bare repository a clone pushes to (a local path: the ssh and HTTP servers are
/// the next step), with the lines of `originWithLines`.
func bareOriginAndClone() throws -> (bare: ScratchRepository, clone: ScratchRepository, fix: String, work: ScratchRepository) {
    let (work, fix) = try originWithLines()
    let bare = try ScratchRepository(cloning: work, bare: true)
    let clone = try ScratchRepository(cloning: bare)
    return (bare, clone, fix, work)
}

func refs(_ repository: ScratchRepository) throws -> [String: String] {
    var result: [String: String] = [:]
    for line in try repository.git("for-each-ref", "--format=%(refname) %(objectname)").split(separator: "\n") {
        let parts = line.split(separator: " ")
        result[String(parts[0])] = String(parts[1])
    }
    return result
}

/// Here, only the pull request branch moved (and git push's record of it as origin's), to `pushed`.
func expectOnlyTheBranchMovedHere(_ clone: ScratchRepository, since before: [String: String], at pushed: String, branch: String = "backport/42-to-26.09") throws {
    var after = try refs(clone)
    #expect(after.removeValue(forKey: "refs/heads/" + branch) == pushed)
    #expect(after.removeValue(forKey: "refs/remotes/origin/" + branch) == pushed)
    #expect(after == before, "nothing moved here but \(branch)")
}

/// `relkit cut --at` of a release commit (`bump 26.12.0rc1 --commit` in `clone`) pushed to `bare`:
/// a hook refusing the tag keeps both refs out (the atomic push) while both are made here; without
/// the hook the same command pushes both. Returns the release commit.
@discardableResult
func expectCutAtArrivesWholeOrNotAtAll(clone: ScratchRepository, bare: ScratchRepository, environment: [String: String]) throws -> String {
    #expect(try relkit(["bump", "26.12.0rc1", "--commit"], in: clone.path, environment: environment).status == 0)
    let release = try clone.git("rev-parse", "HEAD")
    try bare.write("hooks/pre-receive", "#!/bin/sh\nwhile read old new ref; do case $ref in refs/tags/*) echo 'no tags' >&2; exit 1;; esac; done\n")
    chmod(bare.path + "/hooks/pre-receive", 0o755)
    let refused = try relkit(["cut", "--at", release, "--push", "origin"], in: clone.path, environment: environment)
    #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
    #expect(try bare.git("for-each-ref", "refs/heads/26.12", "refs/tags/26.12.0rc1").isEmpty)
    #expect(try clone.git("rev-parse", "26.12") == release && (try clone.git("rev-parse", "26.12.0rc1^{commit}")) == release)
    try FileManager.default.removeItem(atPath: bare.path + "/hooks/pre-receive")
    let pushed = try relkit(["cut", "--at", release, "--push", "origin"], in: clone.path, environment: environment)
    #expect(pushed.status == 0, "\(pushed.stdout)\(pushed.stderr)")
    #expect(try bare.git("rev-parse", "26.12") == release && (try bare.git("rev-parse", "26.12.0rc1^{commit}")) == release)
    return release
}

@Suite("Pushing: backports as pull requests, lines cut at a release commit")
struct PushTests {
    @Test func aBackportIsPushedOnABranchOfItsOwn() throws {
        let (bare, clone, fix, work) = try bareOriginAndClone()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        let remoteBefore = try refs(bare)
        let localBefore = try refs(clone)
        let result = try relkit(["backport", fix, "--to", "26.09", "--push", "origin", "--format", "json"], in: clone.path, environment: releaseEnvironment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let target = try #require((try json(result.stdout)["targets"] as? [[String: Any]])?.first)
        let spec = try #require(target["pull_request"] as? [String: Any])
        #expect(spec["head"] as? String == "backport/42-to-26.09" && spec["base"] as? String == "26.09")
        #expect(spec["title"] as? String == "fix: a crash on start (#42)")
        #expect((spec["body"] as? String)?.contains("Backport of #42 to 26.09") == true && (spec["body"] as? String)?.contains(fix) == true)
        #expect(spec["labels"] as? [String] == ["backport"] && spec["conflicted"] as? Bool == false)
        // The remote: the new branch, with the trailers; its release branch untouched.
        let remoteAfter = try refs(bare)
        #expect(remoteAfter["refs/heads/26.09"] == remoteBefore["refs/heads/26.09"])
        let pushed = try #require(remoteAfter["refs/heads/backport/42-to-26.09"])
        #expect(try bare.git("rev-parse", pushed + "~1") == remoteBefore["refs/heads/26.09"])
        #expect(try bare.git("log", "-1", "--format=%(trailers:key=Backported-To,valueonly)", pushed) == "26.09")
        // Here: only the new branch moved (and git push's record of it as origin's).
        try expectOnlyTheBranchMovedHere(clone, since: localBefore, at: pushed)
        // Again: the branch on the remote is relkit's own backport of the same commit, so it is updated.
        let again = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("pushed backport/42-to-26.09; pull request into 26.09: \"fix: a crash on start (#42)\" [backport]"), "\(again.stdout)")
    }

    @Test func aForeignBranchOfTheSameNameIsNeverOverwritten() throws {
        let (bare, clone, fix, work) = try bareOriginAndClone()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        try work.git("push", "-q", bare.path, "main:refs/heads/backport/42-to-26.09")
        let before = try RepositoryState(clone)
        let result = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("has a branch backport/42-to-26.09 that is not relkit's backport of the same commits"), "\(result.stderr)")
        #expect(try RepositoryState(clone) == before)
        #expect(try bare.git("rev-parse", "backport/42-to-26.09") == (try work.git("rev-parse", "main")))
    }

    @Test func refusedAndUnreachableRemotesAreSaidWithTheirExitCodes() throws {
        let (bare, clone, fix, work) = try bareOriginAndClone()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        // A pre-receive hook that refuses every push.
        try bare.write("hooks/pre-receive", "#!/bin/sh\necho 'protected: no pushes today' >&2\nexit 1\n")
        chmod(bare.path + "/hooks/pre-receive", 0o755)
        let refused = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("origin refused the push"), "\(refused.stderr)")
        #expect(try bare.git("for-each-ref", "refs/heads/backport").isEmpty)
        // A remote that is not there: exit 4, and a URL's credentials never shown.
        try clone.git("remote", "set-url", "origin", "https://user:s3cret-token@127.0.0.1:9/nowhere.git")
        let unreachable = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(unreachable.status == 4, "\(unreachable.stdout)\(unreachable.stderr)")
        #expect(!unreachable.stderr.contains("s3cret-token") && !unreachable.stdout.contains("s3cret-token"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("failed"), "\(unreachable.stderr)")
    }

    @Test func openPrCallsGhWithTheSpec() throws {
        let (bare, clone, fix, work) = try bareOriginAndClone()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        // A gh that records its arguments and standard input: the one step not run against a real host.
        let tools = try ScratchDirectory("relkit-fake-gh")
        defer { tools.remove() }
        try tools.write("gh", "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"\(tools.path)/arguments\"\ncat > \"\(tools.path)/stdin\"\necho https://example.invalid/pull/7\n")
        chmod(tools.path + "/gh", 0o755)
        var environment = releaseEnvironment
        environment["PATH"] = tools.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let result = try relkit(["backport", fix, "--to", "26.09", "--push", "origin", "--open-pr"], in: clone.path, environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("relkit backport: opened https://example.invalid/pull/7"))
        let arguments = try String(contentsOfFile: tools.path + "/arguments", encoding: .utf8)
        #expect(arguments == "pr\ncreate\n--head\nbackport/42-to-26.09\n--base\n26.09\n--title\nfix: a crash on start (#42)\n--body-file\n-\n--label\nbackport\n", "\(arguments)")
        let body = try String(contentsOfFile: tools.path + "/stdin", encoding: .utf8)
        #expect(body.hasPrefix("Backport of #42 to 26.09, picked by relkit from main:\n\n- \(fix) fix: a crash on start (#42)\n"), "\(body)")
        // Without gh: pushed, and said plainly that no pull request was opened.
        environment["PATH"] = "/usr/bin:/bin"
        let withoutGh = try relkit(["backport", fix, "--to", "26.09", "--push", "origin", "--open-pr"], in: clone.path, environment: environment)
        #expect(withoutGh.status == 1 && withoutGh.stderr.contains("gh (GitHub's CLI) is not installed, so no pull request was opened"), "\(withoutGh.stderr)")
    }

    @Test func aLineCutAtAReleaseCommitReachesTheRemoteWholeOrNotAtAll() throws {
        let (bare, clone, _, work) = try bareOriginAndClone()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        // Not a release commit: nothing is cut.
        let nothing = try relkit(["cut", "--at", "HEAD", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(nothing.status == 0 && nothing.stdout.contains("relkit cut --at cuts nothing"), "\(nothing.stdout)")
        // The release commit, merged into main as a pull request would be.
        let release = try expectCutAtArrivesWholeOrNotAtAll(clone: clone, bare: bare, environment: releaseEnvironment)
        // The line is registered in main's commit here.
        #expect(try clone.git("show", "main:.release.toml").contains("name = \"26.12\""))
        // Never moved: a second cut at another release commit of the same line is refused.
        let again = try relkit(["cut", "--at", release, "--dry-run"], in: clone.path, environment: releaseEnvironment)
        #expect(again.status == 1 && again.stderr.contains("exists already"), "\(again.stderr)")
    }
}

@Suite("Pushing to a real smart-HTTP server on the loopback, with the credentials git has")
struct HTTPPushTests {
    static let token = "t0ken-Xq81-secret"

    /// The bare origin served over HTTP (basic authentication); the clone's origin points there.
    func served(hangUp: Bool = false) throws -> (server: LoopbackGitServer, bare: ScratchRepository, clone: ScratchRepository, fix: String, work: ScratchRepository) {
        let (bare, clone, fix, work) = try bareOriginAndClone()
        let root = (bare.path as NSString).deletingLastPathComponent
        let server = try LoopbackGitServer(httpRoot: root, user: "ci-bot", token: Self.token, hangUp: hangUp)
        try clone.git("remote", "set-url", "origin", server.url((bare.path as NSString).lastPathComponent))
        return (server, bare, clone, fix, work)
    }

    @Test func aCredentialHelperSuppliesTheToken() throws {
        let (server, bare, clone, fix, work) = try served()
        defer {
            server.stop()
            for repository in [bare, clone, work] { repository.remove() }
        }
        try clone.git("config", "credential.helper", "!f() { echo username=ci-bot; echo password=\(Self.token); }; f")
        let before = try refs(bare)
        let backport = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(backport.status == 0, "\(backport.stdout)\(backport.stderr)")
        let after = try refs(bare)
        #expect(after["refs/heads/26.09"] == before["refs/heads/26.09"], "the release branch is untouched")
        let pushed = try #require(after["refs/heads/backport/42-to-26.09"])
        #expect(try bare.git("log", "-1", "--format=%(trailers:key=Backported-From,valueonly)", pushed) == "main")
        // A line cut at a release commit: the tag and the branch together.
        #expect(try relkit(["bump", "26.12.0rc1", "--commit"], in: clone.path, environment: releaseEnvironment).status == 0)
        let release = try clone.git("rev-parse", "HEAD")
        let cut = try relkit(["cut", "--at", release, "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(cut.status == 0, "\(cut.stdout)\(cut.stderr)")
        #expect(try bare.git("rev-parse", "26.12") == release && (try bare.git("rev-parse", "26.12.0rc1^{commit}")) == release)
        for output in [backport.stdout, backport.stderr, cut.stdout, cut.stderr] { #expect(!output.contains(Self.token)) }
    }

    @Test func anExtraheaderSuppliesTheToken() throws {
        let (server, bare, clone, fix, work) = try served()
        defer {
            server.stop()
            for repository in [bare, clone, work] { repository.remove() }
        }
        // What actions/checkout writes for the job's token.
        let basic = Data("ci-bot:\(Self.token)".utf8).base64EncodedString()
        try clone.git("config", "http.\(server.url("")).extraheader", "AUTHORIZATION: basic \(basic)")
        let result = try relkit(["backport", fix, "--to", "26.03", "--push", "origin", "--format", "json"], in: clone.path, environment: releaseEnvironment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try bare.git("rev-parse", "backport/42-to-26.03~1") == (try bare.git("rev-parse", "26.03")))
        #expect(!result.stdout.contains(Self.token) && !result.stderr.contains(Self.token) && !result.stdout.contains(basic))
        // A cut at a release commit whose tag the server refuses: neither ref arrives; then both.
        try expectCutAtArrivesWholeOrNotAtAll(clone: clone, bare: bare, environment: releaseEnvironment)
    }

    @Test func wrongCredentialsAndAServerThatDiesMidPush() throws {
        let (server, bare, clone, fix, work) = try served()
        defer {
            server.stop()
            for repository in [bare, clone, work] { repository.remove() }
        }
        try clone.git("config", "credential.helper", "!f() { echo username=ci-bot; echo password=wrong-\(Self.token); }; f")
        let before = try refs(bare)
        let wrong = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(wrong.status == 4, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stderr.contains("Authentication failed"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains(Self.token) && !wrong.stdout.contains("pushed"))
        #expect(try refs(bare) == before)
        // A server that takes the pack and dies before it answers: never reported as pushed.
        let dying = try LoopbackGitServer(httpRoot: (bare.path as NSString).deletingLastPathComponent, user: "ci-bot", token: Self.token, hangUp: true)
        defer { dying.stop() }
        try clone.git("remote", "set-url", "origin", dying.url((bare.path as NSString).lastPathComponent))
        try clone.git("config", "credential.helper", "!f() { echo username=ci-bot; echo password=\(Self.token); }; f")
        let died = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: releaseEnvironment)
        #expect(died.status == 4, "\(died.stdout)\(died.stderr)")
        #expect(!died.stdout.contains("pushed backport/"), "\(died.stdout)")
        #expect(try refs(bare) == before)
        #expect(try clone.git("rev-parse", "origin/26.09") == before["refs/heads/26.09"], "nothing moved here but the new branch")
    }
}

@Suite("Pushing to a real ssh server on the loopback, with the key in ssh-agent")
struct SSHPushTests {
    /// The bare origin reached over ssh through a host alias; the key is only in the agent.
    func served() throws -> (server: LoopbackSSHServer, bare: ScratchRepository, clone: ScratchRepository, fix: String, work: ScratchRepository, environment: [String: String]) {
        let (bare, clone, fix, work) = try bareOriginAndClone()
        let server = try LoopbackSSHServer()
        try clone.git("remote", "set-url", "origin", server.url(bare.path))
        var environment = releaseEnvironment
        environment["GIT_SSH_COMMAND"] = server.sshCommand
        environment["SSH_AUTH_SOCK"] = server.agentSocket
        return (server, bare, clone, fix, work, environment)
    }

    @Test func aBackportAndALineCutAtAReleaseCommitArriveOverSSH() throws {
        let (server, bare, clone, fix, work, environment) = try served()
        defer {
            server.stop()
            for repository in [bare, clone, work] { repository.remove() }
        }
        let before = try refs(bare)
        let localBefore = try refs(clone)
        let backport = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: environment)
        #expect(backport.status == 0, "\(backport.stdout)\(backport.stderr)")
        var after = try refs(bare)
        let removed = after.removeValue(forKey: "refs/heads/backport/42-to-26.09")
        let pushed = try #require(removed)
        #expect(after == before, "the release branches are untouched")
        #expect(try bare.git("log", "-1", "--format=%(trailers:key=Backported-To,valueonly)", pushed) == "26.09")
        try expectOnlyTheBranchMovedHere(clone, since: localBefore, at: pushed)
        // The cut at a release commit: a hook refusing the tag keeps both out; without it both arrive.
        try expectCutAtArrivesWholeOrNotAtAll(clone: clone, bare: bare, environment: environment)
        #expect(try bare.git("rev-parse", "main") == before["refs/heads/main"], "main's commit of the cut stays here (main is protected)")
    }

    @Test func anAgentWithoutTheKeyIsARemoteError() throws {
        let (server, bare, clone, fix, work, environment) = try served()
        defer {
            server.stop()
            for repository in [bare, clone, work] { repository.remove() }
        }
        let before = try refs(bare)
        let localBefore = try RepositoryState(clone)
        var keyless = environment
        keyless["SSH_AUTH_SOCK"] = "/nonexistent/agent.sock"
        keyless["GIT_SSH_COMMAND"] = server.sshCommand + " -o IdentityAgent=none -o IdentityFile=/nonexistent/key"
        let denied = try relkit(["backport", fix, "--to", "26.09", "--push", "origin"], in: clone.path, environment: keyless)
        #expect(denied.status == 4, "\(denied.stdout)\(denied.stderr)")
        #expect(denied.stderr.contains("Permission denied"), "\(denied.stderr)")
        #expect(try refs(bare) == before)
        // Here, only the pull request branch was made (relkit makes it before it pushes; the next run pushes it).
        var state = try RepositoryState(clone)
        state.refs.removeValue(forKey: "refs/heads/backport/42-to-26.09")
        #expect(state == localBefore)
    }
}

/// What fault injection found in the commands that push, as plain tests (RELKIT_FAULT_AT).
@Suite("Pushes and remote-tracking lines: what a killed relkit leaves, the next run finishes")
struct PushCrashSafetyTests {
    func withFault(_ step: String) -> [String: String] { releaseEnvironment.merging(["RELKIT_FAULT_AT": step]) { $1 } }

    /// Killed once the pull request branch is made here, before the push: the same command,
    /// finding its move finished, goes on and pushes (it used to say it was done).
    @Test func aBackportKilledBeforeItsPushIsPushedByTheNextRun() throws {
        let (bare, clone, fix, work) = try bareOriginAndClone()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        let arguments = ["backport", fix, "--to", "26.09", "--push", "origin"]
        #expect(try relkit(arguments, in: clone.path, environment: withFault("journal-written")).status == 9)
        #expect(try bare.git("for-each-ref", "refs/heads/backport").isEmpty)
        let again = try relkit(arguments, in: clone.path, environment: releaseEnvironment)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stderr.contains("pushing it now"), "\(again.stderr)")
        #expect(try bare.git("rev-parse", "backport/42-to-26.09") == (try clone.git("rev-parse", "backport/42-to-26.09")))
    }

    @Test func aCutAtKilledBeforeItsPushIsPushedByTheNextRun() throws {
        let (bare, clone, _, work) = try bareOriginAndClone()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        #expect(try relkit(["bump", "26.12.0rc1", "--commit"], in: clone.path, environment: releaseEnvironment).status == 0)
        let release = try clone.git("rev-parse", "HEAD")
        let arguments = ["cut", "--at", release, "--push", "origin"]
        #expect(try relkit(arguments, in: clone.path, environment: withFault("journal-written")).status == 9)
        #expect(try bare.git("for-each-ref", "refs/heads/26.12", "refs/tags/26.12.0rc1").isEmpty)
        let again = try relkit(arguments, in: clone.path, environment: releaseEnvironment)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stderr.contains("pushing it now"), "\(again.stderr)")
        #expect(try bare.git("rev-parse", "26.12") == release && (try bare.git("rev-parse", "26.12.0rc1^{commit}")) == release)
    }

    /// libgit2 writes a new line's upstream through `.git/config.lock`; a kill there left it, and
    /// every later write failed on it. Now the journal names it, and the next relkit removes it
    /// (a config.lock without such a journal is another git's, and stays).
    @Test func aConfigLockLeftByAKilledBackportIsRemoved() throws {
        let (bare, clone, fix, work) = try bareOriginAndClone()
        defer { for repository in [bare, clone, work] { repository.remove() } }
        let configLock = clone.scratch.file(".git/config.lock")
        try clone.scratch.write(".git/relkit/journal", "{\"command\":\"relkit backport\",\"lockFiles\":[\"\(clone.path)/.git/config.lock\"]}")
        FileManager.default.createFile(atPath: configLock, contents: Data("[core]\n".utf8))
        let result = try relkit(["backport", fix, "--to", "26.09"], in: clone.path, environment: releaseEnvironment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("removed \(configLock), which it left"), "\(result.stderr)")
        #expect(try clone.git("config", "branch.26.09.remote") == "origin")
        #expect(try clone.git("rev-parse", "26.09~1") == (try clone.git("rev-parse", "origin/26.09")))
        // Another git's lock (no journal names it): the write fails, says so, and it stays.
        FileManager.default.createFile(atPath: configLock, contents: Data("[core]\n".utf8))
        let foreign = try relkit(["backport", fix, "--to", "26.03"], in: clone.path, environment: releaseEnvironment)
        #expect(foreign.status == 3, "\(foreign.stdout)\(foreign.stderr)")
        #expect(foreign.stderr.contains("cannot set the upstream of 26.03") && foreign.stderr.contains("nothing was changed"), "\(foreign.stderr)")
        #expect(FileManager.default.fileExists(atPath: configLock))
        #expect((try? clone.git("rev-parse", "--verify", "-q", "refs/heads/26.03")) == nil)
    }
}
