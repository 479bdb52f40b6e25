import Foundation
import RelKit
import RelKitCore
import RelKitTestSupport
import Testing

/// Random histories: both branches edit, add, delete and chmod files; a random commit of main is
/// picked onto the release branch by relkit and by git. Where git picks cleanly, relkit must give
/// the same tree; where git stops on a conflict, relkit must stop too.
@Suite("Differential: backport against git cherry-pick on random histories")
struct BackportDifferentialTests {
    struct Editor {
        var random: SeededGenerator
        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

        mutating func lines(_ count: Int) -> [String] { (0..<count).map { "line \($0) \(int(0...3) == 0 ? "x" : "")" } }

        /// Some changes to a work tree: edit lines of a file, add a file, delete one, flip an exec bit.
        mutating func change(_ repository: ScratchRepository, files: inout [String: [String]]) throws {
            for _ in 0..<int(1...3) {
                let names = files.keys.sorted()
                switch int(0...9) {
                case 0...5:
                    guard let name = names.randomElement(using: &random) else { continue }
                    var content = files[name]!
                    let at = int(0...max(0, content.count - 1))
                    if content.isEmpty || int(0...2) == 0 { content.insert("new \(int(0...999))", at: min(at, content.count)) } else { content[at] = "edited \(int(0...999))" }
                    files[name] = content
                case 6...7:
                    let name = "dir\(int(0...2))/file\(int(0...30)).txt"
                    files[name] = lines(int(1...8))
                case 8:
                    guard names.count > 3, let name = names.randomElement(using: &random) else { continue }
                    files[name] = nil
                    try? FileManager.default.removeItem(atPath: repository.scratch.file(name))
                default:
                    guard let name = names.randomElement(using: &random) else { continue }
                    try repository.write(name, files[name]!.joined(separator: "\n") + "\n")
                    chmod(repository.scratch.file(name), int(0...1) == 0 ? 0o755 : 0o644)
                }
            }
            for (name, content) in files { try repository.write(name, content.joined(separator: "\n") + "\n") }
            try repository.git("add", "-A")
            try repository.git("commit", "-q", "--allow-empty", "-m", "change \(int(0...99999))")
        }
    }

    @Test(arguments: [false, true])
    func randomPicksAgreeWithGit(fullMergeOnly: Bool) throws {
        var editor = Editor(random: SeededGenerator(seed: fullMergeOnly ? 11 : 12))
        var compared = 0
        var conflicts = 0
        for round in 0..<12 {
            let scenario = try BackportScenario(base: [:])
            defer { scenario.repository.remove() }
            let repository = scenario.repository
            var files: [String: [String]] = [:]
            for index in 0..<6 { files["dir\(index % 3)/base\(index).txt"] = editor.lines(editor.int(3...12)) }
            try editor.change(repository, files: &files)
            try repository.git("branch", "-f", "26.11")
            let mainFiles = files
            try repository.git("checkout", "-q", "26.11")
            for _ in 0..<editor.int(0...3) { try editor.change(repository, files: &files) }
            try repository.git("checkout", "-q", "main")
            files = mainFiles
            var picks: [String] = []
            for _ in 0..<3 {
                try editor.change(repository, files: &files)
                picks.append(try repository.git("rev-parse", "HEAD"))
            }
            let pick = picks[editor.int(0...2)]
            let releaseTip = try repository.git("rev-parse", "26.11")
            let gitTree = try scenario.gitCherryPickTree([pick], onto: releaseTip)
            let environment = fullMergeOnly ? ["RELKIT_FULL_MERGE": "1"] : [:]
            var merged = gitEnvironment.merging(environment) { $1 }
            merged["RELKIT_LOCK_TIMEOUT"] = "0.5"
            let result = try runProcess(
                relkitBinaryForIntegration, ["backport", pick, "--to", "26.11", "--format", "json"],
                environment: merged, directory: repository.path)
            if let gitTree {
                #expect(result.status == 0, "round \(round): git picked cleanly, relkit: \(result.stdout) \(result.stderr)")
                let relkitTree = try repository.git("rev-parse", "26.11^{tree}")
                // An empty pick: git made an empty commit; relkit skipped it.
                if try gitTree == repository.git("rev-parse", "\(releaseTip)^{tree}") {
                    #expect(relkitTree == gitTree)
                } else {
                    #expect(relkitTree == gitTree, "round \(round): relkit's tree differs from git's")
                }
                compared += 1
            } else {
                #expect(result.status == 1, "round \(round): git stopped on a conflict, relkit: \(result.stdout) \(result.stderr)")
                conflicts += 1
                _ = try? Backport.abort(directory: repository.path) { _ in }
            }
        }
        #expect(compared >= 6, "most rounds pick cleanly (\(compared) clean, \(conflicts) conflicts)")
    }
}
