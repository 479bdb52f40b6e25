import Foundation
import RelKitTestSupport
import Testing

/// A revision file as alembic 1.13's template writes it.
func alembicRevision(_ id: String, down: String, message: String) -> String {
    """
    \"\"\"\(message)

    Revision ID: \(id)
    Revises: \(down)
    \"\"\"
    from typing import Sequence, Union

    revision: str = "\(id)"
    down_revision: Union[str, Sequence[str], None] = \(down)
    branch_labels = None
    depends_on = None


    def upgrade() -> None:
        pass

    """
}

let upgradeConfiguration = """
    [components.root]
    files = ["VERSION"]

    [[upgrade.migrations]]
    name = "manager"
    path = "src/manager/models/alembic/versions"

    [upgrade]
    config-samples = ["configs/*/sample*.toml", "configs/*/sample*.json"]
    compose = ["docker-compose*.yml"]

    [[requirements]]
    files = ["requirements.txt"]
    packages = ["backend.ai-*"]
    """

let versionsDirectory = "src/manager/models/alembic/versions"

/// A monorepo with two releases and a topic branch: 26.03.0, then the topic (one migration of its
/// own), then 26.09.0 on main (two migrations, a merge, changed samples and images).
func upgradeRepository() throws -> ScratchRepository {
    let repository = try ScratchRepository()
    try repository.commit(
        [
            ".release.toml": upgradeConfiguration,
            "VERSION": "26.03.0\n",
            "requirements.txt": "backend.ai-common==26.3.0\n",
            "\(versionsDirectory)/a1_create.py": alembicRevision("a1", down: "None", message: "create users"),
            "\(versionsDirectory)/b2_email.py": alembicRevision("b2", down: "'a1'", message: "add email"),
            "configs/manager/sample.toml": "[manager]\nnum-proc = 4\n\n[etcd]\naddr = \"127.0.0.1:2379\"\n",
            "configs/agent/sample.json": "{\"agent\": {\"port\": 6001}}\n",
            "docker-compose.halfstack.yml": "services:\n  db:\n    image: postgres:15.6-alpine\n  redis:\n    image: redis:7.2\n"
        ], message: "release: 26.03.0")
    try repository.git("tag", "26.03.0")
    try repository.git("switch", "-q", "-c", "topic/session")
    try repository.commit(
        ["\(versionsDirectory)/t1_session.py": alembicRevision("t1", down: "'b2'", message: "topic: sessions table")],
        message: "topic: sessions")
    try repository.git("switch", "-q", "main")
    try repository.commit(
        [
            "VERSION": "26.09.0\n",
            "requirements.txt": "backend.ai-common==26.9.0\n",
            "\(versionsDirectory)/c3_index.py": alembicRevision("c3", down: "'b2'", message: "add an index"),
            "\(versionsDirectory)/d4_kernels.py": alembicRevision("d4", down: "'b2'", message: "kernels table"),
            "\(versionsDirectory)/e5_merge.py": alembicRevision("e5", down: "('c3', 'd4')", message: "merge"),
            "configs/manager/sample.toml": "[manager]\nnum-proc = 8\nworkers = 2\n",
            "configs/storage/sample.toml": "[storage]\nroot = \"/vfroot\"\n",
            "docker-compose.halfstack.yml": "services:\n  db:\n    image: postgres:16.3-alpine\n  redis:\n    image: redis:7.4\n"
        ], message: "release: 26.09.0")
    try repository.git("tag", "26.09.0")
    return repository
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite("relkit upgrade, end to end")
struct UpgradeCommandTests {
    @Test func reportBetweenTwoReleasesInEveryFormat() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        let before = try DirectorySnapshot(repository.path)
        let result = try relkit(["upgrade", "26.03.0", "26.09.0", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try jsonObject(result.stdout)
        #expect(report["schema"] as? Int == 1)
        #expect((report["from"] as? [String: Any])?["version"] as? String == "26.03.0")
        #expect((report["to"] as? [String: Any])?["version"] as? String == "26.09.0")
        #expect(report["move"] as? String == "release-upgrade")
        let pins = try #require(report["pins"] as? [[String: Any]])
        #expect(pins.count == 1 && pins[0]["old"] as? String == "==26.3.0" && pins[0]["new"] as? String == "==26.9.0")

        let migration = try #require((report["migrations"] as? [[String: Any]])?.first)
        #expect(migration["from_heads"] as? [String] == ["b2"])
        #expect(migration["to_heads"] as? [String] == ["e5"])
        #expect((migration["downgrade"] as? [[String: Any]])?.isEmpty == true)
        let applied = (migration["upgrade"] as? [[String: Any]])?.compactMap { $0["revision"] as? String }
        #expect(applied == ["c3", "d4", "e5"])
        #expect((migration["commands"] as? [String: Any])?["upgrade"] as? String == "alembic upgrade head")

        // The samples that changed are the ones git says changed.
        let samples = try #require(report["config_samples"] as? [[String: Any]])
        let gitChanged = try repository.git("diff", "--name-only", "26.03.0", "26.09.0", "--", "configs/*/sample*.toml", "configs/*/sample*.json")
        #expect(samples.compactMap { $0["file"] as? String } == gitChanged.split(separator: "\n").map(String.init))
        let manager = try #require(samples.first { $0["file"] as? String == "configs/manager/sample.toml" })
        let keys = (manager["keys"] as? [[String: Any]])?.map { "\($0["change"]!) \($0["key"]!)" }
        #expect(keys == ["removed [etcd] addr", "changed [manager] num-proc", "added [manager] workers"])
        #expect(samples.first { $0["file"] as? String == "configs/storage/sample.toml" }?["status"] as? String == "added")

        let compose = try #require((report["compose"] as? [[String: Any]])?.first?["services"] as? [[String: Any]])
        #expect(compose.map { $0["service"] as? String } == ["db", "redis"])
        #expect(compose[0]["product"] as? String == "PostgreSQL" && compose[0]["old_major"] as? Int == 15 && compose[0]["new_major"] as? Int == 16)
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.map { $0["rule"] as? String } == ["image-major-change"])

        let text = try relkit(["upgrade", "26.03.0", "26.09.0"], in: repository.path)
        #expect(text.status == 0)
        #expect(text.stdout.contains("Version of root: 26.03.0 -> 26.09.0 (release upgrade)"))
        #expect(text.stdout.contains("      alembic upgrade head"))
        #expect(text.stdout.contains("~ [manager] num-proc: 4 -> 8"))
        #expect(text.stdout.contains("db: postgres:15.6-alpine -> postgres:16.3-alpine  [PostgreSQL 15 -> 16:"))
        let markdown = try relkit(["upgrade", "26.03.0", "26.09.0", "--format", "markdown"], in: repository.path)
        #expect(markdown.stdout.hasPrefix("## Upgrading from 26.03.0 to 26.09.0"))
        #expect(markdown.stdout.contains("```sh\nalembic upgrade head\n```"))
        // Read from the trees only: nothing in the checkout or the repository changed.
        #expect(try DirectorySnapshot(repository.path).differences(from: before).isEmpty)
    }

    @Test func topicBranchToMainDowngradesItsMigrationFirst() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        // TO defaults to HEAD (main at 26.09.0).
        let result = try relkit(["upgrade", "topic/session", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.stderr)")
        let migration = try #require((try jsonObject(result.stdout)["migrations"] as? [[String: Any]])?.first)
        #expect((migration["downgrade"] as? [[String: Any]])?.compactMap { $0["revision"] as? String } == ["t1"])
        let commands = try #require(migration["commands"] as? [String: Any])
        #expect(commands["downgrade"] as? [String] == ["alembic downgrade b2"])
        #expect(commands["downgrade_relative"] as? String == "alembic downgrade -1")
        // Back from main to the topic: the merge and both its sides go down.
        let back = try relkit(["upgrade", "main", "topic/session", "--format", "json", "--fail-on", "alembic-downgrade-merge"], in: repository.path)
        #expect(back.status == 1)
        let reverse = try jsonObject(back.stdout)
        let down = ((reverse["migrations"] as? [[String: Any]])?.first?["downgrade"] as? [[String: Any]])?.compactMap { $0["revision"] as? String }
        #expect(down?.first == "e5" && Set(down ?? []) == ["e5", "c3", "d4"])
        #expect(reverse["move"] as? String == "downgrade")
        #expect((reverse["findings"] as? [[String: Any]])?.contains { $0["rule"] as? String == "alembic-downgrade-merge" && $0["blocking"] as? Bool == true } == true)
    }

    @Test func failOnDecidesTheExitStatus() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        #expect(try relkit(["upgrade", "26.03.0", "26.09.0", "--fail-on", "image-major-change"], in: repository.path).status == 1)
        #expect(try relkit(["upgrade", "26.03.0", "26.09.0", "--fail-on", "warning"], in: repository.path).status == 1)
        #expect(try relkit(["upgrade", "26.03.0", "26.09.0", "--fail-on", "error"], in: repository.path).status == 0)
        let bad = try relkit(["upgrade", "26.03.0", "--fail-on", "imagemajor"], in: repository.path)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--fail-on: unknown entry 'imagemajor'"))
    }

    @Test func unknownRevisionsAndBadConfigurationExitTwo() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        let unknown = try relkit(["upgrade", "25.01.0"], in: repository.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("cannot read revision '25.01.0'"))
        try repository.commit([".release.toml": upgradeConfiguration + "\n[upgrade.bogus]\n"], message: "bad")
        let badConfig = try relkit(["upgrade", "26.03.0"], in: repository.path)
        #expect(badConfig.status == 2)
        #expect(badConfig.stderr.contains(".release.toml:") && badConfig.stderr.contains("unknown key 'bogus' in [upgrade]"), "\(badConfig.stderr)")
        let outside = try ScratchDirectory("not-a-repo")
        defer { outside.remove() }
        let noRepository = try relkit(["upgrade", "26.03.0"], in: outside.path)
        #expect(noRepository.status == 2)
        #expect(noRepository.stderr.contains("needs a git repository"))
    }

    /// Each hostile revision file is a finding with its file (and line where there is one), the
    /// default policy exits 1, `--fail-on none` exits 0, and nothing is written.
    @Test(arguments: [
        ("not UTF-8", "bad_latin1.py", Data("revision = 'x1'\ndown_revision = 'e5'\n# caf".utf8) + Data([0xE9, 0x0A]), "not UTF-8 text", nil as Int?),
        ("10 MB", "big.py", Data(("revision = 'x1'\ndown_revision = 'e5'\n" + String(repeating: "# padding\n", count: 1_000_000)).utf8), "relkit reads revision files up to 1024 KiB", nil),
        ("a syntax error", "broken.py", Data("revision = 'x1'\ndown_revision = ('e5',\n\ndef upgrade():\n    pass\n".utf8), "Python syntax error: '(' is never closed", 2),
        ("a computed down_revision", "computed.py", Data("import os\nrevision = 'x1'\ndown_revision = os.environ['PARENT']\n".utf8), "'down_revision' is computed by code", 3)
    ])
    func hostileRevisionFiles(name: String, file: String, contents: Data, message: String, line: Int?) throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        try contents.write(to: URL(fileURLWithPath: repository.path + "/\(versionsDirectory)/\(file)"))
        try repository.git("add", "-A")
        try repository.git("commit", "-q", "-m", "hostile: \(name)")
        let before = try DirectorySnapshot(repository.path)
        let result = try relkit(["upgrade", "26.09.0", "--format", "json"], in: repository.path)
        #expect(result.status == 1, "\(name): \(result.stderr)")
        let report = try jsonObject(result.stdout)
        let finding = try #require((report["findings"] as? [[String: Any]])?.first { $0["rule"] as? String == "alembic-unreadable" })
        #expect(finding["file"] as? String == "\(versionsDirectory)/\(file)")
        #expect((finding["message"] as? String)?.contains(message) == true, "\(finding)")
        #expect(finding["line"] as? Int == line)
        // No commands are given from a history read in part.
        let migration = try #require((report["migrations"] as? [[String: Any]])?.first)
        #expect(migration["plan_problem"] as? String != nil)
        #expect(try relkit(["upgrade", "26.09.0", "--fail-on", "none"], in: repository.path).status == 0)
        #expect(try DirectorySnapshot(repository.path).differences(from: before).isEmpty)
    }

    @Test func symlinksOutOfTheRepositoryAreRefused() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        try FileManager.default.createSymbolicLink(atPath: repository.path + "/\(versionsDirectory)/escape.py", withDestinationPath: "/etc/passwd")
        try FileManager.default.createDirectory(atPath: repository.path + "/src/account/alembic", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: repository.path + "/src/account/alembic/versions", withDestinationPath: "../../../../outside")
        try FileManager.default.createSymbolicLink(atPath: repository.path + "/\(versionsDirectory)/dangling.py", withDestinationPath: "nowhere.py")
        try repository.write(".release.toml", upgradeConfiguration + "\n[[upgrade.migrations]]\nname = \"account\"\npath = \"src/account/alembic/versions\"\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-q", "-m", "links")
        let result = try relkit(["upgrade", "26.09.0", "--format", "json"], in: repository.path)
        #expect(result.status == 1)
        let findings = try #require(try jsonObject(result.stdout)["findings"] as? [[String: Any]])
        let outside = findings.filter { $0["rule"] as? String == "symlink-outside" }.map { "\($0["file"]!): \($0["message"]!)" }
        #expect(outside.contains { $0.hasPrefix("\(versionsDirectory)/escape.py: a symlink out of the repository (-> /etc/passwd)") }, "\(outside)")
        #expect(outside.contains { $0.hasPrefix("src/account/alembic/versions: account: src/account/alembic/versions leads out of the repository") }, "\(outside)")
        #expect(findings.contains { $0["rule"] as? String == "alembic-unreadable" && $0["file"] as? String == "\(versionsDirectory)/dangling.py" }, "\(findings)")
    }

    @Test func historiesThatAppearOverTimeAndBrokenOnes() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        // A second history that did not exist at 26.03.0, with two heads and a missing parent.
        try repository.write(
            ".release.toml",
            upgradeConfiguration
                + "\n[[upgrade.migrations]]\nname = \"appproxy\"\npath = \"src/appproxy/alembic/versions\"\ncommand = \"alembic -c configs/appproxy/alembic.ini\"\n[[upgrade.migrations]]\nname = \"gone\"\npath = \"src/gone/versions\"\n"
        )
        try repository.commit(
            [
                "src/appproxy/alembic/versions/p1.py": alembicRevision("p1", down: "None", message: "first"),
                "src/appproxy/alembic/versions/p2.py": alembicRevision("p2", down: "'p1'", message: "second"),
                "src/appproxy/alembic/versions/p3.py": alembicRevision("p3", down: "'p1'", message: "side")
            ], message: "appproxy")
        let result = try relkit(["upgrade", "26.03.0", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try jsonObject(result.stdout)
        let migrations = try #require(report["migrations"] as? [[String: Any]])
        let appproxy = try #require(migrations.first { $0["name"] as? String == "appproxy" })
        #expect(appproxy["from_heads"] is NSNull)
        #expect((appproxy["upgrade"] as? [[String: Any]])?.compactMap { $0["revision"] as? String } == ["p1", "p2", "p3"])
        #expect((appproxy["commands"] as? [String: Any])?["upgrade"] as? String == "alembic -c configs/appproxy/alembic.ini upgrade heads")
        let rules = (report["findings"] as? [[String: Any]])?.compactMap { $0["rule"] as? String } ?? []
        #expect(rules.contains("alembic-multiple-heads") && rules.contains("migrations-missing"), "\(rules)")

        try repository.commit(["src/appproxy/alembic/versions/p4.py": alembicRevision("p4", down: "'nowhere'", message: "lost")], message: "broken")
        let broken = try relkit(["upgrade", "26.03.0"], in: repository.path)
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("src/appproxy/alembic/versions/p4.py:8  down_revision 'nowhere' of 'p4' is not in the history (at HEAD)  [alembic-missing-revision]"), "\(broken.stdout)")
    }

    /// A ref's broken .release.toml is history: a finding, not a refusal; the checkout's is input.
    @Test func aBrokenConfigurationAtARefIsAFinding() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        try repository.commit([".release.toml": "[version\n"], message: "broken configuration")
        try repository.git("tag", "broken")
        try repository.commit([".release.toml": upgradeConfiguration], message: "mended")
        let result = try relkit(["upgrade", "broken", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try jsonObject(result.stdout)
        let finding = try #require((report["findings"] as? [[String: Any]])?.first { $0["rule"] as? String == "version-unreadable" })
        #expect((finding["message"] as? String)?.contains("TOML syntax error") == true && (finding["message"] as? String)?.hasSuffix("(at broken)") == true, "\(finding)")
        #expect((report["from"] as? [String: Any])?["version"] is NSNull)
        try repository.write(".release.toml", "[version\n")
        let input = try relkit(["upgrade", "broken"], in: repository.path)
        #expect(input.status == 0, "TO (HEAD) has [upgrade]: the checkout's file is not read")
        try repository.commit([".release.toml": "[components.root]\nfiles = [\"VERSION\"]\n"], message: "no [upgrade]")
        try repository.write(".release.toml", "[version\n")
        let checkout = try relkit(["upgrade", "broken"], in: repository.path)
        #expect(checkout.status == 2)
        #expect(checkout.stderr.contains(".release.toml:1:"), "\(checkout.stderr)")
    }

    @Test func unreadableSamplesAndComposeFilesAreFindingsOfTheirOwn() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        try repository.commit(
            [
                "docker-compose.halfstack.yml": "services:\n\tdb:\n    image: postgres:16\n",
                "configs/manager/sample.toml": "[manager]\nnum-proc = \n"
            ], message: "broken files")
        let result = try relkit(["upgrade", "26.03.0", "--format", "json"], in: repository.path)
        #expect(result.status == 1)
        let report = try jsonObject(result.stdout)
        let findings = (report["findings"] as? [[String: Any]] ?? []).map { "\($0["rule"]!) \($0["file"]!):\($0["line"]!)" }
        #expect(findings.contains("compose-unreadable docker-compose.halfstack.yml:2"), "\(findings)")
        #expect(findings.contains { $0.hasPrefix("sample-unreadable configs/manager/sample.toml:2") }, "\(findings)")
        let compose = try #require((report["compose"] as? [[String: Any]])?.first)
        #expect(compose["status"] as? String == "changed" && (compose["services"] as? [Any])?.isEmpty == true)
    }

    @Test func aPartialCloneSaysWhichObjectIsMissing() throws {
        let repository = try upgradeRepository()
        defer { repository.remove() }
        let clone = try ScratchDirectory("partial")
        defer { clone.remove() }
        try repository.partialClone(to: clone.path + "/c", branches: [])
        // The checkout of main fetches main's blobs; the topic's own revision file stays behind.
        try #require(try runProcess("git", ["-C", clone.path + "/c", "reset", "-q", "--hard"], environment: gitEnvironment).status == 0)
        let result = try relkit(["upgrade", "origin/topic/session", "main", "--format", "json"], in: clone.path + "/c")
        #expect(result.status == 1, "\(result.stderr)")
        let findings = try #require(try jsonObject(result.stdout)["findings"] as? [[String: Any]])
        #expect(findings.contains { ($0["message"] as? String)?.contains("is not in this clone") == true }, "\(findings)")
    }
}

