import Foundation
import RelKitTestSupport
import Testing

/// Every example relkit shows (the `relkit ...` lines of each `--help`, the `$ relkit ...` lines
/// of docs/) runs against the demo monorepo (issue 22: `relkit bump --help`'s failed there).
/// Read from where they are written: there is no second copy to keep.
@Suite("examples: every one in --help and docs/ runs on the demo", .serialized)
struct ExampleTests {
    /// The commands whose help is read: the rows of the exit-code table.
    static let commands = [
        "check", "status", "init", "bump", "cut", "tag", "backport", "backport audit", "trailers check",
        "version validate", "version normalize", "version next", "version compare", "version sort",
        "version show", "upgrade"
    ]

    /// The demo as Examples/demo.sh sets it up, with what the examples take as given: release
    /// branches 26.09 and 26.03 (the maintained ones) at their tags, a fix on main, a file of
    /// versions, a commit message.
    static let demo: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relkit-examples-\(UUID().uuidString)").path
        let setup = """
            bash '\(packageRoot)/Examples/demo.sh' --setup '\(directory)' >/dev/null
            cd '\(directory)'
            git branch 26.09 26.09.0 && git branch 26.03 26.03.1
            echo 'FIXED = True' > src/ai/backend/manager/fix.py && git add -A && git commit -qm 'fix: a crash on empty input (#2001)'
            printf '24.03.0\\n24.3.0rc1\\n' > versions.txt
            """
        let result = try? runProcess("/bin/bash", ["-e", "-c", setup], environment: gitEnvironment)
        precondition(result?.status == 0, "the demo setup failed: \(result?.stderr ?? "")")
        return directory
    }()

    /// Runs `script` (lines of a shell) in a fresh copy of the demo; the copy is removed after.
    func run(_ script: String) throws -> ProcessResult {
        let copy = Self.demo + "-" + UUID().uuidString.prefix(8)
        try runProcess("cp", ["-a", Self.demo, copy])
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var environment = releaseEnvironment
        environment["PATH"] = URL(fileURLWithPath: relkitBinary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return try runProcess("/bin/bash", ["-c", script], environment: environment, directory: copy)
    }

    /// An example ran: 0, or 1 where what it shows is a finding or a refusal; never a usage error
    /// (2: an unknown revision, a misspelt version) or a repository-state error (3).
    func expectRan(_ example: String, _ result: ProcessResult, from place: String) {
        #expect(result.status == 0 || result.status == 1, "\(place): `\(example)` exits \(result.status): \(result.stderr)")
    }

    @Test func helpExamplesRun() throws {
        var examples: [(command: String, example: String)] = []
        for command in Self.commands {
            let help = try relkit(command.split(separator: " ").map(String.init) + ["--help"], environment: ["COLUMNS": "100000"])
            let discussion = help.stdout.components(separatedBy: "\nUSAGE:")[0]
            for line in discussion.split(separator: "\n") where line.hasPrefix("  relkit ") {
                examples.append((command, line.trimmingCharacters(in: .whitespaces)))
            }
        }
        #expect(examples.count >= 25)
        for (command, example) in examples {
            let result = try run(example)
            expectRan(example, result, from: "relkit \(command) --help")
            // "# 24.03.2" after a version command is its output.
            if example.hasPrefix("relkit version next") || example.hasPrefix("relkit version compare"),
                let comment = example.components(separatedBy: "# ").dropFirst().first
            {
                #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == comment.trimmingCharacters(in: .whitespaces), "`\(example)`")
            }
        }
    }

    @Test func docsExamplesRunBlockByBlock() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/docs").filter { $0.hasSuffix(".md") }.sorted()
        var count = 0
        for file in files {
            let text = try String(contentsOfFile: packageRoot + "/docs/" + file, encoding: .utf8)
            // Each console block is a session: its commands run in order on one copy of the demo,
            // after the state it starts from, when the block says so in a comment before it
            // (`<!-- example-setup: relkit cut 26.11 -->`, not shown on the page).
            let parts = text.components(separatedBy: "```console\n")
            for (before, block) in zip(parts, parts.dropFirst()) {
                // Each command with what the page shows it print: a command shown failing (an
                // error or an invalid version in its output, "# exit 1" after it) may exit 1; any
                // other must exit 0.
                var commands: [String] = []
                var shownFailing: [Bool] = []
                for line in block.components(separatedBy: "\n```")[0].split(separator: "\n") {
                    if line.hasPrefix("$ ") {
                        commands.append(String(line.dropFirst(2)))
                        shownFailing.append(line.contains("# exit 1"))
                    } else if !commands.isEmpty, ["error:", "::error", "invalid", "(exit 1"].contains(where: { line.contains($0) }) {
                        shownFailing[shownFailing.count - 1] = true
                    }
                }
                guard commands.contains(where: { $0.hasPrefix("relkit ") || $0.contains("| relkit ") }) else { continue }
                count += commands.count
                var setup = ""
                if before.hasSuffix(" -->\n"), let marker = before.range(of: "<!-- example-setup: ", options: .backwards) {
                    setup = String(before[marker.upperBound...].dropLast(" -->\n".count)) + " >/dev/null || exit 99\n"
                }
                // Each command's status, one line each, after what it printed.
                let script = setup + commands.map { "\($0)\necho \"relkit-example-status=$?\"" }.joined(separator: "\n")
                let result = try run(script)
                let statuses = result.stdout.split(separator: "\n").filter { $0.hasPrefix("relkit-example-status=") }.map { Int32($0.dropFirst(22))! }
                #expect(statuses.count == commands.count, "docs/\(file)")
                for ((command, failing), status) in zip(zip(commands, shownFailing), statuses) {
                    #expect(status == 0 || (failing && status == 1), "docs/\(file): `\(command)` exits \(status): \(result.stderr)")
                }
            }
        }
        #expect(count >= 20)
    }
}
