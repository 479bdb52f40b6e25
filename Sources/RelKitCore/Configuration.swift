/// A place in a text file: 1-based line and column (in characters). relkit's one position type:
/// configuration entries keep theirs, so that problems found later (a glob that matches nothing)
/// still point at the line that caused them; TOML and JSON values and errors carry one too.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line in the file.
    public var line: Int
    /// 1-based column, in characters.
    public var column: Int
    /// A place in the file.
    /// - Parameters:
    ///   - line: 1-based line.
    ///   - column: 1-based column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    /// The file's first character: for values that came from no line (defaults).
    public static let start = SourceLocation(line: 1, column: 1)
    /// `LINE:COLUMN`, as `file:line:column` messages write it after the file.
    public var description: String { "\(line):\(column)" }
}

/// In which spelling a file carries its version.
public enum VersionForm: String, Sendable, Hashable, CaseIterable {
    /// The scheme's spelling: `24.03.0rc1`.
    case scheme
    /// PEP 440's normal form, as Python packaging writes it: `24.3.0rc1`.
    case pep440
}

/// Where in a file the version is written.
public enum VersionLocator: Sendable, Hashable, CustomStringConvertible {
    /// The whole file (a `VERSION` file), without its final line break.
    case wholeFile
    /// A key of a TOML document: `project.version`.
    case tomlKey([String])
    /// A key of a JSON document: `info.version`.
    case jsonKey([String])
    /// A line pattern around `{version}`: `__version__ = "{version}"`.
    case pattern(prefix: String, suffix: String)

    /// How a message names the locator (`TOML key project.version`).
    public var description: String {
        switch self {
        case .wholeFile: return "the whole file"
        case .tomlKey(let path): return "TOML key \(path.joined(separator: "."))"
        case .jsonKey(let path): return "JSON key \(path.joined(separator: "."))"
        case .pattern(let prefix, let suffix): return "pattern '\(prefix){version}\(suffix)'"
        }
    }
}

/// One entry of a component's `files`: a path or glob and how its version is written.
public struct VersionFileSpec: Sendable, Hashable {
    /// The path or glob, relative to the repository's root.
    public var path: String
    /// Where in the file the version is.
    public var locator: VersionLocator
    /// Which spelling the file uses.
    public var form: VersionForm
    /// Where this entry is written in `.release.toml`.
    public var location: SourceLocation

    /// One entry of `files`.
    /// - Parameters:
    ///   - path: the path or glob.
    ///   - locator: where the version is in the file.
    ///   - form: the scheme's spelling or PEP 440's.
    ///   - location: the entry's place in `.release.toml`.
    public init(path: String, locator: VersionLocator = .wholeFile, form: VersionForm = .scheme, location: SourceLocation = .start) {
        self.path = path
        self.locator = locator
        self.form = form
        self.location = location
    }
}

/// A named set of files that carry one version.
public struct Component: Sendable, Hashable {
    /// The component's name (`[components.NAME]`).
    public var name: String
    /// The files that carry its version.
    public var files: [VersionFileSpec]
    /// Where the component's table starts.
    public var location: SourceLocation

    /// A component.
    /// - Parameters:
    ///   - name: its name.
    ///   - files: its version files.
    ///   - location: its table's place.
    public init(name: String, files: [VersionFileSpec], location: SourceLocation = .start) {
        self.name = name
        self.files = files
        self.location = location
    }
}

/// Components that must carry exactly the same version (the server-side components).
public struct ComponentGroup: Sendable, Hashable {
    /// The group's name (`[groups.NAME]`).
    public var name: String
    /// The names of its components.
    public var components: [String]
    /// Where the group's table starts.
    public var location: SourceLocation

    /// A group.
    /// - Parameters:
    ///   - name: its name.
    ///   - components: its components' names.
    ///   - location: its table's place.
    public init(name: String, components: [String], location: SourceLocation = .start) {
        self.name = name
        self.components = components
        self.location = location
    }
}

