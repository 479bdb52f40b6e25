import RelKitCore
import Testing

@Suite("Alembic revision files, read without Python")
struct AlembicScriptTests {
    func parse(_ text: String, file: String = "versions/x.py") -> AlembicScript.Parsed {
        AlembicScript.parse(Array(text.utf8), file: file)
    }

    func revision(_ text: String, file: String = "versions/x.py") throws -> AlembicRevision {
        guard case .revision(let revision) = parse(text, file: file) else {
            Issue.record("not read: \(parse(text, file: file))")
            throw CancellationError()
        }
        return revision
    }

    func problem(_ text: String, file: String = "versions/x.py") -> Finding? {
        if case .unreadable(let finding) = parse(text, file: file) { return finding }
        return nil
    }

    @Test func templateOfAlembic1_13() throws {
        let read = try revision(
            """
            \"\"\"add users table

            Revision ID: 1975ea83b712
            Revises: 0a9b8c7d6e5f
            Create Date: 2024-03-01 10:00:00.000000

            \"\"\"
            from typing import Sequence, Union

            # revision identifiers, used by Alembic.
            revision: str = '1975ea83b712'
            down_revision: Union[str, None] = '0a9b8c7d6e5f'
            branch_labels: Union[str, Sequence[str], None] = None
            depends_on: Union[str, Sequence[str], None] = None

            def upgrade() -> None:
                revision = "not this"
            """)
        #expect(read.id == "1975ea83b712")
        #expect(read.downRevisions == ["0a9b8c7d6e5f"])
        #expect(read.dependsOn.isEmpty && read.branchLabels.isEmpty)
        #expect(read.message == "add users table")
        #expect(read.line == 11)
    }

    @Test func mergeRevisionsAsTuplesAndLists() throws {
        #expect(try revision("revision = \"m\"\ndown_revision = ('a', \"b\")\n").downRevisions == ["a", "b"])
        #expect(try revision("revision = \"m\"\ndown_revision = [\n    'a',  # first\n    'b',\n]\n").downRevisions == ["a", "b"])
        #expect(try revision("revision = 'm'\ndown_revision = 'a', 'b'\n").downRevisions == ["a", "b"])
        #expect(try revision("revision = 'm'\ndown_revision = ()\n").downRevisions == [])
        #expect(try revision("revision = 'm'\ndown_revision = ('a',)\n").downRevisions == ["a"])
        #expect(try revision("revision = 'm'\ndown_revision = ('a')\n").downRevisions == ["a"])
    }

    @Test func docstringRevisesIsNotAuthoritative() throws {
        let read = try revision("\"\"\"msg\n\nRevises: zzz\n\"\"\"\nrevision = 'b'\ndown_revision = 'a'\n")
        #expect(read.downRevisions == ["a"])
    }

    @Test func labelsDependenciesAndStringForms() throws {
        let read = try revision(
            """
            revision = r'abc'
            down_revision = None
            branch_labels = ('networking',)
            depends_on = "55af2cb1c267"
            """)
        #expect(read.branchLabels == ["networking"])
        #expect(read.dependsOn == ["55af2cb1c267"])
        #expect(read.downRevisions.isEmpty)
        // The last top-level assignment counts, as when Python runs the module.
        #expect(try revision("revision = 'a'\nrevision = 'b'\ndown_revision = None\n").id == "b")
        // A statement after ';' is still top level.
        #expect(try revision("revision = 'a'; down_revision = None\n").id == "a")
    }

    @Test func legacyFileNames() throws {
        #expect(try revision("down_revision = None\n", file: "versions/3fa5b2c1.py").id == "3fa5b2c1")
        #expect(problem("down_revision = None\n", file: "versions/add_users.py")?.message.contains("no 'revision'") == true)
    }

    @Test func revisionFileNamesAlembicLoads() {
        #expect(AlembicScript.isRevisionFileName("1975ea83b712_add.py"))
        #expect(!AlembicScript.isRevisionFileName("__init__.py"))
        #expect(!AlembicScript.isRevisionFileName(".#1975ea83b712_add.py"))
        #expect(!AlembicScript.isRevisionFileName("notes.txt"))
        #expect(!AlembicScript.isRevisionFileName("x.pyc"))
    }

