import Foundation
import RelKitTestSupport
import Testing

/// A fresh monorepo as a new release manager has it (issue 22): two packages that pin each other,
/// in pyproject.toml dependencies and optional dependencies, requirements and constraints files.
struct PinningMonorepo {
    let repository: ScratchRepository

    init() throws {
        repository = try ScratchRepository()
        try repository.commit(
            [
                "VERSION": "26.05.0.dev0\n",
                "packages/core/pyproject.toml": """
                [project]
                name = "acme-core"
                version = "26.5.0.dev0"
                dependencies = ["attrs>=23"]

                """,
                "packages/api/pyproject.toml": """
                [project]
                name = "acme_api"
                version = "26.5.0.dev0"
                dependencies = [
                    "acme-core==26.5.0.dev0",
                    "httpx>=0.27",
                ]

                [project.optional-dependencies]
                server = ["acme-core[server]==26.5.0.dev0"]

                """,
                "requirements.txt": "acme-core==26.5.0.dev0\nacme-api==26.5.0.dev0  # the service\nrequests>=2\n",
                "requirements/dev.txt": "-r ../requirements.txt\nacme-core==26.5.0.dev0\npytest>=8\n",
                "constraints.txt": "acme-api==26.5.0.dev0\n",
                "src/app.py": "print('hello')\n"
            ], message: "import the monorepo")
    }

    func run(_ arguments: [String]) throws -> ProcessResult {
        try relkit(arguments, in: repository.path, environment: releaseEnvironment)
    }
}

