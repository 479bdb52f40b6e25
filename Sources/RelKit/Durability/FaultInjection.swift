import GitKit
import RelKitCore
internal import SystemLibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Test-only: `RELKIT_FAULT_AT=<step>` kills relkit with SIGKILL at that step, so that the tests
/// can check what an interrupted command leaves behind; `RELKIT_PAUSE_AT=<step>:<seconds>` pauses
/// there, so that a second relkit meets the first one holding the lock. Steps: `locked`,
/// `object-written-N` (after the Nth loose object), `objects-written`, `journal-written`,
/// `file-renamed`, `files-written`, `refs-moved`, `checked-out`; for backport also
/// `state-written`, `worktree-added`, `worktree-removed`. (Tests/Faults/faults.py kills at every
/// system call instead, with strace.)
public enum FaultInjection {
    static let step = environmentValue("RELKIT_FAULT_AT")
    static let pause: (step: String, seconds: Double)? = {
        guard let value = environmentValue("RELKIT_PAUSE_AT"), let colon = value.lastIndex(of: ":"),
            let seconds = Double(value[value.index(after: colon)...])
        else { return nil }
        return (String(value[..<colon]), seconds)
    }()

    /// A named step of a writing command, where `RELKIT_FAULT_AT` kills and `RELKIT_PAUSE_AT` pauses (tests).
    ///
    /// - Parameter name: the step's name.
    public static func point(_ name: String) {
        if step == name { kill(getpid(), SIGKILL) }
        if let pause, pause.step == name { usleep(UInt32(pause.seconds * 1_000_000)) }
    }
}
