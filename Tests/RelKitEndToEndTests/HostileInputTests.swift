import Foundation
import RelKitTestSupport
import Testing

/// Every file under a directory (the git directory included): path -> contents, or the target
/// of a symlink, with the mode. Refs, the index, objects and the work tree are all in it.
struct DirectorySnapshot: Equatable {
    let entries: [String: String]

    init(_ root: String) throws {
        var entries: [String: String] = [:]
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { throw GitCommandError(description: "cannot walk \(root)") }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            let attributes = try manager.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? Int).map { String($0, radix: 8) } ?? "?"
            switch attributes[.type] as? FileAttributeType {
            case .typeSymbolicLink?:
                entries[relative] = "link \(try manager.destinationOfSymbolicLink(atPath: path))"
            case .typeRegular?:
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                // Contents compared whole; a digest would do, but Foundation has none on Linux.
                entries[relative] = "file \(mode) \(data.count) \(data.base64EncodedString())"
            default:
                continue
            }
        }
        self.entries = entries
    }

    func differences(from other: DirectorySnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).sorted().filter { entries[$0] != other.entries[$0] }
    }
}

/// One hostile input: a repository set up, a command run, the exit code and message expected,
/// and the repository hashed before and after (it must not change).
struct HostileCase: CustomTestStringConvertible, Sendable {
    let name: String
    let arguments: [String]
    var stdin = Data()
    let status: Int32
    /// Expected in stderr (or stdout for findings).
    let message: String
    var directory = ""
    var setup: @Sendable (ScratchRepository) throws -> Void = { _ in }

    var testDescription: String { name }
}

let minimalConfiguration = "[components.root]\nfiles = [\"VERSION\"]\n"

func configuration(_ files: String) -> String { "[components.root]\nfiles = [\(files)]\n" }

/// A megabyte-long version line.
let megabyteVersion = Data(("24.03.0" + String(repeating: "1", count: 1 << 20) + "\n").utf8)

