import Foundation
import RelKitTestSupport
import Testing

/// `relkit notes show` on the demo monorepo: a patch release whose notes towncrier wrote into the
/// line's file (towncrier itself, the pinned one, is run here), the release before it found, and
/// the notes section exactly what towncrier rendered.
@Suite("relkit notes show: a release page, end to end")
struct NotesShowTests {
    /// The demo with 26.09.1 released on branch 26.09: towncrier wrote CHANGELOG/26.09.md from
    /// the demo's fragments. Returns the repository and what towncrier's draft printed.
    static func demoWithNotes() throws -> (ScratchDirectory, String) {
        let scratch = try ScratchDirectory()
        let root = scratch.file("demo")
        let script = """
            set -e
            bash '\(packageRoot)/Examples/demo.sh' --setup '\(root)' >/dev/null
            cd '\(root)'
            git checkout -q -b 26.09 26.09.0
            sed 's|filename = "CHANGELOG.md"|filename = "CHANGELOG/26.09.md"|' towncrier.toml > ../towncrier.toml
            mkdir -p CHANGELOG
            python3 -m towncrier build --config ../towncrier.toml --dir . --version 26.9.1 --date 2026-10-01 --draft 2>/dev/null > ../draft.md
            python3 -m towncrier build --config ../towncrier.toml --dir . --version 26.9.1 --date 2026-10-01 --yes >/dev/null 2>&1
            git add -A && git commit -qm 'docs: release notes of 26.9.1'
            git tag -a 26.09.1 -m 'Release 26.09.1'
            """
        let result = try runProcess("/bin/bash", ["-c", script], environment: gitEnvironment)
        guard result.status == 0 else { throw GitCommandError(description: "demo with notes: \(result.stderr)") }
        return (scratch, try String(contentsOfFile: scratch.file("draft.md"), encoding: .utf8))
    }

    @Test func aReleasesNotesAndItsUpgradeReport() throws {
        let (scratch, draft) = try Self.demoWithNotes()
        defer { scratch.remove() }
        let root = scratch.file("demo")
        let json = try relkit(["notes", "show", "26.9.1", "--format", "json"], in: root)
        #expect(json.status == 0, "\(json.stderr)")
        let page = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(page["tag"] as? String == "26.09.1" && page["notes_file"] as? String == "CHANGELOG/26.09.md")
        // The section is what towncrier rendered (its draft ends with blank lines the file keeps apart).
        let notes = try #require(page["notes"] as? String)
        #expect(notes == draft.trimmingCharacters(in: .newlines) + "\n", "\(notes)\n---\n\(draft)")
        #expect(notes.contains("### Miscellaneous") && notes.contains("A typo in the README is fixed."))
        // From the previous final release of the line (not the old-spelled 26.09.1.rc1 tag).
        #expect(page["previous"] as? String == "26.09.0")
        let upgrade = try #require(page["upgrade"] as? [String: Any])
        #expect((upgrade["from"] as? [String: Any])?["revision"] as? String == "26.09.0")

        let markdown = try relkit(["notes", "show", "26.09.1", "--format", "markdown"], in: root)
        #expect(markdown.status == 0)
        #expect(markdown.stdout.hasPrefix("# 26.09.1\n\n## 26.9.1 (2026-10-01)\n"))
        #expect(markdown.stdout.contains("## Upgrading from 26.09.0 to 26.09.1"), "\(markdown.stdout)")
    }

    @Test func aReleaseWithoutNotesAndTheFirstOfALine() throws {
        let (scratch, _) = try Self.demoWithNotes()
        defer { scratch.remove() }
        let root = scratch.file("demo")
        // 26.09.0: its line's file did not exist then; the first of its line, so from 26.03.1.
        let text = try relkit(["notes", "show", "26.09.0"], in: root)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("(no release notes: CHANGELOG/26.09.md does not exist at 26.09.0)"))
        #expect(text.stdout.contains("From 26.03.1 ("), "\(text.stdout)")
        // The oldest release has nothing before it.
        let first = try relkit(["notes", "show", "26.03.0"], in: root)
        #expect(first.status == 0)
        #expect(first.stdout.contains("(no earlier release to upgrade from)"))
    }

    @Test func usageErrors() throws {
        let (scratch, _) = try Self.demoWithNotes()
        defer { scratch.remove() }
        let root = scratch.file("demo")
        let untagged = try relkit(["notes", "show", "26.10.0"], in: root)
        #expect(untagged.status == 2)
        #expect(untagged.stderr == "error: 26.10.0 is not released: no tag 26.10.0 (relkit tag makes one)\n")
        let invalid = try relkit(["notes", "show", "banana"], in: root)
        #expect(invalid.status == 2)
        #expect(invalid.stderr.hasPrefix("error: 'banana' is not a version"))
    }
}
