import Foundation

/// `RELKIT_TRACE=1`: the time of each phase of a command on stderr, for benchmarks and profiling.
enum Trace {
    static let enabled = environmentValue("RELKIT_TRACE") == "1"
    nonisolated(unsafe) static var last = DispatchTime.now().uptimeNanoseconds

    /// Reports the time since the previous mark (or since the process set up tracing).
    static func mark(_ phase: @autoclosure () -> String) {
        guard enabled else { return }
        let previous = last  // read first: the static is set on first use
        let now = max(previous, DispatchTime.now().uptimeNanoseconds)
        FileHandle.standardError.write(Data("relkit: \(phase()): \(String(format: "%.2f", Double(now - previous) / 1e6)) ms\n".utf8))
        last = now
    }
}

/// One environment variable (`ProcessInfo.environment` builds a dictionary of all of them per call).
func environmentValue(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