/// Files that pin the monorepo's own packages, which must pin the PEP 440 form of a version.
public struct RequirementRule: Sendable, Hashable {
    /// Paths or globs of requirement files (requirements*.txt, pyproject.toml, setup.cfg).
    public var files: [String]
    /// Package name patterns (`backend.ai-*`), compared as PEP 503 normalizes names.
    public var packages: [String]
    /// The group or component whose version the pins must match.
    public var versionOf: String
    /// Where the rule's table starts.
    public var location: SourceLocation
    /// Where each of `files` is written, in order.
    public var fileLocations: [SourceLocation]

    /// A requirements rule.
    /// - Parameters:
    ///   - files: paths or globs of requirement files.
    ///   - packages: package name patterns.
    ///   - versionOf: the group or component the pins follow.
    ///   - location: the rule's place.
    ///   - fileLocations: each file's place (default: the rule's).
    public init(files: [String], packages: [String], versionOf: String, location: SourceLocation = .start, fileLocations: [SourceLocation] = []) {
        self.files = files
        self.packages = packages
        self.versionOf = versionOf
        self.location = location
        self.fileLocations = fileLocations.isEmpty ? files.map { _ in location } : fileLocations
    }
}

/// How branches are named and which release lines are maintained (`[branches]`).
public struct BranchPolicy: Sendable, Hashable {
    /// The development branch.
    public var main: String = "main"
    /// How a release branch is named, around `{line}`.
    public var releasePattern: String = "{line}"
    /// Release branches listed by `[branches] maintained` (older configurations; `lines` holds
    /// them too, as `listed` lines).
    public var maintained: [String] = []
    /// The remote whose remote-tracking branches stand for release branches that are not local.
    public var remote: String = "origin"
    /// How long an LTS line is maintained: its `retire-after` is the last day of the month this
    /// many months after the month it is registered in.
    public var ltsSupportMonths: Int = 12
    /// The registry of release lines (`[[lines]]`, or the plain `maintained` list as `listed` lines).
    public var lines: [RegisteredLine] = []
    /// Whether the registry is written as `[[lines]]` tables (where `cut` registers new lines).
    public var usesLineTables: Bool = false

    /// relkit's defaults: `main`, release branches named by their line, none maintained.
    public init() {}

    /// The branch name of a release line.
    ///
    /// - Parameter line: the release line.
    /// - Returns: the branch's name.
    public func branchName(of line: ReleaseLine) -> String {
        releasePattern.replacingPlaceholder("{line}", with: line.description)
    }

    /// The release line a branch name stands for, if it is a release branch.
    ///
    /// - Parameters:
    ///   - name: a branch name.
    ///   - scheme: the scheme to read the line in.
    /// - Returns: the line, or nil.
    public func line(ofBranch name: String, scheme: VersionScheme) -> ReleaseLine? {
        guard let text = releasePattern.extractPlaceholder("{line}", from: name) else { return nil }
        return try? ReleaseLine(parsing: text, scheme: scheme)
    }
}

/// How release tags are named and made (`[tags]`).
public struct TagPolicy: Sendable, Hashable {
    /// Written before the version in a tag name (`v` gives `v24.03.0`); none by default.
    public var prefix: String = ""
    /// Whether tags are annotated tag objects (the default) or lightweight references.
    public var annotated: Bool = true

    /// relkit's defaults: no prefix, annotated.
    public init() {}

    /// The tag name of a release (`v26.11.0` with the prefix `v`).
    ///
    /// - Parameter version: the release.
    /// - Returns: the tag's name.
    public func tagName(of version: SchemeVersion) -> String { prefix + version.description }

    /// The version part of a tag name, when it has the prefix.
    ///
    /// - Parameter name: a tag name.
    /// - Returns: the text after the prefix, or nil.
    public func versionText(ofTag name: String) -> String? {
        name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
    }
}

