import ArgumentParser
import GitKit
import RelKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writing to the terminal; colour only on a terminal and never with NO_COLOR.
enum Console {
    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    static var useColour: Bool {
        let noColour = environmentValue("NO_COLOR").map { !$0.isEmpty } ?? false
        return isatty(1) == 1 && !noColour
    }

    static func out(_ text: String) { SystemCalls.write(text + "\n", to: 1) }

    /// `text` in an SGR colour (`"31"` red, `"32"` green, `"1"` bold) when `colour`.
    static func paint(_ text: String, _ code: String, colour: Bool = useColour) -> String {
        colour && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A unified diff, each line coloured as git colours it (headers bold, hunks cyan, removed red,
    /// added green) when `colour`.
    static func paintDiff(_ diff: String, colour: Bool = useColour) -> String {
        guard colour else { return diff }
        return diff.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let text = String(line)
            if text.hasPrefix("+++") || text.hasPrefix("---") || text.hasPrefix("# ") { return paint(text, "1", colour: true) }
            if text.hasPrefix("@@") { return paint(text, "36", colour: true) }
            if text.hasPrefix("+") { return paint(text, "32", colour: true) }
            if text.hasPrefix("-") { return paint(text, "31", colour: true) }
            return text
        }.joined(separator: "\n")
    }
    static func error(_ text: String) { SystemCalls.write(text + "\n", to: 2) }
}

/// `text` followed by spaces up to `width` characters (never cut).
func padded(_ text: String, to width: Int) -> String {
    let count = text.count
    return count >= width ? text : text + String(repeating: " ", count: width - count)
}
