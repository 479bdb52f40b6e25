// libFuzzer target: what `relkit upgrade` reads from files it does not control. The input is cut at
// 0x00 bytes into revision files (and the first part is also read as a compose file). Besides "no
// crash": a revision read has a legal id that is not its own down revision; every finding's line is
// inside the file; the histories built from the first and second halves of the files give a switch
// that downgrades only revisions of the first and applies only revisions of the second, each once.
import RelKit
import RelKitCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpgrade(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    let parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
    var revisions: [AlembicRevision] = []
    for (index, part) in parts.enumerated() {
        let lines = part.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        switch AlembicScript.parse(part, file: "v/\(index).py") {
        case .revision(let revision):
            require(!revision.id.isEmpty && !revision.id.contains(where: { "@-+".contains($0) }), "illegal id \(revision.id.debugDescription)")
            require(!revision.downRevisions.contains(revision.id), "\(revision.id) is its own down revision")
            require(revision.line >= 1 && revision.line <= lines, "line \(revision.line) of \(lines)")
            revisions.append(revision)
        case .unreadable(let finding):
            require(finding.rule == "alembic-unreadable" && !finding.message.isEmpty, "finding \(finding)")
            if let line = finding.line { require(line >= 1 && line <= lines, "finding line \(line) of \(lines): \(finding.message)") }
        }
    }
    if let first = parts.first {
        // YAML breaks lines at LF, CR, NEL, LS and PS: count generously (an upper bound).
        let lines = first.reduce(1) { $1 == 0x0A || $1 == 0x0D || $1 == 0x85 || $1 == 0xA8 || $1 == 0xA9 ? $0 + 1 : $0 }
        do {
            for service in try ComposeFile.services(in: first) {
                require(!service.name.isEmpty && service.line >= 1 && service.line <= lines, "service \(service)")
            }
        } catch {
            require(error.line >= 1 && error.line <= lines && !error.message.isEmpty, "compose error \(error)")
        }
    }
    let half = revisions.count / 2
    let from = AlembicHistory(name: "from", revisions: Array(revisions[..<half]))
    let to = AlembicHistory(name: "to", revisions: Array(revisions[half...]))
    guard !from.hasCycle && !to.hasCycle else { return 0 }
    let plan = AlembicSwitch.plan(from: from, to: to)
    require(Set(plan.downgrade).isSubset(of: Set(from.order)) && Set(plan.downgrade).count == plan.downgrade.count, "downgrade \(plan.downgrade)")
    require(Set(plan.upgrade).isSubset(of: Set(to.order)) && Set(plan.upgrade).count == plan.upgrade.count, "upgrade \(plan.upgrade)")
    require(plan.downgradeSteps.flatMap(\.removes).sorted() == plan.downgrade.sorted(), "steps \(plan.downgradeSteps) vs \(plan.downgrade)")
    return 0
}

/// A failed property traps with its message (precondition drops messages in optimized builds).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
