/// A unified diff of two versions of a file, as `git diff` prints it (what `--dry-run` shows).
public enum UnifiedDiff {
    /// The diff, with `--- a/PATH` and `+++ b/PATH` headers.
    /// - Parameters:
    ///   - path: the file's path.
    ///   - before: the old bytes.
    ///   - after: the new bytes.
    ///   - context: lines of context around each change.
    /// - Returns: the diff, empty when the bytes are equal.
    public static func render(path: String, before: [UInt8], after: [UInt8], context: Int = 3) -> String {
        let old = lines(before)
        let new = lines(after)
        var text = "--- a/\(path)\n+++ b/\(path)\n"
        guard old.count == new.count else {
            // Replacements never add lines; if they did, show the whole file.
            text += "@@ -\(range(1, old.count)) +\(range(1, new.count)) @@\n"
            for line in old { text += "-" + show(line) }
            for line in new { text += "+" + show(line) }
            return text
        }
        let changed = old.indices.filter { old[$0] != new[$0] }
        var hunks: [ClosedRange<Int>] = []
        for index in changed {
            let low = max(0, index - context)
            let high = min(old.count - 1, index + context)
            if let last = hunks.last, low <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...max(last.upperBound, high)
            } else {
                hunks.append(low...high)
            }
        }
        for hunk in hunks {
            text += "@@ -\(range(hunk.lowerBound + 1, hunk.count)) +\(range(hunk.lowerBound + 1, hunk.count)) @@\n"
            var removed = ""
            var added = ""
            func flush() {
                text += removed + added
                removed = ""
                added = ""
            }
            for index in hunk {
                if old[index] == new[index] {
                    flush()
                    text += " " + show(old[index])
                } else {
                    removed += "-" + show(old[index])
                    added += "+" + show(new[index])
                }
            }
            flush()
        }
        return text
    }

    static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(count == 0 ? start - 1 : start),\(count)" }

    /// Lines with their terminators, so that a missing final newline shows.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            result.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { result.append(bytes[start...]) }
        return result
    }

    static func show(_ line: ArraySlice<UInt8>) -> String {
        let text = String(decoding: line, as: UTF8.self)
        return line.last == 0x0A ? text : text + "\n\\ No newline at end of file\n"
    }
}