/// How backports are made and audited (`[backport]`).
public struct BackportPolicy: Sendable, Hashable {
    /// The branch fixes land on first; the main branch when not set.
    public var source: String?
    /// Trailer lines added to a backport's message; `{source}`, `{target}`, `{commit}`,
    /// `{short-commit}` and `{pr}` are replaced.
    public var trailers: [String] = ["Backported-From: {source}", "Backported-To: {target}"]
    /// `(cherry picked from commit <id>)` in each backport's message, where `git cherry-pick -x`
    /// writes it (and git's tools and the audit look for it).
    public var recordPickedCommit = true
    /// Globs of paths whose backport deserves a warning (database migrations).
    public var sensitivePaths: [String] = []
    /// Regular expressions: a commit whose subject matches one is a fix (`backport audit --only-fixes`).
    public var fixSubjects: [String] = ["^fix(\\([^)]*\\))?!?:"]
    /// Globs: a commit that adds a file matching one (a changelog fragment of a fix) is a fix.
    public var fixFragments: [String] = ["changes/*.fix.md"]
    /// The branch a backport is pushed on (`--push`): `{pr}` (the short commit when the subject
    /// names no pull request), `{target}`, `{short-commit}`.
    public var branchTemplate: String = "backport/{pr}-to-{target}"
    /// The label a backport pull request gets when it touches `sensitivePaths`.
    public var sensitiveLabel: String = "sensitive-paths"
    /// Globs of paths that keep the release branch's content in a pick (generated files the
    /// release branch regenerates): what a `merge=ours` attribute does for git.
    public var keepTarget: [String] = []

    /// relkit's defaults: `Backported-From`/`Backported-To` trailers, the picked commit recorded.
    public init() {}

    /// What `trailers` may contain, replaced in each backport's message.
    public static let placeholders = ["{source}", "{target}", "{commit}", "{short-commit}", "{pr}"]
}

/// One alembic history `relkit upgrade` reads (`[[upgrade.migrations]]`).
public struct MigrationHistorySpec: Sendable, Hashable {
    /// The history's name, used in reports and `--fail-on` findings.
    public var name: String
    /// The versions directory, relative to the repository root.
    public var path: String
    /// How the project runs alembic for this history (`alembic -c configs/manager/alembic.ini`).
    public var command: String
    /// Where its table is written.
    public var location: SourceLocation

    /// A history.
    /// - Parameters:
    ///   - name: its name.
    ///   - path: the versions directory.
    ///   - command: how alembic is run for it.
    ///   - location: its table's place.
    public init(name: String, path: String, command: String = "alembic", location: SourceLocation = .start) {
        self.name = name
        self.path = path
        self.command = command
        self.location = location
    }
}

/// What `relkit upgrade` compares between two refs (`[upgrade]`).
public struct UpgradePolicy: Sendable, Hashable {
    /// The alembic histories, in the order they are reported.
    public var migrations: [MigrationHistorySpec] = []
    /// Globs of TOML and JSON configuration samples.
    public var configSamples: [String] = []
    /// Globs of docker-compose files.
    public var compose: [String] = []
    /// Finding rules (or `error`, `warning`, `any`, `none`) that make `relkit upgrade` exit 1.
    public var failOn: [String] = ["error"]

    /// Nothing compared; failing on findings of severity error.
    public init() {}

    /// Whether anything is configured to compare.
    public var isConfigured: Bool { !migrations.isEmpty || !configSamples.isEmpty || !compose.isEmpty }

    /// What `--fail-on` and `fail-on` accept besides rule names.
    public static let failOnClasses = ["error", "warning", "any", "none"]
    /// Everything they accept: the classes, then `relkit upgrade`'s finding rules.
    public static let failOnChoices = failOnClasses + UpgradeFindings.rules.map(\.id)

    /// Whether a finding blocks under a `fail-on` list.
    ///
    /// - Parameters:
    ///   - finding: the finding.
    ///   - policy: rule names and classes.
    /// - Returns: whether it blocks.
    public static func blocks(_ finding: Finding, under policy: [String]) -> Bool {
        policy.contains { entry in
            switch entry {
            case "any": return true
            case "none": return false
            case "error": return finding.severity == .error
            case "warning": return finding.severity == .warning
            default: return entry == finding.rule
            }
        }
    }
}

