import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a path is, without following a final symlink.
public enum FileEntryKind: Sendable, Equatable {
    case file
    case symlink(target: String)
    case directory
    case other
}

/// Files to check: the working tree, or the tree of a commit read through libgit2.
public protocol FileTree {
    /// How findings name this tree ("working tree", "main (1a2b3c4d5e6f)").
    var label: String { get }
    func kind(of path: String) throws -> FileEntryKind?
    func read(_ path: String) throws -> [UInt8]
    /// The entries of one directory ("" for the root), `.git` left out; a symlink is never a
    /// directory here, so that globs do not wander through links.
    func children(of directory: String) throws -> [(name: String, isDirectory: Bool)]
    /// Whether a file has its executable bit (kept when relkit rewrites it).
    func isExecutable(_ path: String) throws -> Bool
}

/// A file of a tree that cannot be read: which, and why (matched on, put into words once).
public struct FileTreeError: Error, CustomStringConvertible {
    /// Why a file cannot be read.
    public enum Reason: Sendable, Equatable {
        /// Not a file (absent, a directory, a submodule) in the tree named `tree`.
        case notAFile(tree: String)
        /// Larger than version files are allowed to be.
        case tooLarge(limit: Int)
        /// The system refused to read it.
        case system(SystemError)
    }

    /// The file, relative to the tree's root.
    public let path: String
    /// Why.
    public let reason: Reason

    /// What and why.
    public var description: String {
        switch reason {
        case .notAFile(let tree): return "\(path) is not a file in \(tree)"
        case .tooLarge(let limit): return "\(path) is larger than \(limit >> 20) MiB"
        case .system(let error): return "cannot read \(path): \(error)"
        }
    }
}

/// Version files are small; anything larger is refused rather than read.
let maximumVersionFileSize = 16 << 20

/// The files of a directory on disk.
public struct WorkingTree: FileTree {
    /// The work tree's root, without a trailing slash.
    public let root: String
    /// How messages name it.
    public var label: String { "working tree" }

    /// The work tree at `root`.
    ///
    /// - Parameter root: the work tree's root.
    public init(root: String) { self.root = root.hasSuffix("/") ? String(root.dropLast()) : root }

    /// The absolute path of a path relative to the root.
    ///
    /// - Parameter path: a path relative to the root.
    /// - Returns: the absolute path.
    public func absolute(_ path: String) -> String { path.isEmpty ? root : root + "/" + path }

    /// What is at a path: file, directory or symlink (with its target); nil when nothing.
    ///
    /// - Parameter path: a path relative to the root.
    /// - Returns: its kind, or nil.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func kind(of path: String) throws -> FileEntryKind? {
        var info = stat()
        guard lstat(absolute(path), &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK:
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: absolute(path))
            return .symlink(target: target)
        default: return .other
        }
    }

    /// A file's bytes.
    ///
    /// - Parameter path: a path relative to the root.
    /// - Returns: its bytes.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func read(_ path: String) throws -> [UInt8] {
        do {
            return try SystemCalls.readFile(absolute(path), limit: maximumVersionFileSize)
        } catch {
            if case .tooLarge(let limit) = error { throw FileTreeError(path: path, reason: .tooLarge(limit: limit)) }
            throw FileTreeError(path: path, reason: .system(error))
        }
    }

    /// Whether a file is executable.
    ///
    /// - Parameter path: a path relative to the root.
    /// - Returns: whether it is executable.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func isExecutable(_ path: String) throws -> Bool {
        var info = stat()
        return stat(absolute(path), &info) == 0 && info.st_mode & S_IXUSR != 0
    }

    /// A directory's entries.
    ///
    /// - Parameter directory: a directory relative to the root.
    /// - Returns: its entries.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func children(of directory: String) throws -> [(name: String, isDirectory: Bool)] {
        guard let handle = opendir(absolute(directory)) else { return [] }
        defer { closedir(handle) }
        var result: [(name: String, isDirectory: Bool)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name == "." || name == ".." || name == ".git" { continue }
            var isDirectory = Int32(entry.pointee.d_type) == DT_DIR
            if Int32(entry.pointee.d_type) == DT_UNKNOWN, case .directory? = try kind(of: directory.isEmpty ? name : directory + "/" + name) {
                isDirectory = true
            }
            result.append((name, isDirectory))
        }
        return result
    }
}

/// The files of a commit, read from the object database without a checkout.
public struct CommitTree: FileTree {
    /// The commit's tree.
    public let tree: Tree
    /// How messages name it (`26.11.0 (1a2b3c4d5e6f)`).
    public let label: String

    /// The files of a commit.
    /// - Parameters:
    ///   - repository: the repository.
    ///   - commit: the commit's id.
    ///   - label: how messages name it.
    /// - Throws: `GitError` when the commit or its tree cannot be read.
    public init(repository: Repository, commit: ObjectID, label: String) throws(GitError) {
        tree = try repository.tree(ofCommit: commit)
        self.label = label
    }