    @Test func computedValuesAreFindingsNotGuesses() {
        for text in [
            "revision = 'a'\ndown_revision = get_parent()\n",
            "revision = 'a'\ndown_revision = 'x' + 'y'\n",
            "revision = 'a'\ndown_revision = f'{x}'\n",
            "revision = 'a'\ndown_revision = PARENT\n",
            "revision = 'a'\ndown_revision = None\ndown_revision += ('b',)\n",
            "revision = 'a'\nif True:\n    down_revision = 'b'\nelse:\n    down_revision = None\n"
        ] {
            let finding = problem(text)
            #expect(finding?.rule == "alembic-unreadable", "\(text)")
            #expect(finding?.line != nil, "\(text)")
        }
        #expect(problem("revision = 'a'\ndown_revision = get_parent()\n")?.message.contains("computed by code") == true)
    }

    @Test func syntaxErrorsHaveTheirLine() {
        #expect(problem("revision = 'a'\ndown_revision = ('b',\n\ndef upgrade():\n    pass\n")?.line == 2)
        #expect(problem("revision = 'a\ndown_revision = None\n")?.line == 1)
        #expect(problem("revision = 'a'\ndown_revision = None\nx = \"\"\"never closed\n")?.line == 3)
        #expect(problem("revision = 'a'\ndown_revision = None\nx = (1]\n")?.message.contains("does not match") == true)
        #expect(problem("revision = 'a'\ndown_revision = None\n)\n")?.message.contains("unmatched") == true)
    }

    @Test func hostileBytes() {
        #expect(problem("revision = 'a'\ndown_revision = None\n# \u{FF}")?.rule == nil, "valid UTF-8 is fine")
        let latin1: [UInt8] = Array("revision = 'a'\ndown_revision = None\n# caf".utf8) + [0xE9, 0x0A]
        if case .unreadable(let finding) = AlembicScript.parse(latin1, file: "v.py") {
            #expect(finding.message.contains("not UTF-8"))
        } else {
            Issue.record("non-UTF-8 accepted")
        }
        let huge = Array("revision = 'a'\ndown_revision = None\n".utf8) + [UInt8](repeating: UInt8(ascii: "#"), count: 10 << 20)
        if case .unreadable(let finding) = AlembicScript.parse(huge, file: "v.py") {
            #expect(finding.message.contains("KiB"))
        } else {
            Issue.record("10 MB accepted")
        }
    }

    @Test func illegalIdsAndSelfReference() {
        #expect(problem("revision = 'a-b'\ndown_revision = None\n")?.message.contains("'-'") == true)
        #expect(problem("revision = 'a'\ndown_revision = 'a'\n")?.message.contains("itself") == true)
        #expect(problem("revision = 'a'\n")?.message.contains("down_revision") == true)
        #expect(problem("revision = None\ndown_revision = None\n")?.message.contains("must be a string") == true)
    }
}

@Suite("Alembic histories and switching between them")
struct AlembicHistoryTests {
    func history(_ spec: [(String, [String])], dependsOn: [String: [String]] = [:], labels: [String: [String]] = [:]) -> AlembicHistory {
        AlembicHistory(
            name: "test",
            revisions: spec.map { id, down in
                AlembicRevision(id: id, downRevisions: down, dependsOn: dependsOn[id] ?? [], branchLabels: labels[id] ?? [], file: "v/\(id).py")
            })
    }

    @Test func linearTopicBranchUsesOneTargetAndMinusN() {
        let topic = history([("a", []), ("b", ["a"]), ("t1", ["b"]), ("t2", ["t1"])])
        let main = history([("a", []), ("b", ["a"]), ("c", ["b"])])
        let plan = AlembicSwitch.plan(from: topic, to: main)
        #expect(plan.downgrade == ["t2", "t1"])
        #expect(plan.downgradeSteps == [AlembicSwitch.Downgrade(target: "b", removes: ["t2", "t1"])])
        #expect(plan.relativeSteps == 2)
        #expect(plan.upgrade == ["c"])
        #expect(plan.upgradeTarget == "head")
    }

    @Test func nothingToDowngradeOnAPatchUpdate() {
        let old = history([("a", []), ("b", ["a"])])
        let new = history([("a", []), ("b", ["a"]), ("c", ["b"]), ("d", ["c"])])
        let plan = AlembicSwitch.plan(from: old, to: new)
        #expect(plan.downgrade.isEmpty && plan.downgradeSteps.isEmpty && plan.relativeSteps == nil)
        #expect(plan.upgrade == ["c", "d"])
    }

