import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Walks the parsed tables with the source map at hand, so every error has a place.
struct TableReader {
    let file: String
    let map: TOMLSourceMap

    func error(_ path: [String], _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, at: map.position(of: path), message: message)
    }

    /// A trailer key: a letter or digit, then letters, digits and '-'.
    static func isTrailerKey(_ key: Substring) -> Bool {
        func allowed(_ byte: UInt8) -> Bool { ASCII.isDigit(byte) || (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        guard let first = key.utf8.first, allowed(first) else { return false }
        return key.utf8.allSatisfy { allowed($0) || $0 == UInt8(ascii: "-") }
    }

    static func dotted(_ path: [String]) -> String {
        path.map { $0.hasPrefix("#") ? "[\($0.dropFirst())]" : $0 }.joined(separator: ".").replacing(".[", with: "[")
    }

    /// Refuses keys this table does not know, suggesting the nearest known one.
    func checkKeys(_ table: TOMLTable, at path: [String], known: [String]) throws(ConfigurationError) {
        for key in table.keys where !known.contains(key) {
            var message = "unknown key '\(key)'" + (path.isEmpty ? "" : " in [\(Self.dotted(path))]")
            if let suggestion = Spelling.nearest(to: key, among: known) { message += "; did you mean '\(suggestion)'?" } else { message += "; known keys: \(known.joined(separator: ", "))" }
            throw error(path + [key], message)
        }
    }

    func table(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> TOMLTable? {
        guard let value else { return nil }
        guard let table = value.table else { throw typeError(path, expected: "a table", got: value) }
        return table
    }

    func string(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> String? {
        guard let value else { return nil }
        guard let string = value.string else { throw typeError(path, expected: "a string", got: value) }
        return string
    }

    func bool(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> Bool? {
        guard let value else { return nil }
        guard let bool = value.bool else { throw typeError(path, expected: "true or false", got: value) }
        return bool
    }

    func integers(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> [Int]? {
        guard let value else { return nil }
        guard let array = value.array else { throw typeError(path, expected: "an array of integers", got: value) }
        var result: [Int] = []
        for (index, element) in array.enumerated() {
            guard let number = element.int else {
                throw typeError(path + ["#\(index)"], expected: "an integer", got: element)
            }
            result.append(number)
        }
        return result
    }

    func typeError(_ path: [String], expected: String, got value: TOMLValueConvertible) -> ConfigurationError {
        error(path, "'\(Self.dotted(path))' must be \(expected), not \(value.type == .int ? "an" : "a") \(value.type)")
    }

    func location(_ path: [String]) -> SourceLocation {
        let position = map.position(of: path)
        return SourceLocation(line: position.line, column: position.column)
    }

    func strings(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> [String]? {
        guard let value else { return nil }
        guard let array = value.array else { throw typeError(path, expected: "an array of strings", got: value) }
        var result: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.string else { throw typeError(path + ["#\(index)"], expected: "a string", got: element) }
            result.append(text)
        }
        return result
    }

    /// The keys of a table in the order they are written in the file.
    func orderedKeys(_ table: TOMLTable, at path: [String]) -> [String] {
        table.keys.sorted { a, b in
            let x = map.position(of: path + [a])
            let y = map.position(of: path + [b])
            return (x.line, x.column, a) < (y.line, y.column, b)
        }
    }

    static let rootKeys = ["version", "components", "groups", "api", "requirements", "branches", "lines", "tags", "backport", "upgrade", "notes"]

    mutating func configuration(_ root: TOMLTable) throws(ConfigurationError) -> ReleaseConfiguration {
        try checkKeys(root, at: [], known: Self.rootKeys)
        var configuration = ReleaseConfiguration.defaults
        var releaseUnit: String?
        if let version = try table(root["version"], at: ["version"]) {
            releaseUnit = try readVersion(version, into: &configuration)
        }
        if let components = try table(root["components"], at: ["components"]) {
            configuration.components = try readComponents(components)
        }
        if let groups = try table(root["groups"], at: ["groups"]) {
            configuration.groups = try readGroups(groups, components: configuration.components)
        }
        if let api = try table(root["api"], at: ["api"]) {
            configuration.apiVersion = try readFile(api, at: ["api"], allowForm: false)
        }
        if let requirements = root["requirements"] {
            configuration.requirements = try readRequirements(requirements, configuration: configuration)
        }
        if let branches = try table(root["branches"], at: ["branches"]) {
            configuration.branches = try readBranches(branches, configuration: configuration)
        }
        if let lines = root["lines"] {
            guard configuration.branches.maintained.isEmpty else {
                throw error(["lines"], "[[lines]] and [branches] maintained both list release lines; keep [[lines]] (relkit init writes it) and remove maintained")
            }
            configuration.branches.lines = try readLines(lines, configuration: configuration)
            configuration.branches.usesLineTables = true
        }
        if let tags = try table(root["tags"], at: ["tags"]) {
            configuration.tags = try readTags(tags)
        }
        if let backport = try table(root["backport"], at: ["backport"]) {
            configuration.backport = try readBackport(backport)
        }
        if let upgrade = try table(root["upgrade"], at: ["upgrade"]) {
            configuration.upgrade = try readUpgrade(upgrade)
        }
        if let notes = try table(root["notes"], at: ["notes"]) {
            configuration.notes = try readNotes(notes)
        }
        configuration.releaseUnit = try resolveReleaseUnit(releaseUnit, configuration)
        return configuration
    }

    /// The group or component whose version names releases: as configured, else the first
    /// group, else the first component.
    func resolveReleaseUnit(_ configured: String?, _ configuration: ReleaseConfiguration) throws(ConfigurationError) -> String {
        let names = configuration.groups.map(\.name) + configuration.components.map(\.name)
        if let configured {
            guard names.contains(configured) else {
                throw unknownName(["version", "release"], configured, kind: "group or component", among: names)
            }
            return configured
        }
        return configuration.groups.first?.name ?? configuration.components.first!.name
    }

    func unknownName(_ path: [String], _ name: String, kind: String, among names: [String]) -> ConfigurationError {
        var message = "'\(Self.dotted(path))' names \(kind) '\(name)', which is not defined"
        if let suggestion = Spelling.nearest(to: name, among: names) {
            message += "; did you mean '\(suggestion)'?"
        } else if !names.isEmpty {
            message += "; defined: \(names.joined(separator: ", "))"
        }
        return error(path, message)
    }

    /// Returns the configured release unit, checked once components and groups are known.
    func readVersion(_ table: TOMLTable, into configuration: inout ReleaseConfiguration) throws(ConfigurationError) -> String? {
        let path = ["version"]
        try checkKeys(table, at: path, known: ["scheme", "allow-post", "next-line", "cadence", "release", "earlier"])
        let allowPost = try bool(table["allow-post"], at: path + ["allow-post"]) ?? false
        let schemeName = try string(table["scheme"], at: path + ["scheme"]) ?? VersionScheme.yearMonth.name
        guard let scheme = VersionScheme(named: schemeName, allowsPost: allowPost) else {
            throw error(path + ["scheme"], VersionScheme.unknownName(schemeName))
        }
        configuration.scheme = scheme
        if let earlier = table["earlier"] {
            configuration.earlierSchemes = try readEarlierSchemes(earlier, allowPost: allowPost)
        }
        let policyName = try string(table["next-line"], at: path + ["next-line"]) ?? "next-month"
        let cadence = try integers(table["cadence"], at: path + ["cadence"])
        switch policyName {
        case "next-month":
            configuration.nextLine = .nextMonth
        case "none":
            configuration.nextLine = .none
        case "cadence":
            guard let cadence else { throw error(path + ["next-line"], "next-line = \"cadence\" needs a list of months: cadence = [3, 9]") }
            guard scheme.lineStyle == .month else {
                throw error(path + ["next-line"], "a cadence of months needs scheme = \"yy.0m\", not \"\(scheme.name)\"")
            }
            do { try ReleaseLine.validateCadence(cadence) } catch { throw self.error(path + ["cadence"], error.message) }
            configuration.nextLine = .cadence(cadence)
        default:
            throw error(path + ["next-line"], "unknown next-line policy '\(policyName)'; use one of: \(NextLinePolicy.names.joined(separator: ", "))")
        }
        if cadence != nil && policyName != "cadence" {
            throw error(path + ["cadence"], "cadence is used only with next-line = \"cadence\"")
        }
        return try string(table["release"], at: path + ["release"])
    }

    /// `[[version.earlier]]`: `scheme` and `until` (its last release line, in that scheme), oldest
    /// first.
    func readEarlierSchemes(_ value: TOMLValueConvertible, allowPost: Bool) throws(ConfigurationError) -> [EarlierScheme] {
        guard let array = value.array else {
            throw typeError(["version", "earlier"], expected: "an array of tables ([[version.earlier]])", got: value)
        }
        var result: [EarlierScheme] = []
        for (index, element) in array.enumerated() {
            let path = ["version", "earlier", "#\(index)"]
            guard let entry = element.table else { throw typeError(path, expected: "a table ([[version.earlier]])", got: element) }
            try checkKeys(entry, at: path, known: ["scheme", "until"])
            guard let name = try string(entry["scheme"], at: path + ["scheme"]) else {
                throw error(path, "an earlier scheme needs scheme = \"yy.0m\" or \"yy.n\"")
            }
            guard let scheme = VersionScheme(named: name, allowsPost: allowPost) else {
                throw error(path + ["scheme"], VersionScheme.unknownName(name))
            }
            guard let untilText = try string(entry["until"], at: path + ["until"]) else {
                throw error(path, "an earlier scheme needs until = \"YY.NN\", its last release line")
            }
            let until: ReleaseLine
            do { until = try ReleaseLine(parsing: untilText, scheme: scheme) } catch {
                throw self.error(path + ["until"], "until = \"\(untilText)\" is not a release line of \(scheme.name): \(error.message)")
            }
            if let previous = result.last, (until.year, until.number) <= (previous.until.year, previous.until.number) {
                throw self.error(path + ["until"], "earlier schemes go oldest first: \(until) does not come after \(previous.until)")
            }
            result.append(EarlierScheme(scheme: scheme, until: until))
        }
        return result
    }

    static let fileKeys = ["path", "toml", "json", "pattern", "form"]

    func readComponents(_ table: TOMLTable) throws(ConfigurationError) -> [Component] {
        var components: [Component] = []
        for name in orderedKeys(table, at: ["components"]) {
            let path = ["components", name]
            try checkName(name, at: path, kind: "component")
            guard let body = try self.table(table[name], at: path) else { continue }
            try checkKeys(body, at: path, known: ["files"])
            guard let files = body["files"] else { throw error(path, "component '\(name)' needs files = [...]") }
            guard let array = files.array else { throw typeError(path + ["files"], expected: "an array", got: files) }
            guard !array.isEmpty else { throw error(path + ["files"], "component '\(name)' lists no file") }
            var specs: [VersionFileSpec] = []
            for (index, entry) in array.enumerated() {
                let entryPath = path + ["files", "#\(index)"]
                if let text = entry.string {
                    specs.append(VersionFileSpec(path: try checkedPath(text, at: entryPath), location: location(entryPath)))
                } else if let entryTable = entry.table {
                    specs.append(try readFile(entryTable, at: entryPath, allowForm: true))
                } else {
                    throw typeError(entryPath, expected: "a path or a table such as { path = \"pyproject.toml\", toml = \"project.version\" }", got: entry)
                }
            }
            components.append(Component(name: name, files: specs, location: location(path)))
        }
        guard !components.isEmpty else { throw error(["components"], "[components] defines no component") }
        return components
    }

    func checkName(_ name: String, at path: [String], kind: String) throws(ConfigurationError) {
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.".unicodeScalars.contains($0) }) else {
            throw error(path, "\(kind) name '\(name.displayable())' may use letters, digits, '-', '_' and '.' only")
        }
    }

    /// A `{ path = ..., toml|json|pattern = ..., form = ... }` entry.
    func readFile(_ table: TOMLTable, at path: [String], allowForm: Bool) throws(ConfigurationError) -> VersionFileSpec {
        try checkKeys(table, at: path, known: allowForm ? Self.fileKeys : Self.fileKeys.filter { $0 != "form" })
        guard let rawPath = try string(table["path"], at: path + ["path"]) else { throw error(path, "'\(Self.dotted(path))' needs path = \"...\"") }
        let filePath = try checkedPath(rawPath, at: path + ["path"])
        let toml = try string(table["toml"], at: path + ["toml"])
        let json = try string(table["json"], at: path + ["json"])
        let pattern = try string(table["pattern"], at: path + ["pattern"])
        let given = [("toml", toml), ("json", json), ("pattern", pattern)].filter { $0.1 != nil }
        if given.count > 1 {
            throw error(path + [given[1].0], "give one of toml, json or pattern, not both \(given[0].0) and \(given[1].0)")
        }
        var locator = VersionLocator.wholeFile
        if let toml { locator = .tomlKey(try keyPath(toml, at: path + ["toml"])) }
        if let json { locator = .jsonKey(try keyPath(json, at: path + ["json"])) }
        if let pattern {
            let parts = pattern.components(separatedBy: "{version}")
            guard parts.count == 2 else {
                throw error(path + ["pattern"], "pattern must contain {version} exactly once: '\(pattern)'")
            }
            guard !parts[0].isEmpty || !parts[1].isEmpty else { throw error(path + ["pattern"], "pattern needs text around {version}") }
            locator = .pattern(prefix: parts[0], suffix: parts[1])
        }
        var form = VersionForm.scheme
        if let formName = try string(table["form"], at: path + ["form"]) {
            guard let parsed = VersionForm(rawValue: formName) else {
                throw error(path + ["form"], "unknown form '\(formName)'; use scheme (24.03.0) or pep440 (24.3.0)")
            }
            form = parsed
        }
        return VersionFileSpec(path: filePath, locator: locator, form: form, location: location(path + ["path"]))
    }

    func keyPath(_ text: String, at path: [String]) throws(ConfigurationError) -> [String] {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty) else { throw error(path, "'\(text)' is not a dotted key such as project.version") }
        return parts
    }

    /// Paths and globs stay inside the repository: relative, without `..`.
    func checkedPath(_ text: String, at path: [String]) throws(ConfigurationError) -> String {
        guard !text.isEmpty else { throw error(path, "the path is empty") }
        guard !text.hasPrefix("/") && !text.hasPrefix("~") else {
            throw error(path, "'\(text.displayable())' is absolute; paths are relative to the repository root")
        }
        guard !text.contains("\0") else { throw error(path, "the path contains a NUL character") }
        let parts = text.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains("..") else { throw error(path, "'\(text.displayable())' leaves the repository ('..')") }
        let cleaned = parts.filter { $0 != "." }.joined(separator: "/")
        guard !cleaned.isEmpty else { throw error(path, "'\(text)' names the repository root, not a file") }
        return cleaned
    }

    func readGroups(_ table: TOMLTable, components: [Component]) throws(ConfigurationError) -> [ComponentGroup] {
        var groups: [ComponentGroup] = []
        var owner: [String: String] = [:]
        let componentNames = components.map(\.name)
        for name in orderedKeys(table, at: ["groups"]) {
            let path = ["groups", name]
            try checkName(name, at: path, kind: "group")
            if componentNames.contains(name) { throw error(path, "group '\(name)' has the name of a component; give it another") }
            guard let body = try self.table(table[name], at: path) else { continue }
            try checkKeys(body, at: path, known: ["components"])
            guard let members = try strings(body["components"], at: path + ["components"]), !members.isEmpty else {
                throw error(path, "group '\(name)' needs components = [\"...\", ...]")
            }
            for (index, member) in members.enumerated() {
                let memberPath = path + ["components", "#\(index)"]
                guard componentNames.contains(member) else { throw unknownName(memberPath, member, kind: "component", among: componentNames) }
                if let other = owner[member] {
                    throw error(memberPath, "component '\(member)' is already in group '\(other)'; a component belongs to one group")
                }
                owner[member] = name
            }
            groups.append(ComponentGroup(name: name, components: members, location: location(path)))
        }
        return groups
    }

    func readRequirements(_ value: TOMLValueConvertible, configuration: ReleaseConfiguration) throws(ConfigurationError) -> [RequirementRule] {
        let tables: [(TOMLTable, [String])]
        if let single = value.table {
            tables = [(single, ["requirements"])]
        } else if let array = value.array {
            var collected: [(TOMLTable, [String])] = []
            for (index, element) in array.enumerated() {
                guard let entry = element.table else {
                    throw typeError(["requirements", "#\(index)"], expected: "a table ([[requirements]])", got: element)
                }
                collected.append((entry, ["requirements", "#\(index)"]))
            }
            tables = collected
        } else {
            throw typeError(["requirements"], expected: "a table or an array of tables", got: value)
        }
        let names = configuration.groups.map(\.name) + configuration.components.map(\.name)
        var rules: [RequirementRule] = []
        for (table, path) in tables {
            try checkKeys(table, at: path, known: ["files", "packages", "version-of"])
            guard let files = try strings(table["files"], at: path + ["files"]), !files.isEmpty else {
                throw error(path, "requirements need files = [\"requirements*.txt\", ...]")
            }
            guard let packages = try strings(table["packages"], at: path + ["packages"]), !packages.isEmpty else {
                throw error(path, "requirements need packages = [\"backend.ai-*\", ...]")
            }
            var checkedFiles: [String] = []
            for (index, file) in files.enumerated() { checkedFiles.append(try checkedPath(file, at: path + ["files", "#\(index)"])) }
            let versionOf = try string(table["version-of"], at: path + ["version-of"]) ?? configuration.groups.first?.name ?? configuration.components[0].name
            guard names.contains(versionOf) else { throw unknownName(path + ["version-of"], versionOf, kind: "group or component", among: names) }
            rules.append(
                RequirementRule(
                    files: checkedFiles, packages: packages, versionOf: versionOf, location: location(path),
                    fileLocations: files.indices.map { location(path + ["files", "#\($0)"]) }))
        }
        return rules
    }

    func readBranches(_ table: TOMLTable, configuration: ReleaseConfiguration) throws(ConfigurationError) -> BranchPolicy {
        let scheme = configuration.scheme
        let path = ["branches"]
        try checkKeys(table, at: path, known: ["main", "release-pattern", "maintained", "remote", "lts-support"])
        var policy = BranchPolicy()
        if let main = try string(table["main"], at: path + ["main"]) {
            try checkRefPart(main, at: path + ["main"], what: "branch name")
            policy.main = main
        }
        if let pattern = try string(table["release-pattern"], at: path + ["release-pattern"]) {
            guard pattern.placeholderCount("{line}") == 1 else {
                throw error(path + ["release-pattern"], "release-pattern must contain {line} exactly once, e.g. \"release/{line}\"")
            }
            try checkRefPart(pattern.replacingPlaceholder("{line}", with: "24.03"), at: path + ["release-pattern"], what: "branch name")
            policy.releasePattern = pattern
        }
        if let maintained = try strings(table["maintained"], at: path + ["maintained"]) {
            var withPolicy = configuration
            withPolicy.branches = policy
            // Each in the scheme of its time: maintained lines of an earlier scheme are allowed.
            for (index, branch) in maintained.enumerated() where withPolicy.line(ofBranch: branch) == nil {
                throw error(
                    path + ["maintained", "#\(index)"],
                    "maintained branch '\(branch.displayable())' is not a release branch (\(policy.releasePattern) with a line such as \(scheme.lineExample))")
            }
            policy.maintained = maintained
            policy.lines = maintained.enumerated().map { index, branch in
                let line = withPolicy.line(ofBranch: branch)!
                return RegisteredLine(name: line.description, line: line, kind: .listed, location: location(path + ["maintained", "#\(index)"]))
            }
        }
        if let remote = try string(table["remote"], at: path + ["remote"]) {
            try checkRefPart(remote, at: path + ["remote"], what: "remote name")
            policy.remote = remote
        }
        if let support = try string(table["lts-support"], at: path + ["lts-support"]) {
            guard let months = Self.months(in: support) else {
                throw error(path + ["lts-support"], "lts-support must be a length in months or years, such as \"12 months\" or \"2 years\", not '\(support.displayable())'")
            }
            policy.ltsSupportMonths = months
        }
        return policy
    }

    /// "12 months", "1 month", "2 years", "1 year" as months; nil for anything else.
    static func months(in text: String) -> Int? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2, let count = Int(words[0]), count > 0, count <= 1200 else { return nil }
        switch words[1] {
        case "month", "months": return count
        case "year", "years": return count * 12
        default: return nil
        }
    }

    /// `[[lines]]`: each release line with `name`, `lts` and, for an LTS line, `retire-after`.
    func readLines(_ value: TOMLValueConvertible, configuration: ReleaseConfiguration) throws(ConfigurationError) -> [RegisteredLine] {
        guard let array = value.array else {
            throw typeError(["lines"], expected: "an array of tables ([[lines]])", got: value)
        }
        var lines: [RegisteredLine] = []
        for (index, element) in array.enumerated() {
            let path = ["lines", "#\(index)"]
            guard let entry = element.table else { throw typeError(path, expected: "a table ([[lines]])", got: element) }
            try checkKeys(entry, at: path, known: ["name", "lts", "retire-after"])
            guard let name = try string(entry["name"], at: path + ["name"]) else {
                throw error(path, "each [[lines]] entry needs name = \"X.Y\", the release line")
            }
            let line: ReleaseLine
            do { line = try configuration.releaseLine(parsing: name) } catch {
                throw self.error(path + ["name"], "'\(name.displayable())' is not a release line: \(error.message)")
            }
            if let earlier = lines.first(where: { $0.line == line }) {
                throw self.error(path + ["name"], "line \(name) is registered twice (also at line \(earlier.location.line))")
            }
            let lts = try bool(entry["lts"], at: path + ["lts"]) ?? false
            let retireAfter = try date(entry["retire-after"], at: path + ["retire-after"])
            if lts && retireAfter == nil {
                throw self.error(path, "LTS line \(name) needs retire-after, the last day it is maintained (e.g. retire-after = 2027-04-30)")
            }
            if !lts && retireAfter != nil {
                throw self.error(path + ["retire-after"], "retire-after is for LTS lines; add lts = true, or remove it")
            }
            lines.append(RegisteredLine(name: name, line: line, kind: lts ? .lts : .regular, retireAfter: retireAfter, location: location(path)))
        }
        return lines
    }

    /// A TOML local date (`2027-04-30`) or a string of one.
    func date(_ value: TOMLValueConvertible?, at path: [String]) throws(ConfigurationError) -> CalendarDate? {
        guard let value else { return nil }
        if let date = value.date {
            guard let result = CalendarDate(year: date.year, month: date.month, day: date.day) else {
                throw error(path, "\(date.year)-\(date.month)-\(date.day) is not a day of the calendar")
            }
            return result
        }
        guard let text = value.string else { throw typeError(path, expected: "a date (2027-04-30)", got: value) }
        guard let result = CalendarDate(parsing: text) else {
            throw error(path, "'\(text.displayable())' is not a date written YYYY-MM-DD that exists")
        }
        return result
    }

    /// What git refuses in a ref name (git check-ref-format), checked early.
    func checkRefPart(_ text: String, at path: [String], what: String) throws(ConfigurationError) {
        let forbidden = " ~^:?*[\\"
        if text.isEmpty || text.contains("..") || text.contains("@{") || text.hasPrefix("-") || text.hasSuffix(".lock")
            || text.hasSuffix("/") || text.hasSuffix(".") || text.hasPrefix("/")
            || text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || forbidden.unicodeScalars.contains($0) })
        {
            throw error(path, "'\(text.displayable())' is not a valid git \(what)")
        }
    }

    func readTags(_ table: TOMLTable) throws(ConfigurationError) -> TagPolicy {
        let path = ["tags"]
        try checkKeys(table, at: path, known: ["prefix", "annotated"])
        var policy = TagPolicy()
        if let prefix = try string(table["prefix"], at: path + ["prefix"]) {
            if !prefix.isEmpty { try checkRefPart(prefix + "24.03.0", at: path + ["prefix"], what: "tag prefix") }
            policy.prefix = prefix
        }
        policy.annotated = try bool(table["annotated"], at: path + ["annotated"]) ?? true
        return policy
    }

    func readUpgrade(_ table: TOMLTable) throws(ConfigurationError) -> UpgradePolicy {
        let path = ["upgrade"]
        try checkKeys(table, at: path, known: ["migrations", "config-samples", "compose", "fail-on"])
        var policy = UpgradePolicy()
        if let value = table["migrations"] {
            guard let array = value.array else { throw typeError(path + ["migrations"], expected: "an array of tables ([[upgrade.migrations]])", got: value) }
            for (index, element) in array.enumerated() {
                let entryPath = path + ["migrations", "#\(index)"]
                guard let entry = element.table else {
                    throw typeError(entryPath, expected: "a table such as { name = \"manager\", path = \"src/.../alembic/versions\" }", got: element)
                }
                try checkKeys(entry, at: entryPath, known: ["name", "path", "command"])
                guard let name = try string(entry["name"], at: entryPath + ["name"]) else { throw error(entryPath, "a migration history needs name = \"...\"") }
                try checkName(name, at: entryPath + ["name"], kind: "migration history")
                if policy.migrations.contains(where: { $0.name == name }) {
                    throw error(entryPath + ["name"], "migration history '\(name)' is named twice")
                }
                guard let rawPath = try string(entry["path"], at: entryPath + ["path"]) else {
                    throw error(entryPath, "a migration history needs path = \"...\" (its alembic versions directory)")
                }
                let command = try string(entry["command"], at: entryPath + ["command"]) ?? "alembic"
                guard !command.trimmingSpaces().isEmpty, !command.contains("\n") else {
                    throw error(entryPath + ["command"], "command must be one line, such as \"alembic -c alembic.ini\"")
                }
                policy.migrations.append(
                    MigrationHistorySpec(
                        name: name, path: try checkedPath(rawPath, at: entryPath + ["path"]),
                        command: command.trimmingSpaces(), location: location(entryPath)))
            }
        }
        for (key, keyPath) in [("config-samples", \UpgradePolicy.configSamples), ("compose", \UpgradePolicy.compose)] {
            guard let globs = try strings(table[key], at: path + [key]) else { continue }
            for (index, glob) in globs.enumerated() { _ = try checkedPath(glob, at: path + [key, "#\(index)"]) }
            policy[keyPath: keyPath] = globs
        }
        if let failOn = try strings(table["fail-on"], at: path + ["fail-on"]) {
            for (index, entry) in failOn.enumerated() where !UpgradePolicy.failOnChoices.contains(entry) {
                throw unknownName(path + ["fail-on", "#\(index)"], entry, kind: "fail-on entry", among: UpgradePolicy.failOnChoices)
            }
            policy.failOn = failOn
        }
        return policy
    }

    func readNotes(_ table: TOMLTable) throws(ConfigurationError) -> NotesPolicy {
        let path = ["notes"]
        try checkKeys(table, at: path, known: ["tool", "file", "no-fragment-types", "exempt-subjects", "towncrier-config"])
        var policy = NotesPolicy()
        if let tool = try string(table["tool"], at: path + ["tool"]) {
            guard tool == "towncrier" else { throw unknownName(path + ["tool"], tool, kind: "notes tool", among: ["towncrier"]) }
        }
        if let file = try string(table["file"], at: path + ["file"]) {
            _ = try checkedPath(file.replacingPlaceholder("{line}", with: "26.4"), at: path + ["file"])
            var rest = file.replacingPlaceholder("{line}", with: "")
            if let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                rest = String(rest[open...close])
                throw error(path + ["file"], "unknown placeholder '\(rest)'; known: {line}")
            }
            policy.file = file
        }
        if let types = try strings(table["no-fragment-types"], at: path + ["no-fragment-types"]) { policy.noFragmentTypes = types.map { $0.lowercased() } }
        if let patterns = try strings(table["exempt-subjects"], at: path + ["exempt-subjects"]) {
            for (index, pattern) in patterns.enumerated() where (try? Regex(pattern)) == nil {
                throw error(path + ["exempt-subjects", "#\(index)"], "'\(pattern.displayable())' is not a regular expression")
            }
            policy.exemptSubjects = patterns
        }
        if let config = try string(table["towncrier-config"], at: path + ["towncrier-config"]) {
            policy.towncrierConfig = try checkedPath(config, at: path + ["towncrier-config"])
        }
        return policy
    }

    func readBackport(_ table: TOMLTable) throws(ConfigurationError) -> BackportPolicy {
        let path = ["backport"]
        try checkKeys(
            table, at: path, known: ["source", "trailers", "record-picked-commit", "sensitive-paths", "fix-subjects", "fix-fragments", "branch-template", "sensitive-label", "keep-target"])
        var policy = BackportPolicy()
        if let template = try string(table["branch-template"], at: path + ["branch-template"]) {
            guard template.containsPlaceholder("{target}") else {
                throw error(path + ["branch-template"], "branch-template must contain {target}, so that each target gets a branch of its own (e.g. \"backport/{pr}-to-{target}\")")
            }
            try checkRefPart(
                template.replacingPlaceholder("{target}", with: "26.09").replacingPlaceholder("{pr}", with: "42").replacingPlaceholder("{short-commit}", with: "1a2b3c4d5e6f"),
                at: path + ["branch-template"], what: "branch name")
            policy.branchTemplate = template
        }
        if let label = try string(table["sensitive-label"], at: path + ["sensitive-label"]) { policy.sensitiveLabel = label }
        if let source = try string(table["source"], at: path + ["source"]) {
            try checkRefPart(source, at: path + ["source"], what: "branch name")
            policy.source = source
        }
        if let trailers = try strings(table["trailers"], at: path + ["trailers"]) {
            for (index, trailer) in trailers.enumerated() {
                let trailerPath = path + ["trailers", "#\(index)"]
                guard let colon = trailer.firstIndex(of: ":"), Self.isTrailerKey(trailer[..<colon]),
                    !trailer[trailer.index(after: colon)...].trimmingSpaces().isEmpty
                else {
                    throw error(trailerPath, "trailer '\(trailer.displayable())' is not 'Key: value' (a key of letters, digits and '-')")
                }
                var rest = trailer
                for placeholder in BackportPolicy.placeholders { rest = rest.replacingPlaceholder(placeholder, with: "") }
                if let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                    throw error(trailerPath, "unknown placeholder '\(rest[open...close])'; known: \(BackportPolicy.placeholders.joined(separator: ", "))")
                }
            }
            policy.trailers = trailers
        }
        if let record = try bool(table["record-picked-commit"], at: path + ["record-picked-commit"]) { policy.recordPickedCommit = record }
        if let paths = try strings(table["sensitive-paths"], at: path + ["sensitive-paths"]) {
            for (index, glob) in paths.enumerated() { _ = try checkedPath(glob, at: path + ["sensitive-paths", "#\(index)"]) }
            policy.sensitivePaths = paths
        }
        if let paths = try strings(table["keep-target"], at: path + ["keep-target"]) {
            for (index, glob) in paths.enumerated() { _ = try checkedPath(glob, at: path + ["keep-target", "#\(index)"]) }
            policy.keepTarget = paths
        }
        if let patterns = try strings(table["fix-subjects"], at: path + ["fix-subjects"]) {
            for (index, pattern) in patterns.enumerated() where (try? Regex(pattern)) == nil {
                throw error(path + ["fix-subjects", "#\(index)"], "'\(pattern.displayable())' is not a regular expression")
            }
            policy.fixSubjects = patterns
        }
        if let globs = try strings(table["fix-fragments"], at: path + ["fix-fragments"]) {
            for (index, glob) in globs.enumerated() { _ = try checkedPath(glob, at: path + ["fix-fragments", "#\(index)"]) }
            policy.fixFragments = globs
        }
        return policy
    }
}
