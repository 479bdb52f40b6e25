import Foundation
import RelKitTestSupport
import Testing

/// The answers of the scale benchmark (make bench-scale, issue 26) on a small history of the same
/// generator: relkit's missing commits are git's `--cherry-pick` answer, which patch-ids decide,
/// with and without a commit-graph. (Its speed is measured by the benchmark, never here.)
@Suite("Generated histories: backport audit agrees with git log --cherry-pick")
struct ScaleHistoryTests {
    @Test func auditAgreesWithGitOnAGeneratedHistory() throws {
        let directory = try ScratchDirectory("relkit-scale")
        defer { directory.remove() }
        let root = directory.path + "/history"
        let made = try runProcess("python3", [packageRoot + "/Benchmarks/scale_history.py", root, "--commits", "240", "--base", "60"])
        try #require(made.status == 0, "\(made.stderr)")
        let expected = Set(try String(contentsOfFile: root + "/.git/expected-missing", encoding: .utf8).split(separator: "\n").map(String.init))
        #expect(expected.count == 232, "240 commits, every 30th backported")
        for graph in [false, true] {
            if graph { _ = try runProcess("git", ["commit-graph", "write", "--reachable", "--changed-paths"], environment: gitEnvironment, directory: root) }
            let git = try runProcess("git", ["log", "--cherry-pick", "--right-only", "--no-merges", "--format=%H", "24.03...main"], environment: gitEnvironment, directory: root)
            #expect(Set(git.stdout.split(separator: "\n").map(String.init)) == expected)
            let audit = try relkit(["backport", "audit", "--to", "24.03", "--format", "json"], in: root, environment: releaseEnvironment)
            #expect(audit.status == 0, "\(audit.stderr)")
            let commits = try #require(try json(audit.stdout)["commits"] as? [[String: Any]])
            let missing = Set(commits.filter { $0["status"] as? String == "missing" }.compactMap { $0["id"] as? String })
            #expect(missing == expected, "with\(graph ? "" : "out") a commit-graph: \(missing.symmetricDifference(expected).count) differ")
            #expect(commits.count == 240, "every commit of main since the branch point, once")
        }
    }

    /// The audit's JSON is streamed by relkit's own writer: it must be the text JSONEncoder prints
    /// (pretty, sorted keys, slashes as they are) for the same document, byte for byte, strings
    /// with quotes, backslashes, control characters and other scripts included.
    @Test func theStreamedAuditIsWhatJSONEncoderPrints() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try repository.git("branch", "26.11")
        for (index, subject) in ["fix: \"quoted\" back\\slash /path/é (#7)", "feat: tab\there \u{1b}[31mred\u{1b}[0m \u{7f} 日本", "fix: bell\u{7} and form\u{c}feed"].enumerated() {
            try repository.commit(["src/change\(index).txt": "\(index)\n"], message: subject)
        }
        let audit = try relkit(["backport", "audit", "--to", "26.11", "--format", "json"], in: repository.path, environment: releaseEnvironment)
        #expect(audit.status == 0, "\(audit.stderr)")
        let decoded = try JSONDecoder().decode(AnyJSON.self, from: Data(audit.stdout.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) + "\n" == audit.stdout)
        #expect(audit.stdout.contains("\\u001b[31mred"), "\(audit.stdout)")
    }
}

/// Any JSON value, decoded and encoded again by Foundation: the oracle of relkit's JSON writer.
enum AnyJSON: Codable, Equatable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case array([AnyJSON])
    case object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int.self) {
            self = .integer(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let values = try? container.decode([AnyJSON].self) {
            self = .array(values)
        } else {
            self = .object(try container.decode([String: AnyJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .bool(let flag): try container.encode(flag)
        case .null: try container.encodeNil()
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }
}
