import Foundation
import RelKitCore
import RelKitTestSupport
import Testing

/// Commit messages in many shapes: titles, bodies, trailer blocks of every kind, `---` patch parts,
/// comments, continuation lines, missing final newlines.
struct MessageGenerator {
    var random: SeededGenerator

    mutating func pick<T>(_ options: [T]) -> T { options.randomElement(using: &random)! }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func trailerLine() -> String {
        pick([
            "Signed-off-by: Ada Lovelace <ada@example.com>", "Co-authored-by: Grace <grace@example.com>",
            "Reviewed-by: Linus <l@example.com>", "Backported-from: main (26.2)", "Backport-of: 9571",
            "Fixes: #123", "Bug #42", "Change-Id: I0123456789abcdef", "Closes:#9", "Acked-by :  Someone  ",
            "(cherry picked from commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b)", "https://example.com/pr/1",
            "Key With Space: value", "X: y", "Refs: a\n  continued value", "Signed-off-by: Bob <b@example.com>"
        ])
    }

    mutating func proseLine() -> String {
        pick([
            "Fix the frobnicator when the widget is empty.", "This changes how things work:", "  indented prose",
            "- a bullet point", "Note: this line looks like a trailer", "#123 is the issue", "---", "--- a/file",
            "see https://example.com for details", "   ", "# a comment line", "Conflicts:", "\tsrc/file.py"
        ])
    }

    mutating func message() -> String {
        var paragraphs: [String] = [pick(["fix: handle empty widget (#1234)", "Add feature", "Signed-off-by: Title Only <t@x>", "feat(core): thing"])]
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            paragraphs.append((0..<Int.random(in: 1...3, using: &random)).map { _ in chance(30) ? trailerLine() : proseLine() }.joined(separator: "\n"))
        }
        if chance(70) {
            paragraphs.append((0..<Int.random(in: 1...4, using: &random)).map { _ in chance(85) ? trailerLine() : proseLine() }.joined(separator: "\n"))
        }
        var text = paragraphs.joined(separator: pick(["\n\n", "\n\n", "\n", "\n\n\n"]))
        if chance(15) { text += "\n---\n file | 2 +-\n" }
        if chance(10) { text += "\n\n# Please enter the commit message\n#\n" }
        if chance(80) { text += "\n" }
        return text
    }
}

@Suite("Differential: trailers against git interpret-trailers")
struct TrailerDifferentialTests {
    /// git 2.39 and 2.47 read a message whose last line has no newline differently (2.39 takes a
    /// last `Conflicts:` for a trailer, 2.47 for an old conflicts block); relkit reads every
    /// message as complete lines, as 2.47 does, and each git reads that form alike. So git is asked
    /// about the terminated message, whichever git this is.
    func terminated(_ message: String) -> String { message.isEmpty || message.hasSuffix("\n") ? message : message + "\n" }

