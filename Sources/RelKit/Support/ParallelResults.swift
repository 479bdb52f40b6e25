import Dispatch
import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Results written by parallel workers, each at its own indexes.
final class ParallelResults<Value>: @unchecked Sendable {
    private let lock = Lock()
    private(set) var values: [Value?]
    private(set) var error: GitError?

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    func fail(_ failure: any Error) {
        lock.lock()
        if error == nil { error = failure as? GitError ?? GitError(function: "worker", code: .failure, message: "\(failure)") }
        lock.unlock()
    }
}