    /// What is at a path: file, directory or symlink (with its target); nil when nothing.
    ///
    /// - Parameter path: a path relative to the root.
    /// - Returns: its kind, or nil.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func kind(of path: String) throws -> FileEntryKind? {
        if path.isEmpty { return .directory }
        guard let entry = try tree.entry(at: path) else { return nil }
        switch entry.kind {
        case .file: return .file
        case .directory: return .directory
        case .symlink: return .symlink(target: String(decoding: try tree.blobContents(entry.id), as: UTF8.self))
        case .submodule: return .other
        }
    }

    /// A file's bytes.
    ///
    /// - Parameter path: a path relative to the root.
    /// - Returns: its bytes.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func read(_ path: String) throws -> [UInt8] {
        guard let entry = try tree.entry(at: path), case .file = entry.kind else {
            throw FileTreeError(path: path, reason: .notAFile(tree: label))
        }
        let bytes = try tree.blobContents(entry.id)
        guard bytes.count <= maximumVersionFileSize else {
            throw FileTreeError(path: path, reason: .tooLarge(limit: maximumVersionFileSize))
        }
        return bytes
    }

    /// Whether a file is executable.
    ///
    /// - Parameter path: a path relative to the root.
    /// - Returns: whether it is executable.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func isExecutable(_ path: String) throws -> Bool {
        guard let entry = try tree.entry(at: path), case .file(let executable) = entry.kind else { return false }
        return executable
    }

    /// A directory's entries.
    ///
    /// - Parameter directory: a directory relative to the root.
    /// - Returns: its entries.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func children(of directory: String) throws -> [(name: String, isDirectory: Bool)] {
        try tree.children(of: directory).compactMap { entry in
            entry.kind == .submodule ? nil : (PathText.lastComponent(entry.path), entry.kind == .directory)
        }
    }
}

/// A tree whose answers are remembered: checks visit the same directories and paths many times.
final class CachedTree: FileTree {
    let base: FileTree
    private var kinds: [String: FileEntryKind?] = [:]
    private var listings: [String: [(name: String, isDirectory: Bool)]] = [:]

    init(_ base: FileTree) { self.base = base }

    var label: String { base.label }

    func kind(of path: String) throws -> FileEntryKind? {
        if let known = kinds[path] { return known }
        let kind = try base.kind(of: path)
        kinds[path] = kind
        return kind
    }

    func read(_ path: String) throws -> [UInt8] { try base.read(path) }

    func isExecutable(_ path: String) throws -> Bool { try base.isExecutable(path) }

    func children(of directory: String) throws -> [(name: String, isDirectory: Bool)] {
        if let known = listings[directory] { return known }
        let listing = try base.children(of: directory)
        listings[directory] = listing
        return listing
    }
}

/// Where a configured path leads once symlinks are followed.
public enum PathResolution: Equatable {
    /// A file inside the repository (its path after every symlink).
    case file(String)
    case missing
    case directory(String)
    /// A directory on the way is a symlink out of the repository.
    case directoryOutside(link: String, target: String)
    /// The file itself is a symlink to somewhere outside the repository.
    case fileOutside(link: String, target: String)
    case symlinkLoop(String)
}

extension FileTree {
    /// Follows symlinks as the file system does, refusing to leave the repository root.
    ///
    /// - Parameter path: a path relative to the root.
    /// - Returns: what it leads to, symlinks followed.
    /// - Throws: `FileTreeError` when it cannot be read.
    public func resolve(_ path: String) throws -> PathResolution {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                guard !resolved.isEmpty else { return .directoryOutside(link: path, target: "..") }
                resolved.removeLast()
                continue
            }
            let current = (resolved + [component]).joined(separator: "/")
            switch try kind(of: current) {
            case nil:
                return .missing
            case .directory:
                resolved.append(component)
            case .file, .other:
                if !pending.isEmpty { return .missing }
                resolved.append(component)
            case .symlink(let target):
                hops += 1
                if hops > 40 { return .symlinkLoop(current) }
                let isLast = pending.isEmpty
                if target.hasPrefix("/") {
                    return isLast ? .fileOutside(link: current, target: target) : .directoryOutside(link: current, target: target)
                }
                // Resolve the target relative to the link's directory, checking it stays inside.
                var base = resolved
                for part in target.split(separator: "/").map(String.init) where part != "." && !part.isEmpty {
                    if part == ".." {
                        guard !base.isEmpty else {
                            return isLast ? .fileOutside(link: current, target: target) : .directoryOutside(link: current, target: target)
                        }
                        base.removeLast()
                    } else {
                        base.append(part)
                    }
                }
                pending = base + pending
                resolved = []
            }
        }
        let final = resolved.joined(separator: "/")
        if final.isEmpty { return .directory("") }
        if case .directory = try kind(of: final) { return .directory(final) }
        return .file(final)
    }
}