    func git(_ arguments: [String], _ message: String) throws -> String {
        let result = try runProcess("git", ["interpret-trailers"] + arguments, stdin: Data(message.utf8), environment: gitEnvironment)
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func parsingAgreesWithGit() throws {
        var generator = MessageGenerator(random: SeededGenerator(seed: 42))
        var disagreements: [String] = []
        var withTrailers = 0
        for _ in 0..<300 {
            let message = generator.message()
            let expected = try git(["--parse"], terminated(message))
            let parsed = Trailers.parse(message)
            if !parsed.isEmpty { withTrailers += 1 }
            let ours = parsed.map { "\($0)\n" }.joined()
            if ours != expected { disagreements.append("\(message.debugDescription): git \(expected.debugDescription), relkit \(ours.debugDescription)") }
        }
        #expect(withTrailers > 100, "the generator makes messages with and without trailer blocks")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements: \(disagreements.prefix(5))")
    }

    /// git rewrites the existing trailer lines it passes through (`Closes:#9` -> `Closes: #9`);
    /// relkit keeps every byte of the message and only inserts. So: git must read the same
    /// trailers, in the same order, from both results, and relkit's result must be the message
    /// with the new lines (and at most the line breaks that separate them) inserted.
    @Test func addingAgreesWithGit() throws {
        var generator = MessageGenerator(random: SeededGenerator(seed: 7))
        var disagreements: [String] = []
        let added = [Trailers.Trailer(key: "Backported-From", value: "main"), Trailers.Trailer(key: "Backported-To", value: "24.03")]
        let addedText = "Backported-From: main\nBackported-To: 24.03\n"
        var compared = 0
        for _ in 0..<300 {
            let message = generator.message()
            let theirs = try git(["--trailer", "Backported-From: main", "--trailer", "Backported-To: 24.03"], terminated(message))
            let ours = Trailers.adding(added, to: message)
            let parsedOurs = try git(["--parse"], ours)
            let parsedTheirs = try git(["--parse"], theirs)
            // git must read back every trailer the message had, then the new ones. git's own
            // insertion does not always manage it (after a whitespace-only or comment line at the
            // end it starts a paragraph of its own); relkit must, and agree with git where git does.
            let everyTrailer = try git(["--parse"], terminated(message)) + addedText
            if parsedTheirs == everyTrailer { compared += 1 }
            if parsedOurs != everyTrailer {
                disagreements.append("\(message.debugDescription): git reads \(parsedOurs.debugDescription) from relkit's result, \(parsedTheirs.debugDescription) from git's")
            }
            if !parsedOurs.hasSuffix(addedText) { disagreements.append("trailers not last: \(ours.debugDescription)") }
            let rest = ours.replacingOccurrences(of: addedText, with: "")
            let extra = rest.utf8.count - message.utf8.count
            if !(0...2).contains(extra) || rest.replacingOccurrences(of: "\n", with: "") != message.replacingOccurrences(of: "\n", with: "") {
                disagreements.append("changed more than it inserted: \(message.debugDescription) -> \(ours.debugDescription)")
            }
        }
        #expect(compared > 250, "most cases are compared with git's own result")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements: \(disagreements.prefix(5))")
    }

    @Test func trailersAreNeverDuplicated() {
        let message = "fix: x\n\nBackported-from: main\nSigned-off-by: A <a@x>\n"
        let result = Trailers.adding([.init(key: "Backported-From", value: "main"), .init(key: "Backported-To", value: "24.03")], to: message)
        #expect(result == "fix: x\n\nBackported-from: main\nSigned-off-by: A <a@x>\nBackported-To: 24.03\n")
        #expect(Trailers.adding([.init(key: "Backported-From", value: "main")], to: message) == message)
    }
}

@Suite("Differential: relkit trailers check against git interpret-trailers")
struct TrailerCheckDifferentialTests {
    /// Every `Backported-from:` line git does not read as a trailer is reported as misplaced, and
    /// no other; every trailer found sits on the line reported for it.
    @Test func misplacedLinesAreTheOnesGitDoesNotRead() throws {
        var generator = MessageGenerator(random: SeededGenerator(seed: 99))
        var disagreements: [String] = []
        var misplacedSeen = 0
        for _ in 0..<300 {
            let message = generator.message()
            let parsed = try runProcess("git", ["interpret-trailers", "--parse"], stdin: Data(message.utf8), environment: gitEnvironment).stdout
            let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
            let written = lines.filter { $0.hasPrefix("Backported-from:") }.count
            let read = parsed.split(separator: "\n").filter { $0.hasPrefix("Backported-from:") }.count
            let misplaced = Trailers.problems(in: message, keys: ["Backported-From"]).filter { $0.code == "misplaced" }
            misplacedSeen += misplaced.count
            if misplaced.count != written - read {
                disagreements.append("\(message.debugDescription): \(written) written, git reads \(read), relkit reports \(misplaced.count) misplaced")
            }
            for entry in Trailers.locate(message) where !lines[entry.line - 1].hasPrefix(entry.trailer.key) {
                disagreements.append("\(message.debugDescription): \(entry.trailer) is not on line \(entry.line)")
            }
        }
        #expect(misplacedSeen > 20, "the generator puts trailer-like lines in bodies")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements: \(disagreements.prefix(5))")
    }
}
