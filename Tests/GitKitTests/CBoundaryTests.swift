import Foundation
import RelKitTestSupport
import Testing

/// libgit2 stays behind GitKit's Swift API: every GitKit file imports `Clibgit2` as `internal
/// import`, and the compiler then refuses a public declaration that shows a C type. This test
/// keeps a plain `import Clibgit2` (which would lift that check) from coming back.
@Suite("GitKit's C boundary")
struct CBoundaryTests {
    @Test func everyFileImportsLibgit2Internally() throws {
        let sources = packageRoot + "/Sources/GitKit"
        let files = try #require(FileManager.default.enumerator(atPath: sources)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 10)
        var importing = 0
        for file in files {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("import Clibgit2") {
                importing += 1
                #expect(line.trimmingCharacters(in: .whitespaces) == "internal import Clibgit2", "\(file): \(line)")
            }
        }
        #expect(importing > 10, "the files that call libgit2 were found")
    }
}
