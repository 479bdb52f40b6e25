import GitKit
import RelKitCore
internal import SystemLibc
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `relkit init`: a starter `.release.toml` from the version files found in the repository.
public enum Init {
    /// A component found in the repository.
    public struct DetectedComponent: Equatable {
        /// Its proposed name.
        public var name: String
        /// Its version files.
        public var files: [VersionFileSpec]
        /// The version found in them.
        public var value: String
    }

    /// The `.release.toml` to write, and what it was made from.
    public struct Plan {
        /// Where it is written.
        public let path: String
        /// The file's text.
        public internal(set) var contents: String
        /// The components found.
        public let components: [DetectedComponent]
        /// The components proposed as one group.
        public let group: [String]
        /// The schemes it found the history written in (or was given).
        public let scheme: VersionScheme
        /// The scheme used before, when the history changed schemes.
        public let earlierScheme: EarlierScheme?
        /// A release tag of the history is a post release (`22.03.11.post1`): allow-post = true.
        public var postReleaseTag: String?
        /// The release lines proposed for the registry (`[[lines]]`): the newest release branch
        /// found (here or on the remote) as a regular line, older ones of a month scheme still
        /// within the LTS support as LTS lines.
        public let lines: [RegisteredLine]
        /// Globs of database migration directories, proposed as sensitive to backport.
        public let sensitivePaths: [String]
        /// What `relkit upgrade` is proposed to compare: alembic histories, samples, compose files.
        public let upgrade: UpgradePolicy
        /// Pins of the monorepo's own packages found in its requirement files (`[[requirements]]`).
        public let requirements: [RequirementRule]
        /// Things the user should look at (no VERSION file found, values that do not parse).
        public let notes: [String]
        /// towncrier's configuration file found at the root (`towncrier.toml`, or a
        /// `pyproject.toml` with `[tool.towncrier]`): `[notes]` is proposed then.
        public var towncrierConfig: String?
        /// A `.release.toml` is there already: the plan can be shown, never written.
        public var exists: Bool { FileManager.default.fileExists(atPath: path) }
    }

    /// How many of the latest release branches are looked at for the registry.
    static let maintainedProposal = 3

    /// The registry proposed from the latest release lines, newest first: the newest as a regular
    /// line; each older line of a month scheme as an LTS line whose support (12 months from its
    /// month, the default policy) has not ended by `today`. Lines of sprint schemes carry no
    /// month to date them from, so only the newest of them is proposed.
    static func proposedLines(_ lines: [ReleaseLine], today: CalendarDate) -> [RegisteredLine] {
        guard let newest = lines.first else { return [] }
        var result = [RegisteredLine(name: newest.description, line: newest, kind: .regular)]
        for line in lines.dropFirst() where line.scheme.lineStyle == .month {
            guard let month = CalendarDate(year: 2000 + line.year, month: line.number, day: 1) else { continue }
            let retireAfter = month.lastDayOfMonth(monthsLater: 12)
            if retireAfter >= today { result.append(RegisteredLine(name: line.description, line: line, kind: .lts, retireAfter: retireAfter)) }
        }
        return result
    }

    /// Directories that hold no version files of the project.
    static let skippedDirectories: Set<String> = [".git", "node_modules", ".build", ".venv", "venv", "dist", "build", "target", "__pycache__", ".tox", ".mypy_cache"]

