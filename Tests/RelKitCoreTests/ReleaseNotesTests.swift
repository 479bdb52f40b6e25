import RelKitCore
import Testing

/// The news-fragment rules of `relkit check --notes`, on values (no repository).
@Suite("Release notes: fragment names, coverage and content")
struct ReleaseNotesTests {
    static let types = ["feature", "bugfix", "doc", "removal", "misc"]

    /// towncrier's `parse_newfragment_basename`, case by case (the end-to-end test asks towncrier).
    @Test(
        arguments: [
            ("123.feature", "123", "feature", 0), ("123.feature.md", "123", "feature", 0), ("0123.bugfix.2.md", "123", "bugfix", 2),
            ("+typo.doc.md", "+typo", "doc", 0), ("fix-1.2.3.feature", "fix-1.2.3", "feature", 0), ("12.misc.feature", "12.misc", "feature", 0),
            ("000.misc", "0", "misc", 0), ("..feature", ".", "feature", 0)
        ] as [(String, String, String, Int)])
    func namesReadAsTowncrierReadsThem(name: String, issue: String, type: String, counter: Int) {
        #expect(FragmentName.parse(name, types: Self.types) == FragmentName(issue: issue, type: type, counter: counter))
    }

    @Test(arguments: ["README", "123", "123.unknown.md", "feature", "notes.txt"])
    func namesWithoutAKnownTypeAreNone(name: String) {
        #expect(FragmentName.parse(name, types: Self.types) == nil)
        // The type is never the first part: ".feature.x" has an empty issue.
        #expect(FragmentName.parse(".feature.x", types: Self.types)?.issue == "")
    }

    @Test func conventionalTypes() {
        #expect(NotesRules.conventionalType(of: "fix(api)!: x") == "fix")
        #expect(NotesRules.conventionalType(of: "CI: x") == "ci")
        #expect(NotesRules.conventionalType(of: "Fix a bug") == nil)
        #expect(NotesRules.conventionalType(of: "fix(api: x") == nil)
        #expect(NotesRules.pullRequestNumbers(in: "fix: a (#12) (#34)").last == "34")
    }

    @Test func whichChangesNeedAFragment() {
        let policy = NotesPolicy()
        var exempt = policy
        exempt.exemptSubjects = ["^release:"]
        let changes: [NotesRules.Change] = [
            .init(id: "a1", subject: "fix: covered by its pull request (#10)", fragmentsTouched: []),
            .init(id: "b2", subject: "feat: its own fragment", fragmentsTouched: ["changes/+x.feature.md"]),
            .init(id: "c3", subject: "chore: exempt by type (#11)", fragmentsTouched: []),
            .init(id: "d4", subject: "release: exempt by subject", fragmentsTouched: []),
            .init(id: "e5", subject: "fix: missing (#12)", fragmentsTouched: [])
        ]
        let findings = NotesRules.missingFragments(changes, issuesWithFragments: ["10"], policy: exempt, fragmentDirectory: "changes")
        #expect(findings.map(\.rule) == ["fragment-missing"])
        #expect(findings.first?.message == "commit e5 'fix: missing (#12)' needs a news fragment (changes/12.<type>.md) and has none")
        // Without a fragment in the range, a change that names no pull request needs one too.
        let lone: [NotesRules.Change] = [.init(id: "f6", subject: "feat: lone", fragmentsTouched: [])]
        #expect(NotesRules.missingFragments(lone, issuesWithFragments: [], policy: policy, fragmentDirectory: "changes").count == 1)
        #expect(NotesRules.missingFragments(lone + [changes[1]], issuesWithFragments: [], policy: policy, fragmentDirectory: "changes").isEmpty)
        // The subject rule is a regular expression, not a prefix: without it "release:" needs one.
        #expect(NotesRules.missingFragments([changes[3]], issuesWithFragments: [], policy: policy, fragmentDirectory: "changes").count == 1)
    }

    @Test func hostileFragmentsAreFindings() {
        let settings = TowncrierSettings(directory: "changes")
        let files: [NotesRules.FragmentFile] = [
            .init(path: "changes/1.feature.md", content: Array("Adds a thing.\n".utf8), size: 14),
            .init(path: "changes/2.bugfix.md", content: [0xFF, 0xFE, 0x41], size: 3),
            .init(path: "changes/3.bugfix.md", content: [], size: 10_000_000),
            .init(path: "changes/4.feature.md", content: nil, size: 0),
            .init(path: "changes/..feature.md", content: Array("x".utf8), size: 1),
            .init(path: "changes/5.doc.md", content: Array(" \n\t\n".utf8), size: 4),
            .init(path: "changes/6.news.md", content: Array("x".utf8), size: 1),
            .init(path: "changes/notes.txt", content: Array("x".utf8), size: 1)
        ]
        let findings = NotesRules.fragmentFindings(files, settings: settings)
        let byFile = Dictionary(grouping: findings, by: { $0.file ?? "" }).mapValues { $0.map(\.rule) }
        #expect(byFile["changes/1.feature.md"] == nil)
        #expect(byFile["changes/2.bugfix.md"] == ["fragment-content"])
        #expect(byFile["changes/3.bugfix.md"] == ["fragment-content"])
        #expect(byFile["changes/4.feature.md"] == ["fragment-content"])
        #expect(byFile["changes/..feature.md"] == ["fragment-name"])
        #expect(byFile["changes/5.doc.md"] == ["fragment-empty"])
        #expect(byFile["changes/6.news.md"] == ["fragment-type"])
        #expect(byFile["changes/notes.txt"] == ["fragment-type"])
        #expect(findings.count == 7)
    }

    @Test func emptyFragmentsOfTypesWithoutContentAreFine() {
        var settings = TowncrierSettings(directory: "changes")
        settings.typesWithoutContent = ["misc"]
        let files: [NotesRules.FragmentFile] = [.init(path: "changes/7.misc.md", content: [], size: 0), .init(path: "changes/8.doc.md", content: [], size: 0)]
        #expect(NotesRules.fragmentFindings(files, settings: settings).map { $0.file ?? "" } == ["changes/8.doc.md"])
    }

    @Test func aReleasesSectionOfItsNotesFile() {
        let markdown = """
            # Changelog

            <!-- towncrier release notes start -->

            ## 26.4.10 (2026-05-01)

            ### Fixes

            - Ten.

            ## 26.4.1 (2026-04-20)

            ### Fixes

            - One. See 26.4.10 later.

            ## 26.4.0 (2026-04-02)

            - First.

            """
        #expect(ReleaseNotesSection.extract(from: markdown, versions: ["26.4.1"]) == "## 26.4.1 (2026-04-20)\n\n### Fixes\n\n- One. See 26.4.10 later.\n")
        #expect(ReleaseNotesSection.extract(from: markdown, versions: ["26.4.0"]) == "## 26.4.0 (2026-04-02)\n\n- First.\n")
        #expect(ReleaseNotesSection.extract(from: markdown, versions: ["26.4.2"]) == nil)
        let rst = """
            26.4.1 (2026-04-20)
            ===================

            Fixes
            -----

            - One.


            26.4.0 (2026-04-02)
            ===================

            - First.
            """
        #expect(ReleaseNotesSection.extract(from: rst, versions: ["26.04.1", "26.4.1"]) == "26.4.1 (2026-04-20)\n===================\n\nFixes\n-----\n\n- One.\n")
    }
}
