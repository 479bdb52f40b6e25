import Foundation
import RelKitTestSupport
import Testing

/// What happens before relkit does any work: libgit2 must not read the system's CA bundle
/// (relkit never talks to a remote; see Sources/relkit/CertificateBundle.swift).
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
}