    /// `scheme`: the scheme to write; nil to infer it (and an earlier one) from the version files,
    /// the release tags and the release branches.
    ///
    /// - Parameters:
    ///   - directory: where relkit runs.
    ///   - requested: the scheme (nil: inferred from the history).
    ///   - today: the day (UTC): older lines whose LTS support would have ended are not proposed.
    /// - Returns: the file to write.
    /// - Throws: `OperationError` with the command's exit code.
    public static func plan(directory: String, scheme requested: VersionScheme? = nil, today: CalendarDate = CalendarDate(year: 1970, month: 1, day: 1)!) throws(OperationError) -> Plan {
        let workspace = try Workspace.open(at: directory)
        guard let root = workspace.root else { throw OperationError(.usage, "a bare repository has no working tree to configure") }
        let path = root + "/" + ConfigurationLoader.fileName
        let tree = WorkingTree(root: root)
        let found = walk(tree)
        var components: [DetectedComponent] = []
        var notes: [String] = []
        var usedNames = Set<String>()
        func uniqueName(_ base: String) -> String {
            let cleaned = String(base.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" })
            var name = cleaned.isEmpty ? "component" : cleaned
            var counter = 2
            while usedNames.contains(name) {
                name = "\(cleaned)-\(counter)"
                counter += 1
            }
            usedNames.insert(name)
            return name
        }
        var rootValue: String?
        var rootFiles: [VersionFileSpec] = []
        // The packages the monorepo publishes: name -> the component carrying its version (nil:
        // a version computed at build time, `dynamic = ["version"]`, taken to be the release's).
        var published: [(name: String, component: String?)] = []
        if case .file? = try? tree.kind(of: "VERSION"), let bytes = try? tree.read("VERSION") {
            rootValue = VersionExtractor.wholeFile(bytes).text
            rootFiles.append(VersionFileSpec(path: "VERSION"))
            _ = uniqueName("root")
        }

        for file in found.files {
            let name = PathText.lastComponent(file)
            let directoryName = PathText.lastComponent(PathText.deletingLastComponent(file))
            switch name {
            case "VERSION" where file != "VERSION":
                if case .file("VERSION")? = try? tree.resolve(file) {
                    rootFiles.append(VersionFileSpec(path: file)) // a symlink to the root VERSION
                } else if case .file(let target)? = try? tree.resolve(file), let bytes = try? tree.read(target) {
                    let value = VersionExtractor.wholeFile(bytes).text
                    components.append(DetectedComponent(name: uniqueName(directoryName), files: [VersionFileSpec(path: file)], value: value))
                }
            case "pyproject.toml", "package.json":
                guard let bytes = try? tree.read(file) else { continue }
                // The package's declared name, and where its version is written.
                let declaredName: String?
                let locator: VersionLocator
                if name == "pyproject.toml" {
                    declaredName = (try? TOMLTable(string: String(decoding: bytes, as: UTF8.self)))?["project"]?.table?["name"]?.string
                    locator = .tomlKey(["project", "version"])
                } else {
                    declaredName = try? JSONLocator.locate(["name"], in: bytes).value
                    locator = .jsonKey(["version"])
                }
                guard let found = try? VersionExtractor.extract(locator, from: bytes).first else {
                    if let declaredName { published.append((declaredName, nil)) }
                    continue
                }
                let component = uniqueName(declaredName ?? directoryName)
                if let declaredName { published.append((declaredName, component)) }
                // Its form is decided once the scheme is known (below).
                components.append(DetectedComponent(name: component, files: [VersionFileSpec(path: file, locator: locator)], value: found.text))
            default:
                continue
            }
        }
        if let rootValue {
            components.insert(DetectedComponent(name: "root", files: rootFiles, value: rootValue), at: 0)
        } else if components.isEmpty {
            components.append(DetectedComponent(name: "root", files: [VersionFileSpec(path: "VERSION")], value: ""))
        }

        // The scheme, from the version files that carry its own spelling (not pyproject.toml,
        // which is PEP 440 by nature), the release tags and the release branches.
        var branchNames: [String] = []
        var evidence: [String] = []
        var tagNames: [String] = []
        if let repository = workspace.repository {
            // Local and remote-tracking branches: a fresh clone has only main local.
            let remote = (try? workspace.checkoutConfiguration())?.0.branches.remote ?? "origin"
            branchNames = ((try? BranchResolver(repository: repository, remote: remote).allBranches()) ?? []).map(\.name)
            tagNames = ((try? repository.tags()) ?? []).map(\.name)
            evidence = tagNames + branchNames
        }
        func isPython(_ component: DetectedComponent) -> Bool { component.files.contains { if case .tomlKey = $0.locator { true } else { false } } }
        evidence += components.filter { !$0.value.isEmpty && !isPython($0) }.map(\.value)
        let inferred = SchemeInference.infer(evidence)
        let scheme = requested ?? inferred.scheme
        let earlier = requested == nil ? inferred.earlier : nil
        var history = ReleaseConfiguration(scheme: scheme)
        history.earlierSchemes = earlier.map { [$0] } ?? []
        if rootValue == nil {
            notes.append("no VERSION file at the repository root: create one (e.g. \(scheme.versionExample.split(separator: " ").last ?? "24.03.0"))")
        }
        // A file is written in the scheme's form; only pyproject.toml, which Python tools write in
        // PEP 440 form, gets `form = "pep440"`, and only when its value is that form. A value that
        // fits neither is left to `relkit check` (a note says so), never made to fit.
        for index in components.indices where isPython(components[index]) {
            let value = components[index].value
            let valueScheme = history.scheme(of: value)
            if !valueScheme.validate(value).isValid && valueScheme.check(value, form: .pep440).problem == nil {
                components[index].files = components[index].files.map { VersionFileSpec(path: $0.path, locator: $0.locator, form: .pep440) }
            }
        }
        // Components that carry the root's version now are taken to release together.
        var group: [String] = []
        func version(_ text: String) -> SchemeVersion? { try? history.scheme(of: text).version(parsing: text) }
        if let rootValue, let rootVersion = version(rootValue) {
            group = components.filter { version($0.value) == rootVersion }.map(\.name)
            if group.count < 2 { group = [] }
        }
        for component in components where !component.value.isEmpty && version(component.value) == nil {
            notes.append("\(component.name): '\(component.value.displayable())' is not a version of \(history.scheme(of: component.value).name); relkit check will report it")
        }
        // The latest release branches (lines of either scheme), newest first.
        let lines = branchNames.compactMap { name in history.line(ofBranch: name).map { (name, $0) } }
            .sorted { ($0.1.year, $0.1.number) > ($1.1.year, $1.1.number) }
        let registry = proposedLines(lines.prefix(maintainedProposal).map(\.1), today: today)
        // Pins of the published packages: a package with its own version follows its component;
        // one whose version is computed follows the release (the group, else the root).
        let releaseUnit = group.isEmpty ? components[0].name : "core"
        let requirements = requirementProposal(
            found, tree: tree,
            published: published.map { package in
                (package.name, package.component.map { name in group.contains(name) ? "core" : name } ?? releaseUnit)
            }, release: (releaseUnit, rootValue))
        var plan = Plan(
            path: path, contents: "", components: components, group: group, scheme: scheme, earlierScheme: earlier,
            lines: registry, sensitivePaths: found.migrations.sorted().map { $0 + "/**" },
            upgrade: upgradeProposal(found), requirements: requirements, notes: notes)
        // Release notes: towncrier's configuration where towncrier looks for it first.
        plan.towncrierConfig = (try? TowncrierConfiguration.read(in: tree, policy: NotesPolicy()))?.file
        // Post releases are allowed when the history has one (inferred as the scheme is).
        plan.postReleaseTag = tagNames.sorted().first(where: { name in
            guard let range = name.firstRange(of: ".post") else { return false }
            let number = name[range.upperBound...]
            return !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber } && !name[..<range.lowerBound].isEmpty
        })
        plan.contents = render(plan, inferredFrom: requested == nil ? inferred.evidence : nil)
        return plan
    }