@Suite("relkit init proposes [upgrade]")
struct InitUpgradeProposalTests {
    @Test func migrationsSamplesAndComposeFilesAreProposedAndWork() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(
            [
                "VERSION": "26.03.0\n",
                "src/ai/backend/manager/models/alembic/versions/a1.py": alembicRevision("a1", down: "None", message: "first"),
                "src/ai/backend/appproxy/coordinator/alembic/versions/p1.py": alembicRevision("p1", down: "None", message: "first"),
                "configs/manager/sample.toml": "[manager]\nnum-proc = 4\n",
                "configs/agent/sample-dev.toml": "[agent]\nport = 6001\n",
                "configs/webui/sample.json": "{}\n",
                "docker-compose.halfstack-main.yml": "services:\n  db:\n    image: postgres:15\n",
                "docker-compose.halfstack-ha.yml": "services:\n  db:\n    image: postgres:15\n"
            ], message: "26.03.0")
        try repository.git("tag", "26.03.0")
        let planned = try relkit(["init", "--dry-run"], in: repository.path)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(
            planned.stdout.contains(
                """
                [upgrade]
                config-samples = ["configs/*/sample*.toml", "configs/*/sample*.json"]
                compose = ["docker-compose*.yml"]
                """), "\(planned.stdout)")
        #expect(planned.stdout.contains("name = \"coordinator\"\npath = \"src/ai/backend/appproxy/coordinator/alembic/versions\""))
        #expect(planned.stdout.contains("name = \"manager\"\npath = \"src/ai/backend/manager/models/alembic/versions\""))
        // What init writes, relkit upgrade reads.
        #expect(try relkit(["init"], in: repository.path).status == 0)
        try repository.commit(
            ["src/ai/backend/manager/models/alembic/versions/b2.py": alembicRevision("b2", down: "'a1'", message: "second")],
            message: "next")
        let upgrade = try relkit(["upgrade", "26.03.0", "--format", "json"], in: repository.path)
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        let manager = try #require((try jsonObject(upgrade.stdout)["migrations"] as? [[String: Any]])?.first { $0["name"] as? String == "manager" })
        #expect((manager["upgrade"] as? [[String: Any]])?.compactMap { $0["revision"] as? String } == ["b2"])
    }
}
