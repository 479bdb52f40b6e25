import Foundation
import RelKitCore
import RelKitTestSupport
import Testing

/// Version strings in the many spellings `packaging` accepts, and near misses it rejects.
struct VersionStringGenerator {
    var random: SeededGenerator

    mutating func pick<T>(_ options: [T]) -> T { options.randomElement(using: &random)! }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func number() -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return String(repeating: "0", count: Int.random(in: 1...3, using: &random))
        case 1: return "0" + String(Int.random(in: 0...99, using: &random))
        case 2: return String(UInt64.random(in: 0...UInt64.max, using: &random)) + String(Int.random(in: 0...999, using: &random))
        default: return String(Int.random(in: 0...40, using: &random))
        }
    }

    mutating func separator(_ percent: Int = 40) -> String { chance(percent) ? pick([".", "-", "_"]) : "" }

    mutating func cased(_ word: String) -> String {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return word.uppercased()
        case 1: return String(word.map { chance(50) ? Character($0.uppercased()) : $0 })
        default: return word
        }
    }

    mutating func whitespace() -> String {
        guard chance(15) else { return "" }
        return pick([
            " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2003}",
            "\u{2028}", "\u{202F}", "\u{205F}", "\u{3000}", "  ", "\u{200B}", "\u{FEFF}"
        ])
    }

    /// A string from the grammar, with each part spelled in one of its accepted ways.
    mutating func grammatical() -> String {
        var text = whitespace()
        if chance(10) { text += pick(["v", "V"]) }
        if chance(8) { text += number() + "!" }
        var release = [number()]
        for _ in 0..<Int.random(in: 0...4, using: &random) { release.append(number()) }
        text += release.joined(separator: ".")
        if chance(45) {
            text += separator() + cased(pick(["a", "b", "c", "rc", "alpha", "beta", "pre", "preview"]))
            if chance(80) { text += separator(25) + number() } else if chance(30) { text += separator(100) }
        }
        if chance(25) {
            if chance(30) {
                text += "-" + number()
            } else {
                text += separator() + cased(pick(["post", "rev", "r"]))
                if chance(80) { text += separator(25) + number() }
            }
        }
        if chance(35) {
            text += separator(60) + cased("dev")
            if chance(80) { text += separator(25) + number() }
        }
        if chance(12) {
            var parts: [String] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                parts.append(chance(50) ? number() : cased(pick(["ubuntu", "abc", "x1", "local", "g1234abc"])))
            }
            text += "+" + parts.map { $0 }.joined(separator: pick([".", "-", "_"]))
        }
        return text + whitespace()
    }

    static let noise: [Character] = Array("0123456789.-_+!vVabcdeoprstxyzABCRDEV ſKıİü١\u{3000}\t\u{0}é")

    /// A grammatical string with one character inserted, deleted or replaced.
    mutating func mutated() -> String {
        var characters = Array(grammatical())
        let position = Int.random(in: 0...characters.count, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            characters.insert(pick(Self.noise), at: position)
        case 1 where !characters.isEmpty:
            characters.remove(at: min(position, characters.count - 1))
        default:
            if position < characters.count { characters[position] = pick(Self.noise) } else { characters.append(pick(Self.noise)) }
        }
        return String(characters)
    }

    /// Short random strings over the version alphabet.
    mutating func noiseString() -> String {
        String((0..<Int.random(in: 0...8, using: &random)).map { _ in pick(Self.noise) })
    }

    mutating func next() -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<6: return grammatical()
        case 6..<9: return mutated()
        default: return noiseString()
        }
    }
}

/// Runs Python's `packaging` on the strings; one JSON answer each: the normal form or null, and
/// the comparison of each valid version with the next valid one.
private let packagingOracle = """
    import json, sys
    from packaging.version import Version, InvalidVersion
    inputs = json.load(sys.stdin)
    normal = []
    valid = []
    for s in inputs:
        try:
            v = Version(s)
            normal.append(str(v))
            valid.append(v)
        except (InvalidVersion, ValueError):
            normal.append(None)
    order = [(a > b) - (a < b) for a, b in zip(valid, valid[1:])]
    json.dump({"normal": normal, "order": order}, sys.stdout)
    """

@Suite("Differential: relkit against Python packaging")
struct DifferentialTests {
    struct OracleAnswer: Decodable {
        let normal: [String?]
        let order: [Int]
    }

    @Test func normalizationAndOrderAgreeWithPackaging() throws {
        var generator = VersionStringGenerator(random: SeededGenerator(seed: 0x5EED_2026))
        var inputs = (0..<12_000).map { _ in generator.next() }
        inputs += ["20.09.0", "24.03.0-RC.01", "24.03.0dev", "23.03.0a2.dev", "22.03.11.post1", "23.09.8.rc1", "v0.7.0", "api-v2.20170315"]
        let result = try runProcess("python3", ["-c", packagingOracle], stdin: try JSONEncoder().encode(inputs))
        try #require(
            result.status == 0,
            """
            python3 with packaging is needed for this test (make test installs it): \(result.stderr)
            """)
        let answer = try JSONDecoder().decode(OracleAnswer.self, from: Data(result.stdout.utf8))
        try #require(answer.normal.count == inputs.count)

        var disagreements: [String] = []
        var valid: [Version] = []
        for (input, expected) in zip(inputs, answer.normal) {
            let parsed = try? Version(parsing: input)
            if parsed?.description != expected {
                disagreements.append("\(input.debugDescription): relkit \(parsed?.description ?? "invalid"), packaging \(expected ?? "invalid")")
            }
            // The streaming normalizer must agree as well.
            let streamed = VersionSyntax.normalized(input)
            if streamed != expected { disagreements.append("\(input.debugDescription): stream \(streamed ?? "invalid")") }
            if let parsed { valid.append(parsed) }
        }
        let validCount = answer.normal.compactMap { $0 }.count
        #expect(validCount > 5_000 && inputs.count - validCount > 2_000, "the generator covers valid and invalid strings")
        if valid.count == answer.order.count + 1 {
            for (index, (a, b)) in zip(valid, valid.dropFirst()).enumerated() where Version.compare(a, b) != answer.order[index] {
                disagreements.append("compare(\(a), \(b)): relkit \(Version.compare(a, b)), packaging \(answer.order[index])")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(10))")
    }
}