    /// Version-bearing candidates, breadth first, skipping build and dependency directories; and
    /// database migration directories (alembic's `versions/`, Django's `migrations/`).
    static func walk(_ tree: WorkingTree) -> Found {
        var result: [String] = []
        var migrations: [String] = []
        var samples: [String] = []
        var compose: [String] = []
        var pinFiles: [String] = []
        var alembicConfigs: [String] = []
        var pending: [(String, Int)] = [("", 0)]
        while !pending.isEmpty {
            let (directory, depth) = pending.removeFirst()
            let names = (try? FileManager.default.contentsOfDirectory(atPath: tree.absolute(directory)))?.sorted() ?? []
            for name in names {
                let path = directory.isEmpty ? name : directory + "/" + name
                switch try? tree.kind(of: path) {
                case .directory?:
                    guard !skippedDirectories.contains(name) else { continue }
                    if name == "versions" && PathText.lastComponent(directory) == "alembic" {
                        migrations.append(path)
                    } else if name == "migrations", case .file? = try? tree.kind(of: path + "/__init__.py") {
                        migrations.append(path)
                    }
                    if depth < 8 { pending.append((path, depth + 1)) }
                case .file?, .symlink?:
                    if ["VERSION", "pyproject.toml", "package.json"].contains(name) { result.append(path) }
                    let lowered = name.lowercased()
                    if name == "pyproject.toml" || isRequirementFile(lowered, in: directory) { pinFiles.append(path) }
                    if lowered.hasSuffix(".ini") && lowered.contains("alembic") { alembicConfigs.append(path) }
                    if lowered.hasPrefix("sample") && (lowered.hasSuffix(".toml") || lowered.hasSuffix(".json"))
                        && directory.split(separator: "/").contains("configs")
                    {
                        samples.append(path)
                    }
                    if (lowered.hasPrefix("docker-compose") || lowered.hasPrefix("compose")) && (lowered.hasSuffix(".yml") || lowered.hasSuffix(".yaml")) {
                        compose.append(path)
                    }
                default:
                    break
                }
            }
        }
        return Found(
            files: result, migrations: migrations, samples: samples, compose: compose, pinFiles: pinFiles,
            alembicConfigs: alembicConfigs.map { path in (path, scriptLocation(in: tree, ini: path)) })
    }

