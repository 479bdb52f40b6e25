import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where relkit works: the repository around the current directory (if any), its root, and the
/// configuration read from the tree being looked at.
public struct Workspace {
    /// The repository, nil outside one.
    public let repository: Repository?
    /// The work tree's root; nil for a bare repository.
    public let root: String?

    /// Discovers the repository containing `directory`; outside any repository, the directory of the
    /// nearest `.release.toml` (else `directory`) is the root and git rules are skipped.
    ///
    /// - Parameter directory: where relkit runs.
    /// - Returns: the workspace.
    /// - Throws: `OperationError` for a repository that cannot be opened.
    public static func open(at directory: String) throws(OperationError) -> Workspace {
        do {
            Trace.mark("workspace")
            let repository = try Repository.discover(from: directory)
            let root = repository.workingDirectory.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            return Workspace(repository: repository, root: root)
        } catch let error where error.isNotFound {
            let configFile = ConfigurationLoader.nearestFile(from: directory)
            let root = configFile.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? directory
            return Workspace(repository: nil, root: root)
        } catch {
            throw OperationError(.usage, error.isNotOwner ? error.explained : "cannot open the repository at \(directory): \(error.explained)")
        }
    }

    /// The tree to look at: the working tree, or a revision's tree.
    ///
    /// - Parameter revision: a revision, or nil for the work tree.
    /// - Returns: the tree.
    /// - Throws: `OperationError` (usage) for an unknown revision.
    public func tree(revision: String?) throws(OperationError) -> FileTree {
        guard let revision else {
            guard let root else { throw OperationError(.usage, "a bare repository has no working tree; name a revision with --ref") }
            return WorkingTree(root: root)
        }
        let repository = try requireRepository(for: "--ref")
        return try repository.commitTree(named: revision).tree
    }

    /// The configuration commands start from: the work tree's, or in a bare repository HEAD's.
    public func baseConfiguration() throws(OperationError) -> ReleaseConfiguration { try checkoutConfiguration().0 }

    /// The configuration commands start from, and its file (nil: relkit's defaults).
    public func checkoutConfiguration() throws(OperationError) -> (ReleaseConfiguration, file: String?) {
        if let root { return try Workspace.configuration(in: WorkingTree(root: root)) }
        let repository = try requireRepository(for: "reading the configuration")
        let tree: CommitTree
        do {
            let head = try repository.resolveCommit("HEAD")
            tree = try CommitTree(repository: repository, commit: head, label: "HEAD (\(head.short))")
        } catch {
            throw OperationError(.usage, "cannot read HEAD: \(error)")
        }
        return try Workspace.configuration(in: tree)
    }

    /// The repository, or a usage error naming what needed it.
    /// - Parameter what: what needs the repository (`relkit cut`).
    /// - Returns: the repository.
    /// - Throws: `OperationError` (usage) outside a repository.
    public func requireRepository(for what: String) throws(OperationError) -> Repository {
        guard let repository else { throw OperationError(.usage, "\(what) needs a git repository, and there is none here") }
        return repository
    }

    /// `.release.toml` of a tree, or the defaults when it has none.
    ///
    /// `otherwise`: what a tree without one is read with instead of the defaults. A revision of
    /// before `.release.toml` existed is read with the checkout's, whose earlier schemes describe
    /// its versions (a `yy.n` 25.19.2 is not a month of the default `yy.0m`).
    ///
    /// - Parameters:
    ///   - tree: the work tree or a commit's.
    ///   - fallback: what a tree without `.release.toml` is read with.
    /// - Returns: the configuration and its file.
    /// - Throws: `OperationError` (usage) for a configuration that cannot be read.
    public static func configuration(in tree: FileTree, otherwise fallback: (ReleaseConfiguration, file: String?)? = nil) throws(OperationError) -> (ReleaseConfiguration, file: String?) {
        let name = ConfigurationLoader.fileName
        let label = tree is WorkingTree ? name : "\(tree.label):\(name)"
        return try OperationError.converting {
            switch try tree.resolve(name) {
            case .missing:
                return fallback ?? (.defaults, nil)
            case .file(let target):
                let bytes = try tree.read(target)
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw OperationError(.usage, "\(label):1:1: the file is not UTF-8 text")
                }
                return (try ConfigurationLoader.load(text: text, file: label), label)
            default:
                throw OperationError(.usage, "\(label): not a file inside the repository")
            }
        } otherwise: { error in
            (error as? ConfigurationError).map(OperationError.configuration) ?? OperationError(.usage, "\(label): \(error)")
        }
    }
}
