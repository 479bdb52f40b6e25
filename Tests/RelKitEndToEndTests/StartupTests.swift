import Foundation
import RelKitTestSupport
import Testing

/// What happens before relkit does any work: libgit2 must not read the system's CA bundle
/// (relkit never talks to a remote; see Sources/relkit/CertificateBundle.swift), and relkit's
/// code must not call into the Objective-C-compatible half of Foundation (NSString,
/// JSONSerialization, FileHandle...: linking it, ICU with it, slows every command's start; see
/// Sources/RelKit/SystemCalls.swift).
@Suite("Start-up of the relkit binary")
struct StartupTests {
    @Test func libgit2BindsTheCertificateFileReaderToRelkitItself() throws {
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        var environment = releaseEnvironment
        environment["LD_DEBUG"] = "bindings"
        let result = try runProcess(relkitBinary, ["status"], environment: environment, directory: repository.path)
        #expect(result.status == 0, "\(result.stdout)")
        let bindings = result.stderr.split(separator: "\n").filter { $0.hasSuffix("`mbedtls_x509_crt_parse_file'") }
        // Every caller (libgit2, and mbedTLS's own directory reader) reaches relkit's definition.
        #expect(bindings.contains { $0.contains("libgit2.so") }, "\(bindings)")
        #expect(!bindings.isEmpty && bindings.allSatisfy { $0.contains(" to \(relkitBinary) [") }, "\(bindings)")
    }

    @Test func relkitCallsOnlyFoundationEssentials() throws {
        // Symbols of the module `Foundation` (mangled "10Foundation") that relkit's code uses;
        // FoundationEssentials' own are "20FoundationEssentials".
        let result = try runProcess("nm", ["-u", relkitBinary])
        #expect(result.status == 0, "\(result.stderr)")
        let used = result.stdout.split(separator: "\n").filter { $0.contains("10Foundation") && !$0.contains("20FoundationEssentials") }
        #expect(used.isEmpty, "\(used.prefix(10))")
        // And the check can fail: nm lists what the binary needs.
        #expect(result.stdout.contains("git_libgit2_init"))
    }
}