    @Test func downgradeThroughAMergeHasNoMinusN() {
        let from = history([("a", []), ("b", ["a"]), ("c", ["a"]), ("m", ["b", "c"]), ("t", ["m"])])
        let to = history([("a", []), ("b", ["a"])])
        let plan = AlembicSwitch.plan(from: from, to: to)
        #expect(Set(plan.downgrade) == ["t", "m", "c"])
        #expect(plan.downgrade.first == "t")
        #expect(plan.mergesDowngraded == ["m"])
        #expect(plan.relativeSteps == nil)
        // c is above a, but so is b, which stays: one branch at a time.
        #expect(plan.downgradeSteps.map(\.target) == ["c@a"])
    }

    @Test func everythingGoesDownToBase() {
        let from = history([("a", []), ("b", ["a"])])
        let plan = AlembicSwitch.plan(from: from, to: history([]))
        #expect(plan.downgradeSteps.map(\.target) == ["base"])
        #expect(plan.relativeSteps == 2)
        #expect(plan.upgrade.isEmpty)
    }

    @Test func aRepointedRevisionIsDowngradedAndAppliedAgain() {
        let from = history([("a", []), ("b", ["a"]), ("x", ["b"])])
        let to = history([("a", []), ("b", ["a"]), ("c", ["b"]), ("x", ["c"])])
        let plan = AlembicSwitch.plan(from: from, to: to)
        #expect(plan.repointed == ["x"])
        #expect(plan.downgrade == ["x"])
        #expect(plan.upgrade == ["c", "x"])
    }

    @Test func headsIgnoreDependencies() {
        let graph = history([("a", []), ("b", ["a"]), ("n", [])], dependsOn: ["b": ["net"]], labels: ["n": ["net"]])
        #expect(graph.heads == ["b", "n"])
        #expect(graph.descendants(of: ["n"]) == ["n", "b"])
        #expect(graph.findings.map(\.rule) == ["alembic-multiple-heads"])
    }

    @Test func brokenHistoriesAreFindings() {
        let missing = history([("a", []), ("b", ["zz"])], dependsOn: ["a": ["nope"]])
        #expect(missing.findings.filter { $0.rule == "alembic-missing-revision" }.count == 2)
        let cycle = history([("a", ["c"]), ("b", ["a"]), ("c", ["b"])])
        #expect(cycle.hasCycle)
        #expect(cycle.findings.contains { $0.rule == "alembic-cycle" && $0.message.contains("->") })
        let twice = AlembicHistory(name: "t", revisions: [AlembicRevision(id: "a", file: "v/1.py"), AlembicRevision(id: "a", file: "v/2.py", line: 7)])
        #expect(twice.findings.first?.rule == "alembic-duplicate")
        #expect(twice.findings.first?.file == "v/2.py" && twice.findings.first?.line == 7)
        #expect(twice.revisions["a"]?.file == "v/2.py")
    }

    @Test func thousandsOfRevisionsInALine() {
        let long = (0..<5_000).map { index in ("r\(index)", index == 0 ? [String]() : ["r\(index - 1)"]) }
        let graph = history(long)
        #expect(!graph.hasCycle)
        #expect(graph.heads == ["r4999"])
        let plan = AlembicSwitch.plan(from: graph, to: history(Array(long.prefix(4_990))))
        #expect(plan.relativeSteps == 10)
        #expect(plan.downgradeSteps.map(\.target) == ["r4989"])
    }
}

@Suite("Configuration samples, compose files and version moves")
struct UpgradeChangeTests {
    @Test func keysAddedRemovedAndChanged() {
        let old = [
            ConfigLeaf(path: ["manager", "num-proc"], value: "4"), ConfigLeaf(path: ["etcd", "addr"], value: "\"x\""),
            ConfigLeaf(path: ["debug"], value: "false")
        ]
        let new = [
            ConfigLeaf(path: ["manager", "num-proc"], value: "8"), ConfigLeaf(path: ["manager", "workers"], value: "2"),
            ConfigLeaf(path: ["debug"], value: "false"), ConfigLeaf(path: ["a.b", "c d"], value: "1")
        ]
        let changes = ConfigSampleDiff.changes(from: old, to: new)
        #expect(changes.map(\.key) == ["[\"a.b\"] \"c d\"", "[etcd] addr", "[manager] num-proc", "[manager] workers"])
        #expect(changes.map(\.kind) == [.added, .removed, .changed, .added])
        #expect(changes[2].old == "4" && changes[2].new == "8")
        #expect(ConfigSampleDiff.keyName(["debug"]) == "debug")
    }

