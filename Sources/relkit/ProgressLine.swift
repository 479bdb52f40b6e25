import Dispatch
import GitKit
import RelKit
internal import SystemLibc

/// A one-line progress report on stderr for long work, redrawn in place. Only when stderr is a
/// terminal and the output is not JSON; it appears once the work has run for half a second (a
/// short backport prints nothing extra) and is redrawn at most ten times a second.
final class ProgressLine {
    private let enabled: Bool
    /// Test switch: `RELKIT_PROGRESS_AFTER_MS` shows it sooner (0: from the first update).
    private let delay = UInt64(environmentValue("RELKIT_PROGRESS_AFTER_MS").flatMap { UInt64($0) } ?? 500) * 1_000_000
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastDrawn: UInt64 = 0
    private var shown = false

    init(json: Bool) {
        enabled = !json && isatty(2) == 1 && environmentValue("TERM") != "dumb"
    }

    func update(_ text: @autoclosure () -> String, final: Bool = false) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - started >= delay, final || now - lastDrawn >= 100_000_000 else { return }
        lastDrawn = now
        shown = true
        SystemCalls.write("\r\u{1B}[K" + text(), to: 2)
    }

    /// Clears the line, so that what follows starts on a clean one.
    func finish() {
        guard shown else { return }
        shown = false
        SystemCalls.write("\r\u{1B}[K", to: 2)
    }
}