/// A scheme the project used before its current one, up to and including the release line
/// `until` (`[[version.earlier]]`).
public struct EarlierScheme: Sendable, Hashable {
    /// The scheme used then.
    public let scheme: VersionScheme
    /// The last release line in that scheme.
    public let until: ReleaseLine

    /// An earlier scheme.
    /// - Parameters:
    ///   - scheme: the scheme used then.
    ///   - until: its last release line.
    public init(scheme: VersionScheme, until: ReleaseLine) {
        self.scheme = scheme
        self.until = until
    }
}

/// What `.release.toml` says, once loaded and checked. Every command reads the same value.
public struct ReleaseConfiguration: Sendable {
    /// The current scheme: for lines after every earlier scheme's last line.
    public var scheme: VersionScheme
    /// Schemes of earlier years, oldest first, each with its last release line.
    public var earlierSchemes: [EarlierScheme] = []
    /// How main's version moves after a cut (`[version] next-line`).
    public var nextLine: NextLinePolicy
    /// The group or component whose version names release tags and branches.
    public var releaseUnit: String
    /// Every component, in file order.
    public var components: [Component]
    /// Every group, in file order.
    public var groups: [ComponentGroup]
    /// Where the API specification's `vN.yyyymmdd` version is written.
    public var apiVersion: VersionFileSpec?
    /// Files that pin the monorepo's own packages.
    public var requirements: [RequirementRule]
    /// `[branches]`.
    public var branches: BranchPolicy
    /// `[tags]`.
    public var tags: TagPolicy
    /// `[backport]`.
    public var backport: BackportPolicy
    /// `[upgrade]`.
    public var upgrade = UpgradePolicy()
    /// `[notes]`; nil when the project keeps no release notes relkit knows of.
    public var notes: NotesPolicy?

    /// A configuration; every argument defaults to what relkit uses without `.release.toml`.
    ///
    /// - Parameters:
    ///   - scheme: the current scheme.
    ///   - nextLine: how main moves after a cut.
    ///   - releaseUnit: the group or component releases follow.
    ///   - components: the components.
    ///   - groups: the groups.
    ///   - apiVersion: where the API version is.
    ///   - requirements: the internal pins.
    ///   - branches: `[branches]`.
    ///   - tags: `[tags]`.
    ///   - backport: `[backport]`.
    public init(
        scheme: VersionScheme = .yearMonth, nextLine: NextLinePolicy = .nextMonth,
        releaseUnit: String = "root",
        components: [Component] = [Component(name: "root", files: [VersionFileSpec(path: "VERSION")])],
        groups: [ComponentGroup] = [], apiVersion: VersionFileSpec? = nil, requirements: [RequirementRule] = [],
        branches: BranchPolicy = BranchPolicy(), tags: TagPolicy = TagPolicy(), backport: BackportPolicy = BackportPolicy()
    ) {
        self.scheme = scheme
        self.nextLine = nextLine
        self.releaseUnit = releaseUnit
        self.components = components
        self.groups = groups
        self.apiVersion = apiVersion
        self.requirements = requirements
        self.branches = branches
        self.tags = tags
        self.backport = backport
    }

    /// The configuration of a repository without `.release.toml`: its root `VERSION` file.
    public static let defaults = ReleaseConfiguration()

    /// The component of that name.
    ///
    /// - Parameter name: its name.
    /// - Returns: the component, or nil.
    public func component(named name: String) -> Component? { components.first { $0.name == name } }
    /// The group of that name.
    ///
    /// - Parameter name: its name.
    /// - Returns: the group, or nil.
    public func group(named name: String) -> ComponentGroup? { groups.first { $0.name == name } }

