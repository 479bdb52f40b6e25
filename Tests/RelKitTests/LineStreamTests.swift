import Foundation
import RelKitCore
import RelKitTestSupport
import Testing

@testable import RelKit

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
        var inputs: [[UInt8]] = [
            "bad", "24.03.0-foo", "release-24.03", "24..03.0", "v24.03.0+", "24.03.0rc", "'quoted'", "back\\slash",
            "", "   ", "24.03.0 x", "x" + String(repeating: "1", count: 118), "x" + String(repeating: "1", count: 119),
            "x" + String(repeating: "1", count: 120), "tab\there", "café", "24.03.ä", "1." + String(repeating: "9", count: 5000)
        ]
        .map { Array($0.utf8) }
        inputs.append([0x32, 0x34, 0xFF, 0x2E])
        inputs.append([0x7F, 0x31])
        let alphabet = Array("0123456789.abcdefrcpostdevRC-_+!v' \\".utf8) + [0x09, 0xC3, 0xA9, 0x80]
        for _ in 0..<3_000 {
            inputs.append((0..<Int.random(in: 0...30, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
        var expected = ""
        var numbered: [(Int, [UInt8])] = []
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

@Suite("Line streams: normalizing in blocks, in input order")
struct BlockNormalizerTests {
    /// What `relkit version normalize -` prints for `lines`, line by line through `Version`: the
    /// reference the block path must equal, whatever the block size.
    func reference(_ input: [UInt8], interleaved: Bool) -> (output: String, errors: String) {
        var output = ""
        var errors = ""
        var lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if input.last == 0x0A || input.isEmpty { lines.removeLast() }
        for (index, var line) in lines.enumerated() {
            if line.last == 0x0D { line.removeLast() }
            let text = String(decoding: line, as: UTF8.self)
            let syntaxError = line.withUnsafeBufferPointer { bytes -> VersionParseError? in
                var syntax = VersionSyntax.empty
                guard let error = VersionSyntax.parse(bytes, into: &syntax) else { return nil }
                return VersionParseError(input: text, syntaxError: error, bytes: bytes)
            }
            if let syntaxError {
                let said = StreamNormalizer.errorLine(index + 1, syntaxError) + "\n"
                if interleaved { output += said } else { errors += said }
            } else {
                output += VersionSyntax.normalized(text)! + "\n"
            }
        }
        return (output, errors)
    }

    func normalized(_ input: [UInt8], blockSize: Int, interleaved: Bool) throws -> (output: String, errors: String, invalid: Int) {
        let directory = try ScratchDirectory("block-normalizer")
        defer { directory.remove() }
        try Data(input).write(to: URL(fileURLWithPath: directory.file("in")))
        let inputDescriptor = open(directory.file("in"), O_RDONLY)
        let outputDescriptor = open(directory.file("out"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let errorDescriptor = interleaved ? outputDescriptor : open(directory.file("err"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer {
            close(inputDescriptor)
            close(outputDescriptor)
            if !interleaved { close(errorDescriptor) }
        }
        let invalid = try StreamNormalizer.run(
            input: inputDescriptor, streams: StandardStreams(output: outputDescriptor, errors: errorDescriptor),
            blockSize: blockSize)
        let output = try String(contentsOfFile: directory.file("out"), encoding: .utf8)
        let errors = interleaved ? "" : try String(contentsOfFile: directory.file("err"), encoding: .utf8)
        return (output, errors, invalid)
    }

    @Test(arguments: [1, 7, 64, 4096, StreamNormalizer.blockSize])
    func blocksOfAnySizeSayWhatLineByLineSays(blockSize: Int) throws {
        var random = SeededGenerator(seed: UInt64(blockSize))
        let spellings = [
            "26.03.0", "v26.3.0rc1", " 026.003.0-POST-2 ", "26.03.0.dev", "bad", "", "26.03.0\r", "1!2.0+local.7",
            String(repeating: "9", count: 300) + ".1", "26..3", "  ", "26.03.0-foo"
        ]
        var input: [UInt8] = []
        for _ in 0..<2_000 { input += Array(spellings.randomElement(using: &random)!.utf8) + [0x0A] }
        for interleaved in [false, true] {
            for ending in [[], [UInt8]("26.04.0".utf8), [UInt8]("nope\r".utf8)] {
                let whole = input + ending
                let expected = reference(whole, interleaved: interleaved)
                let got = try normalized(whole, blockSize: blockSize, interleaved: interleaved)
                #expect(got.output == expected.output, "block size \(blockSize), interleaved \(interleaved)")
                #expect(got.errors == expected.errors, "block size \(blockSize), interleaved \(interleaved)")
                #expect(got.invalid == (expected.output + expected.errors).components(separatedBy: "invalid version").count - 1)
            }
        }
    }

    @Test func emptyInputAndALineLongerThanManyBlocks() throws {
        #expect(try normalized([], blockSize: 16, interleaved: false).output == "")
        // 4,001 digits: under Python's int() limit, and 250 blocks long.
        let long = Array(("1." + String(repeating: "0", count: 4_000) + "1\n2.0").utf8)
        let got = try normalized(long, blockSize: 16, interleaved: false)
        #expect(got.output == "1.1\n2.0\n")
        #expect(got.invalid == 0)
    }
}
