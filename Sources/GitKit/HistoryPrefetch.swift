#if canImport(Glibc)
import Glibc
#endif

/// Commit headers read ahead on a second thread, shared with the walks of the thread that does the
/// command's work. Without a commit-graph, a backport's merge base of a release branch and main
/// reads every commit of main since the branch point (thousands, one inflate each, one after the
/// other: each commit names the next). Started when the process starts, the reading overlaps
/// argument parsing, opening the repository and reading the configuration, and by the time the
/// merge base is asked for, most of main's side is here. Entries are content-addressed (a
/// commit's parents and date are part of its id), so an entry is the same whichever thread read
/// it, and the answers do not depend on timing; only the time does.
public final class CommitHeaderCache: @unchecked Sendable {
    let objectsDirectory: String
    private var mutex = pthread_mutex_t()
    private var headers: [ObjectID: CommitHeader] = [:]
    private var stopped = false

    init(objectsDirectory: String) {
        self.objectsDirectory = Self.canonical(objectsDirectory)
        pthread_mutex_init(&mutex, nil)
    }

    /// The same directory spelled one way: the reader finds it from the work tree (a worktree's
    /// `commondir` is relative, the current directory may be a symbolic link), libgit2 its own way.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    private func locked<Result>(_ body: () -> Result) -> Result {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    func header(_ id: ObjectID) -> CommitHeader? { locked { headers[id] } }

    func insert(_ id: ObjectID, _ header: CommitHeader) { locked { headers[id] = header } }

    var isStopped: Bool { locked { stopped } }

    func stop() { locked { stopped = true } }

    // MARK: The one read ahead in this process

    nonisolated(unsafe) private static var current: CommitHeaderCache?
    nonisolated(unsafe) private static var registryMutex = pthread_mutex_t()

    /// The cache being filled for this objects directory, if any.
    static func current(objectsDirectory: String) -> CommitHeaderCache? {
        pthread_mutex_lock(&registryMutex)
        defer { pthread_mutex_unlock(&registryMutex) }
        guard let current else { return nil }
        return current.objectsDirectory == canonical(objectsDirectory) ? current : nil
    }

    static func register(_ cache: CommitHeaderCache) {
        pthread_mutex_lock(&registryMutex)
        defer { pthread_mutex_unlock(&registryMutex) }
        current = cache
    }

    /// Stops the reading ahead: the command has walked what it needed.
    public static func stopReadingAhead() {
        pthread_mutex_lock(&registryMutex)
        defer { pthread_mutex_unlock(&registryMutex) }
        current?.stop()
    }
}

/// Where a repository's files are, found the way git finds them from a directory (a `.git`
/// directory or `gitdir:` file above it, a worktree's `commondir`), without libgit2: reading ahead
/// starts while libgit2 is still being initialised on another thread. Only a starting point for
/// reading ahead: when this finds nothing or the wrong thing, nothing is read ahead, and nothing
/// else depends on it.
public struct RepositoryFiles: Sendable {
    /// The work tree's root.
    public let workTree: String
    /// The git directory shared by all worktrees (objects, refs), ending with "/".
    public let commonDirectory: String

    public static func discover(from directory: String) -> RepositoryFiles? {
        var current = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        while true {
            let dotGit = current + "/.git"
            var status = stat()
            if stat(dotGit, &status) == 0 {
                var gitDirectory = dotGit
                if status.st_mode & S_IFMT == S_IFREG {
                    // A worktree or submodule: "gitdir: <path>".
                    guard let text = readSmallText(dotGit), text.hasPrefix("gitdir: ") else { return nil }
                    let path = String(text.dropFirst(8))
                    gitDirectory = path.hasPrefix("/") ? path : current + "/" + path
                }
                var common = gitDirectory
                if let text = readSmallText(gitDirectory + "/commondir") {
                    common = text.hasPrefix("/") ? text : gitDirectory + "/" + text
                }
                return RepositoryFiles(workTree: current, commonDirectory: common + "/")
            }
            guard let slash = current.lastIndex(of: "/"), current != "/" else { return nil }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
        }
    }

    /// The commit a branch points to, from its loose ref or `packed-refs`.
    public func branchTip(_ branch: String) -> ObjectID? {
        if let text = readSmallText(commonDirectory + "refs/heads/" + branch) { return ObjectID(hex: text) }
        guard let packed = readSmallText(commonDirectory + "packed-refs") else { return nil }
        let suffix = " refs/heads/" + branch
        for line in packed.split(separator: "\n") where line.hasSuffix(suffix) && line.utf8.count == 40 + suffix.utf8.count {
            return ObjectID(hex: String(line.prefix(40)))
        }
        return nil
    }

    /// Reads the history of `tip` in commit-date order (the order a merge-base walk visits it) into
    /// the process's shared cache, on the calling thread, until `limit` commits, the root, a
    /// commit the object files cannot give, or `CommitHeaderCache.stopReadingAhead()`. Does
    /// nothing where merge bases will not be walked over the object files: a commit-graph is
    /// there (it answers without reading commits), a shallow clone, grafts, or the switches.
    /// Returns whether it read anything.
    @discardableResult
    public func readHistoryAhead(from tip: ObjectID, limit: Int) -> Bool {
        let objects = commonDirectory + "objects"
        if environmentValue("RELKIT_OBJECT_FILES") == "0" || Repository.historyIsRewritten(commonDirectory: commonDirectory) { return false }
        let graph = CommitGraph.files(objectsDirectory: objects)
        if environmentValue("RELKIT_COMMIT_GRAPH") != "0", access(graph.single, F_OK) == 0 || access(graph.chain, F_OK) == 0 { return false }
        guard let files = ObjectFiles.open(objectsDirectory: objects), let first = files.commitHeader(tip) else { return false }
        let cache = CommitHeaderCache(objectsDirectory: objects)
        CommitHeaderCache.register(cache)
        cache.insert(tip, first)
        var queue = DateQueue()
        var headers = [first]
        var seen: Set<ObjectID> = [tip]
        queue.push(0, date: first.date)
        while headers.count < limit, let node = queue.pop() {
            if cache.isStopped { return true }
            for parent in headers[node].parents where seen.insert(parent).inserted {
                guard let header = files.commitHeader(parent) else { return true }
                cache.insert(parent, header)
                headers.append(header)
                queue.push(headers.count - 1, date: header.date)
            }
        }
        return true
    }
}

/// A small text file's content without its trailing newline, or nil.
private func readSmallText(_ path: String) -> String? {
    guard var bytes = readSmallFile(path, limit: 1 << 24) else { return nil }
    while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
    return String(decoding: bytes, as: UTF8.self)
}

extension ObjectFiles {
    /// A commit's parents and date, or nil when this reader cannot give them.
    func commitHeader(_ id: ObjectID) -> CommitHeader? {
        guard let object = read(id), object.type == 1 else { return nil }
        return CommitHeader(object.bytes)
    }
}
