import RelKitCore

/// Edits of `.release.toml`'s registry of release lines, made on its text so that everything
/// else in the file (comments, order, spacing) stays as the user wrote it: a `[[lines]]` table is
/// appended when a line registers, and removed when it retires.
enum LineRegistryEdits {
    /// The `[[lines]]` table of a newly registered line.
    static func table(for line: RegisteredLine) -> String {
        var text = "[[lines]]\nname = \(TOMLText.quoted(line.name))\n"
        if line.kind == .lts, let retireAfter = line.retireAfter { text += "lts = true\nretire-after = \(retireAfter)\n" }
        return text
    }

    /// The edit of `.release.toml` in `tree` (main's, at its tip) that `change` makes of its text.
    static func edit(in tree: FileTree, _ change: (String) throws(OperationError) -> String) throws(OperationError) -> FileEdit {
        let name = ConfigurationLoader.fileName
        let path: String
        let bytes: [UInt8]
        do {
            guard case .file(let target) = try tree.resolve(name) else { throw OperationError(.usage, "\(name) of \(tree.label) is not a file") }
            path = target
            bytes = try tree.read(target)
        } catch let error as OperationError {
            throw error
        } catch {
            throw OperationError(.usage, "cannot read \(name) of \(tree.label): \(error)")
        }
        let after = try change(String(decoding: bytes, as: UTF8.self))
        return FileEdit(path: path, before: bytes, after: Array(after.utf8), executable: (try? tree.isExecutable(path)) ?? false)
    }

    /// `text` with `line`'s table appended after one blank line.
    static func appending(_ line: RegisteredLine, to text: String) -> String {
        var result = text
        if !result.isEmpty && !result.hasSuffix("\n") { result += "\n" }
        if !result.isEmpty && !result.hasSuffix("\n\n") { result += "\n" }
        return result + table(for: line)
    }

    /// `text` without the `[[lines]]` tables at `indices` (their order in the file, which is the
    /// registry's order): each from its header to the last line before the next table header,
    /// with the comments and blank lines just before that header left to it.
    ///
    /// - Throws: `OperationError` when the tables are not written as `[[lines]]` headers (an
    ///   inline array), which relkit does not rewrite.
    static func removing(indices: Set<Int>, from text: String, expectedCount: Int) throws(OperationError) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func header(_ line: String) -> String? {
            let trimmed = line.trimmingSpaces()
            guard trimmed.hasPrefix("[") else { return nil }
            let end = trimmed.firstIndex(of: "#").map { trimmed[..<$0] } ?? Substring(trimmed)
            return String(end).trimmingSpaces().replacing(" ", with: "")
        }
        let headers = lines.indices.filter { header(lines[$0]) != nil }
        let tables = headers.filter { header(lines[$0]) == "[[lines]]" }
        guard tables.count == expectedCount else {
            throw OperationError(
                .usage,
                "\(ConfigurationLoader.fileName): relkit edits the registry written as [[lines]] tables, one header each; write it that way to let relkit retire and register lines")
        }
        var ranges: [Range<Int>] = []
        for (index, start) in tables.enumerated() where indices.contains(index) {
            var end = headers.first { $0 > start } ?? lines.count
            // Comments and blank lines right before the next header belong to that header.
            while end > start + 1, lines[end - 1].trimmingSpaces().isEmpty || lines[end - 1].trimmingSpaces().hasPrefix("#") { end -= 1 }
            // One blank line that followed the table goes with it.
            if end < lines.count, lines[end].trimmingSpaces().isEmpty, end + 1 <= lines.count { end += 1 }
            ranges.append(start..<end)
        }
        for range in ranges.reversed() { lines.removeSubrange(range) }
        return lines.joined(separator: "\n")
    }
}