    /// The start the normalized names share up to a separator (`backend-ai-` of backend-ai-agent
    /// and backend-ai-manager), when at least two share one of four characters or more.
    static func sharedNamePrefix(_ names: [String]) -> String? {
        guard names.count >= 2, var shared = names.first else { return nil }
        for name in names.dropFirst() {
            shared = String(zip(shared, name).prefix { $0 == $1 }.map(\.0))
        }
        guard let separator = shared.lastIndex(of: "-") else { return nil }
        let result = String(shared[...separator])
        return result.count >= 4 ? result : nil
    }

    /// pip's requirement and constraint files as projects name them: requirements.txt,
    /// requirements-dev.txt, dev-requirements.txt, constraints.txt, requirements/*.txt (and .in).
    static func isRequirementFile(_ lowered: String, in directory: String) -> Bool {
        guard lowered.hasSuffix(".txt") || lowered.hasSuffix(".in") else { return false }
        return lowered.contains("requirements") || lowered.contains("constraints")
            || ["requirements", "constraints"].contains(PathText.lastComponent(directory).lowercased())
    }

    /// `[[requirements]]` for the pins found: for each version the pins must follow, the files
    /// that pin one of its packages and the packages they pin. A pyproject.toml with pins whose
    /// package has siblings (`src/*/pyproject.toml` matches several) is named by that glob, so
    /// that the pins of a sibling, or of a package added later, are checked too.
    ///
    /// A package published without a pyproject.toml or package.json of its own (a namespace
    /// package built from the tree) is found by its pins: named with the prefix the published
    /// names share (`backend.ai-`), pinned at exactly the release's current version.
    static func requirementProposal(
        _ found: Found, tree: WorkingTree, published: [(name: String, versionOf: String)],
        release: (unit: String, version: String?)
    ) -> [RequirementRule] {
        guard !published.isEmpty else { return [] }
        var files: [String: Set<String>] = [:]
        var packages: [String: Set<String>] = [:]
        let prefix = sharedNamePrefix(published.map { RequirementScanner.normalizedName($0.name) })
        let releaseVersion = release.version.flatMap(VersionSyntax.normalized)
        let patterns = published.map(\.name) + (prefix.map { [$0 + "*"] } ?? [])
        for path in found.pinFiles.sorted() {
            guard let bytes = try? tree.read(path) else { continue }
            for pin in RequirementScanner.pins(in: bytes, packages: patterns) {
                let normalized = RequirementScanner.normalizedName(pin.package)
                let package: (name: String, versionOf: String)
                if let known = published.first(where: { RequirementScanner.normalizedName($0.name) == normalized }) {
                    package = known
                } else if ["==", "==="].contains(pin.comparison), let releaseVersion, VersionSyntax.normalized(pin.version) == releaseVersion {
                    package = (pin.package, release.unit)
                } else {
                    continue
                }
                files[package.versionOf, default: []].insert(path)
                packages[package.versionOf, default: []].insert(package.name)
            }
        }
        return files.keys.sorted().map { unit in
            var listed: [String] = []
            let pyprojects = found.pinFiles.filter { PathText.lastComponent($0) == "pyproject.toml" }
            let byParent = Dictionary(grouping: pyprojects) { PathText.deletingLastComponent(PathText.deletingLastComponent($0)) }
            for path in files[unit]!.sorted() {
                let parent = PathText.deletingLastComponent(PathText.deletingLastComponent(path))
                let glob = (parent.isEmpty ? "" : parent + "/") + "*/pyproject.toml"
                let entry = PathText.lastComponent(path) == "pyproject.toml" && (byParent[parent]?.count ?? 0) > 1 ? glob : path
                if !listed.contains(entry) { listed.append(entry) }
            }
            return RequirementRule(files: listed, packages: packages[unit]!.sorted(), versionOf: unit)
        }
    }