    @Test func imageReferencesAndMajorChanges() {
        #expect(ImageReference("registry.local:5000/library/postgres:16.4-alpine@sha256:abc").repository == "registry.local:5000/library/postgres")
        #expect(ImageReference("registry.local:5000/library/postgres:16.4-alpine").major == 16)
        #expect(ImageReference("quay.io/coreos/etcd:v3.5.14").major == 3)
        #expect(ImageReference("redis").tag == nil && ImageReference("redis:latest").major == nil)
        let old = [
            ComposeService(name: "db", image: "postgres:15.6", line: 3), ComposeService(name: "etcd", image: "bitnami/etcd:3.5", line: 5),
            ComposeService(name: "gone", image: "x:1", line: 7), ComposeService(name: "cache", image: "redis:7.2", line: 9)
        ]
        let new = [
            ComposeService(name: "db", image: "postgres:16.3", line: 3), ComposeService(name: "etcd", image: "bitnami/etcd:3.5", line: 5),
            ComposeService(name: "cache", image: "redis:7.4", line: 9), ComposeService(name: "added", image: "y:2", line: 11)
        ]
        let changes = ImageChange.changes(from: old, to: new)
        #expect(changes.map(\.service) == ["db", "cache", "added", "gone"])
        #expect(changes[0].product == "PostgreSQL" && changes[0].oldMajor == 15 && changes[0].newMajor == 16 && changes[0].procedure != nil)
        #expect(changes[1].procedure == nil)
        #expect(changes[2].old == nil && changes[3].new == nil)
    }

    @Test func versionMoves() throws {
        let scheme = VersionScheme.yearMonth
        func v(_ text: String) throws -> SchemeVersion { try scheme.version(parsing: text) }
        #expect(VersionMove.between(try v("24.03.1"), try v("24.03.2")) == .patchUpdate)
        #expect(VersionMove.between(try v("24.03.0rc1"), try v("24.03.0")) == .patchUpdate)
        #expect(VersionMove.between(try v("23.09.8"), try v("24.03.0")) == .releaseUpgrade)
        #expect(VersionMove.between(try v("24.03.2"), try v("24.03.1")) == .downgrade)
        #expect(VersionMove.between(try v("24.03.2"), try v("24.09.0.dev0")) == .toDevelopment)
        #expect(VersionMove.between(try v("24.03.2"), try v("24.03.2")) == .unchanged)
    }

    @Test func failOnPolicies() {
        let warning = Finding(rule: "image-major-change", severity: .warning, message: "m")
        let error = Finding(rule: "alembic-cycle", message: "m")
        #expect(UpgradePolicy.blocks(error, under: ["error"]) && !UpgradePolicy.blocks(warning, under: ["error"]))
        #expect(UpgradePolicy.blocks(warning, under: ["image-major-change"]))
        #expect(UpgradePolicy.blocks(warning, under: ["any"]) && !UpgradePolicy.blocks(error, under: ["none"]))
    }
}

@Suite("Fuzz findings of FuzzUpgrade")
struct UpgradeFuzzRegressionTests {
    /// A backslash before a lone carriage return is no continuation, and the line stays the line.
    @Test func backslashBeforeALoneCarriageReturn() {
        guard case .unreadable(let finding) = AlembicScript.parse(Array("x = 1\ny = \\\r2\n".utf8), file: "v.py") else {
            Issue.record("accepted")
            return
        }
        #expect(finding.line == 2 && finding.message.contains("line continuation"))
        guard case .revision(let revision) = AlembicScript.parse(Array("revision = \\\r\n  'a'\ndown_revision = None\n".utf8), file: "v.py") else {
            Issue.record("a CRLF continuation refused")
            return
        }
        #expect(revision.id == "a")
    }
}
