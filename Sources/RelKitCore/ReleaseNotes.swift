/// How a project keeps its release notes (`[notes]`): news fragments, one small file per change,
/// collated at release time by towncrier into one notes file per release line. relkit checks the
/// fragments and runs towncrier; it never collates them itself.
public struct NotesPolicy: Sendable, Hashable {
    /// The tool that collates the fragments (towncrier is the one relkit runs).
    public var tool = "towncrier"
    /// The notes file of a release line: `{line}` is replaced (`CHANGELOG/{line}.md`); without
    /// it, one file for every line.
    public var file = "CHANGELOG/{line}.md"
    /// Conventional-commit types whose commits need no fragment (`chore:`, `ci:`...).
    public var noFragmentTypes = ["build", "chore", "ci", "refactor", "style", "test"]
    /// Regular expressions: a commit whose subject matches one needs no fragment.
    public var exemptSubjects: [String] = []
    /// towncrier's configuration file (`towncrier.toml`, or `pyproject.toml` with
    /// `[tool.towncrier]`); nil: found as towncrier finds it at the repository's root.
    public var towncrierConfig: String?

    /// relkit's defaults.
    public init() {}

    /// The notes file of a release line.
    ///
    /// - Parameter line: the line (`26.4`, as its branch is named).
    /// - Returns: the path, relative to the repository's root.
    public func file(ofLine line: String) -> String { file.replacingPlaceholder("{line}", with: line) }
}

/// What relkit needs of towncrier's configuration (`[tool.towncrier]`): where fragments are and
/// what their names may be. Defaults are towncrier's own.
public struct TowncrierSettings: Sendable, Equatable {
    /// The fragments' directory, relative to the repository's root.
    public var directory: String
    /// Sections: a name and a directory under `directory` ("" for the one default section).
    public var sections: [(name: String, path: String)] = [("", "")]
    /// The fragment types, by the name a fragment file carries (`feature`, `bugfix`...).
    public var types: [String] = ["feature", "bugfix", "doc", "removal", "misc"]
    /// The types whose text the notes do not show (`showcontent = false`): only the issue is
    /// listed, so their fragments may be empty.
    public var typesWithoutContent: [String] = ["misc"]
    /// A fragment whose issue starts with it belongs to no issue (`+fix-typo.bugfix.md`).
    public var orphanPrefix = "+"
    /// File names towncrier passes over in a fragment directory (compared in lower case).
    public var ignored: [String] = [".gitignore", ".gitkeep", ".keep", "readme", "readme.md", "readme.rst"]
    /// Where towncrier writes the notes when it is not told otherwise.
    public var filename = "NEWS.rst"

    /// Settings with towncrier's defaults.
    /// - Parameter directory: the fragments' directory.
    public init(directory: String) { self.directory = directory }

    /// The same directory, sections, types, orphan prefix, ignored names and file name.
    public static func == (lhs: TowncrierSettings, rhs: TowncrierSettings) -> Bool {
        lhs.directory == rhs.directory && lhs.sections.map(\.name) == rhs.sections.map(\.name) && lhs.sections.map(\.path) == rhs.sections.map(\.path)
            && lhs.types == rhs.types && lhs.typesWithoutContent == rhs.typesWithoutContent && lhs.orphanPrefix == rhs.orphanPrefix && lhs.ignored == rhs.ignored && lhs.filename == rhs.filename
    }

    /// Every directory fragments are read from, relative to the repository's root.
    public var fragmentDirectories: [String] {
        sections.map { section in
            [directory, section.path].filter { !$0.isEmpty }.joined(separator: "/")
        }
    }
}

/// A fragment's file name as towncrier reads it (`parse_newfragment_basename`): the issue, the
/// type, and a counter.
public struct FragmentName: Sendable, Equatable {
    /// The issue (a pull request number without leading zeros), or what precedes the type.
    public var issue: String
    /// The fragment's type.
    public var type: String
    /// The number after the type, when there is one (`123.feature.2.md`).
    public var counter: Int

    /// A name's parts.
    /// - Parameters:
    ///   - issue: the issue.
    ///   - type: the type.
    ///   - counter: the counter (0 when there is none).
    public init(issue: String, type: String, counter: Int) {
        self.issue = issue
        self.type = type
        self.counter = counter
    }

