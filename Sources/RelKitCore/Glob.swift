/// A path pattern of `.release.toml`: `*` and `?` within one path component, `[abc]` / `[a-z]` /
/// `[!abc]` character classes, and `**` for any number of whole components.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let components: [Substring]

    /// A glob from its pattern.
    /// - Parameter pattern: the pattern, relative to the repository's root.
    public init(_ pattern: String) {
        self.pattern = pattern
        components = pattern.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// The pattern as written.
    public var description: String { pattern }

    /// Whether the pattern has any wildcard (else it names one path).
    public var isLiteral: Bool { !pattern.contains(where: { "*?[".contains($0) }) }

    /// The directory before the first wildcard component: where a search has to start.
    public var literalDirectory: String {
        var literal: [Substring] = []
        for component in components.dropLast() {
            if component.contains(where: { "*?[".contains($0) }) { break }
            literal.append(component)
        }
        return literal.joined(separator: "/")
    }

    /// The paths this glob names in a tree, found by listing only the directories a match can go
    /// through. `listing` gives a directory's entries ("" is the root) and whether each is a
    /// directory one can descend into.
    ///
    /// - Parameter listing: a directory's entries, by its path.
    /// - Returns: the matching paths, sorted.
    /// - Throws: what `listing` throws.
    public func expand(listing: (String) throws -> [(name: String, isDirectory: Bool)]) rethrows -> [String] {
        var results: [String] = []
        func join(_ directory: String, _ name: String) -> String { directory.isEmpty ? name : directory + "/" + name }
        func walk(_ directory: String, _ remaining: ArraySlice<Substring>) throws {
            guard let first = remaining.first else { return }
            let rest = remaining.dropFirst()
            if first == "**" {
                try walk(directory, rest) // zero components
                for child in try listing(directory) where child.isDirectory {
                    try walk(join(directory, child.name), remaining)
                }
                return
            }
            let scalars = Array(first.unicodeScalars)[...]
            for child in try listing(directory) where Self.matchComponent(scalars, Array(child.name.unicodeScalars)[...]) {
                if rest.isEmpty {
                    if !child.isDirectory { results.append(join(directory, child.name)) }
                } else if child.isDirectory {
                    try walk(join(directory, child.name), rest)
                }
            }
        }
        try walk("", components[...])
        return results.sorted()
    }

    /// Whether a slash-separated relative path matches.
    ///
    /// - Parameter path: the path.
    /// - Returns: whether it matches.
    public func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return Self.match(components[...], parts[...])
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            // Zero or more whole components.
            var rest = path
            while true {
                if match(pattern.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let component = path.first, matchComponent(Array(first.unicodeScalars)[...], Array(component.unicodeScalars)[...]) else {
            return false
        }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    private static func matchComponent(_ pattern: ArraySlice<Unicode.Scalar>, _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        var starP: Int?
        var starN = 0
        while n < name.endIndex {
            if p < pattern.endIndex {
                switch pattern[p] {
                case "*":
                    starP = p
                    starN = n
                    p += 1
                    continue
                case "?":
                    p += 1
                    n += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(pattern, from: p, name[n]), matched {
                        p = next
                        n += 1
                        continue
                    }
                default:
                    if pattern[p] == name[n] {
                        p += 1
                        n += 1
                        continue
                    }
                }
            }
            guard let star = starP else { return false }
            p = star + 1
            starN += 1
            n = starN
        }
        while p < pattern.endIndex && pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }

    /// `[...]` at `start`: whether `character` is in the class, and where the pattern goes on.
    private static func matchClass(_ pattern: ArraySlice<Unicode.Scalar>, from start: Int, _ character: Unicode.Scalar) -> (Bool, Int)? {
        var index = start + 1
        var negated = false
        if index < pattern.endIndex && (pattern[index] == "!" || pattern[index] == "^") {
            negated = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.endIndex && (pattern[index] != "]" || first) {
            first = false
            let low = pattern[index]
            if index + 2 < pattern.endIndex && pattern[index + 1] == "-" && pattern[index + 2] != "]" {
                if low <= character && character <= pattern[index + 2] { matched = true }
                index += 3
            } else {
                if low == character { matched = true }
                index += 1
            }
        }
        guard index < pattern.endIndex else { return nil } // no closing bracket: a literal "["
        return (matched != negated, index + 1)
    }
}
