import Testing
@testable import RelKitCore

@Suite("Trailers")
struct TrailerTests {
    @Test func conflictsBlockAndCommentsAtTheEnd() {
        let message = "fix: handle empty widget (#1234)\n\n\nNote: this line looks like a trailer\n  indented prose\nFix the frobnicator when the widget is empty.\n\n\nNote: this line looks like a trailer\n# a comment line\nhttps://example.com/pr/1\n\n\nRefs: a\n  continued value\nhttps://example.com/pr/1\nConflicts:\n   \n\n# Please enter the commit message\n#\n\n"
        #expect(Trailers.parse(message).map(\.description) == ["Refs: a continued value", "https: //example.com/pr/1", "Conflicts: "])
    }
}