    /// towncrier's reading of `basename`: the last dot-separated part (after the first) that is a
    /// known type is the type, everything before it the issue, a number right after it the
    /// counter. Nil when no part is a known type.
    ///
    /// - Parameters:
    ///   - basename: the file's name.
    ///   - types: the known types.
    /// - Returns: its parts, or nil.
    public static func parse(_ basename: String, types: [String]) -> FragmentName? {
        let parts = basename.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return nil }
        for index in stride(from: parts.count - 1, through: 1, by: -1) where types.contains(parts[index]) {
            var issue = parts[0..<index].joined(separator: ".").trimmingSpaces()
            // A number loses its leading zeros, as towncrier's str(int(issue)) does.
            if !issue.isEmpty, issue.utf8.allSatisfy(ASCII.isDigit) {
                let digits = issue.drop { $0 == "0" }
                issue = digits.isEmpty ? "0" : String(digits)
            }
            let next = index + 1 < parts.count ? parts[index + 1] : ""
            let counter = !next.isEmpty && next.utf8.allSatisfy(ASCII.isDigit) ? Int(next) ?? 0 : 0
            return FragmentName(issue: issue, type: parts[index], counter: counter)
        }
        return nil
    }
}

/// The fragment check (`relkit check --notes`), on what relkit read: each change that needs a
/// fragment has one, and each fragment is one towncrier reads as meant.
public enum NotesRules {
    /// A fragment larger than this is a finding (towncrier would put all of it in the notes).
    public static let largestFragment = 64 * 1024

    /// A file found in a fragment directory.
    public struct FragmentFile: Sendable {
        /// Its path, relative to the repository's root.
        public var path: String
        /// Its content (nil for a symlink or a submodule: not a file).
        public var content: [UInt8]?
        /// Its size in bytes.
        public var size: Int
        /// A fragment: a file, a name towncrier reads, content of its own.
        /// - Parameters:
        ///   - path: the path.
        ///   - content: the content, nil when it is not a regular file.
        ///   - size: its size.
        public init(path: String, content: [UInt8]?, size: Int) {
            self.path = path
            self.content = content
            self.size = size
        }

        /// The file's name.
        public var basename: String { String(path.split(separator: "/").last ?? "") }
    }

    /// A commit between the base and HEAD.
    public struct Change: Sendable {
        /// Its id.
        public var id: String
        /// Its subject.
        public var subject: String
        /// The fragment files it adds or changes.
        public var fragmentsTouched: [String]
        /// A change.
        /// - Parameters:
        ///   - id: the commit's id.
        ///   - subject: its subject.
        ///   - fragmentsTouched: the fragment files it adds or changes.
        public init(id: String, subject: String, fragmentsTouched: [String]) {
            self.id = id
            self.subject = subject
            self.fragmentsTouched = fragmentsTouched
        }
    }

    /// Every rule of the check, for documentation.
    public static let rules: [(id: String, meaning: String)] = [
        ("fragment-missing", "a change that needs a news fragment has none"),
        ("fragment-name", "a news fragment's name is not <pull request>.<type>[.<counter>][.ext] or an orphan (+name.<type>)"),
        ("fragment-type", "a news fragment's type is not one towncrier is configured with"),
        ("fragment-empty", "a news fragment has no text (of a type whose text the notes show)"),
        ("fragment-content", "a news fragment is not UTF-8 text, is larger than 64 KiB, or is not a file (a symlink)"),
        ("notes-config", "towncrier's configuration cannot be read")
    ]

