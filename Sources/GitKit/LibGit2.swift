internal import Clibgit2
internal import SystemLibc

/// The libgit2 this process runs with (the shared library's, which may be newer than the headers
/// relkit was built against). Behaviour that changed between versions is decided from it.
public enum LibGit2Version {
    /// Major, minor and revision (`git_libgit2_version`).
    public static let current: (major: Int, minor: Int, revision: Int) = {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return (Int(major), Int(minor), Int(revision))
    }()

    /// Whether signatures lose a leading or trailing `.` when parsed (libgit2 1.7 and earlier).
    public static let trimsDotsFromSignatures: Bool = current.major < 1 || (current.major == 1 && current.minor < 8)

    /// "1.5.1".
    public static var description: String { "\(current.major).\(current.minor).\(current.revision)" }
}

/// `git_libgit2_init` must run before any other call; once per process is enough.
enum LibGit2 {
    static let initialized: Bool = {
        git_libgit2_init()
        // Large trees (a directory of hundreds of packages) are looked up once per path: keep them
        // parsed instead of inflating them again each time.
        _ = relkit_set_cache_object_limit(GIT_OBJECT_TREE, 1 << 20)
        // libgit2's default budget (256 MiB) fills up in a long walk of trees (a backport audit of
        // 30,000 commits peaked at 1 GiB, parsed trees costing more than they are counted), and a
        // full cache is slower than a small one there; 16 MiB still holds any tree a command looks
        // up again (make bench-scale: 2.8 s and 195 MiB at 30,000 commits, against 8.6 s and 1 GiB).
        _ = relkit_set_cache_max_size(16 << 20)
        // Reading an object does not hash it again, as in git; `git fsck` is what verifies.
        _ = relkit_set_strict_hash_verification(0)
        return true
    }()

    static func ensureInitialized() { _ = initialized }
}

extension Repository {
    /// From now on in this process, every file libgit2 writes in a git directory is fsynced
    /// before it is renamed into place (objects, packs, refs, reflogs): the commands that write
    /// call this first, so that an object is on disk before any ref names it, even across a
    /// power loss. git's default (`core.fsync=committed,-loose-object`) leaves loose objects
    /// unsynced; relkit writes few objects, so it pays for all of them.
    public static func enableDurableWrites() {
        LibGit2.ensureInitialized()
        _ = relkit_enable_fsync_gitdir(1)
    }
}

/// libgit2's initialization (global state, settings; in the default build also mbedTLS's CA
/// bundle, which the static build skips: Sources/StaticLinkStubs/stubs.c) takes from half a
/// millisecond to several: `start()` runs it on another thread, so that it overlaps the work a
/// command does before it opens a repository (argument parsing). The first libgit2 call waits
/// for it to finish (a Swift `static let` is initialized once, under a lock).
public enum LibGit2WarmUp {
    /// Starts libgit2's initialisation (`git_libgit2_init`) on a thread of its own and returns at once.
    public static func start() {
        var thread = pthread_t()
        if pthread_create(
            &thread, nil,
            { _ in
                LibGit2.ensureInitialized()
                return nil
            }, nil) == 0
        {
            pthread_detach(thread)
        }
    }
}
