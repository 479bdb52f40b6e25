import Testing

@testable import RelKit

@Suite("Audit subjects, as bytes")
struct AuditSubjectTests {
    @Test(arguments: [
        ("fix: crash (#12)", ["12"]), ("a (#1) (#22)", ["1", "22"]), ("(#)", []), ("(#12", []), ("x (#1a)", []),
        ("((#7))", ["7"]), ("caf\u{e9} (#3)", ["3"]), ("", [])
    ])
    func pullRequestNumbers(subject: String, numbers: [String]) {
        #expect(BackportAudit.pullRequestNumbers(in: subject) == numbers)
    }

    @Test(arguments: [
        ("Fix: Crash", "fix: crash"), ("fix: crash (#12)", "fix: crash"), ("[26.09] fix: crash (#12) (#30)", "fix: crash"),
        ("  fix  (#1)  ", "fix"), ("fix (#)", "fix (#)"), ("fix (#1a)", "fix (#1a)"), ("[26.09]", ""), ("\u{c9}T\u{c9} (#4)", "\u{e9}t\u{e9}"),
        ("(#5)", "")
    ])
    func plainSubject(subject: String, plain: String) {
        #expect(BackportAudit.plainSubject(subject) == plain)
    }
}