    /// The findings about the fragments themselves.
    ///
    /// - Parameters:
    ///   - files: the files in the fragment directories (ignored names left out by the caller).
    ///   - settings: towncrier's settings.
    /// - Returns: one finding per problem, with the file (and line 1 for its content).
    public static func fragmentFindings(_ files: [FragmentFile], settings: TowncrierSettings) -> [Finding] {
        var findings: [Finding] = []
        for file in files {
            let name = file.basename
            guard let content = file.content else {
                findings.append(Finding(rule: "fragment-content", file: file.path, message: "news fragment \(name) is not a file (a symlink or a submodule); towncrier would read what it points to"))
                continue
            }
            guard let parsed = FragmentName.parse(name, types: settings.types) else {
                let types = settings.types.joined(separator: ", ")
                let parts = name.split(separator: ".", omittingEmptySubsequences: false)
                if parts.count >= 2, !parts.contains(where: { settings.types.contains(String($0)) }) {
                    findings.append(
                        Finding(
                            rule: "fragment-type", file: file.path,
                            message: "news fragment \(name) has no type towncrier knows (\(types)); towncrier would leave it out of the notes"))
                } else {
                    findings.append(
                        Finding(
                            rule: "fragment-name", file: file.path,
                            message: "news fragment \(name) is not named <pull request>.<type>[.md] (types: \(types)); towncrier would leave it out of the notes"))
                }
                continue
            }
            let isOrphan = !settings.orphanPrefix.isEmpty && parsed.issue.hasPrefix(settings.orphanPrefix)
            if !isOrphan, parsed.issue.isEmpty || !parsed.issue.utf8.allSatisfy(ASCII.isDigit) {
                findings.append(
                    Finding(
                        rule: "fragment-name", file: file.path,
                        message:
                            "news fragment \(name) names no pull request: '\(parsed.issue)' is not a number (an orphan fragment starts with '\(settings.orphanPrefix)')"
                    ))
                continue
            }
            if file.size > largestFragment {
                findings.append(
                    Finding(rule: "fragment-content", file: file.path, message: "news fragment \(name) is \(file.size) bytes, more than \(largestFragment) (64 KiB): not a note"))
                continue
            }
            guard let text = String(validating: content, as: UTF8.self) else {
                findings.append(Finding(rule: "fragment-content", file: file.path, line: 1, message: "news fragment \(name) is not UTF-8 text"))
                continue
            }
            if text.allSatisfy(\.isWhitespace), !settings.typesWithoutContent.contains(parsed.type) {
                findings.append(Finding(rule: "fragment-empty", file: file.path, line: 1, message: "news fragment \(name) has no text; write one sentence for the release notes"))
            }
        }
        return findings
    }

    /// The changes that need a fragment and have none. A change is exempt when its subject's
    /// conventional type is one of `policy.noFragmentTypes` or matches `policy.exemptSubjects`
    /// (a `Backport:` trailer does not exempt it); it has its fragment when it adds or changes
    /// one itself, when its pull request (the last `(#N)` of its subject) has one at HEAD, or,
    /// when it names no pull request (the commits of a pull request before it is merged), when
    /// another change of the range adds one (the pull request's own fragment).
    ///
    /// - Parameters:
    ///   - changes: the commits between the base and HEAD, oldest first.
    ///   - issuesWithFragments: the pull request numbers that have a fragment at HEAD.
    ///   - policy: the `[notes]` policy.
    ///   - fragmentDirectory: where fragments go, for the message.
    /// - Returns: one finding per change without a fragment.
    public static func missingFragments(_ changes: [Change], issuesWithFragments: Set<String>, policy: NotesPolicy, fragmentDirectory: String) -> [Finding] {
        let exemptPatterns = policy.exemptSubjects.compactMap { try? Regex($0).ignoresCase() }
        let rangeAddsOne = changes.contains { !$0.fragmentsTouched.isEmpty }
        var findings: [Finding] = []
        for change in changes {
            if let type = conventionalType(of: change.subject), policy.noFragmentTypes.contains(type) { continue }
            if exemptPatterns.contains(where: { change.subject.firstMatch(of: $0) != nil }) { continue }
            if !change.fragmentsTouched.isEmpty { continue }
            let number = pullRequestNumbers(in: change.subject).last
            if let number, issuesWithFragments.contains(number) { continue }
            if number == nil, rangeAddsOne { continue }
            let short = String(change.id.prefix(12))
            let wanted = number.map { "\(fragmentDirectory)/\($0).<type>.md" } ?? "\(fragmentDirectory)/<pull request>.<type>.md"
            findings.append(
                Finding(rule: "fragment-missing", message: "commit \(short) '\(change.subject)' needs a news fragment (\(wanted)) and has none"))
        }
        return findings
    }

    /// The type of a conventional-commit subject (`fix` of `fix(api)!: ...`), lowercased; nil when
    /// the subject is not one.
    ///
    /// - Parameter subject: a commit subject.
    /// - Returns: its type, or nil.
    public static func conventionalType(of subject: String) -> String? {
        let bytes = Array(subject.utf8)
        var end = 0
        while end < bytes.count, (bytes[end] | 0x20) &- 0x61 < 26 || bytes[end] == UInt8(ascii: "-") { end += 1 }
        guard end > 0 else { return nil }
        var at = end
        if at < bytes.count, bytes[at] == UInt8(ascii: "(") {
            guard let close = bytes[at...].firstIndex(of: UInt8(ascii: ")")) else { return nil }
            at = close + 1
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "!") { at += 1 }
        guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
        return String(decoding: bytes[0..<end], as: UTF8.self).lowercased()
    }

