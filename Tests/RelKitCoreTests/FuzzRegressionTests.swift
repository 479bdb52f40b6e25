import Testing

@testable import RelKitCore

/// Inputs the fuzzers (Fuzz/) found, kept with the property they broke.
@Suite("Fuzz findings")
struct FuzzRegressionTests {
    let added = [Trailers.Trailer(key: "Backported-From", value: "main"), Trailers.Trailer(key: "Backported-To", value: "24.03")]

    /// The message's trailers and the added ones are all read back, and adding again changes nothing.
    func expectAddingKeepsEveryTrailer(_ message: String) {
        let before = Trailers.parse(message)
        let result = Trailers.adding(added, to: message)
        #expect(Trailers.parse(result) == before + added, "\(result.debugDescription)")
        #expect(Trailers.adding(added, to: result) == result)
    }

    /// A last line "---" without a newline became a patch separator once terminated, which hid
    /// the new trailers from git.
    @Test func lastLineOfDashesWithoutNewline() {
        expectAddingKeepsEveryTrailer("---")
        expectAddingKeepsEveryTrailer("fix: x\n\nbody\n---")
        #expect(Trailers.adding(added, to: "fix: x\n\nbody\n---").hasPrefix("fix: x\n\nbody\n\nBackported-From: main\nBackported-To: 24.03\n---\n"))
    }

    /// A comment line and a whitespace-only last line after the block: the new trailers went
    /// after the comment, in a paragraph of their own, and the old trailer fell out of the block.
    @Test func commentAndBlankLineAfterTheBlock() {
        expectAddingKeepsEveryTrailer("fix: y\no\n\n\ntfix:edain\n\n#---tnc>\n ")
        expectAddingKeepsEveryTrailer("fix: y\n\nSigned-off-by: A <a@b>\n# comment\n\n")
    }

    @Test func emptyMessage() {
        #expect(Trailers.parse(Trailers.adding(added, to: "")) == added)
    }
}
