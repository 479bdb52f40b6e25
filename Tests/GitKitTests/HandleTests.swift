import RelKitTestSupport
import Testing

@testable import GitKit

/// Each libgit2 object GitKit makes has an owner that frees it: a call failing half-way through
/// leaves nothing behind (issue: `ObjectBatch.init` leaked the object databases and the backend
/// on its error paths).
@Suite("Owned libgit2 handles")
struct HandleTests {
    @Test(arguments: ["git_repository_odb", "git_mempack_new", "git_odb_add_backend"])
    func aBatchThatCannotStartFreesWhatItMade(failing call: String) throws {
        let scratch = try ScratchRepository(fixture: "check/clean")
        defer { scratch.remove() }
        let repository = try Repository.open(at: scratch.path)
        let before = Handle.liveOnThisThread
        let error = Fault.with(failing: [call]) { () -> GitError? in
            do {
                _ = try repository.beginObjectBatch()
                return nil
            } catch let error as GitError { return error } catch { return nil }
        }
        #expect(error?.function == call, "the injected failure is the one reported")
        #expect(Handle.liveOnThisThread == before, "after \(call) failed")
        // The same path without a failure: two databases owned while the batch lives, none after.
        do {
            let batch = try repository.beginObjectBatch()
            #expect(Handle.liveOnThisThread == before + 2)
            _ = batch.repository
        }
        #expect(Handle.liveOnThisThread == before)
    }
}
