/// What changes between two refs besides migrations: configuration sample keys, service images,
/// and the kind of version move. Pure: the operations read the files and hand over their values.

/// One key of a configuration sample with a scalar (or array) value, rendered as text.
public struct ConfigLeaf: Sendable, Equatable {
    /// Table names, then the key.
    public var path: [String]
    /// The value, rendered as text.
    public var value: String

    /// A key and its value.
    /// - Parameters:
    ///   - path: table names, then the key.
    ///   - value: the value as text.
    public init(path: [String], value: String) {
        self.path = path
        self.value = value
    }
}

/// A key of a configuration sample that was added, removed or changed between two refs.
public struct ConfigKeyChange: Sendable, Equatable {
    /// Added, removed or changed.
    public enum Kind: String, Sendable { case added, removed, changed }
    /// What happened to the key.
    public var kind: Kind
    /// `[manager] num-proc`: the table in brackets, then the key.
    public var key: String
    /// The value before; nil when added.
    public var old: String?
    /// The value after; nil when removed.
    public var new: String?
}

/// The keys that differ between two versions of a sample.
public enum ConfigSampleDiff {
    /// Keys added, removed, and whose value (the sample's default) changed, in key order.
    ///
    /// - Parameters:
    ///   - old: the keys at the first ref.
    ///   - new: the keys at the second.
    /// - Returns: the changes.
    public static func changes(from old: [ConfigLeaf], to new: [ConfigLeaf]) -> [ConfigKeyChange] {
        let before = Dictionary(old.map { ($0.path, $0.value) }, uniquingKeysWith: { $1 })
        let after = Dictionary(new.map { ($0.path, $0.value) }, uniquingKeysWith: { $1 })
        var result: [(path: [String], change: ConfigKeyChange)] = []
        for (path, value) in after {
            if let previous = before[path] {
                if previous != value { result.append((path, ConfigKeyChange(kind: .changed, key: keyName(path), old: previous, new: value))) }
            } else {
                result.append((path, ConfigKeyChange(kind: .added, key: keyName(path), old: nil, new: value)))
            }
        }
        for (path, value) in before where after[path] == nil {
            result.append((path, ConfigKeyChange(kind: .removed, key: keyName(path), old: value, new: nil)))
        }
        return result.sorted { $0.path.lexicographicallyPrecedes($1.path) }.map(\.change)
    }

    /// `[a.b] key`, or `key` at the top; names that are not bare keys are quoted.
    ///
    /// - Parameter path: table names, then the key.
    /// - Returns: the name.
    public static func keyName(_ path: [String]) -> String {
        guard let key = path.last else { return "" }
        let table = path.dropLast().map(TOMLText.key).joined(separator: ".")
        return table.isEmpty ? TOMLText.key(key) : "[\(table)] \(TOMLText.key(key))"
    }
}

// MARK: - Service images of docker-compose files

/// A service of a compose file and its image.
public struct ComposeService: Sendable, Equatable {
    /// The service's name.
    public var name: String
    /// nil for a service that builds its image, or inherits it from another file (`extends`).
    public var image: String?
    /// 1-based line of the service.
    public var line: Int

    /// A service.
    /// - Parameters:
    ///   - name: its name.
    ///   - image: its image, nil when it has none of its own.
    ///   - line: its line.
    public init(name: String, image: String?, line: Int) {
        self.name = name
        self.image = image
        self.line = line
    }
}

/// `registry:5000/library/postgres:16.4-alpine@sha256:…`, taken apart.
public struct ImageReference: Sendable, Equatable {
    /// Registry and repository (`registry:5000/library/postgres`).
    public var repository: String
    /// The tag, without the digest.
    public var tag: String?

    /// An image reference taken apart.
    /// - Parameter text: the reference as written.
    public init(_ text: String) {
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") { rest = rest[..<at] }
        // A tag's ':' comes after the last '/' (a registry's port comes before it).
        let nameStart = rest.lastIndex(of: "/").map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[nameStart...].lastIndex(of: ":") {
            repository = String(rest[..<colon])
            tag = String(rest[rest.index(after: colon)...])
        } else {
            repository = String(rest)
            tag = nil
        }
    }

    /// The image's own name: the repository's last component (`bitnami/postgresql` → `postgresql`).
    public var name: String { PathText.lastComponent(repository) }

    /// The tag's leading number (`v3.5.14` → 3, `16.4-alpine` → 16); nil for `latest` and the like.
    public var major: Int? {
        guard var tag = tag?.utf8[...] else { return nil }
        if tag.first == UInt8(ascii: "v") { tag = tag.dropFirst() }
        let digits = tag.prefix(while: ASCII.isDigit)
        return digits.isEmpty || digits.count > 9 ? nil : Int(String(decoding: digits, as: UTF8.self))
    }

