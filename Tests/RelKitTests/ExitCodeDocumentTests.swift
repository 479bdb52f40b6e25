import Foundation
import RelKit
import RelKitTestSupport
import Testing

/// README.md and docs/exit-codes.md hold the one exit-code table of Sources/RelKit/Support/ExitCodes.swift,
/// and every command's help says what its codes mean from it (issue 22: they once disagreed).
@Suite("exit codes: one table, everywhere the same")
struct ExitCodeDocumentTests {
    /// `text` with what lies between `<!-- exit-codes:NAME -->` and the next end marker replaced.
    func filled(_ text: String, _ name: String, with table: String) throws -> String {
        let start = "<!-- exit-codes:\(name) -->\n"
        let end = "<!-- exit-codes:end -->"
        let open = try #require(text.range(of: start), "\(name) marker")
        let close = try #require(text.range(of: end, range: open.upperBound..<text.endIndex))
        return text.replacingCharacters(in: open.upperBound..<close.lowerBound, with: table + "\n")
    }

    @Test func theDocumentsHoldTheTable() throws {
        for (file, parts) in [
            ("README.md", [("general", ExitCodes.generalMarkdown)]),
            ("docs/exit-codes.md", [("general", ExitCodes.generalMarkdown), ("commands", ExitCodes.commandsMarkdown)])
        ] {
            let path = packageRoot + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var expected = text
            for (name, table) in parts { expected = try filled(expected, name, with: table) }
            if ProcessInfo.processInfo.environment["RELKIT_UPDATE_DOCS"] == "1" { try expected.write(toFile: path, atomically: true, encoding: .utf8) }
            #expect(text == expected, "\(file) is not the table of ExitCodes.swift: RELKIT_UPDATE_DOCS=1 swift test --filter ExitCodeDocumentTests")
        }
    }

    @Test func noDocumentKeepsExitCodesOfItsOwn() throws {
        // No other "Exit codes" text survives in the documents.
        for file in try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/docs") where file.hasSuffix(".md") && file != "exit-codes.md" {
            let text = try String(contentsOfFile: packageRoot + "/docs/" + file, encoding: .utf8)
            #expect(!text.contains("Exit codes: 0"), "docs/\(file) keeps its own exit codes; link docs/exit-codes.md")
        }
    }
}
