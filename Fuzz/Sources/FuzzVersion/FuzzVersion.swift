// libFuzzer target: the PEP 440 parser, the normalizer, ordering and the schemes' validation.
// Besides "no crash", it checks properties that must hold for every input (a failed one traps):
// the normal form is a fixed point and equal in order to the input, and a scheme's verdict is
// self-consistent (a valid version is spelled canonically; a suggestion is itself valid).
import RelKitCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVersion(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    checkNormalForm(text)
    for scheme in VersionScheme.all {
        checkValidation(text, scheme)
    }
    return 0
}

func checkNormalForm(_ text: String) {
    let normal = VersionSyntax.normalized(text)
    let parsed = try? Version(parsing: text)
    require((normal == nil) == (parsed == nil), "parser and normalizer disagree on \(text.debugDescription)")
    guard let normal, let parsed else { return }
    require(VersionSyntax.normalized(normal) == normal, "normal form of \(text.debugDescription) is not a fixed point: \(normal)")
    require(parsed.description == normal, "description \(parsed.description) differs from the normal form \(normal)")
    guard let reparsed = try? Version(parsing: normal) else { fail("normal form \(normal) does not parse") }
    require(Version.compare(parsed, reparsed) == 0 && parsed == reparsed, "\(normal) does not equal \(text.debugDescription)")
    require(!(parsed < reparsed) && !(reparsed < parsed), "order is not irreflexive for \(normal)")
}

func checkValidation(_ text: String, _ scheme: VersionScheme) {
    switch scheme.validate(text) {
    case .valid(let version):
        require(version.description == text, "\(scheme.name): valid \(text.debugDescription) is spelled \(version)")
        require(scheme.releaseTagVersion(text)?.canonical == true, "\(scheme.name): valid \(text.debugDescription) is no canonical tag")
    case .invalid(let problems, let suggestion):
        require(!problems.isEmpty, "\(scheme.name): invalid \(text.debugDescription) without a problem")
        if let suggestion {
            require(scheme.validate(suggestion).isValid, "\(scheme.name): suggestion \(suggestion.debugDescription) for \(text.debugDescription) is invalid")
        }
    }
}

/// A failed property traps with its message (precondition drops messages in optimized builds).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

func fail(_ message: String) -> Never { fatalError(message) }
