import Foundation
@testable import RelKit
import RelKitCore
import RelKitTestSupport
import Testing

@Suite("Line streams: invalid lines written as bytes")
struct LineStreamTests {
    /// What `writeInvalidLine` puts in a buffer, read back through a scratch file.
    func written(_ lines: [(Int, [UInt8])]) throws -> String {
        let directory = try ScratchDirectory("line-streams")
        defer { directory.remove() }
        let path = directory.file("errors")
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        let buffer = OutputBuffer(fileDescriptor: descriptor)
        var syntax = VersionSyntax.empty
        for (number, bytes) in lines {
            bytes.withUnsafeBufferPointer { bytes in
                if let error = VersionSyntax.parse(bytes, into: &syntax) { StreamNormalizer.writeInvalidLine(number, bytes, error, to: buffer) }
            }
        }
        buffer.flush()
        close(descriptor)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The bytes written for the common case are the reference wording (`errorLine`), for every
    /// kind of input: printable ASCII at every length around the 120-character limit, quotes and
    /// backslashes, control characters, non-ASCII letters, invalid UTF-8, empty and blank lines.
    @Test func invalidLinesAreWordedAsTheReferenceWordsThem() throws {
        var random = SeededGenerator(seed: 2026)
        var inputs: [[UInt8]] = ["bad", "24.03.0-foo", "release-24.03", "24..03.0", "v24.03.0+", "24.03.0rc", "'quoted'", "back\\slash",
                                 "", "   ", "24.03.0 x", "x" + String(repeating: "1", count: 118), "x" + String(repeating: "1", count: 119),
                                 "x" + String(repeating: "1", count: 120), "tab\there", "café", "24.03.ä", "1." + String(repeating: "9", count: 5000)]
            .map { Array($0.utf8) }
        inputs.append([0x32, 0x34, 0xFF, 0x2E])
        inputs.append([0x7F, 0x31])
        let alphabet = Array("0123456789.abcdefrcpostdevRC-_+!v' \\".utf8) + [0x09, 0xC3, 0xA9, 0x80]
        for _ in 0..<3_000 {
            inputs.append((0..<Int.random(in: 0...30, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
        var expected = "", numbered: [(Int, [UInt8])] = []
        for (index, bytes) in inputs.enumerated() {
            let number = index * 37 + 1
            let error = bytes.withUnsafeBufferPointer { bytes -> VersionParseError? in
                var syntax = VersionSyntax.empty
                guard let syntaxError = VersionSyntax.parse(bytes, into: &syntax) else { return nil }
                return VersionParseError(input: String(decoding: bytes, as: UTF8.self), syntaxError: syntaxError, bytes: bytes)
            }
            guard let error else { continue }
            expected += StreamNormalizer.errorLine(number, error) + "\n"
            numbered.append((number, bytes))
        }
        #expect(numbered.count > 2_000, "most random inputs are invalid")
        #expect(try written(numbered) == expected)
    }
}
