import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--edit`: the prepared message in the user's editor, as `git cherry-pick -e` does it.
public enum MessageEditor {
    /// GIT_EDITOR, then core.editor, then VISUAL, then EDITOR, then vi: git's order.
    static func editorCommand(repository: Repository, environment: [String: String]) -> String {
        if let editor = environment["GIT_EDITOR"], !editor.isEmpty { return editor }
        if let editor = try? repository.configString("core.editor"), !editor.isEmpty { return editor }
        for key in ["VISUAL", "EDITOR"] { if let editor = environment[key], !editor.isEmpty { return editor } }
        return "vi"
    }

    /// Opens the message; lines starting with `#` are dropped from what comes back, as is trailing
    /// blank space. An empty result is the caller's to refuse.
    ///
    /// - Parameters:
    ///   - message: the message to edit.
    ///   - directory: where the editor runs.
    /// - Returns: the edited message.
    /// - Throws: `OperationError` when the editor fails or the message is left empty.
    public static func edit(_ message: String, directory: String) throws(OperationError) -> String {
        let workspace = try Workspace.open(at: directory)
        let repository = try workspace.requireRepository(for: "--edit")
        let environment = ProcessInfo.processInfo.environment
        let editor = editorCommand(repository: repository, environment: environment)
        let common = repository.commonDirectory.hasSuffix("/") ? String(repository.commonDirectory.dropLast()) : repository.commonDirectory
        let file = common + "/relkit/BACKPORT_EDITMSG"
        let text = message + "\n# Edit the message of the backport. Lines starting with '#' are dropped;\n# an empty message stops the backport.\n"
        try AtomicFiles.replace(file, with: Array(text.utf8), keepingModeOf: nil)
        // As git runs it: through the shell, the file as its argument.
        let status: Int32
        do { status = try SystemCalls.runShell(editor + " \"$@\"", arguments: [editor, file]) } catch {
            throw OperationError(.usage, "cannot run the editor '\(editor)': \(error.reason)")
        }
        guard status == 0 else {
            throw OperationError(.refused, "the editor '\(editor)' exited with \(status); nothing was changed")
        }
        guard let edited = FileManager.default.contents(atPath: file) else { throw OperationError(.repositoryState, "cannot read \(file)") }
        unlink(file)
        var lines = String(decoding: edited, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
