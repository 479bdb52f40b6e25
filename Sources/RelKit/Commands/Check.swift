import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `relkit check`: every version in the monorepo is valid, consistent, and agrees with git.
public enum Check {
    /// What to check.
    public struct Request {
        /// Where relkit runs.
        public var directory: String
        /// Check this revision's files instead of the working tree.
        public var revision: String?
        /// Also check every tag against the files at its commit.
        public var checkTags: Bool
        /// The API version may not be dated after this day (UTC).
        public var today: CalendarDate
        /// Also check the news fragments of the changes since `notesBase` (`--notes`).
        public var checkNotes = false
        /// Where the changes the notes check looks at start (nil: where HEAD left the source branch).
        public var notesBase: String?

        /// A request.
        /// - Parameters:
        ///   - directory: where relkit runs.
        ///   - revision: a revision to check instead of the work tree.
        ///   - checkTags: also check every tag.
        ///   - today: the day (UTC) the API version may not be after.
        public init(directory: String, revision: String? = nil, checkTags: Bool = false, today: CalendarDate) {
            self.directory = directory
            self.revision = revision
            self.checkTags = checkTags
            self.today = today
        }
    }

    /// What the check found.
    public struct Report {
        /// What was checked: "working tree" or "REV (id)".
        public var target: String
        /// The configuration file read (nil: relkit's defaults).
        public var configurationFile: String?
        /// Every finding, sorted by file and line.
        public var findings: [Finding]
        /// How many files were read.
        public var filesRead: Int
        /// The configuration checked with.
        public var configuration: ReleaseConfiguration
        /// The agreed version of each group and independent component.
        public var versions: [(unit: String, version: SchemeVersion?)]

        /// How many findings are errors.
        public var errorCount: Int { findings.filter { $0.severity == .error }.count }
        /// How many findings are warnings.
        public var warningCount: Int { findings.count - errorCount }
    }

