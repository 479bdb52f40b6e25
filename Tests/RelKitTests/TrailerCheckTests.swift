import RelKit
import RelKitCore
import Testing

@Suite("relkit trailers check")
struct TrailerCheckTests {
    func codes(_ message: String, require: Bool = false, policy: BackportPolicy = BackportPolicy()) -> [String] {
        TrailerCheck.run(message: message, policy: policy, scheme: .yearMonth, requireBackport: require).findings.map { "\($0.line):\($0.code)" }
    }

    @Test func aBackportAsRelkitWritesItIsFine() {
        let message = Trailers.adding(
            [.init(key: "Backported-From", value: "main"), .init(key: "Backported-To", value: "26.11")],
            to: "fix: x (#12)\n\nSigned-off-by: A <a@b>\n")
        #expect(codes(message, require: true) == [])
        #expect(codes("fix: no backport\n") == [], "without --require-backport a plain commit is fine")
        #expect(codes("fix: no backport\n\n# Please enter the commit message\n", require: true) == ["1:missing"])
    }

    @Test func whereGitWouldNotReadThem() {
        #expect(codes("fix\n\nBackported-From: main\nBackported-To: 26.11\nmore prose\n") == ["3:misplaced", "4:misplaced"])
        #expect(codes("fix\n\nbody\n---\nBackported-From: main\nBackported-To: 26.11\n") == ["5:misplaced", "6:misplaced"])
        #expect(codes("Backported-To: 26.11\n") == ["1:misplaced"], "the title is never a trailer")
        let verbose = "fix\n\nBackported-From: main\nBackported-To: 26.11\n# ------------------------ >8 ------------------------\n+Backported-To: x\nBackported-To: y\n"
        #expect(codes(verbose) == [], "below the scissors line is the diff git cuts off")
    }

    @Test func valuesFollowTheTemplates() {
        #expect(codes("fix\n\nBackported-From: main\nBackported-To: 26.1\n") == ["4:bad-value"])
        #expect(codes("fix\n\nBackported-From: my branch\nBackported-To: 26.13\n") == ["3:bad-value", "4:bad-value"])
        #expect(codes("fix\n\nBackported-From:\nBackported-To: 26.11\n") == ["3:empty-value"])
        var policy = BackportPolicy()
        policy.trailers = ["Backported-From: {source}@{short-commit}", "Backport-Of: #{pr}"]
        #expect(codes("fix\n\nBackported-From: main@1a2b3c4\nBackport-Of: #12\n", policy: policy) == [])
        #expect(codes("fix\n\nBackported-From: main@xyz\nBackport-Of: 12\n", policy: policy) == ["3:bad-value", "4:bad-value"])
        #expect(codes("fix\n\nBackported-From: main@1a2b3c4\n", require: true, policy: policy) == [], "{pr} trailers are optional")
    }

    @Test func togetherOnceEachAndSpelledAsConfigured() {
        #expect(codes("fix\n\nBackported-From: main\n") == ["3:incomplete"])
        #expect(codes("fix\n\nBackported-From: main\nBackported-To: 26.11\nBackported-From: main\n") == ["3:incomplete", "5:duplicate"])
        let backportOfABackport = "fix\n\nBackported-From: main\nBackported-To: 26.11\nBackported-From: 26.11\nBackported-To: 26.09\n"
        #expect(codes(backportOfABackport) == [])
        let report = TrailerCheck.run(message: "fix\n\nbackported-from: main\nBackported-To: 26.11\n", policy: BackportPolicy(), scheme: .yearMonth)
        #expect(report.findings.map(\.code) == ["key-case"])
        #expect(report.errorCount == 0, "another case is a warning: git's trailer options compare keys without case")
    }
}
