// Only in the opt-in static build (RELKIT_STATIC_LIBGIT2=1: `make release-static`, and `make test`
// runs this suite in that build); the default build links the system's libgit2 as it is.
#if canImport(StaticLinkStubs)
import Foundation
@testable import GitKit
import StaticLinkStubs
import Testing

/// libgit2 is linked in with its CA-bundle reader redirected (`--wrap`) to a stub that reads
/// nothing (relkit never talks to a remote; see Sources/StaticLinkStubs/stubs.c): libgit2's
/// initialisation must reach the stub, so that the system's bundle is never parsed.
@Suite("Static link of libgit2")
struct StaticLinkTests {
    // libgit2 only asks when the bundle is where Debian puts it (ca-certificates).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/etc/ssl/certs/ca-certificates.crt")))
    func libgit2sCertificateFileReadReachesTheStub() throws {
        LibGit2.ensureInitialized()
        #expect(relkit_refused_certificate_files() >= 1)
    }

    /// libgit2's TLS setup seeds its random generator from mbedtls's sources, HAVEGE among them,
    /// which draws from the kernel (not from its own pool); its SSH setup is skipped, and libssh2
    /// still makes a session (setting itself up then).
    @Test func libgit2sSetupDrawsEntropyFromTheKernelAndLeavesSSHToItsFirstSession() {
        LibGit2.ensureInitialized()
        if relkit_has_havege() == 1 { #expect(relkit_havege_draws() >= 1) }
        #expect(relkit_skipped_ssh_setups() >= 1)
        #expect(relkit_ssh_session_starts() == 1)
    }
}
#endif
