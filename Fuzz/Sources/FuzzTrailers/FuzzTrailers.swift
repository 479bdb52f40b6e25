// libFuzzer target: the trailer parser and inserter (git 2.39's rules). Besides "no crash": the
// trailers relkit adds are found again by the parser, after the ones the message had; adding them
// again changes nothing; the message's text before the insertion point is kept byte for byte.
import RelKitCore

let added = [
    Trailers.Trailer(key: "Backported-From", value: "main"),
    Trailers.Trailer(key: "Backported-To", value: "24.03")
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrailers(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let message = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let before = Trailers.parse(message)
    let result = Trailers.adding(added, to: message)
    let after = Trailers.parse(result)
    // A trailer the message has already (key in any case, same value) is not added again.
    for trailer in added {
        require(
            after.contains { $0.matches(key: trailer.key) && $0.value == trailer.value },
            "\(trailer) not parseable after adding it to \(message.debugDescription): \(result.debugDescription)")
    }
    require(Trailers.adding(added, to: result) == result, "adding twice changed \(result.debugDescription)")
    let kept = before.filter { old in !added.contains(old) }
    for trailer in kept where !after.contains(trailer) {
        fail("\(trailer) of \(message.debugDescription) lost in \(result.debugDescription)")
    }
    _ = Trailers.problems(in: message)
    return 0
}

/// A failed property traps with its message (precondition drops messages in optimized builds).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

func fail(_ message: String) -> Never { fatalError(message) }
