import Foundation
import RelKitTestSupport
import Testing

/// action.yml, .pre-commit-hooks.yaml and the commit-msg hook run the command lines they define,
/// with the built relkit first on PATH, as a runner or a developer's machine would.
@Suite("CI and hook integrations, end to end")
struct IntegrationEndToEndTests {
    var environmentWithRelkit: [String: String] {
        var environment = releaseEnvironment
        let directory = URL(fileURLWithPath: relkitBinary).deletingLastPathComponent().path
        environment["PATH"] = directory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return environment
    }

    /// The values of `key:` lines of a small YAML file, in order (`run: ...`, `entry: ...`).
    func values(of key: String, in file: String) throws -> [String] {
        try String(contentsOfFile: packageRoot + "/" + file, encoding: .utf8)
            .split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("- \(key): ") || $0.hasPrefix("\(key): ") }
            .map { String($0.drop(while: { $0 == "-" || $0 == " " }).dropFirst(key.count + 2)) }
    }

    func bash(_ script: String, in directory: String, environment: [String: String]) throws -> ProcessResult {
        try runProcess("/bin/bash", ["-c", script], environment: environment, directory: directory)
    }

    @Test func actionInstallsThenAnnotates() throws {
        let runs = try values(of: "run", in: "action.yml")
        try #require(runs.count == 2, "an install step and a check step: \(runs)")
        let scratch = try ScratchDirectory("relkit-action")
        defer { scratch.remove() }
        var environment = environmentWithRelkit
        environment["GITHUB_ACTION_PATH"] = packageRoot
        environment["GITHUB_PATH"] = scratch.file("github-path")
        environment["RELKIT_ARGS"] = "--tags"

        let install = try bash(runs[0], in: scratch.path, environment: environment)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains("is installed: \(relkitBinary)"), "relkit on PATH is used, not built again")

        let planted = try ScratchRepository(fixture: "check/planted")
        defer { planted.remove() }
        let findings = try bash(runs[1], in: planted.path, environment: environment)
        #expect(findings.status == 1)
        let annotations = findings.stdoutLines.dropLast()
        #expect(!annotations.isEmpty && annotations.allSatisfy { $0.hasPrefix("::error ") || $0.hasPrefix("::warning ") }, "\(annotations)")
        #expect(findings.stdoutLines.last?.hasPrefix("relkit check: 8 errors") == true, "a summary for the log")
        #expect(annotations.contains { $0.hasPrefix("::error file=requirements.txt,line=") })

        let clean = try ScratchRepository(fixture: "check/clean")
        defer { clean.remove() }
        let passed = try bash(runs[1], in: clean.path, environment: environment)
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
    }

    @Test func preCommitHooksRunTheirEntries() throws {
        let ids = try values(of: "id", in: ".pre-commit-hooks.yaml")
        let entries = try values(of: "entry", in: ".pre-commit-hooks.yaml")
        try #require(ids == ["relkit-check", "relkit-trailers"] && entries.count == 2)
        let environment = environmentWithRelkit

        let clean = try ScratchRepository(fixture: "check/clean")
        defer { clean.remove() }
        #expect(try bash(entries[0], in: clean.path, environment: environment).status == 0)
        let planted = try ScratchRepository(fixture: "check/planted")
        defer { planted.remove() }
        #expect(try bash(entries[0], in: planted.path, environment: environment).status == 1)

        // pre-commit passes the commit message file to a commit-msg hook.
        try clean.write(".git/COMMIT_EDITMSG", "fix: x\n\nBackported-From: main\nBackported-To: 26.11\n")
        #expect(try bash(entries[1] + " .git/COMMIT_EDITMSG", in: clean.path, environment: environment).status == 0)
        try clean.write(".git/COMMIT_EDITMSG", "fix: x\n\nBackported-From: main\nBackported-To: 26.11\nsee the issue\n")
        let misplaced = try bash(entries[1] + " .git/COMMIT_EDITMSG", in: clean.path, environment: environment)
        #expect(misplaced.status == 1)
        #expect(misplaced.stdout.contains(".git/COMMIT_EDITMSG:3: error: 'Backported-From:' is not in the trailer block"))
    }

    @Test func commitMsgHookGuardsCommits() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let hook = repository.path + "/.git/hooks/commit-msg"
        try? FileManager.default.removeItem(atPath: hook)
        try FileManager.default.copyItem(atPath: packageRoot + "/Examples/hooks/commit-msg", toPath: hook)
        let environment = environmentWithRelkit
        func commit(_ message: String) throws -> ProcessResult {
            try repository.write("change.txt", message)
            _ = try repository.git("add", "change.txt")
            return try runProcess("git", ["commit", "-q", "-m", message], environment: environment, directory: repository.path)
        }
        let head = try repository.git("rev-parse", "HEAD")
        let refused = try commit("fix: y\n\nBackported-To: 26.1\nBackported-From: main")
        #expect(refused.status != 0)
        // git runs hooks with their standard output sent to standard error.
        #expect(refused.stderr.contains(".git/COMMIT_EDITMSG:3: error: Backported-To: release line '26.1' is spelled '26.01'"), "\(refused.stderr)")
        #expect(try repository.git("rev-parse", "HEAD") == head, "the commit was not made")
        #expect(try commit("feat: z").status == 0, "on main a commit need not be a backport")

        try repository.git("checkout", "-q", "-b", "26.11")
        #expect(try commit("hand-made change on the release line").status != 0, "on a release branch a commit is a backport")
        #expect(try commit("fix: w (#5)\n\nBackported-From: main\nBackported-To: 26.11").status == 0)
    }

    /// README's 60-second tour, pasted as it is into one shell: every line succeeds.
    @Test func readmeTourRunsLineByLine() throws {
        let readme = try String(contentsOfFile: packageRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- tour:start -->\n```sh\n"))
        let end = try #require(readme.range(of: "```\n<!-- tour:end -->"))
        let tour = String(readme[start.upperBound..<end.lowerBound])
        #expect(tour.split(separator: "\n").count >= 18)
        for command in [
            "status", "check", "version validate", "version normalize", "version sort", "version compare", "version show",
            "version next", "bump", "cut", "tag", "backport ", "backport audit", "trailers check", "init"
        ] {
            #expect(tour.contains("relkit \(command)"), "the tour shows relkit \(command)")
        }
        try? FileManager.default.removeItem(atPath: "/tmp/relkit-tour")
        defer { try? FileManager.default.removeItem(atPath: "/tmp/relkit-tour") }
        var environment = gitEnvironment
        environment["PATH"] = URL(fileURLWithPath: relkitBinary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let result = try runProcess("/bin/bash", ["-e", "-c", tour], environment: environment, directory: packageRoot)
        #expect(result.status == 0, "\(result.stdout.suffix(1500))\(result.stderr.suffix(1500))")
        #expect(result.stdout.contains("picked        "), "the backport picked the fix")
        #expect(result.stdout.contains("relkit trailers check: (stdin) is fine (2 trailers)"))
    }

    /// RELEASING.md's commands, in order, on a clone of relkit's own repository: relkit releases
    /// itself by its own .release.toml (VERSION and the constant `relkit --version` prints).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: packageRoot + "/.git"), "needs relkit's own git repository"))
    func releasingRelkitWithRelkit() throws {
        let scratch = try ScratchDirectory("relkit-self")
        defer { scratch.remove() }
        let clone = scratch.path + "/relkit"
        try runProcess("git", ["clone", "-q", "--no-local", packageRoot, clone], environment: gitEnvironment)
        let git = { (arguments: [String]) throws -> String in
            try runProcess("git", ["-C", clone] + arguments, environment: gitEnvironment).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git(["checkout", "-q", "-B", "main"])
        let version = try String(contentsOfFile: clone + "/VERSION", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let line = String(version.prefix(5)) // 26.11.0.dev0 -> 26.11
        let releasing = try String(contentsOfFile: packageRoot + "/RELEASING.md", encoding: .utf8)
        let commands = releasing.split(separator: "\n").filter { $0.hasPrefix("$R ") }.map { line -> [String] in
            let command = line.split(separator: "#", maxSplits: 1)[0]
            return command.split(separator: " ").dropFirst().map(String.init)
        }
        #expect(commands.count >= 8, "\(commands)")
        var environment = releaseEnvironment
        environment["RELKIT_LOCK_TIMEOUT"] = "2"
        var fix: String?
        for template in commands {
            if template.contains("<commit>...") && fix == nil {
                // A fix lands on main after the cut, as RELEASING.md says.
                try "fixed\n".write(toFile: clone + "/FIX.txt", atomically: true, encoding: .utf8)
                _ = try git(["add", "FIX.txt"])
                _ = try git(["commit", "-q", "-m", "fix: a crash in relkit (#42)"])
                fix = try git(["rev-parse", "HEAD"])
            }
            let arguments = template.map { $0 == "<commit>..." ? fix ?? $0 : $0.replacingOccurrences(of: "26.11", with: line) }
            let result = try runProcess(relkitBinary, arguments, environment: environment, directory: clone)
            #expect(result.status == 0, "relkit \(arguments.joined(separator: " ")): \(result.stdout.suffix(800))\(result.stderr)")
        }
        #expect(try git(["tag", "--list"]).split(separator: "\n") == ["\(line).0", "\(line).1"], "the release and the patch release are tagged")
        for patch in ["0", "1"] {
            let info = try git(["show", "\(line).\(patch):Sources/relkit/RelKitInfo.swift"])
            #expect(info.contains("static let version = \"\(line).\(patch)\""), "relkit --version of \(line).\(patch) says so")
        }
        #expect(try git(["log", "-1", "--format=%B", "\(line).1~1"]) == "fix: a crash in relkit (#42)\n\n(cherry picked from commit \(fix!))\nBackported-From: main\nBackported-To: \(line)")
        #expect(try git(["show", "main:VERSION"]) != version, "main moved on to the next development version")
    }
}