    /// Checks every version file, their agreement and git's tags and branches.
    /// - Parameter request: what to check.
    /// - Returns: the findings.
    /// - Throws: `OperationError` (usage) for a bad configuration or revision.
    public static func run(_ request: Request) throws(OperationError) -> Report {
        let workspace = try Workspace.open(at: request.directory)
        let tree = try workspace.tree(revision: request.revision)
        // A revision without its own .release.toml is read with the checkout's (when readable).
        let checkout = request.revision == nil ? nil : try? workspace.checkoutConfiguration()
        let (configuration, configFile) = try Workspace.configuration(in: tree, otherwise: checkout)
        let reader = VersionFileReader(tree: tree)
        var findings: [Finding] = []

        // 1-2, 6: every version string, and agreement within groups and components.
        let versions: [(String, SchemeVersion?)]
        do {
            versions = try readVersions(configuration, reader: reader, findings: &findings)
        } catch {
            throw .configuration(error.configurationError(file: configFile))
        }
        findings += reader.findings
        let versionOf = Dictionary(versions.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        func unitVersion(_ unit: String) -> SchemeVersion? {
            if let version = versionOf[unit] ?? nil { return version }
            // A grouped component's version is its group's.
            return configuration.group(containing: unit).flatMap { versionOf[$0.name] ?? nil }
        }

        // 3: internal requirement pins.
        do {
            for rule in configuration.requirements {
                findings += try checkPins(rule, expected: unitVersion(rule.versionOf), reader: reader)
            }
        } catch {
            throw .configuration(error.configurationError(file: configFile))
        }

        // 4: the API version.
        if let api = configuration.apiVersion {
            do {
                findings += try checkAPIVersion(api, reader: reader, today: request.today)
            } catch {
                throw .configuration(error.configurationError(file: configFile))
            }
        }

        // 5: git consistency.
        if let repository = workspace.repository {
            findings += try gitFindings(
                repository, request: request, configuration: configuration,
                releaseVersion: unitVersion(configuration.releaseUnit))
        }

        // The release notes' fragments (`--notes`): at the commit checked, HEAD for the work tree.
        var filesRead = reader.filesRead
        if request.checkNotes {
            guard let repository = workspace.repository else { throw OperationError(.usage, "relkit check --notes needs a git repository") }
            let head = try repository.commit(named: request.revision ?? "HEAD", remote: configuration.branches.remote)
            let notes = try NotesCheck.findings(repository: repository, configuration: configuration, head: head, base: request.notesBase)
            findings += notes.findings
            filesRead += notes.filesRead
        }

        return Report(
            target: tree.label, configurationFile: configFile, findings: sortedFindings(dedupe(findings)),
            filesRead: filesRead, configuration: configuration, versions: versions)
    }

    static func checkAPIVersion(
        _ api: VersionFileSpec, reader: VersionFileReader,
        today: CalendarDate
    ) throws(SpecProblem) -> [Finding] {
        var findings: [Finding] = []
        for file in try reader.expand(api.path, at: api.location) {
            let bytes = try reader.bytes(file.target)
            let found: [ExtractedVersion]
            do { found = try VersionExtractor.extract(api.locator, from: bytes) } catch {
                throw SpecProblem(location: api.location, message: "\(file.target): \(error.message)")
            }
            for value in found {
                if let problem = CheckRules.apiVersion(value.text, today: (today.year, today.month, today.day)) {
                    findings.append(Finding(rule: "api-version", file: file.target, line: value.line, column: value.column, message: problem))
                }
            }
        }
        return findings
    }

    static func dedupe(_ findings: [Finding]) -> [Finding] {
        var seen: [Finding] = []
        for finding in findings where !seen.contains(finding) { seen.append(finding) }
        return seen
    }

    /// Reads every component, reports invalid spellings once per place, and checks agreement.
    /// Returns the agreed version of each group, then of each independent component.
    static func readVersions(
        _ configuration: ReleaseConfiguration, reader: VersionFileReader,
        findings: inout [Finding]
    ) throws(SpecProblem) -> [(String, SchemeVersion?)] {
        var byComponent: [String: [VersionOccurrence]] = [:]
        var validated = Set<String>()
        for component in configuration.components {
            var occurrences: [VersionOccurrence] = []
            for spec in component.files {
                occurrences += try reader.occurrences(of: spec, component: component.name, scheme: configuration.scheme(of:))
            }
            for occurrence in occurrences where validated.insert("\(occurrence.file):\(occurrence.line):\(occurrence.column)").inserted {
                // Each version in the scheme of its time (a release branch of an earlier scheme).
                let scheme = configuration.scheme(of: occurrence.text)
                let (_, problem, suggestion) = scheme.check(occurrence.text, form: occurrence.form)
                if let problem {
                    findings.append(
                        Finding(
                            rule: "version-invalid", file: occurrence.file, line: occurrence.line, column: occurrence.column,
                            message: "'\(occurrence.text.displayable())' (\(occurrence.form == .scheme ? scheme.name : "PEP 440") form): \(problem)",
                            suggestion: suggestion))
                }
            }
            byComponent[component.name] = occurrences
        }
        func unique(_ occurrences: [VersionOccurrence]) -> [VersionOccurrence] {
            var seen = Set<String>()
            return occurrences.filter { seen.insert("\($0.file):\($0.line):\($0.column)").inserted }
        }
        var result: [(String, SchemeVersion?)] = []
        for group in configuration.groups {
            let (agreed, problems) = CheckRules.agreement(
                of: unique(group.components.flatMap { byComponent[$0] ?? [] }),
                unit: group.name, isGroup: true)
            findings += problems
            result.append((group.name, agreed))
        }
        for component in configuration.components where configuration.group(containing: component.name) == nil {
            let (agreed, problems) = CheckRules.agreement(of: unique(byComponent[component.name] ?? []), unit: component.name, isGroup: false)
            findings += problems
            result.append((component.name, agreed))
        }
        return result
    }

    /// The pins of a rule's packages in its files, each file read once (a symlinked one through its target).
    static func pins(of rule: RequirementRule, reader: VersionFileReader) throws(SpecProblem) -> [(file: ResolvedFile, pin: RequirementPin)] {
        var result: [(file: ResolvedFile, pin: RequirementPin)] = []
        var seen = Set<String>()
        for (pattern, location) in zip(rule.files, rule.fileLocations) {
            for file in try reader.expand(pattern, at: location) where seen.insert(file.target).inserted {
                result += RequirementScanner.pins(in: try reader.bytes(file.target), packages: rule.packages).map { (file, $0) }
            }
        }
        return result
    }

    static func checkPins(_ rule: RequirementRule, expected: SchemeVersion?, reader: VersionFileReader) throws(SpecProblem) -> [Finding] {
        var findings: [Finding] = []
        for (file, pin) in try pins(of: rule, reader: reader) {
            guard let expected else {
                // Without a readable version only the spelling can be checked.
                if let written = try? Version(parsing: pin.version), written.description != pin.version {
                    findings.append(
                        Finding(
                            rule: "pin-form", file: file.target, line: pin.line, column: pin.column,
                            message: "\(pin.package)\(pin.comparison)\(pin.version) is not in PEP 440 form",
                            suggestion: written.description))
                }
                continue
            }
            if let problem = RequirementScanner.check(pin, against: expected) {
                findings.append(
                    Finding(
                        rule: problem.rule, file: file.target, line: pin.line, column: pin.column,
                        message: problem.message, suggestion: problem.suggestion))
            }
        }
        return findings
    }

    static func gitFindings(
        _ repository: Repository, request: Request, configuration: ReleaseConfiguration,
        releaseVersion: SchemeVersion?
    ) throws(OperationError) -> [Finding] {
        var findings: [Finding] = []
        let branch: String?
        let commit: ObjectID?
        let remote = configuration.branches.remote
        do {
            if let revision = request.revision {
                commit = try repository.commit(named: revision, remote: remote)
                // A release branch named locally, as its remote-tracking branch (origin/26.04), or
                // by its name when only the remote-tracking one exists: its version is its line's.
                if repository.hasBranch(revision) || (try? repository.referenceTarget("refs/remotes/\(remote)/\(revision)")) != nil {
                    branch = revision
                } else if revision.hasPrefix(remote + "/"), (try? repository.referenceTarget("refs/remotes/" + revision)) != nil {
                    branch = String(revision.dropFirst(remote.count + 1))
                } else {
                    branch = nil
                }
            } else {
                let head = try repository.head()
                commit = head.commit
                branch = head.branchName
            }
        } catch let error as OperationError {
            throw error
        } catch {
            throw OperationError(.usage, "cannot read the repository: \((error as? GitError)?.explained ?? "\(error)")")
        }
        let tags: [Repository.Tag]
        do { tags = try repository.tags() } catch { throw OperationError(.usage, "cannot list tags: \(error.explained)") }
        let unit = configuration.releaseUnit

        if let releaseVersion {
            if let branch, let line = configuration.line(ofBranch: branch) {
                if releaseVersion.line != line {
                    findings.append(Finding(rule: "branch-line", message: "branch \(branch) is release line \(line), but '\(unit)' is at \(releaseVersion) (line \(releaseVersion.line))"))
                }
                if releaseVersion.dev != nil {
                    findings.append(
                        Finding(
                            rule: "dev-off-main",
                            message: "branch \(branch) is release line \(line) and carries development version \(releaseVersion); dev versions belong on \(configuration.branches.main)"))
                }
            }
            if let commit {
                for tag in tags where tag.commit == commit {
                    guard let tagged = configuration.releaseVersion(ofTag: tag.name)?.version else { continue }
                    if tagged != releaseVersion {
                        findings.append(Finding(rule: "head-tag", message: "\(request.revision ?? "HEAD") is tagged \(tag.name), but '\(unit)' is at \(releaseVersion)"))
                    }
                }
            }
        }

        if request.checkTags {
            for tag in tags { findings += verify(tag, repository: repository, configuration: configuration) }
        }
        if request.revision == nil { findings += try registryFindings(repository, configuration: configuration, today: request.today) }
        return findings
    }

    /// The `[[lines]]` registry against the branches (warnings): a maintained line needs its
    /// branch, here or on the remote; a line past its time is due for `relkit lines --retire`.
    /// Warnings, because a clone that fetched one branch (actions/checkout's default) has no
    /// release branch at all; the plain `[branches] maintained` list is left as it always was.
    static func registryFindings(_ repository: Repository, configuration: ReleaseConfiguration, today: CalendarDate) throws(OperationError) -> [Finding] {
        guard configuration.branches.usesLineTables, !configuration.branches.lines.isEmpty else { return [] }
        let resolver = BranchResolver(repository: repository, remote: configuration.branches.remote)
        var findings: [Finding] = []
        for standing in LineLifecycle.standings(configuration.branches.lines, today: today) {
            let registered = standing.registered
            let file = ConfigurationLoader.fileName
            if !standing.maintained {
                findings.append(
                    Finding(
                        rule: "line-due", severity: .warning, file: file, line: registered.location.line,
                        message: "release line \(registered.name) is no longer maintained (\(standing.reason)); relkit lines --retire drops it"))
                continue
            }
            let branch = configuration.branches.branchName(of: registered.line)
            let found: ResolvedBranch?
            do { found = try resolver.resolve(branch) } catch { throw OperationError(.usage, "cannot read branch \(branch): \(error.explained)") }
            if found == nil {
                findings.append(
                    Finding(
                        rule: "line-branch-missing", severity: .warning, file: file, line: registered.location.line,
                        message:
                            "release line \(registered.name) is registered as maintained, but there is no branch \(branch), here or as \(resolver.remote)/\(branch) (a clone of one branch has none: fetch the release branches, e.g. fetch-depth: 0)"
                    ))
            }
        }
        return findings
    }

    /// The findings of one release tag: its spelling, and whether the files of the tagged commit
    /// (read with that commit's own .release.toml, else `configuration`) carry its version.
    ///
    /// - Parameters:
    ///   - tag: the tag.
    ///   - repository: its repository.
    ///   - configuration: the configuration.
    /// - Returns: what is wrong with it.
    public static func verify(_ tag: Repository.Tag, repository: Repository, configuration: ReleaseConfiguration) -> [Finding] {
        guard let (tagged, canonical) = configuration.releaseVersion(ofTag: tag.name) else {
            return [
                Finding(
                    rule: "tag-unparsable", severity: .warning,
                    message:
                        "tag \(tag.name.displayable()) is not a release of \(configuration.schemeDescription)\(configuration.tags.prefix.isEmpty ? "" : " with prefix '\(configuration.tags.prefix)'")")
            ]
        }
        var findings: [Finding] = []
        if !canonical {
            findings.append(
                Finding(
                    rule: "tag-spelling", severity: .warning,
                    message: "tag \(tag.name) is not spelled as \(tagged.scheme.name) writes \(tagged)",
                    suggestion: configuration.tags.tagName(of: tagged)))
        }
        do {
            // The files of the tagged commit's own time: its .release.toml when it has one
            // (files and packages come and go over the years), and of the configured files
            // those that existed then.
            let tree = try CommitTree(repository: repository, commit: tag.commit, label: "\(tag.name) (\(tag.commit.short))")
            let then: ReleaseConfiguration
            do { then = try Workspace.configuration(in: tree, otherwise: (configuration, nil)).0 } catch {
                return findings + [Finding(rule: "tag-unverifiable", severity: .warning, message: "tag \(tag.name): \(error)")]
            }
            let unitThen = then.releaseUnit
            var ignored: [Finding] = []
            let versions = try readVersions(then, reader: VersionFileReader(tree: tree, skipsMissingFiles: true), findings: &ignored)
            let filesVersion =
                versions.first { $0.0 == unitThen }?.1
                ?? then.group(containing: unitThen).flatMap { group in versions.first { $0.0 == group.name }?.1 }
            guard let filesVersion else {
                return findings + [
                    Finding(
                        rule: "tag-unverifiable", severity: .warning,
                        message: "tag \(tag.name): no configured file of '\(unitThen)' existed at \(tag.commit.short), or none had a readable version")
                ]
            }
            if filesVersion != tagged {
                findings.append(
                    Finding(
                        rule: "tag-mismatch",
                        message: "tag \(tag.name) points to \(tag.commit.short), where '\(unitThen)' is at \(filesVersion)"))
            }
        } catch let problem as SpecProblem {
            findings.append(Finding(rule: "tag-unverifiable", severity: .warning, message: "tag \(tag.name): \(problem.message)"))
        } catch {
            findings.append(Finding(rule: "tag-unverifiable", severity: .warning, message: "tag \(tag.name): \(error)"))
        }
        return findings
    }
}
