import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// "Did you mean": the known word nearest to a misspelt one, when it is near enough.
public enum Spelling {
    /// The candidate closest to a misspelt word, when one is close enough.
    /// - Parameters:
    ///   - word: what was typed.
    ///   - candidates: the words it may have meant.
    /// - Returns: the nearest candidate, or nil.
    public static func nearest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        // Near enough: a few edits, and not a whole replacement of a short word.
        return best.1 <= max(1, word.count / 3) && best.1 < word.count ? best.0 : nil
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
