import Foundation
import RelKitCore
import RelKitTestSupport
import Testing

/// Alembic's own ScriptDirectory, run on the revision files relkit read: heads, the revisions each
/// relkit downgrade command removes (applied in turn, as a person would run them), `-N`, and what
/// `alembic upgrade head(s)` applies on the other ref afterwards.
let alembicOracle = #"""
    import json, sys, warnings
    warnings.simplefilter("ignore")
    from alembic.script import ScriptDirectory

    def heads_of(rev_map, remaining):
        return tuple(sorted(r for r in remaining if not any(n in remaining for n in rev_map.get_revision(r).nextrev)))

    answers = []
    for case in json.load(sys.stdin):
        f = ScriptDirectory(case["from"], version_locations=[case["from"]])
        t = ScriptDirectory(case["to"], version_locations=[case["to"]])
        fm, tm = f.revision_map, t.revision_map
        answer = {"from_heads": sorted(f.get_heads()), "to_heads": sorted(t.get_heads())}
        everything = {s.revision for s in f.walk_revisions()}
        heads = tuple(f.get_heads())
        removed, steps = set(), []
        for target in case["steps"]:
            revs = [r.revision for r in fm.iterate_revisions(heads, target, select_for_downgrade=True)]
            steps.append(revs)
            removed |= set(revs)
            heads = heads_of(fm, everything - removed)
        answer["steps"] = steps
        if case.get("relative") is not None:
            answer["relative"] = [r.revision for r in fm.iterate_revisions(tuple(f.get_heads()), "-%d" % case["relative"], select_for_downgrade=True)]
        lower = heads if heads else "base"
        # As `alembic upgrade` calls it (ScriptDirectory._upgrade_revs): implicit_base=True.
        answer["upgrade"] = [r.revision for r in tm.iterate_revisions("heads", lower, implicit_base=True)]
        answers.append(answer)
    json.dump(answers, sys.stdout)
    """#

/// Random alembic histories: long lines, branches, merges (tuples and lists), second bases with
/// branch labels, depends_on on revisions and labels, written in the spellings alembic's
/// templates and people use.
struct AlembicHistoryGenerator {
    struct Revision {
        var id: String
        var down: [String]
        var dependsOn: [String] = []
        var labels: [String] = []
        var message: String
    }

    var random: SeededGenerator
    var labelCount = 0

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func newID() -> String {
        String(UInt64.random(in: 0...UInt64.max, using: &random), radix: 16).prefix(12).padding(toLength: 12, withPad: "0", startingAt: 0)
    }

    /// Heads by versioned down revisions.
    func heads(_ revisions: [Revision]) -> [String] {
        let named = Set(revisions.flatMap(\.down))
        return revisions.map(\.id).filter { !named.contains($0) }
    }

    /// `count` more revisions on top of `revisions`.
    mutating func grow(_ revisions: inout [Revision], by count: Int) {
        for _ in 0..<count {
            let id = newID()
            let currentHeads = heads(revisions)
            var revision = Revision(id: id, down: [], message: "change \(revisions.count) of the schema")
            if revisions.isEmpty || chance(4) {
                if chance(60) {
                    labelCount += 1
                    revision.labels = ["branch\(labelCount)"]
                }
            } else if currentHeads.count >= 2 && chance(25) {
                revision.down = Array(currentHeads.shuffled(using: &random).prefix(Int.random(in: 2...min(3, currentHeads.count), using: &random)))
            } else if chance(12) {
                revision.down = [revisions.randomElement(using: &random)!.id]
            } else {
                revision.down = [currentHeads.randomElement(using: &random)!]
            }
            if !revisions.isEmpty && chance(8) {
                let earlier = revisions.randomElement(using: &random)!
                if let label = earlier.labels.first, chance(50) { revision.dependsOn = [label] } else if !revision.down.contains(earlier.id) { revision.dependsOn = [earlier.id] }
            }
            revisions.append(revision)
        }
    }

    /// The next ref's history: some revisions (and what follows them) dropped, one re-pointed
    /// now and then, and new ones added.
    mutating func next(from revisions: [Revision]) -> [Revision] {
        var result = revisions
        for _ in 0..<Int.random(in: 0...2, using: &random) where result.count > 1 {
            let cut = result.randomElement(using: &random)!.id
            var dropped: Set<String> = [cut]
            var changed = true
            while changed {
                changed = false
                for revision in result where !dropped.contains(revision.id) {
                    let names = revision.down + revision.dependsOn.map { dep in result.first { $0.labels.contains(dep) }?.id ?? dep }
                    if names.contains(where: dropped.contains) {
                        dropped.insert(revision.id)
                        changed = true
                    }
                }
            }
            result.removeAll { dropped.contains($0.id) }
        }
        if result.count > 3 && chance(20) {
            let index = Int.random(in: 2..<result.count, using: &random)
            if result[index].down.count == 1 {
                let parent = result[Int.random(in: 0..<index, using: &random)].id
                if parent != result[index].down[0] && !result[index].dependsOn.contains(parent) { result[index].down = [parent] }
            }
        }
        grow(&result, by: Int.random(in: 0...6, using: &random))
        return result
    }

    func quoted(_ text: String, _ double: Bool) -> String { double ? "\"\(text)\"" : "'\(text)'" }

    mutating func value(_ ids: [String], double: Bool, scalarWhenOne: Bool) -> String {
        if ids.isEmpty { return chance(80) ? "None" : "()" }
        if ids.count == 1 && scalarWhenOne { return quoted(ids[0], double) }
        let items = ids.map { quoted($0, double) }.joined(separator: ", ")
        return chance(50) ? "(\(items)\(ids.count == 1 ? "," : ""))" : "[\(items)]"
    }

    /// A revision file in one of the spellings of alembic's templates (old and new) and of people.
    mutating func file(_ revision: Revision) -> String {
        let double = chance(50)
        let annotated = chance(50)
        var lines = [
            "\"\"\"\(revision.message)", "", "Revision ID: \(revision.id)",
            // The docstring's Revises: is not authoritative: sometimes it is stale.
            "Revises: \(chance(10) ? "stale" : revision.down.joined(separator: ", "))", "Create Date: 2024-03-01 10:00:00", "\"\"\"",
            "from typing import Sequence, Union", "", "from alembic import op", "import sqlalchemy as sa", "",
            "# revision identifiers, used by Alembic."
        ]
        lines.append(annotated ? "revision: str = \(quoted(revision.id, double))" : "revision = \(quoted(revision.id, double))")
        let down = value(revision.down, double: double, scalarWhenOne: chance(85))
        lines.append(annotated ? "down_revision: Union[str, Sequence[str], None] = \(down)" : "down_revision = \(down)")
        lines.append("branch_labels = \(revision.labels.isEmpty ? "None" : value(revision.labels, double: double, scalarWhenOne: chance(50)))")
        lines.append("depends_on = \(value(revision.dependsOn, double: double, scalarWhenOne: chance(50)))")
        lines += [
            "", "", "def upgrade() -> None:", "    revision = 'a local, not the module variable'",
            "    op.execute(\"\"\"", "    CREATE TABLE t (id int)", "    \"\"\")", "", "", "def downgrade() -> None:", "    pass", ""
        ]
        return lines.joined(separator: "\n")
    }
}

@Suite("Differential: relkit's alembic reading against alembic")
struct AlembicDifferentialTests {
    struct OracleCase: Encodable {
        let from: String
        let to: String
        let steps: [String]
        let relative: Int?
    }

    /// Named as the Python oracle writes them.
    struct OracleAnswer: Decodable {
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let from_heads: [String]
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let to_heads: [String]
        let steps: [[String]]
        let relative: [String]?
        let upgrade: [String]
    }

    func write(_ revisions: [AlembicHistoryGenerator.Revision], generator: inout AlembicHistoryGenerator, to directory: URL) throws -> AlembicHistory {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var parsed: [AlembicRevision] = []
        for revision in revisions {
            let name = "\(revision.id)_change.py"
            let text = generator.file(revision)
            try text.write(to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8)
            switch AlembicScript.parse(Array(text.utf8), file: name) {
            case .revision(let read): parsed.append(read)
            case .unreadable(let finding): Issue.record("relkit could not read \(name): \(finding.message)\n\(text)")
            }
        }
        return AlembicHistory(name: "generated", revisions: parsed)
    }

    @Test func headsDowngradesAndUpgradesAgreeWithAlembic() throws {
        var generator = AlembicHistoryGenerator(random: SeededGenerator(seed: 0xA1E_B1C))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("relkit-alembic-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        var cases: [OracleCase] = []
        var plans: [(AlembicHistory, AlembicHistory, AlembicSwitch)] = []
        for index in 0..<80 {
            var from: [AlembicHistoryGenerator.Revision] = []
            // Mostly small histories; every tenth has hundreds of revisions.
            generator.grow(&from, by: index % 10 == 9 ? Int.random(in: 250...400, using: &generator.random) : Int.random(in: 1...40, using: &generator.random))
            let to = generator.next(from: from)
            let fromHistory = try write(from, generator: &generator, to: root.appendingPathComponent("\(index)/from"))
            let toHistory = try write(to, generator: &generator, to: root.appendingPathComponent("\(index)/to"))
            #expect(fromHistory.findings.allSatisfy { $0.rule == "alembic-multiple-heads" }, "\(fromHistory.findings)" as Comment)
            let plan = AlembicSwitch.plan(from: fromHistory, to: toHistory)
            plans.append((fromHistory, toHistory, plan))
            cases.append(
                OracleCase(
                    from: root.appendingPathComponent("\(index)/from").path, to: root.appendingPathComponent("\(index)/to").path,
                    steps: plan.downgradeSteps.map(\.target), relative: plan.relativeSteps))
        }
        let result = try runProcess("python3", ["-c", alembicOracle], stdin: try JSONEncoder().encode(cases))
        try #require(result.status == 0, "python3 with alembic is needed for this test (make test installs it): \(result.stderr)")
        let answers = try JSONDecoder().decode([OracleAnswer].self, from: Data(result.stdout.utf8))
        try #require(answers.count == cases.count)

        var multiStep = 0
        var relative = 0
        var merges = 0
        var repointed = 0
        for (index, ((from, to, plan), answer)) in zip(plans, answers).enumerated() {
            let context = "case \(index): from \(from.order.count) revisions, to \(to.order.count)"
            #expect(from.heads.sorted() == answer.from_heads, "\(context): heads")
            #expect(to.heads.sorted() == answer.to_heads, "\(context): heads")
            // Each downgrade command removes exactly what relkit says it removes.
            #expect(plan.downgradeSteps.map { Set($0.removes) } == answer.steps.map(Set.init), "\(context): \(plan.downgradeSteps.map(\.target))")
            #expect(Set(plan.downgrade) == Set(answer.steps.joined()), "\(context)")
            if let steps = answer.relative { #expect(Set(steps) == Set(plan.downgrade), "\(context): -\(plan.relativeSteps!)" as Comment) }
            #expect(Set(plan.upgrade) == Set(answer.upgrade), "\(context): upgrade \(plan.upgradeTarget)")
            // Newest first down, oldest first up: each revision after what it needs.
            #expect(plan.upgrade == to.upgradeOrder(Set(plan.upgrade)), "\(context)")
            multiStep += plan.downgradeSteps.count > 1 ? 1 : 0
            relative += plan.relativeSteps != nil ? 1 : 0
            merges += plan.mergesDowngraded.isEmpty ? 0 : 1
            repointed += plan.repointed.isEmpty ? 0 : 1
        }
        // The generator reaches the cases that matter.
        #expect(multiStep > 0 && relative > 0 && merges > 0 && repointed > 0, "multi-step \(multiStep), -N \(relative), merges \(merges), re-pointed \(repointed)")
    }
}
