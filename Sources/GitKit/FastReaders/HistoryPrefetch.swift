#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Commits (their headers and contents) read ahead on a second thread, shared with the walks of
/// the thread that does the command's work. Without a commit-graph, a backport's merge base of a
/// release branch and main reads every commit of main since the branch point (thousands, one
/// inflate each, one after the other: each commit names the next). Started when the process starts, the reading overlaps
/// argument parsing, opening the repository and reading the configuration, and by the time the
/// merge base is asked for, most of main's side is here. Entries are content-addressed (a
/// commit's parents and date are part of its id), so an entry is the same whichever thread read
/// it, and the answers do not depend on timing; only the time does.
final class CommitHeaderCache: @unchecked Sendable {
    /// A commit read: its parents and date, and its raw content (the walk's caller reads the
    /// targets' own commits in full next, and parsing them is cheaper than inflating them again).
    typealias Entry = (id: ObjectID, header: CommitHeader, content: [UInt8])

    let objectsDirectory: String
    /// The commits in the order they were read, each written once by the reading thread before
    /// `published` counts it and never changed after: the walk takes new ones without a lock (a
    /// lock per commit on both threads made each wait for the other, tens of microseconds at a
    /// time).
    private let entries: UnsafeMutablePointer<Entry>
    private let capacity: Int
    private let published = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    init(objectsDirectory: String, capacity: Int) {
        self.objectsDirectory = Self.canonical(objectsDirectory)
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
    }

    /// The same directory spelled one way: the reader finds it from the work tree (a worktree's
    /// `commondir` is relative, the current directory may be a symbolic link), libgit2 its own way.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    deinit {
        entries.deinitialize(count: published.load(ordering: .acquiring))
        entries.deallocate()
    }

    /// Adds a commit (the reading thread only); false when there is no room left.
    func append(_ entry: Entry) -> Bool {
        let count = published.load(ordering: .relaxed)
        guard count < capacity else { return false }
        (entries + count).initialize(to: entry)
        published.store(count + 1, ordering: .releasing)
        return true
    }

    /// The commits read since the first `start`.
    func entries(from start: Int) -> UnsafeBufferPointer<Entry> {
        UnsafeBufferPointer(start: entries + start, count: published.load(ordering: .acquiring) - start)
    }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Whether the reading is over (the last commit it will give is published).
    var isFinished: Bool { finished.load(ordering: .acquiring) }

    func finish() { finished.store(true, ordering: .releasing) }

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
    static func stopReadingAhead() {
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
struct RepositoryFiles: Sendable {
    /// The work tree's root.
    public let workTree: String
    /// The git directory shared by all worktrees (objects, refs), ending with "/".
    public let commonDirectory: String

    static func discover(from directory: String) -> RepositoryFiles? {
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

    /// Whether merge bases here are walked over the object files, so that reading ahead helps:
    /// not with a commit-graph (it answers without reading commits), in a shallow clone, with
    /// grafts, or with the switches that turn either reader off.
    public var wouldReadHistoryAhead: Bool {
        if environmentValue("RELKIT_OBJECT_FILES") == "0" || FastHistory.historyIsRewritten(commonDirectory: commonDirectory) { return false }
        let graph = CommitGraph.files(objectsDirectory: commonDirectory + "objects")
        return environmentValue("RELKIT_COMMIT_GRAPH") == "0" || (access(graph.single, F_OK) != 0 && access(graph.chain, F_OK) != 0)
    }

    /// Reads the histories of `tips` in commit-date order (the order a merge-base walk visits
    /// them) into the process's shared cache, on the calling thread, until `limit` commits, the
    /// roots, a commit the object files cannot give, or `CommitHeaderCache.stopReadingAhead()`.
    /// Does nothing unless `wouldReadHistoryAhead`. Returns whether it read anything.
    @discardableResult
    public func readHistoryAhead(from tips: [ObjectID], limit: Int) -> Bool {
        let objects = commonDirectory + "objects"
        guard wouldReadHistoryAhead, !tips.isEmpty, let files = ObjectFiles.open(objectsDirectory: objects) else { return false }
        let cache = CommitHeaderCache(objectsDirectory: objects, capacity: limit)
        CommitHeaderCache.register(cache)
        defer { cache.finish() }
        var queue = DateQueue()
        var headers: [CommitHeader] = []
        var seen: Set<ObjectID> = []
        /// Reads a commit into the cache and queues it; false to stop.
        func read(_ id: ObjectID) -> Bool {
            guard seen.insert(id).inserted else { return true }
            guard let (header, content) = files.readCommit(id), cache.append((id, header, content)) else { return false }
            headers.append(header)
            queue.push(headers.count - 1, date: header.date)
            return true
        }
        for tip in tips where !read(tip) { return !headers.isEmpty }
        while headers.count < limit, let node = queue.pop() {
            if cache.isStopped { return true }
            for parent in headers[node].parents where !read(parent) { return true }
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

/// The read-ahead's one entry point for the rest of relkit: a thread that reads the histories of
/// the branches a command is about to walk, so that the walk finds them read. `branches` is asked
/// on that thread with the work tree's root and names the source branch and the targets (nil:
/// nothing to read). When there is nothing to read (a commit-graph answers, no repository, the
/// switches), the thread initialises libgit2 instead, as other commands do on a second thread.
/// Only ever a head start: it reads, never writes, and a wrong guess costs time, not an answer.
public enum HistoryReadAhead {
    /// Reading stops after this many commits (a few hundred milliseconds of the second core on
    /// the benchmark machine), or at `stop()`.
    static let commitLimit = 50_000

    public typealias BranchNames = @Sendable (_ workTree: String) -> (source: String, targets: [String])?

    public static func start(directory: String, branches: @escaping BranchNames) {
        let box = Unmanaged.passRetained(Request(directory: directory, branches: branches))
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            let request = Unmanaged<Request>.fromOpaque(argument!).takeRetainedValue()
            HistoryReadAhead.read(request)
            return nil
        }, box.toOpaque())
        if started == 0 { pthread_detach(thread) } else { box.release() }
    }

    /// The command walked what it needed: the reading thread stops at its next commit.
    public static func stop() { CommitHeaderCache.stopReadingAhead() }

    private static func read(_ request: Request) {
        // Not libgit2: another thread may be initialising it meanwhile.
        guard let files = RepositoryFiles.discover(from: request.directory), files.wouldReadHistoryAhead,
              let branches = request.branches(files.workTree),
              let sourceTip = files.branchTip(branches.source),
              files.readHistoryAhead(from: [sourceTip] + branches.targets.compactMap(files.branchTip), limit: commitLimit) else {
            LibGit2WarmUp.runHere()
            return
        }
    }

    private final class Request {
        let directory: String
        let branches: BranchNames
        init(directory: String, branches: @escaping BranchNames) {
            self.directory = directory
            self.branches = branches
        }
    }
}
