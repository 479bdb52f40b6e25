#if canImport(FoundationEssentials)
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
#else
import Foundation
#endif
import RelKitCore
import TOMLKit

/// `relkit init`: a starter `.release.toml` from the version files found in the repository.
public enum Init {
    public struct DetectedComponent: Equatable {
        public var name: String
        public var files: [VersionFileSpec]
        public var value: String
    }

    public struct Plan {
        public let path: String
        public let contents: String
        public let components: [DetectedComponent]
        public let group: [String]
        /// Things the user should look at (no VERSION file found, values that do not parse).
        public let notes: [String]
        /// A `.release.toml` is there already: the plan can be shown, never written.
        public var exists: Bool { FileManager.default.fileExists(atPath: path) }
    }

    /// Directories that hold no version files of the project.
    static let skippedDirectories: Set<String> = [".git", "node_modules", ".build", ".venv", "venv", "dist", "build", "target", "__pycache__", ".tox", ".mypy_cache"]

    public static func plan(directory: String, scheme: VersionScheme = .yearMonth) throws(OperationError) -> Plan {
        let workspace = try Workspace.open(at: directory)
        guard let root = workspace.root else { throw OperationError(.usage, "a bare repository has no working tree to configure") }
        let path = root + "/" + ConfigurationLoader.fileName
        let tree = WorkingTree(root: root)
        var components: [DetectedComponent] = []
        var notes: [String] = []
        var usedNames = Set<String>()
        func uniqueName(_ base: String) -> String {
            let cleaned = String(base.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" })
            var name = cleaned.isEmpty ? "component" : cleaned
            var counter = 2
            while usedNames.contains(name) { name = "\(cleaned)-\(counter)"; counter += 1 }
            usedNames.insert(name)
            return name
        }
        func form(of value: String) -> VersionForm {
            if scheme.validate(value).isValid { return .scheme }
            return scheme.check(value, form: .pep440).problem == nil ? .pep440 : .scheme
        }

        var rootValue: String?
        var rootFiles: [VersionFileSpec] = []
        if case .file? = try? tree.kind(of: "VERSION"), let bytes = try? tree.read("VERSION") {
            rootValue = VersionExtractor.wholeFile(bytes).text
            rootFiles.append(VersionFileSpec(path: "VERSION", form: form(of: rootValue!)))
            _ = uniqueName("root")
        } else {
            notes.append("no VERSION file at the repository root: create one (e.g. \(scheme.versionExample.split(separator: " ").last ?? "24.03.0"))")
        }

        for file in walk(tree) {
            let name = PathText.lastComponent(file)
            let directoryName = PathText.lastComponent(PathText.deletingLastComponent(file))
            switch name {
            case "VERSION" where file != "VERSION":
                if case .file("VERSION")? = try? tree.resolve(file) {
                    rootFiles.append(VersionFileSpec(path: file))  // a symlink to the root VERSION
                } else if case .file(let target)? = try? tree.resolve(file), let bytes = try? tree.read(target) {
                    let value = VersionExtractor.wholeFile(bytes).text
                    components.append(DetectedComponent(name: uniqueName(directoryName), files: [VersionFileSpec(path: file, form: form(of: value))], value: value))
                }
            case "pyproject.toml":
                guard let bytes = try? tree.read(file), let found = try? VersionExtractor.extract(.tomlKey(["project", "version"]), from: bytes).first else { continue }
                let table = try? TOMLTable(string: String(decoding: bytes, as: UTF8.self))
                let projectName = table?["project"]?.table?["name"]?.string ?? directoryName
                components.append(DetectedComponent(name: uniqueName(projectName), files: [
                    VersionFileSpec(path: file, locator: .tomlKey(["project", "version"]), form: form(of: found.text)),
                ], value: found.text))
            case "package.json":
                guard let bytes = try? tree.read(file), let found = try? VersionExtractor.extract(.jsonKey(["version"]), from: bytes).first else { continue }
                let packageName = (try? JSONLocator.locate(["name"], in: bytes).value) ?? directoryName
                components.append(DetectedComponent(name: uniqueName(packageName), files: [
                    VersionFileSpec(path: file, locator: .jsonKey(["version"]), form: form(of: found.text)),
                ], value: found.text))
            default:
                continue
            }
        }
        if let rootValue {
            components.insert(DetectedComponent(name: "root", files: rootFiles, value: rootValue), at: 0)
        } else if components.isEmpty {
            components.append(DetectedComponent(name: "root", files: [VersionFileSpec(path: "VERSION")], value: ""))
        }
        // Components that carry the root's version now are taken to release together.
        var group: [String] = []
        if let rootValue, let rootVersion = try? scheme.version(parsing: rootValue) {
            group = components.filter { (try? scheme.version(parsing: $0.value)) == rootVersion }.map(\.name)
            if group.count < 2 { group = [] }
        }
        for component in components where !component.value.isEmpty && (try? scheme.version(parsing: component.value)) == nil {
            notes.append("\(component.name): '\(component.value.displayable())' is not a version of \(scheme.name); relkit check will report it")
        }
        return Plan(path: path, contents: render(components, group: group, scheme: scheme), components: components, group: group, notes: notes)
    }

    /// Version-bearing candidates, breadth first, skipping build and dependency directories.
    static func walk(_ tree: WorkingTree) -> [String] {
        var result: [String] = []
        var pending: [(String, Int)] = [("", 0)]
        while !pending.isEmpty {
            let (directory, depth) = pending.removeFirst()
            let names = (try? FileManager.default.contentsOfDirectory(atPath: tree.absolute(directory)))?.sorted() ?? []
            for name in names {
                let path = directory.isEmpty ? name : directory + "/" + name
                switch try? tree.kind(of: path) {
                case .directory?:
                    if depth < 8 && !skippedDirectories.contains(name) { pending.append((path, depth + 1)) }
                case .file?, .symlink?:
                    if ["VERSION", "pyproject.toml", "package.json"].contains(name) { result.append(path) }
                default:
                    break
                }
            }
        }
        return result
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    /// A bare TOML key when it can be one, else a quoted one.
    static func tableKey(_ name: String) -> String {
        name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } ? name : quoted(name)
    }

    static func render(_ components: [DetectedComponent], group: [String], scheme: VersionScheme) -> String {
        var text = """
            # relkit configuration, written by `relkit init`; see relkit's README for every key.

            [version]
            scheme = \(quoted(scheme.name))          # YY.0M.P (24.03.0) or YY.N.P (25.14.0)
            allow-post = false
            next-line = "next-month"  # main after a cut: "next-month", "cadence" (with cadence = [3, 9]) or "none"

            """
        if !group.isEmpty { text += "release = \"core\"          # the group whose version names tags and branches\n" }
        for component in components {
            text += "\n[components.\(tableKey(component.name))]\n"
            if !component.value.isEmpty { text += "# found: \(component.value.displayable())\n" }
            text += "files = [\n"
            for file in component.files {
                var fields = ["path = \(quoted(file.path))"]
                switch file.locator {
                case .tomlKey(let path): fields.append("toml = \(quoted(path.joined(separator: ".")))")
                case .jsonKey(let path): fields.append("json = \(quoted(path.joined(separator: ".")))")
                case .pattern(let prefix, let suffix): fields.append("pattern = \(quoted(prefix + "{version}" + suffix))")
                case .wholeFile: break
                }
                if file.form == .pep440 { fields.append("form = \"pep440\"") }
                text += fields.count == 1 ? "    \(quoted(file.path)),\n" : "    { \(fields.joined(separator: ", ")) },\n"
            }
            text += "]\n"
        }
        if !group.isEmpty {
            text += "\n# Components that must carry exactly the same version.\n[groups.core]\ncomponents = [\(group.map(quoted).joined(separator: ", "))]\n"
        }
        text += """

            [branches]
            main = "main"
            release-pattern = "{line}"   # release branches are named 24.03
            maintained = []              # e.g. ["24.03", "24.09"]

            [tags]
            prefix = ""                  # e.g. "v" for v24.03.0
            annotated = true

            [backport]
            trailers = ["Backported-From: {source}", "Backported-To: {target}"]
            sensitive-paths = []         # e.g. ["**/alembic/versions/**"]

            """
        return text
    }

    /// Writes the planned file; refuses if one appeared meanwhile (link() never overwrites).
    public static func apply(_ plan: Plan) throws(OperationError) {
        let temporary = plan.path + ".relkit-\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(plan.contents.utf8)) else {
            throw OperationError(.repositoryState, "cannot write \(temporary)")
        }
        defer { unlink(temporary) }
        if link(temporary, plan.path) != 0 {
            let reason = String(cString: strerror(errno))
            throw errno == EEXIST ? OperationError(.refused, "\(plan.path) exists already; relkit init does not overwrite it")
                : OperationError(.repositoryState, "cannot write \(plan.path): \(reason)")
        }
    }
}