@Suite("the first hour: relkit init finds the internal pins")
struct InitPinsTests {
    @Test func initConfiguresEveryPinAndCutMovesThem() throws {
        let monorepo = try PinningMonorepo()
        let repository = monorepo.repository
        defer { repository.remove() }
        let initialised = try monorepo.run(["init"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let configuration = try String(contentsOfFile: repository.scratch.file(".release.toml"), encoding: .utf8)
        #expect(
            configuration.contains(
                """
                [[requirements]]
                files = ["constraints.txt", "packages/*/pyproject.toml", "requirements.txt", "requirements/dev.txt"]
                packages = ["acme-core", "acme_api"]
                version-of = "core"
                """), "\(configuration)")
        try repository.git("add", ".release.toml")
        try repository.git("commit", "-q", "-m", "relkit init")
        let check = try monorepo.run(["check"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let cut = try monorepo.run(["cut", "26.05"])
        #expect(cut.status == 0, "\(cut.stdout)\(cut.stderr)")
        for (file, expected) in [
            ("requirements.txt", "acme-core==26.5.0\nacme-api==26.5.0  # the service\nrequests>=2\n"),
            ("requirements/dev.txt", "-r ../requirements.txt\nacme-core==26.5.0\npytest>=8\n"),
            ("constraints.txt", "acme-api==26.5.0\n")
        ] {
            #expect(try repository.git("show", "26.05:\(file)") + "\n" == expected, "\(file) on the release branch")
        }
        let api = try repository.git("show", "26.05:packages/api/pyproject.toml")
        #expect(api.contains("\"acme-core==26.5.0\","), "\(api)")
        #expect(api.contains("server = [\"acme-core[server]==26.5.0\"]"), "the optional dependency too: \(api)")
        #expect(try repository.git("show", "main:constraints.txt") == "acme-api==26.6.0.dev0", "main moved on, pins too")
        #expect(try monorepo.run(["check", "--ref", "26.05"]).status == 0)

        // A pin left behind on the release branch is a finding.
        try repository.git("checkout", "-q", "26.05")
        try repository.commit(["constraints.txt": "acme-api==26.5.0.dev0\n"], message: "a stale pin")
        let stale = try monorepo.run(["check", "--ref", "26.05"])
        #expect(stale.status == 1)
        #expect(stale.stdout.contains("constraints.txt"), "\(stale.stdout)")
    }
}

/// Real history is messy (issue 22): a `yy.n` past with no `.release.toml`, a post release, a
/// compose file that is a symlink, one alembic ini file per history.
@Suite("the first hour: a history that is not the defaults")
struct MessyHistoryTests {
    /// 25.1 to 25.19 in yy.n, tagged, before .release.toml existed; then the switch to yy.0m.
    func sprintHistory() throws -> ScratchRepository {
        let repository = try ScratchRepository()
        for sprint in 1...19 {
            try repository.commit(["VERSION": "25.\(sprint).0\n"], message: "release: 25.\(sprint).0")
            try repository.git("tag", "25.\(sprint).0")
        }
        try repository.commit(["VERSION": "25.19.2\n"], message: "release: 25.19.2")
        try repository.git("tag", "25.19.2")
        try repository.commit(
            [
                "VERSION": "26.01.0.dev0\n",
                ".release.toml": "[version]\nscheme = \"yy.0m\"\n\n[[version.earlier]]\nscheme = \"yy.n\"\nuntil = \"25.19\"\n\n[components.root]\nfiles = [\"VERSION\"]\n"
            ], message: "switch to yy.0m")
        return repository
    }

    @Test func aRefWithoutItsOwnConfigurationIsReadWithTheCheckoutsEarlierSchemes() throws {
        let repository = try sprintHistory()
        defer { repository.remove() }
        let old = try relkit(["check", "--ref", "25.19.2"], in: repository.path)
        #expect(old.status == 0, "\(old.stdout)\(old.stderr)")
        #expect(!old.stdout.contains("is not a month"))
        let tags = try relkit(["check", "--tags", "--format", "json"], in: repository.path)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(tags.stdout.utf8)) as? [String: Any])
        let rules = try #require(document["findings"] as? [[String: Any]]).compactMap { $0["rule"] as? String }
        #expect(!rules.contains("tag-unverifiable") && !rules.contains("tag-unparsable"), "\(tags.stdout)")
        let upgrade = try relkit(["upgrade", "25.15.0", "25.19.2"], in: repository.path)
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        #expect(upgrade.stdout.contains("25.15.0 -> 25.19.2"), "read in yy.n, spelled as tagged: \(upgrade.stdout)")
    }

    @Test func statusShowsALineCutAndNotTaggedAndAMistakenLatestTag() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit([".release.toml": "[components.root]\nfiles = [\"VERSION\"]\n", "VERSION": "26.03.0\n"], message: "release: 26.03.0")
        try repository.git("tag", "26.03.0")
        // 26.03.1 tagged on a commit whose files still say 26.03.0.
        try repository.commit(["src/fix.py": "x\n"], message: "fix")
        try repository.git("tag", "26.03.1")
        try repository.commit(["VERSION": "26.05.0.dev0\n"], message: "main moves on")
        #expect(try relkit(["cut", "26.05"], in: repository.path, environment: releaseEnvironment).status == 0)
        let status = try relkit(["status"], in: repository.path)
        #expect(status.stdoutLines.contains("  26.05  branch 26.05, not tagged yet"), "\(status.stdout)")
        #expect(
            status.stdoutLines.contains { $0.hasPrefix("  26.03  latest 26.03.1, 2 tags  (! tag 26.03.1 points to ") && $0.hasSuffix(", where 'root' is at 26.03.0: relkit check --tags)") },
            "\(status.stdout)")
        let json = try relkit(["status", "--format", "json"], in: repository.path)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let lines = try #require(document["lines"] as? [[String: Any]])
        #expect(lines.first?["branch"] as? String == "26.05" && lines.first?["latest_tag"] as? String == nil)
        #expect((lines.last?["problem"] as? String)?.contains("points to") == true)
    }

    @Test func initAllowsPostReleasesWhenTheHistoryHasOne() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(["VERSION": "22.03.11\n"], message: "release")
        try repository.git("tag", "22.03.11")
        try repository.commit(["VERSION": "22.03.11.post1\n"], message: "post release")
        try repository.git("tag", "22.03.11.post1")
        try repository.commit(["VERSION": "26.05.0.dev0\n"], message: "today")
        let plan = try relkit(["init", "--dry-run"], in: repository.path)
        #expect(plan.stdout.contains("allow-post = true  # the history has a post release: 22.03.11.post1"), "\(plan.stdout)")
        #expect(try relkit(["init"], in: repository.path).status == 0)
        let tags = try relkit(["check", "--tags"], in: repository.path)
        #expect(!tags.stdout.contains("tag-unparsable"), "\(tags.stdout)")
    }

    @Test func initGivesEachAlembicHistoryItsOwnIniFile() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(
            [
                "VERSION": "26.05.0.dev0\n",
                "src/manager/models/alembic/versions/a1.py": alembicRevision("a1", down: "None", message: "m"),
                "src/account/models/alembic/versions/b1.py": alembicRevision("b1", down: "None", message: "a"),
                "configs/manager/alembic.ini": "[alembic]\nscript_location = src.manager.models:alembic\n",
                "configs/account/alembic-account.ini": "[alembic]\nscript_location = %(here)s/../../src/account/models/alembic\n"
            ], message: "two histories")
        let plan = try relkit(["init", "--dry-run"], in: repository.path)
        #expect(plan.stdout.contains("name = \"manager\"\npath = \"src/manager/models/alembic/versions\"\ncommand = \"alembic -c configs/manager/alembic.ini\""), "\(plan.stdout)")
        #expect(plan.stdout.contains("name = \"account\"\npath = \"src/account/models/alembic/versions\"\ncommand = \"alembic -c configs/account/alembic-account.ini\""), "\(plan.stdout)")
    }

    @Test func aComposeFileThatIsASymlinkIsComparedByWhatItPointsTo() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(
            [
                ".release.toml": "[components.root]\nfiles = [\"VERSION\"]\n\n[upgrade]\ncompose = [\"docker-compose.yml\"]\n",
                "VERSION": "26.05.0\n",
                "deploy/halfstack.yml": "services:\n  db:\n    image: postgres:16.3-alpine\n"
            ], message: "release: 26.05.0")
        try FileManager.default.createSymbolicLink(atPath: repository.scratch.file("docker-compose.yml"), withDestinationPath: "deploy/halfstack.yml")
        try repository.git("add", "docker-compose.yml")
        try repository.git("commit", "-q", "--amend", "--no-edit")
        try repository.git("tag", "26.05.0")
        // Back to 15: a major downgrade, through the link's target only.
        try repository.commit(["VERSION": "26.06.0\n", "deploy/halfstack.yml": "services:\n  db:\n    image: postgres:15.6-alpine\n"], message: "release: 26.06.0")
        try repository.git("tag", "26.06.0")
        let report = try relkit(["upgrade", "26.05.0", "26.06.0"], in: repository.path)
        #expect(report.stdout.contains("db: postgres:16.3-alpine -> postgres:15.6-alpine"), "\(report.stdout)")
        #expect(report.stdout.contains("pg_upgrade only goes up: restore the dump taken before the upgrade"), "\(report.stdout)")
    }
}

