// libFuzzer target: the `.release.toml` loader (TOMLKit's parser, relkit's source map and checks).
// Besides "no crash": every error points at a real place in the text (line 1 ... last line + 1,
// column >= 1) and has a message.
import RelKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    do {
        _ = try ConfigurationLoader.load(text: text, file: ".release.toml")
    } catch {
        let lines = text.utf8.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        require(error.location.line >= 1 && error.location.line <= lines + 1, "error line \(error.location.line) outside 1...\(lines + 1): \(error)")
        require(error.location.column >= 1, "error column \(error.location.column) < 1: \(error)")
        require(!error.message.isEmpty, "error without a message")
    }
    return 0
}

/// A failed property traps with its message (precondition drops messages in optimized builds).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

func fail(_ message: String) -> Never { fatalError(message) }
