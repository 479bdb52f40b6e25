import GitKit
import RelKitCore
internal import SystemLibc
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The release notes `relkit tag` writes into its version commit: towncrier, run on a scratch
/// copy of the commit being made (never the user's checkout), collates the fragments into the
/// line's notes file and removes them; relkit takes both changes into the commit.
enum ReleaseNotesBuild {
    /// What towncrier changed: the notes file, and the fragments it took in (and removed).
    struct Result {
        let notes: FileEdit
        let removed: [String]
    }

    /// Runs `towncrier build` for `version` on the tree of `parent` with `edits` applied.
    ///
    /// - Parameters:
    ///   - repository: the repository.
    ///   - policy: `[notes]`.
    ///   - parent: the commit the release commit goes on.
    ///   - edits: the version edits of that commit.
    ///   - version: the release.
    ///   - line: the line's name, as its branch is named (the notes file's `{line}`).
    ///   - date: the release date (UTC).
    /// - Returns: the changes; nil when towncrier changed nothing.
    /// - Throws: `OperationError`: usage when towncrier is not installed or not configured,
    ///   refused when it fails (nothing is moved then).
    static func run(
        repository: Repository, policy: NotesPolicy, parent: ObjectID, edits: [FileEdit], version: SchemeVersion, line: String, date: CalendarDate
    ) throws(OperationError) -> Result? {
        guard ChildProcess.isInstalled("towncrier") else {
            throw OperationError(
                .usage,
                "towncrier is not installed, and [notes] has relkit run it to write the release notes: install it (pipx install towncrier, or pip install towncrier) and run relkit tag again"
            )
        }
        let notesFile = policy.file(ofLine: line)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("relkit-notes-\(getpid())-\(UUID().uuidString.prefix(8))").path
        do { try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true) } catch {
            throw OperationError(.repositoryState, "cannot make a scratch directory for towncrier: \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let tree = WorkingTree(root: scratch)
        let settings: TowncrierSettings
        let configFile: String
        do {
            try repository.exportTree(ofCommit: parent, to: scratch)
            // towncrier runs git in the directory it works in: a repository of its own keeps it there.
            try Repository.initializeEmpty(at: scratch)
        } catch {
            throw OperationError(.repositoryState, "cannot copy \(parent.short) for towncrier: \(error)")
        }
        for edit in edits {
            do { try Data(edit.after).write(to: URL(fileURLWithPath: scratch + "/" + edit.path)) } catch {
                throw OperationError(.repositoryState, "cannot write \(edit.path) for towncrier: \(error)")
            }
        }
        do throws(TowncrierConfiguration.Problem) { (configFile, settings) = try TowncrierConfiguration.read(in: tree, policy: policy) } catch {
            throw OperationError(.usage, "relkit tag writes the release notes ([notes]), but \(error.message)")
        }
        // A fragment that is no text of its own (a symlink, say to /etc/passwd; not UTF-8; huge)
        // would go into the notes as towncrier reads it: refused, as `check --notes` reports it.
        let fragments: [NotesRules.FragmentFile]
        do {
            fragments = try NotesCheck.fragmentFiles(in: tree, settings: settings) { path in
                var status = stat()
                return lstat(scratch + "/" + path, &status) == 0 ? Int(status.st_size) : 0
            }
        } catch {
            throw OperationError(.repositoryState, "cannot read the news fragments for towncrier: \(error)")
        }
        let hostile = NotesRules.fragmentFindings(fragments, settings: settings).filter { $0.rule == "fragment-content" }
        if !hostile.isEmpty {
            throw OperationError(
                .refused,
                "relkit tag writes the release notes, and " + hostile.map { "\($0.file ?? ""): \($0.message)" }.joined(separator: "; ")
                    + "; nothing was tagged (relkit check --notes lists every fragment problem)")
        }
        // The line's notes file is where towncrier writes (its own `filename` stands for one file).
        try setNotesFile(notesFile, inConfiguration: scratch + "/" + configFile)
        try? SystemCalls.createDirectories(scratch + "/" + PathText.deletingLastComponent(notesFile))
        let before = Set(fragments.map(\.path))
        let previous = try? SystemCalls.readFile(scratch + "/" + notesFile, limit: 64 << 20)
        let pep440 = version.pep440.description
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run("towncrier", ["build", "--version", pep440, "--date", date.description, "--yes"], in: scratch)
        } catch {
            throw OperationError(.usage, "cannot run towncrier: \(error)")
        }
        guard result.status == 0 else {
            let said = (result.stderr.isEmpty ? result.stdout : result.stderr).trimmingNewlines().split(separator: "\n").suffix(6).joined(separator: "\n")
            throw OperationError(.refused, "towncrier build --version \(pep440) failed (exit \(result.status)); nothing was tagged:\n\(said)")
        }
        let after = Set(NotesCheck.fragmentPaths(in: tree, settings: settings))
        guard let written = try? SystemCalls.readFile(scratch + "/" + notesFile, limit: 64 << 20) else {
            throw OperationError(.refused, "towncrier build --version \(pep440) wrote no \(notesFile); nothing was tagged")
        }
        let removed = before.subtracting(after).sorted()
        if written == previous && removed.isEmpty { return nil }
        return Result(notes: FileEdit(path: notesFile, before: previous ?? [], after: written, executable: false), removed: removed)
    }

    /// Sets towncrier's `filename` (one file: `single_file`) in its configuration file, in the
    /// scratch copy.
    static func setNotesFile(_ file: String, inConfiguration path: String) throws(OperationError) {
        do {
            let text = String(decoding: try SystemCalls.readFile(path, limit: 1 << 20), as: UTF8.self)
            let root = try TOMLTable(string: text)
            guard let towncrier = root["tool"]?.table?["towncrier"]?.table else { return }
            towncrier["filename"] = file
            towncrier["single_file"] = true
            try Data(root.convert().utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw OperationError(.usage, "cannot set towncrier's filename in \(PathText.lastComponent(path)): \(error)")
        }
    }
}
