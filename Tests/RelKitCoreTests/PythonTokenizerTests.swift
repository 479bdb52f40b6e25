import RelKitTestSupport
import Testing

@testable import RelKitCore

/// The tokenizer's fast mode (statements not kept whole keep their first token only) must see the
/// same statements, levels and syntax errors as the full tokenization, on every input.
@Suite("Python tokenizer: the statements the revision parse reads")
struct PythonTokenizerTests {
    static let sources = [
        #"""
        """add the users table

        Revision ID: 1a2b3c4d5e6f
        Revises: 0f9e8d7c6b5a
        """
        from alembic import op
        import sqlalchemy as sa

        revision: str = "1a2b3c4d5e6f"
        down_revision = ('0f9e8d7c6b5a',
                         "77aa88bb99cc")
        branch_labels = None; depends_on = None

        def upgrade() -> None:
            op.execute(r"UPDATE t SET a = '\d' WHERE b = \"x\"")
            op.execute(f"SELECT {1 + 2}")
            x = b'bytes' + rb"raw" + u'unicode'
            y = [1, 2.5e-3, .5, 0x1F]; z = {'k': (1, 2)}
            revision = 'inside a function'
        if True:
            depends_on = 'inside a block'
        @decorator
        class Model:
            pass
        """#,
        "revision = 'a' \\\n  # comment\ndown_revision = None\n",
        "x = '''a\nb'''\nrevision = \"r\"\ndown_revision = ('a' 'b',)\n",
        "revision = 'a'\r\ndown_revision = None\r\nx = 1 \\\r\n + 2\r\n",
        "import os\nos.environ['a'] = \"b\"\nrevision += 'x'\ndown_revision: str\n"
    ]

    static let tricky = Array("'\"()[]{}\\\n#;=: rbf\t".utf8)

    static func wanted(_ token: Token, _ index: Int) -> Bool {
        if index == 0 { return true }
        if case .name(let name) = token.kind { return ["revision", "down_revision", "branch_labels", "depends_on"].contains(name) }
        return false
    }

    /// Either the same error, or the same statements (kept ones whole, the rest by their first token).
    static func compare(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        var full = PythonTokenizer(text)
        var fast = PythonTokenizer(text)
        let whole: Result<[Statement], PythonSyntaxError> = Result { () throws(PythonSyntaxError) in try full.statements() }
        let filtered: Result<[Statement], PythonSyntaxError> = Result { () throws(PythonSyntaxError) in try fast.statements(keepingWhole: wanted) }
        switch (whole, filtered) {
        case (.failure(let a), .failure(let b)):
            return a.line == b.line && a.message == b.message ? nil : "errors differ: \(a) / \(b)"
        case (.success(let a), .success(let b)):
            guard a.count == b.count else { return "\(a.count) statements, fast \(b.count)" }
            for (index, (x, y)) in zip(a, b).enumerated() {
                guard x.isTopLevel == y.isTopLevel, x.tokens.first == y.tokens.first else { return "statement \(index) differs" }
                if wanted(x.tokens[0], index) ? x.tokens != y.tokens : y.tokens.count != 1 { return "statement \(index) kept wrongly" }
            }
            return nil
        default:
            return "one failed, the other did not"
        }
    }

    @Test func fastModeSeesWhatTheFullTokenizationSees() {
        for source in Self.sources { #expect(Self.compare(Array(source.utf8)) == nil, "\(source)") }
    }

    @Test func fastModeAgreesOnMutatedSources() {
        var random = SeededGenerator(seed: 2026)
        var disagreements: [String] = []
        for round in 0..<3_000 {
            var bytes = Array(Self.sources[round % Self.sources.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0...bytes.count, using: &random)
                if Bool.random(using: &random), at < bytes.count { bytes.remove(at: at) } else { bytes.insert(Self.tricky.randomElement(using: &random)!, at: at) }
            }
            if let problem = Self.compare(bytes) { disagreements.append("\(problem): \(String(decoding: bytes, as: UTF8.self))") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
    }

    @Test func docstringFirstLineAsTrimmingTheWholeSays() {
        func reference(_ text: String) -> String {
            let trimmed = text.trimmingSpaces()
            return (trimmed.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "").trimmingSpaces()
        }
        for text in [
            "", "  ", "\n\n  add users  \n\nRevision ID: x\n", "one line", "abc  \n  ", "\r\n first\r\nsecond\r\n",
            "\t tab\u{A0}\n", "é\u{301} accent\nnext", "no newline at all   "
        ] {
            #expect(AlembicScript.firstLine(ofDocstring: text) == reference(text), "\(text.debugDescription)")
        }
    }

    @Test func lastComponentAsSplittingSays() {
        func reference(_ path: String) -> String {
            path.split(separator: "/").last.map(String.init) ?? (path.hasPrefix("/") ? "/" : "")
        }
        for path in ["", "/", "//", "a", "a/", "a//", "/a", "a/b", "a/b/", "/a/b//", "dir/é.py", "a/b/c.py", "x//y"] {
            #expect(PathText.lastComponent(path) == reference(path), "\(path)")
        }
    }
}