    /// What the walk found.
    struct Found {
        var files: [String]
        /// alembic `versions/` and Django `migrations/` directories.
        var migrations: [String]
        var samples: [String]
        var compose: [String]
        /// pyproject.toml, requirements and constraints files: where pins can be.
        var pinFiles: [String]
        /// alembic's ini files (`*alembic*.ini`) and the directory their script_location names.
        var alembicConfigs: [(path: String, scriptLocation: String?)] = []
    }

    /// The `script_location` of an alembic ini file as a repository path where it can be told:
    /// `%(here)s/alembic` from the file's directory, `pkg.models:alembic` as `pkg/models/alembic`
    /// (a package resource: matched by its end), a plain path as it is.
    static func scriptLocation(in tree: WorkingTree, ini path: String) -> String? {
        guard let bytes = try? tree.read(path) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            guard parts.count == 2, parts[0] == "script_location" else { continue }
            var value = parts[1]
            if value.hasPrefix("%(here)s/") {
                let directory = PathText.deletingLastComponent(path)
                value = (directory.isEmpty ? "" : directory + "/") + value.dropFirst("%(here)s/".count)
            } else if value.contains(":") {
                value = value.replacing(":", with: "/").replacing(".", with: "/")
            }
            // "configs/account/../../src/account/models/alembic" as the path it names.
            var components: [Substring] = []
            for part in value.split(separator: "/") where part != "." {
                if part == "..", !components.isEmpty, components.last != ".." { components.removeLast() } else { components.append(part) }
            }
            return components.joined(separator: "/")
        }
        return nil
    }

    /// `[upgrade]` for what was found: each alembic history named after the package holding it
    /// (`src/ai/backend/manager/models/alembic/versions` -> manager); samples and compose files as
    /// globs where several share a place.
    static func upgradeProposal(_ found: Found) -> UpgradePolicy {
        var policy = UpgradePolicy()
        var names = Set<String>()
        for path in found.migrations.sorted() where path.hasSuffix("alembic/versions") {
            let parts = path.split(separator: "/").map(String.init).filter { !["versions", "alembic", "models", "migrations", "src", "db"].contains($0) }
            let base = parts.last ?? "database"
            var name = base
            var counter = 2
            while names.contains(name) {
                name = "\(base)-\(counter)"
                counter += 1
            }
            names.insert(name)
            // The history's own ini file, when exactly one names its directory: the commands
            // printed then run against the right database.
            let scripts = PathText.deletingLastComponent(path)
            let configs = found.alembicConfigs.filter { config in
                guard let location = config.scriptLocation, !location.isEmpty else { return false }
                return scripts == location || scripts.hasSuffix("/" + location)
            }
            let command = configs.count == 1 ? "alembic -c \(configs[0].path)" : "alembic"
            policy.migrations.append(MigrationHistorySpec(name: name, path: path, command: command))
        }
        /// One glob per place: the stem, `*` and the file's extension, in the file's directory;
        /// `acrossServices`: a file in `configs/<service>/` stands for every service
        /// (configs/manager/sample.toml -> configs/*/sample*.toml).
        func globs(_ paths: [String], stem: (String) -> String, acrossServices: Bool) -> [String] {
            var result: [String] = []
            for path in paths.sorted() {
                let directory = PathText.deletingLastComponent(path)
                let name = PathText.lastComponent(path)
                let pattern = stem(name.lowercased()) + "*" + (name.split(separator: ".").last.map { "." + $0 } ?? "")
                let parent = PathText.deletingLastComponent(directory)
                let glob =
                    acrossServices && !directory.isEmpty && PathText.lastComponent(parent) == "configs"
                    ? parent + "/*/" + pattern : (directory.isEmpty ? "" : directory + "/") + pattern
                if !result.contains(glob) { result.append(glob) }
            }
            return result
        }
        policy.configSamples = globs(found.samples, stem: { _ in "sample" }, acrossServices: true)
        policy.compose = globs(found.compose, stem: { $0.hasPrefix("docker-compose") ? "docker-compose" : "compose" }, acrossServices: false)
        return policy
    }

    static func render(_ plan: Plan, inferredFrom evidence: Int?) -> String {
        let (components, group, scheme) = (plan.components, plan.group, plan.scheme)
        let found = evidence.map { $0 == 0 ? "  # the default: no tag, branch or version says" : "  # from \($0) version\($0 == 1 ? "" : "s"), tags and branches" } ?? ""
        var text = """
            # relkit configuration, written by `relkit init`; see relkit's docs/configuration.md for every key.

            [version]
            scheme = \(TOMLText.quoted(scheme.name))\(found)
            allow-post = \(plan.postReleaseTag == nil ? "false" : "true  # the history has a post release: \(plan.postReleaseTag!.displayable())")
            next-line = "next-month"  # main after a cut: "next-month", "cadence" (with cadence = [3, 9]) or "none"

            """
        if !group.isEmpty { text += "release = \"core\"          # the group whose version names tags and branches\n" }
        if let earlier = plan.earlierScheme {
            text += "\n# The history before: tags and branches up to \(earlier.until) are read in \(earlier.scheme.name).\n"
            text += "[[version.earlier]]\nscheme = \(TOMLText.quoted(earlier.scheme.name))\nuntil = \(TOMLText.quoted(earlier.until.description))\n"
        }
        for component in components {
            text += "\n[components.\(TOMLText.key(component.name))]\n"
            if !component.value.isEmpty { text += "# found: \(component.value.displayable())\n" }
            text += "files = [\n"
            for file in component.files {
                var fields = ["path = \(TOMLText.quoted(file.path))"]
                switch file.locator {
                case .tomlKey(let path): fields.append("toml = \(TOMLText.quoted(path.joined(separator: ".")))")
                case .jsonKey(let path): fields.append("json = \(TOMLText.quoted(path.joined(separator: ".")))")
                case .pattern(let prefix, let suffix): fields.append("pattern = \(TOMLText.quoted(prefix + "{version}" + suffix))")
                case .wholeFile: break
                }
                if file.form == .pep440 { fields.append("form = \"pep440\"") }
                text += fields.count == 1 ? "    \(TOMLText.quoted(file.path)),\n" : "    { \(fields.joined(separator: ", ")) },\n"
            }
            text += "]\n"
        }
        if !group.isEmpty {
            text += "\n# Components that must carry exactly the same version.\n[groups.core]\ncomponents = [\(group.map(TOMLText.quoted).joined(separator: ", "))]\n"
        }
        text += """

            [branches]
            main = "main"
            release-pattern = "{line}"   # release branches are named \(scheme.lineExample)

            """
        text += "lts-support = \"12 months\"      # an LTS line's retire-after: the last day of the month, this long after it registers\n"
        text += "\n# Release lines (relkit lines; backport --maintained). A regular line is maintained while it is\n"
        text += "# the newest; an LTS line through retire-after. relkit cut registers new lines here.\n"
        if plan.lines.isEmpty {
            text += "# [[lines]]\n# name = \"\(scheme.lineExample.split(separator: " ").last ?? "24.03")\"\n# lts = true\n# retire-after = 2027-03-31\n"
        }
        for line in plan.lines {
            text += "[[lines]]\nname = \(TOMLText.quoted(line.name))\n"
            if let retireAfter = line.retireAfter {
                text += "lts = true\nretire-after = \(retireAfter)   # found as a release branch: the policy's date for a line of its month\n"
            }
            text += "\n"
        }
        text += """

            [tags]
            prefix = ""                  # e.g. "v" for v24.03.0
            annotated = true

            [backport]
            trailers = ["Backported-From: {source}", "Backported-To: {target}"]

            """
        if plan.sensitivePaths.isEmpty {
            text += "sensitive-paths = []         # e.g. [\"**/alembic/versions/**\"]\n"
        } else {
            text += "# Database migrations: a backport that adds one deserves a second look.\n"
            text += "sensitive-paths = [\(plan.sensitivePaths.map(TOMLText.quoted).joined(separator: ", "))]\n"
        }
        if !plan.requirements.isEmpty {
            text += "\n# Pins of the monorepo's own packages: cut, tag and bump move them, check flags a stale one.\n"
        }
        text += plan.requirements.map { rule in
            "[[requirements]]\nfiles = [\(rule.files.map(TOMLText.quoted).joined(separator: ", "))]\n"
                + "packages = [\(rule.packages.map(TOMLText.quoted).joined(separator: ", "))]\nversion-of = \(TOMLText.quoted(rule.versionOf))\n"
        }.joined(separator: "\n")
        if let towncrier = plan.towncrierConfig {
            text += "\n# Release notes: news fragments that towncrier (configured in \(towncrier)) collates into one\n"
            text += "# file per release line; `relkit check --notes` checks them on pull requests.\n[notes]\n"
            text += "file = \"CHANGELOG/{line}.md\"\nno-fragment-types = [\"build\", \"chore\", \"ci\", \"refactor\", \"style\", \"test\"]\n"
        }
        let upgrade = plan.upgrade
        if upgrade.isConfigured {
            text += "\n# What `relkit upgrade FROM TO` compares between two refs.\n[upgrade]\n"
            text += "config-samples = [\(upgrade.configSamples.map(TOMLText.quoted).joined(separator: ", "))]\n"
            text += "compose = [\(upgrade.compose.map(TOMLText.quoted).joined(separator: ", "))]\n"
            text += "fail-on = [\"error\"]\n"
            for history in upgrade.migrations {
                text += "\n[[upgrade.migrations]]\nname = \(TOMLText.quoted(history.name))\npath = \(TOMLText.quoted(history.path))\n"
                text += history.command == "alembic" ? "command = \"alembic\"          # e.g. \"alembic -c alembic.ini\"\n" : "command = \(TOMLText.quoted(history.command))\n"
            }
        }
        return text
    }

    /// Writes the planned file; refuses if one appeared meanwhile (link() never overwrites).
    ///
    /// - Parameter plan: what `plan` made.
    /// - Throws: `OperationError`: refused when the file exists (it is never overwritten), repository
    ///   state when it cannot be written.
    public static func apply(_ plan: Plan) throws(OperationError) {
        let temporary = plan.path + ".relkit-\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(plan.contents.utf8)) else {
            throw OperationError(.repositoryState, "cannot write \(temporary)")
        }
        defer { unlink(temporary) }
        if link(temporary, plan.path) != 0 {
            let reason = String(cString: strerror(errno))
            throw errno == EEXIST
                ? OperationError(.refused, "\(plan.path) exists already; relkit init does not overwrite it")
                : OperationError(.repositoryState, "cannot write \(plan.path): \(reason)")
        }
    }
}
