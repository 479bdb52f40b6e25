import Foundation
import RelKitTestSupport
import Testing

/// The libraries' public calls say what they take, return and throw (swift-format checks that
/// every public declaration has a comment and that the sections present are right; this checks
/// that a call with parameters has them).
@Suite("The libraries' documentation")
struct DocumentationTests {
    @Test(arguments: ["GitKit", "RelKit", "RelKitCore"])
    func everyPublicCallWithParametersDocumentsThem(library: String) throws {
        let sources = packageRoot + "/Sources/" + library
        let files = try #require(FileManager.default.enumerator(atPath: sources)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        var undocumented: [String] = []
        var checked = 0
        for file in files {
            let lines = try String(contentsOfFile: sources + "/" + file, encoding: .utf8).components(separatedBy: "\n")
            for (index, line) in lines.enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard code.hasPrefix("public "), code.contains("func ") || code.contains("init(") || code.contains("init?("),
                    !code.contains("func =="), !code.contains("func <"),
                    let open = code.firstIndex(of: "("), let close = code[open...].firstIndex(of: ")"),
                    code.index(after: open) < close
                else { continue }
                checked += 1
                var doc: [String] = []
                var above = index - 1
                while above >= 0, lines[above].trimmingCharacters(in: .whitespaces).hasPrefix("@") { above -= 1 }
                while above >= 0, lines[above].trimmingCharacters(in: .whitespaces).hasPrefix("///") {
                    doc.append(lines[above])
                    above -= 1
                }
                if !doc.contains(where: { $0.contains("- Parameter") }) { undocumented.append("\(file):\(index + 1): \(code.prefix(80))") }
            }
        }
        #expect(checked > 40, "the public calls were found")
        #expect(undocumented.isEmpty, "\(undocumented.joined(separator: "\n"))")
    }
}
