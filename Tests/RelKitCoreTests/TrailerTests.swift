import Testing

@testable import RelKitCore

@Suite("Trailers")
struct TrailerTests {
    @Test func conflictsBlockAndCommentsAtTheEnd() {
        let message =
            "fix: handle empty widget (#1234)\n\n\nNote: this line looks like a trailer\n  indented prose\nFix the frobnicator when the widget is empty.\n\n\nNote: this line looks like a trailer\n# a comment line\nhttps://example.com/pr/1\n\n\nRefs: a\n  continued value\nhttps://example.com/pr/1\nConflicts:\n   \n\n# Please enter the commit message\n#\n\n"
        #expect(Trailers.parse(message).map(\.description) == ["Refs: a continued value", "https: //example.com/pr/1", "Conflicts: "])
    }

    /// A last line without its newline is read as if it had one (as git 2.47 reads it; git 2.39
    /// took a last "Conflicts:" for a trailer): an old conflicts block, below the new trailers.
    @Test func aLastLineWithoutItsNewlineIsReadAsACompleteLine() {
        #expect(Trailers.parse("Add feature\n\n\nConflicts:").isEmpty)
        #expect(Trailers.parse("Add feature\n\nSigned-off-by: A <a@x>\nConflicts:").map(\.description) == ["Signed-off-by: A <a@x>"])
        let added = Trailers.adding([.init(key: "Backported-From", value: "main")], to: "Add feature\n\n\nConflicts:")
        #expect(added == "Add feature\n\nBackported-From: main\n\n\nConflicts:\n")
    }
}
