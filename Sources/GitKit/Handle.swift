internal import Clibgit2
internal import SystemLibc

/// The owner of one libgit2 object: it frees it once, in `deinit`, whichever way the code that
/// made it leaves (a `throw` half-way through an initializer included).
final class Handle {
    let pointer: OpaquePointer
    private let free: (OpaquePointer) -> Void
    /// The thread that made it: tests count the handles of their own thread.
    private let thread = Handle.currentThread

    init(_ pointer: OpaquePointer, free: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.free = free
        Self.count(+1, thread: thread)
    }

    deinit {
        free(pointer)
        Self.count(-1, thread: thread)
    }

    /// Handles made by the calling thread and alive (tests: every path frees what it made).
    static var liveOnThisThread: Int { locked { liveCounts[currentThread] ?? 0 } }

    /// The calling thread, as a number (pthread_t is an integer on Linux, a pointer on macOS).
    static var currentThread: UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }
    private nonisolated(unsafe) static var liveCounts: [UInt: Int] = [:]
    private nonisolated(unsafe) static var counterLock: pthread_mutex_t = {
        var mutex = pthread_mutex_t()
        pthread_mutex_init(&mutex, nil)
        return mutex
    }()

    static func locked<Value>(_ body: () -> Value) -> Value {
        pthread_mutex_lock(&counterLock)
        defer { pthread_mutex_unlock(&counterLock) }
        return body()
    }

    private static func count(_ change: Int, thread: UInt) {
        locked { liveCounts[thread, default: 0] += change }
    }

    /// An object database, owned.
    static func objectDatabase(of repository: OpaquePointer) throws(GitError) -> Handle {
        var odb: OpaquePointer?
        try check("git_repository_odb", Fault.result("git_repository_odb", git_repository_odb(&odb, repository)))
        return Handle(odb!, free: git_odb_free)
    }
}

/// A libgit2 call made to fail in tests (`@testable`), on the thread that asked only: the named
/// call's result is replaced by -1 with libgit2's error message set, so that the error path
/// after it runs as in a real failure.
enum Fault {
    private nonisolated(unsafe) static var failing: [UInt: Set<String>] = [:]

    /// Runs `body` with `calls` failing on this thread.
    static func with<Value>(failing calls: Set<String>, _ body: () throws -> Value) rethrows -> Value {
        let thread = Handle.currentThread
        Handle.locked { failing[thread] = calls }
        defer { Handle.locked { failing[thread] = nil } }
        return try body()
    }

    static func result(_ function: String, _ result: @autoclosure () -> Int32) -> Int32 {
        let thread = Handle.currentThread
        guard Handle.locked({ failing[thread]?.contains(function) == true }) else { return result() }
        git_error_set_str(Int32(GIT_ERROR_INVALID.rawValue), "\(function) failed (fault injected)")
        return -1
    }
}