/// The first hour of a new release manager, end to end (issue 22): a fresh monorepo whose two
/// packages pin each other, `relkit init` with nothing edited, then check, cut, tag, a fix and its
/// backport, a conflicting backport resolved with --continue, the audit, a patch release and the
/// upgrade report; every output asserted for what a person reads.
@Suite("the first hour, end to end")
struct FirstHourTests {
    @Test func fromInitToAPatchRelease() throws {
        let monorepo = try PinningMonorepo()
        let repository = monorepo.repository
        defer { repository.remove() }
        func relkit(_ arguments: String...) throws -> ProcessResult { try monorepo.run(arguments) }
        func short(_ revision: String) throws -> String { try repository.git("rev-parse", "--short=12", revision) }

        let initialised = try relkit("init")
        #expect(initialised.stdout == "wrote \(repository.scratch.file(".release.toml")): 3 components, group core of root, acme_api, acme-core; run relkit check\n")
        #expect(initialised.stderr.isEmpty)
        try repository.git("add", ".release.toml")
        try repository.git("commit", "-q", "-m", "relkit init")

        let check = try relkit("check")
        #expect(check.status == 0)
        #expect(check.stdout == "relkit check: no findings in the working tree; 6 files read\n", "\(check.stdout)")

        let start = try short("main")
        let cut = try relkit("cut", "26.05")
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(cut.stdoutLines.first == "relkit cut: create release line 26.05 from main at \(start)")
        #expect(cut.stdoutLines.contains("  commit \(try short("26.05")) on 26.05, parent \(start): \"release: start 26.05 at 26.05.0\" + Relkit-Bookkeeping: cut 26.05"))
        #expect(cut.stdoutLines.contains("  commit \(try short("main")) on main, parent \(start): \"main: 26.06.0.dev0 after cutting 26.05\" + Relkit-Bookkeeping: cut 26.05"))
        #expect(cut.stdoutLines.last == "done")
        #expect(try relkit("status").stdoutLines.contains("  26.05  branch 26.05, not tagged yet"))

        let tagged = try relkit("tag", "--branch", "26.05")
        #expect(
            tagged.stdoutLines == [
                "relkit tag: release 26.05.0 on 26.05",
                "  tag 26.05.0 -> \(try short("26.05")) (annotated: \"Release 26.05.0 (line 26.05)\")", "done"
            ])

