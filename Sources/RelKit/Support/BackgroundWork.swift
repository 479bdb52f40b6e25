import Dispatch
import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Work started on another thread at once; `value()` waits for its result.
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the worker before it signals `done`; read only after waiting for it.
    private var result: Result<Value, GitError>?

    init(_ work: @escaping @Sendable () throws(GitError) -> Value) {
        DispatchQueue.global().async {
            do throws(GitError) { self.result = .success(try work()) } catch { self.result = .failure(error) }
            self.done.signal()
        }
    }

    func value() throws(GitError) -> Value {
        done.wait()
        done.signal() // a later call does not wait forever
        return try result!.get()
    }
}
