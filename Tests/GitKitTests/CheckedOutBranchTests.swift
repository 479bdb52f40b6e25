import Foundation
import RelKitTestSupport
import Testing

@testable import GitKit

/// `Repository.isBranchCheckedOut` reads the worktrees' HEAD files; git's own answer is the oracle
/// (`git worktree list --porcelain` names each worktree's branch).
@Suite("Branches checked out in worktrees")
struct CheckedOutBranchTests {
    static func gitCheckedOut(_ repository: ScratchRepository) throws -> Set<String> {
        Set(
            try repository.git("worktree", "list", "--porcelain").split(separator: "\n")
                .filter { $0.hasPrefix("branch refs/heads/") }.map { String($0.dropFirst("branch refs/heads/".count)) })
    }

    @Test func worktreeHeadsAgreeWithGit() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(["a.txt": "a\n"], message: "first")
        for branch in ["24.03", "24.09", "feature/x", "idle"] { _ = try repository.git("branch", branch) }
        _ = try repository.git("worktree", "add", "-q", repository.scratch.file("wt-a"), "24.03")
        _ = try repository.git("worktree", "add", "-q", repository.scratch.file("wt-b"), "feature/x")
        _ = try repository.git("worktree", "add", "-q", "--detach", repository.scratch.file("wt-c"), "24.09")
        let checkedOut = try Self.gitCheckedOut(repository)
        #expect(checkedOut == ["main", "24.03", "feature/x"])
        let handle = try Repository.open(at: repository.path)
        for branch in ["main", "24.03", "24.09", "feature/x", "idle", "no-such"] {
            #expect(handle.isBranchCheckedOut(branch) == checkedOut.contains(branch), "\(branch)")
        }
        // Asked from a linked worktree, the answer is the same.
        let linked = try Repository.open(at: repository.scratch.file("wt-a"))
        #expect(linked.isBranchCheckedOut("main"))
        #expect(!linked.isBranchCheckedOut("idle"))
    }

    @Test func aBareRepositorysHeadIsNotACheckout() throws {
        let repository = try ScratchRepository()
        defer { repository.remove() }
        try repository.commit(["a.txt": "a\n"], message: "first")
        let bare = repository.scratch.file("bare.git")
        _ = try runProcess("git", ["clone", "-q", "--bare", repository.path, bare], environment: gitEnvironment)
        let handle = try Repository.open(at: bare)
        #expect(handle.isBare)
        #expect(!handle.isBranchCheckedOut("main"))
    }
}