        // A fix on main, backported.
        try repository.commit(["src/app.py": "print('hello, world')\n"], message: "fix: greet the world (#12)")
        let fix = try repository.git("rev-parse", "main")
        let backport = try relkit("backport", "main", "--to", "26.05")
        #expect(backport.status == 0, "\(backport.stderr)")
        #expect(
            backport.stdoutLines == [
                "relkit backport from main", "  26.05 (at \(try short("26.05~1"))) -> \(try short("26.05"))",
                "    picked        \(fix.prefix(12))  fix: greet the world (#12)  [\(try short("26.05"))]"
            ])

        // A fix that conflicts with the release line's own change: stopped, resolved, continued.
        try repository.git("checkout", "-q", "26.05")
        try repository.commit(["src/app.py": "print('hello, release')\n"], message: "release-only greeting")
        try repository.git("checkout", "-q", "main")
        try repository.commit(["src/app.py": "print('hello, everyone')\n"], message: "fix: greet everyone")
        let second = try repository.git("rev-parse", "main")
        let releaseTip = try short("26.05")
        let stopped = try relkit("backport", "main", "--to", "26.05")
        let worktree = repository.scratch.file(".git/relkit/backport-26.05")
        #expect(stopped.status == 1)
        #expect(
            stopped.stdoutLines == [
                "relkit backport from main", "  26.05 (at \(releaseTip))",
                "    conflict      \(second.prefix(12))  fix: greet everyone  [src/app.py]",
                "    stopped: resolve the conflicts in \(worktree), then run: relkit backport --continue  (or: relkit backport --abort)"
            ])
        let markers = try relkit("backport", "--continue")
        #expect(markers.status == 1)
        #expect(markers.stderr == "error: conflict markers are left in src/app.py in \(worktree); resolve them, then run relkit backport --continue\n")
        try "print('hello, everyone on the release')\n".write(toFile: worktree + "/src/app.py", atomically: true, encoding: .utf8)
        let resumed = try relkit("backport", "--continue")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(
            resumed.stdoutLines == [
                "relkit backport from main", "  26.05 (at \(releaseTip)) -> \(try short("26.05"))",
                "    picked        \(second.prefix(12))  fix: greet everyone  [\(try short("26.05")) (conflict resolved)]"
            ])
        #expect(!FileManager.default.fileExists(atPath: worktree), "the worktree is gone once done")

        // The audit finds both, the resolved one by the commit its message records.
        let audit = try relkit("backport", "audit", "--to", "26.05")
        #expect(audit.status == 0)
        #expect(
            audit.stdoutLines == [
                "relkit backport audit: main -> 26.05 since the branch point",
                "  backported \(fix.prefix(12))  fix: greet the world (#12)  <- \(try short("26.05~2")) (message: names \(fix))",
                "  backported \(second.prefix(12))  fix: greet everyone  <- \(try short("26.05")) (message: names \(second))",
                "2 commits: 0 missing, 2 backported"
            ], "the version move of main is not listed: \(audit.stdout)")

        let patch = try relkit("tag", "--branch", "26.05")
        #expect(patch.status == 0)
        #expect(patch.stdoutLines.first == "relkit tag: release 26.05.1 on 26.05")
        #expect(try repository.git("show", "26.05.1:requirements.txt") == "acme-core==26.5.1\nacme-api==26.5.1  # the service\nrequests>=2")

        let upgrade = try relkit("upgrade", "26.05.0", "26.05.1")
        #expect(upgrade.status == 0)
        #expect(upgrade.stdoutLines.contains("Version of core: 26.05.0 -> 26.05.1 (patch update)"), "\(upgrade.stdout)")
        #expect(upgrade.stdoutLines.contains("  pin acme-core in requirements.txt: ==26.5.0 -> ==26.5.1"), "\(upgrade.stdout)")
        #expect(upgrade.stdoutLines.last == "relkit upgrade: 26.05.0 -> 26.05.1: 0 errors, 0 warnings")

        #expect(try relkit("check", "--tags").stdout.hasPrefix("relkit check: no findings"))
        #expect(try repository.git("fsck", "--strict", "--no-dangling").isEmpty)
    }
}