    /// The components a group or component name stands for.
    ///
    /// - Parameter unit: a group or component name.
    /// - Returns: its components.
    public func components(of unit: String) -> [Component] {
        if let group = group(named: unit) { return group.components.compactMap(component(named:)) }
        return component(named: unit).map { [$0] } ?? []
    }

    /// The group a component belongs to, if any.
    ///
    /// - Parameter component: a component name.
    /// - Returns: its group, or nil.
    public func group(containing component: String) -> ComponentGroup? {
        groups.first { $0.components.contains(component) }
    }

    /// The branch backports come from.
    public var backportSource: String { backport.source ?? branches.main }

    /// The release a tag names: the tag has the configured prefix and the rest is a version of the
    /// scheme of its time, canonical or only misspelt (`23.09.8.rc1`); nil for any other tag.
    ///
    /// - Parameter name: a tag name.
    /// - Returns: the version and whether the tag spells it canonically, or nil.
    public func releaseVersion(ofTag name: String) -> (version: SchemeVersion, canonical: Bool)? {
        guard let text = tags.versionText(ofTag: name) else { return nil }
        return scheme(of: text).releaseTagVersion(text)
    }

    /// The scheme of a release line, branch line, tag or version's time: the earlier scheme whose
    /// last line it does not pass, by its first two numbers (year, then month or sprint; a
    /// leading `v` is passed over); the current scheme for later lines and for text with no such
    /// numbers. Lines are compared as (year, number): a scheme that changes within a year needs
    /// numbers that do not overlap (a sprint count after the last month).
    ///
    /// - Parameter text: a line, branch name, tag or version.
    /// - Returns: the scheme it is written in.
    public func scheme(of text: String) -> VersionScheme {
        guard !earlierSchemes.isEmpty, let (year, number) = Self.leadingLine(of: text) else { return scheme }
        for earlier in earlierSchemes where (year, number) <= (earlier.until.year, earlier.until.number) { return earlier.scheme }
        return scheme
    }

    /// A version computed in its own scheme, spelt in the scheme of its time: past an earlier
    /// scheme's last line, its (year, number) line is the next scheme's (24.12's next line,
    /// 25.01 in yy.0m arithmetic, is 25.1 in yy.n).
    ///
    /// - Parameter version: a version.
    /// - Returns: the same version, in the scheme of its time.
    public func inSchemeOfItsTime(_ version: SchemeVersion) -> SchemeVersion {
        let schemeThen = scheme(of: version.description)
        guard schemeThen != version.scheme,
            let line = try? ReleaseLine(scheme: schemeThen, year: version.line.year, number: version.line.number),
            let moved = try? schemeThen.version(parsing: line.description + version.description.dropFirst(version.line.description.count))
        else { return version }
        return moved
    }

    /// "yy.n", or with earlier schemes "yy.n (yy.0m up to 24.12)".
    public var schemeDescription: String {
        earlierSchemes.isEmpty
            ? scheme.name
            : scheme.name + " (" + earlierSchemes.map { "\($0.scheme.name) up to \($0.until)" }.joined(separator: ", ") + ")"
    }

    /// Every scheme with the lines it applies to, oldest first, for `relkit status`.
    public var schemePeriods: [(scheme: VersionScheme, applies: String)] {
        var periods: [(VersionScheme, String)] = []
        var after: ReleaseLine?
        for earlier in earlierSchemes {
            periods.append((earlier.scheme, after.map { "after \($0) up to \(earlier.until)" } ?? "up to \(earlier.until)"))
            after = earlier.until
        }
        periods.append((scheme, after.map { "after \($0)" } ?? "every line"))
        return periods
    }

    /// The release line a branch name stands for, in the scheme of its time.
    ///
    /// - Parameter name: a branch name.
    /// - Returns: the line, or nil when it is no release branch.
    public func line(ofBranch name: String) -> ReleaseLine? {
        guard let text = branches.releasePattern.extractPlaceholder("{line}", from: name) else { return nil }
        return try? ReleaseLine(parsing: text, scheme: scheme(of: text))
    }