    /// Services whose data outlives their image, and what a major version change of them takes:
    /// going up, and going back down (no tool converts data to an older major: the copy taken
    /// before the upgrade is what goes back).
    public static let statefulServices: [(names: [String], product: String, procedure: String, downgrade: String)] = [
        (
            ["postgres", "postgresql", "postgis"], "PostgreSQL",
            "dump the databases with the old version and restore them into the new one (pg_dumpall / psql), or pg_upgrade",
            "an older PostgreSQL cannot read a newer major's data directory, and pg_upgrade only goes up: restore the dump taken before the upgrade (pg_dumpall output, with psql) into a new cluster of the old version"
        ),
        (
            ["etcd"], "etcd",
            "take a snapshot (etcdctl snapshot save) and upgrade one major version at a time, following etcd's upgrade guide",
            "restore the snapshot taken before the upgrade (etcdutl snapshot restore) into a cluster of the old version"
        ),
        (
            ["redis", "redis-stack", "redis-stack-server", "valkey"], "Redis",
            "save the data (SAVE / a copy of dump.rdb) before switching, and restore it if the new version cannot read it",
            "an older Redis may not load a newer dump.rdb: restore the copy of dump.rdb saved before the upgrade"
        )
    ]
}

/// A service whose image differs between two refs.
public struct ImageChange: Sendable, Equatable {
    /// The service's name.
    public var service: String
    /// The image before; nil when the service is new.
    public var old: String?
    /// The image after; nil when the service was removed.
    public var new: String?
    /// PostgreSQL, etcd, Redis: the product whose major version changed.
    public var product: String?
    /// The product's major version before.
    public var oldMajor: Int?
    /// The product's major version after.
    public var newMajor: Int?
    /// What the major change takes; nil when none is needed.
    public var procedure: String?
    /// The line of the new image (or of the service) in the new file.
    public var line: Int?

    /// Services whose image changed (added and removed services too), in the order of the new file.
    ///
    /// - Parameters:
    ///   - old: the services at the first ref.
    ///   - new: the services at the second.
    /// - Returns: the changes.
    public static func changes(from old: [ComposeService], to new: [ComposeService]) -> [ImageChange] {
        let before = Dictionary(old.map { ($0.name, $0.image) }, uniquingKeysWith: { $1 })
        let after = Set(new.map(\.name))
        var result: [ImageChange] = []
        for service in new {
            let previous = before[service.name] ?? nil
            guard before[service.name] == nil || previous != service.image else { continue }
            var change = ImageChange(service: service.name, old: previous, new: service.image, line: service.line)
            if let previous, let current = service.image {
                let a = ImageReference(previous)
                let b = ImageReference(current)
                if let stateful = ImageReference.statefulServices.first(where: { $0.names.contains(b.name) }),
                    let oldMajor = a.major, let newMajor = b.major, oldMajor != newMajor
                {
                    change.product = stateful.product
                    change.oldMajor = oldMajor
                    change.newMajor = newMajor
                    change.procedure = newMajor < oldMajor ? stateful.downgrade : stateful.procedure
                }
            }
            result.append(change)
        }
        for service in old where !after.contains(service.name) {
            result.append(ImageChange(service: service.name, old: service.image, new: nil, line: nil))
        }
        return result
    }
}

// MARK: - The version move

/// How the release unit's version moves between two refs.
public enum VersionMove: String, Sendable {
    case unchanged
    case patchUpdate = "patch-update"
    case releaseUpgrade = "release-upgrade"
    case downgrade
    case toDevelopment = "to-development"

    /// The move from one version to another.
    /// - Parameters:
    ///   - from: the version at the first ref.
    ///   - to: the version at the second.
    /// - Returns: its kind.
    public static func between(_ from: SchemeVersion, _ to: SchemeVersion) -> VersionMove {
        if to == from { return .unchanged }
        if to < from { return .downgrade }
        if to.dev != nil { return .toDevelopment }
        return to.line == from.line ? .patchUpdate : .releaseUpgrade
    }

    /// In words, for people.
    public var phrase: String {
        switch self {
        case .unchanged: return "no version change"
        case .patchUpdate: return "patch update"
        case .releaseUpgrade: return "release upgrade"
        case .downgrade: return "downgrade"
        case .toDevelopment: return "to a development version"
        }
    }
}

/// The finding rules of `relkit upgrade`, for `fail-on`, the documentation and `--help`.
public enum UpgradeFindings {
    /// Each rule's id and what it means.
    public static let rules: [(id: String, meaning: String)] = [
        ("alembic-unreadable", "a revision file alembic would not load, or relkit cannot read without running it (syntax error, computed value, not UTF-8, too large)"),
        ("alembic-missing-revision", "a down_revision or depends_on names a revision that is not in the history"),
        ("alembic-duplicate", "two revision files define one revision id"),
        ("alembic-cycle", "the revisions form a cycle"),
        ("alembic-multiple-heads", "a history has several heads, so `alembic upgrade head` refuses it (warning)"),
        ("alembic-downgrade-merge", "the downgrade goes through a merge revision (warning)"),
        ("alembic-repointed", "a revision at both refs has other down revisions at each: a database may have skipped one (warning)"),
        ("migrations-missing", "a configured versions directory is at neither ref (warning)"),
        ("sample-unreadable", "a configuration sample is not valid TOML or JSON at a ref"),
        ("compose-unreadable", "a compose file's services cannot be read at a ref"),
        ("image-major-change", "a PostgreSQL, etcd or Redis image changes major version (warning)"),
        ("version-downgrade", "the release version at the second ref is lower (warning)"),
        ("version-unreadable", "the release version cannot be read at a ref: its files or its .release.toml (warning)"),
        ("symlink-outside", "a configured path or revision file is a symlink out of the repository; not read")
    ]
}