    /// Pull request numbers written as `(#1234)` in a subject.
    ///
    /// - Parameter text: a subject.
    /// - Returns: the numbers of its `(#N)` references, in order.
    public static func pullRequestNumbers(in text: String) -> [String] {
        // Bytes: this runs for every commit of an audit.
        var numbers: [String] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "("), bytes[index + 1] == UInt8(ascii: "#") else {
                index += 1
                continue
            }
            var end = index + 2
            while end < bytes.count, ASCII.isDigit(bytes[end]) { end += 1 }
            if end > index + 2, end < bytes.count, bytes[end] == UInt8(ascii: ")") {
                numbers.append(String(decoding: bytes[(index + 2)..<end], as: UTF8.self))
            }
            index += 2
        }
        return numbers
    }
}

/// The section of a notes file that a release's notes are (what towncrier wrote for it): from the
/// heading that names the version to the next heading of the same level or above. Markdown
/// headings (`## 26.4.0 (2026-04-02)`) and reStructuredText titles (a line underlined with `=`,
/// `-`, `~`...) are both read.
public enum ReleaseNotesSection {
    /// The section of `text` whose heading names one of `versions` (a whole word: `26.4.1` does
    /// not name `26.4.10`), heading included, trailing blank lines left out; nil when none does.
    ///
    /// - Parameters:
    ///   - text: the notes file.
    ///   - versions: spellings of the version (its PEP 440 form, the scheme's).
    /// - Returns: the section, or nil.
    public static func extract(from text: String, versions: [String]) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
        let headings = headings(in: lines)
        guard let start = headings.firstIndex(where: { heading in versions.contains { names(lines[heading.line], $0) } }) else { return nil }
        let level = headings[start].level
        let end = headings[(start + 1)...].first { $0.level <= level }?.line ?? lines.count
        var section = Array(lines[headings[start].line..<end])
        while let last = section.last, last.trimmingSpaces().isEmpty { section.removeLast() }
        return section.joined(separator: "\n") + "\n"
    }

    /// Each heading's first line and its level (Markdown: the number of `#`; reStructuredText:
    /// the order in which underline characters first appear, as docutils ranks them).
    static func headings(in lines: [String]) -> [(line: Int, level: Int)] {
        var found: [(line: Int, level: Int)] = []
        var underlines: [Character] = []
        var inFence = false
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("```") { inFence.toggle() }
            if inFence { continue }
            let hashes = line.prefix { $0 == "#" }.count
            if (1...6).contains(hashes), line.dropFirst(hashes).first == " " {
                found.append((index, hashes))
                continue
            }
            // A title: a line of text, then a line of one punctuation character at least as long.
            guard index + 1 < lines.count, !line.trimmingSpaces().isEmpty, !line.hasPrefix(" ") else { continue }
            let next = lines[index + 1]
            guard let mark = next.first, "=-~^\"'`#*+.:_".contains(mark), next.allSatisfy({ $0 == mark }), next.count >= line.trimmingSpaces().count, next.count >= 3 else { continue }
            if !underlines.contains(mark) { underlines.append(mark) }
            found.append((index, 10 + underlines.firstIndex(of: mark)!))
        }
        return found
    }

    /// Whether `line` has `version` as a whole word (not inside a longer version: `26.4.1` is
    /// not in `26.4.10` nor in `126.4.1`).
    static func names(_ line: String, _ version: String) -> Bool {
        var searched = line[...]
        while let range = searched.firstRange(of: version) {
            let before = line[..<range.lowerBound].last
            let rest = line[range.upperBound...]
            let joinsBefore = before.map { $0.isNumber || $0.isLetter || $0 == "." } ?? false
            let joinsAfter = rest.first.map { $0.isNumber || $0.isLetter || $0 == "." && rest.dropFirst().first?.isNumber == true } ?? false
            if !joinsBefore && !joinsAfter { return true }
            searched = rest
        }
        return false
    }
}
