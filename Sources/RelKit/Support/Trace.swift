import Dispatch
import GitKit
import RelKitCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `RELKIT_TRACE=1`: the time of each phase of a command on stderr, for benchmarks and profiling.
enum Trace {
    static let enabled = environmentValue("RELKIT_TRACE") == "1"
    nonisolated(unsafe) static var last = DispatchTime.now().uptimeNanoseconds

    /// Reports the time since the previous mark (or since the process set up tracing).
    static func mark(_ phase: @autoclosure () -> String) {
        guard enabled else { return }
        let previous = last // read first: the static is set on first use
        let now = max(previous, DispatchTime.now().uptimeNanoseconds)
        SystemCalls.write("relkit: \(phase()): \(NumberText.decimal(Double(now - previous) / 1e6, digits: 2)) ms\n", to: 2)
        last = now
    }
}
