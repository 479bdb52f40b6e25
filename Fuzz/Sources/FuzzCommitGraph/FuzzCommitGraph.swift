// libFuzzer target: relkit's reader of git's commit-graph file (it reads `.git/objects/info/
// commit-graph`, which any tool or a broken disk may have written). Besides "no crash, no read out
// of bounds" (AddressSanitizer): a file that loads answers every question for every position;
// parents are positions inside the graph; looking up an id finds that id or nothing (a file whose
// ids are not sorted makes lookups miss, and relkit then reads the commit from the objects).
@_spi(FastReaders) import GitKit

let keys = ["a", "src/a.py", "src", "caf\u{e9}", ""].map { ChangedPathKey($0) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommitGraph(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let graph = CommitGraph(bytes: Array(UnsafeBufferPointer(start: data, count: count))) else { return 0 }
    for position in 0..<min(graph.count, 4096) {
        let id = graph.id(at: position)
        if let found = graph.position(of: id) { require(graph.id(at: found) == id, "looking up the id at \(position) found another id") }
        if let parents = graph.parents(at: position) {
            require(parents.allSatisfy { $0 < graph.count }, "a parent of \(position) is outside the graph")
        }
        _ = graph.generation(at: position)
        _ = graph.commitTime(at: position)
        for key in keys { _ = graph.mayHaveChanged(at: position, key) }
    }
    return 0
}

/// A failed property traps with its message (precondition drops messages in optimized builds).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