let hostileCases: [HostileCase] = [
    // Version strings.
    HostileCase(
        name: "a 1 MB version on stdin (validate)", arguments: ["version", "validate", "-"], stdin: megabyteVersion,
        status: 1, message: "(1048583 characters)' in yy.0m: not a PEP 440 version: the number at column 7 has more than 4300 digits"),
    HostileCase(
        name: "a 1 MB version on stdin (normalize)", arguments: ["version", "normalize", "-"], stdin: megabyteVersion,
        status: 1, message: "line 1: invalid version '24.03.0111"),
    HostileCase(
        name: "a NUL byte in a version", arguments: ["version", "validate", "-"], stdin: Data("24.03.0\u{0}1\n".utf8),
        status: 1, message: "line 1: invalid '24.03.0\\u{0}1' in yy.0m: not a PEP 440 version: unexpected character U+0000 at column 8"),
    HostileCase(
        name: "a version that is not UTF-8", arguments: ["version", "validate", "-"], stdin: Data([0x32, 0x34, 0xFF, 0x0A]),
        status: 1, message: "line 1: invalid '24\u{FFFD}' in yy.0m: not UTF-8 text: byte 0xFF at column 3 is not UTF-8"),
    HostileCase(
        name: "a UTF-16 version on stdin (normalize)", arguments: ["version", "normalize", "-"], stdin: Data([0xFF, 0xFE, 0x32, 0x00, 0x0A]),
        status: 1, message: "line 1: invalid version '\u{FFFD}\u{FFFD}2\\u{0}': unexpected byte 0xFF (not UTF-8) at column 1"),
    HostileCase(
        name: "a right-to-left override in a version", arguments: ["version", "validate", "\u{202E}24.03.0"],
        status: 1, message: "argument 1: invalid '\\u{202E}24.03.0' in yy.0m: not a PEP 440 version: unexpected character U+202E at column 1"),
    HostileCase(
        name: "right-to-left text in compare", arguments: ["version", "compare", "24.03.0", "\u{05D0}24"],
        status: 2, message: "invalid version '\u{05D0}24': unexpected 'א' at column 1"),

    // .release.toml.
    HostileCase(
        name: "a path that leaves the repository", arguments: ["check"], status: 2,
        message: ".release.toml:2:10: '../outside/VERSION' leaves the repository ('..')",
        setup: { try $0.write(".release.toml", configuration("\"../outside/VERSION\"")) }),
    HostileCase(
        name: "an absolute path", arguments: ["check"], status: 2,
        message: ".release.toml:2:10: '/etc/hostname' is absolute; paths are relative to the repository root",
        setup: { try $0.write(".release.toml", configuration("\"/etc/hostname\"")) }),
    HostileCase(
        name: "a path through a symlinked directory outside", arguments: ["check"], status: 2,
        message: ".release.toml:2:10: 'escape/hostname' leaves the repository through the symlink escape -> /etc",
        setup: { repository in
            try repository.write(".release.toml", configuration("\"escape/hostname\""))
            try FileManager.default.createSymbolicLink(atPath: repository.path + "/escape", withDestinationPath: "/etc")
        }),
    HostileCase(
        name: "a version file symlinked outside", arguments: ["check"], status: 1,
        message: "VERSION is a symlink to /etc/hostname, outside the repository; relkit does not read it  [symlink-outside]",
        setup: { repository in
            try repository.write(".release.toml", minimalConfiguration)
            try FileManager.default.removeItem(atPath: repository.path + "/VERSION")
            try FileManager.default.createSymbolicLink(atPath: repository.path + "/VERSION", withDestinationPath: "/etc/hostname")
        }),
    HostileCase(
        name: "a glob matching 100,000 files, one of them wrong", arguments: ["check"], status: 1,
        message: "data/f054321.txt\n  1:1     error  component 'root' disagrees: this file says 26.11.0",
        setup: { repository in
            try repository.write(".release.toml", configuration("\"VERSION\", \"data/*.txt\""))
            let directory = repository.path + "/data"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let version = Data("26.11.0.dev0\n".utf8)
            for index in 0..<100_000 {
                let name = String(index).leftPaddedWithZeros(to: 6)
                FileManager.default.createFile(atPath: "\(directory)/f\(name).txt", contents: index == 54321 ? Data("26.11.0\n".utf8) : version)
            }
        }),
    HostileCase(
        name: "deeply nested TOML arrays", arguments: ["check"], status: 2,
        message: ".release.toml:1:261: TOML syntax error: Error while parsing value: exceeded maximum nested value depth of 256",
        setup: { try $0.write(".release.toml", "a = " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n") }),
    HostileCase(
        name: "deeply nested TOML tables", arguments: ["check"], status: 2,
        message: ".release.toml:1:1: unknown key 'a'; known keys: version, components",
        setup: { try $0.write(".release.toml", "[" + Array(repeating: "a", count: 10_000).joined(separator: ".") + "]\n") }),
    HostileCase(
        name: "a duplicate key", arguments: ["check"], status: 2,
        message: ".release.toml:3:10: TOML syntax error: Error while parsing key-value pair: cannot redefine existing string 'scheme'",
        setup: { try $0.write(".release.toml", "[version]\nscheme = \"yy.0m\"\nscheme = \"yy.n\"\n") }),
    HostileCase(
        name: "a NUL byte in the configuration", arguments: ["check"], status: 2,
        message: ".release.toml:3:1: a NUL byte; TOML text cannot contain one",
        setup: { try $0.write(".release.toml", "[version]\nscheme = \"yy.0m\"\n\u{0}\n[bogus]\n") }),
    HostileCase(
        name: "a table name the TOML parser would abort on", arguments: ["check"], status: 2,
        message: ".release.toml:2:3: TOML syntax error: a table name cannot start with '!' (U+0021)",
        setup: { try $0.write(".release.toml", "[version]\n[[!component]]\n") }),
    HostileCase(
        name: "a configuration that is not UTF-8", arguments: ["check"], status: 2,
        message: ".release.toml:1:1: the file is not UTF-8 text",
        setup: { repository in
            try Data([0xFF, 0xFE, 0x5B, 0x00]).write(to: URL(fileURLWithPath: repository.path + "/.release.toml"))
        }),

    // Version files.
    HostileCase(
        name: "a binary version file", arguments: ["check"], status: 1,
        message: "'26.11.0.dev0\\u{0}\\u{1}' (yy.0m form): not a PEP 440 version: unexpected character U+0000 at column 13",
        setup: { repository in
            try repository.write(".release.toml", minimalConfiguration)
            try Data("26.11.0.dev0\u{0}\u{1}\n".utf8).write(to: URL(fileURLWithPath: repository.path + "/VERSION"))
        }),
    HostileCase(
        name: "a UTF-16 version file", arguments: ["check"], status: 2,
        message: "VERSION: the version at line 1 is not UTF-8 text: the text is UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8",
        setup: { repository in
            try repository.write(".release.toml", minimalConfiguration)
            try Data([0xFF, 0xFE, 0x32, 0x00, 0x36, 0x00, 0x0A, 0x00]).write(to: URL(fileURLWithPath: repository.path + "/VERSION"))
        }),
    HostileCase(
        name: "a version file of 20 MB", arguments: ["check"], status: 2, message: "VERSION is larger than 16 MiB",
        setup: { repository in
            try repository.write(".release.toml", minimalConfiguration)
            try Data(repeating: 0x31, count: 20 << 20).write(to: URL(fileURLWithPath: repository.path + "/VERSION"))
        }),

    // Revisions.
    HostileCase(
        name: "a revision that does not exist", arguments: ["check", "--ref", "no-such-branch"], status: 2,
        message: "cannot read revision 'no-such-branch': revspec 'no-such-branch' not found"),
    HostileCase(
        name: "an ambiguous abbreviated commit id", arguments: ["check", "--ref", "AMBIGUOUS"], status: 2,
        message: "ambiguous abbreviated id: more than one object's id starts with it"),
    HostileCase(
        name: "a backport of a revision that does not exist", arguments: ["backport", "nope~3", "--to", "26.11"], status: 2,
        message: "cannot read revision 'nope~3': revspec 'nope' not found", setup: { try $0.git("branch", "26.11") }),

    // Repository shapes.
    HostileCase(
        name: "check in a bare repository", arguments: ["check"], status: 2,
        message: "a bare repository has no working tree; name a revision with --ref", directory: "bare"),
    HostileCase(
        name: "bump in a bare repository", arguments: ["bump", "26.11.1"], status: 2,
        message: "relkit bump needs a work tree; this repository is bare", directory: "bare"),
    HostileCase(
        name: "cut on an unborn branch", arguments: ["cut", "26.11"], status: 2,
        message: "there is no branch 'main'", directory: "unborn"),
    HostileCase(
        name: "tag on a detached HEAD", arguments: ["tag"], status: 2,
        message: "HEAD is not a release branch (named X.Y); name one with --branch X.Y",
        setup: { try $0.git("checkout", "-q", "--detach") }),
    HostileCase(
        name: "bump --commit on a detached HEAD", arguments: ["bump", "26.11.1", "--commit"], status: 2,
        message: "--commit needs a checked-out branch with commits (HEAD is detached or unborn)",
        setup: { try $0.git("checkout", "-q", "--detach") }),
    HostileCase(
        name: "audit in a shallow clone", arguments: ["backport", "audit", "--to", "26.11"], status: 3,
        message: "this is a shallow clone, and the history relkit needs goes past its boundary; fetch it with `git fetch --unshallow`",
        directory: "shallow"),
    HostileCase(
        name: "cut while main is checked out in another worktree", arguments: ["cut", "26.11"], status: 3,
        message: "branch main is checked out in another worktree", directory: "worktree")
]

@Suite("Hostile input, end to end: a clear message, a documented exit code, nothing changed")
struct HostileInputTests {
    /// The fixture repository, and the special shapes some cases run in.
    func prepare(_ hostile: HostileCase) throws -> (ScratchRepository, String) {
        let repository = try ScratchRepository(fixture: "check/clean")
        try hostile.setup(repository)
        let shapes = repository.path + "-shapes"
        switch hostile.directory {
        case "bare":
            try runProcess("git", ["clone", "-q", "--bare", repository.path, shapes + "/bare.git"], environment: gitEnvironment)
            return (repository, shapes + "/bare.git")
        case "unborn":
            try FileManager.default.createDirectory(atPath: shapes + "/unborn", withIntermediateDirectories: true)
            try runProcess("git", ["init", "-q", "-b", "main", shapes + "/unborn"], environment: gitEnvironment)
            try FileManager.default.copyItem(atPath: repository.path + "/.release.toml", toPath: shapes + "/unborn/.release.toml")
            return (repository, shapes + "/unborn")
        case "shallow":
            try repository.git("branch", "26.11")
            try repository.commit(["fix1.txt": "1\n"], message: "fix: one (#1)")
            try repository.commit(["fix2.txt": "2\n"], message: "fix: two (#2)")
            try runProcess("git", ["clone", "-q", "--depth", "1", "--no-single-branch", "file://" + repository.path, shapes + "/shallow"], environment: gitEnvironment)
            try runProcess("git", ["-C", shapes + "/shallow", "branch", "-q", "26.11", "origin/26.11"], environment: gitEnvironment)
            return (repository, shapes + "/shallow")
        case "worktree":
            try repository.git("worktree", "add", "-q", "--detach", shapes + "/worktree")
            try runProcess("git", ["-C", shapes + "/worktree", "checkout", "-q", "-b", "side"], environment: gitEnvironment)
            return (repository, shapes + "/worktree")
        default:
            return (repository, repository.path)
        }
    }

    @Test(arguments: hostileCases)
    func hostileInput(_ hostile: HostileCase) throws {
        let (repository, directory) = try prepare(hostile)
        defer {
            repository.remove()
            try? FileManager.default.removeItem(atPath: repository.path + "-shapes")
        }
        var arguments = hostile.arguments
        if let index = arguments.firstIndex(of: "AMBIGUOUS") { arguments[index] = try ambiguousPrefix(in: repository) }
        let before = try DirectorySnapshot(directory)
        let result = try runProcess(relkitBinary, arguments, stdin: hostile.stdin, environment: releaseEnvironment, directory: directory)
        #expect(result.status == hostile.status, "\(result.stdout.prefix(500))\(result.stderr.prefix(500))")
        let output = result.status == 1 && !result.stdout.isEmpty && hostile.arguments.first == "check" ? result.stdout : result.stderr + result.stdout
        #expect(output.contains(hostile.message), "\(output.prefix(1000))")
        #expect(result.stderr.utf8.count < 4096, "messages stay short, whatever the input's size")
        let after = try DirectorySnapshot(directory)
        #expect(after.differences(from: before).isEmpty, "changed: \(after.differences(from: before).prefix(10))")
    }

    /// A hex prefix shared by two objects: enough blobs are written for four digits to collide.
    func ambiguousPrefix(in repository: ScratchRepository) throws -> String {
        var seen: [String: Int] = [:]
        for index in 0..<2000 {
            let id = try runProcess(
                "git", ["-C", repository.path, "hash-object", "-w", "--stdin"], stdin: Data("blob \(index)\n".utf8),
                environment: gitEnvironment
            ).stdout
            let prefix = String(id.prefix(4))
            if seen[prefix] != nil { return prefix }
            seen[prefix] = index
        }
        throw GitCommandError(description: "no colliding prefix among 2000 blobs")
    }

    /// As root (CI runs as root), a repository chowned to nobody: git and relkit refuse it, saying how
    /// to trust it; with safe.directory set, relkit reads it.
    @Test(.enabled(if: geteuid() == 0, "needs root to give the repository to another user"))
    func repositoryOwnedByAnotherUser() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        try runProcess("/bin/chown", ["-R", "nobody", repository.path])
        let before = try DirectorySnapshot(repository.path)
        let home = try ScratchDirectory("relkit-home")
        defer { home.remove() }
        var environment = releaseEnvironment
        environment["HOME"] = home.path
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        let refused = try runProcess(relkitBinary, ["check"], environment: environment, directory: repository.path + "/src")
        #expect(refused.status == 2)
        #expect(
            refused.stderr
                == "error: the repository at \(repository.path) is owned by another user (uid 65534), and git does not trust it; if it is yours to use, trust it with: git config --global --add safe.directory \(repository.path)\n"
        )
        let cut = try runProcess(relkitBinary, ["cut", "26.11"], environment: environment, directory: repository.path)
        #expect(cut.status == 2 && cut.stderr.contains("is owned by another user"), "never taken for 'no repository here'")
        #expect(try DirectorySnapshot(repository.path) == before)

        try runProcess("git", ["config", "--global", "--add", "safe.directory", repository.path], environment: environment)
        let trusted = try runProcess(relkitBinary, ["check"], environment: environment, directory: repository.path)
        #expect(trusted.status == 0, "\(trusted.stderr)")
    }

    @Test func checkAndStatusWorkInTheOtherShapes() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer {
            repository.remove()
            try? FileManager.default.removeItem(atPath: repository.path + "-bare.git")
        }
        try runProcess("git", ["clone", "-q", "--bare", repository.path, repository.path + "-bare.git"], environment: gitEnvironment)
        let bare = repository.path + "-bare.git"
        #expect(try relkit(["check", "--ref", "HEAD"], in: bare, environment: releaseEnvironment).status == 0)
        let status = try relkit(["status"], in: bare, environment: releaseEnvironment)
        #expect(status.status == 0 && status.stdout.hasPrefix("scheme:      yy.0m (HEAD ("), "a bare repository's status is HEAD's")
        try repository.git("checkout", "-q", "--detach")
        #expect(try relkit(["check"], in: repository.path, environment: releaseEnvironment).status == 0, "detached HEAD")
    }
}

extension String {
    func leftPaddedWithZeros(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