    /// The branches of the release lines maintained on `today` (the registry under its lifecycle
    /// policy, `LineLifecycle`), in the registry's order.
    ///
    /// - Parameter today: the day (UTC).
    /// - Returns: the branch names.
    public func maintainedBranches(on today: CalendarDate) -> [String] {
        LineLifecycle.maintained(branches.lines, today: today).map { branches.branchName(of: $0.line) }
    }

    /// A release line given by the user (`--to 23.09`), in the scheme of its time.
    ///
    /// - Parameter text: the line as typed.
    /// - Returns: the line.
    /// - Throws: `SchemeError` saying why, in one sentence.
    public func releaseLine(parsing text: String) throws(SchemeError) -> ReleaseLine {
        try ReleaseLine(parsing: text, scheme: scheme(of: text))
    }

    /// A release line as people write it in a pull request (`Backport: 26.4`, `/backport 26.4`):
    /// the scheme's spelling, or the same two numbers without the month's zero (as PEP 440 and
    /// setuptools print `26.04`); nil for anything else.
    ///
    /// - Parameter text: the line as written.
    /// - Returns: the line, or nil.
    public func releaseLine(written text: String) -> ReleaseLine? {
        if let line = try? releaseLine(parsing: text) { return line }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.utf8.allSatisfy(ASCII.isDigit) }),
            let year = Int(parts[0]), let number = Int(parts[1])
        else { return nil }
        return try? ReleaseLine(scheme: scheme(of: text), year: year, number: number)
    }

    /// "23.09..." -> (23, 9): the first two dot-separated numbers (of at most six digits each).
    static func leadingLine(of text: String) -> (Int, Int)? {
        guard let runs = ReleaseLine.leadingDigitRuns(of: text), runs.year.count <= 6 else { return nil }
        return (ReleaseLine.value(of: runs.year), ReleaseLine.value(of: runs.number))
    }
}

extension String {
    /// Whether the text holds the placeholder (`{line}`).
    ///
    /// - Parameter placeholder: the placeholder, braces included.
    /// - Returns: whether it occurs.
    public func containsPlaceholder(_ placeholder: String) -> Bool { self[...].placeholderRange(placeholder) != nil }

    /// How many times the placeholder occurs.
    ///
    /// - Parameter placeholder: the placeholder, braces included.
    /// - Returns: the count.
    public func placeholderCount(_ placeholder: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.placeholderRange(placeholder) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }

    /// The text with each placeholder replaced.
    /// - Parameters:
    ///   - placeholder: the placeholder, braces included.
    ///   - value: what goes in its place.
    /// - Returns: the text with every occurrence replaced.
    public func replacingPlaceholder(_ placeholder: String, with value: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.placeholderRange(placeholder) {
            result += rest[..<range.lowerBound] + value
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    /// With a pattern such as `release/{line}`: the text standing for `{line}` in `name`.
    func extractPlaceholder(_ placeholder: String, from name: String) -> String? {
        guard let range = self[...].placeholderRange(placeholder) else { return self == name ? "" : nil }
        let prefix = self[..<range.lowerBound]
        let suffix = self[range.upperBound...]
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count >= prefix.count + suffix.count else { return nil }
        return String(name.dropFirst(prefix.count).dropLast(suffix.count))
    }
}

extension Substring {
    /// The first occurrence of an ASCII placeholder such as `{line}`, found on UTF-8 bytes (the
    /// generic `firstRange(of:)` costs a first-use set-up in every process; branch names are
    /// made on every command).
    func placeholderRange(_ placeholder: String) -> Range<String.Index>? {
        let needle = Array(placeholder.utf8)
        guard let first = needle.first else { return nil }
        let bytes = utf8
        var start = bytes.startIndex
        while let found = bytes[start...].firstIndex(of: first) {
            if let end = bytes.index(found, offsetBy: needle.count, limitedBy: bytes.endIndex), bytes[found..<end].elementsEqual(needle) {
                return found..<end
            }
            start = bytes.index(after: found)
        }
        return nil
    }
}
