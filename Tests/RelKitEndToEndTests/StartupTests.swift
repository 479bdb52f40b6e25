import Foundation
import RelKitTestSupport
import Testing

/// What happens before relkit does any work. The default build loads the system's libgit2
/// (found by pkg-config); the opt-in static build (`make release-static`, which `make test` checks
/// with RELKIT_EXPECT_STATIC=1) loads no shared library but the C runtime's. relkit's code must not
/// call into the Objective-C-compatible half of Foundation (NSString, JSONSerialization,
/// FileHandle...: linking it, ICU with it, slows every command's start; see
/// Sources/RelKit/Support/SystemCalls.swift).
@Suite("Start-up of the relkit binary")
struct StartupTests {
    @Test func libgit2IsLinkedAsTheBuildSays() throws {
        let result = try runProcess("readelf", ["-d", relkitBinary])
        #expect(result.status == 0, "\(result.stderr)")
        let needed = result.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }.map(String.init)
        #expect(needed.contains { $0.contains("libc.so") }, "\(needed)")
        if ProcessInfo.processInfo.environment["RELKIT_EXPECT_STATIC"] == "1" {
            for library in ["libgit2", "libssh2", "libcrypto", "libgssapi", "libkrb5", "libmbed", "libpcre2", "libhttp_parser"] {
                #expect(!needed.contains { $0.contains(library) }, "\(library) is loaded at start-up: \(needed)")
            }
        } else {
            #expect(needed.contains { $0.contains("libgit2.so") }, "the default build links the system's libgit2: \(needed)")
        }
        // And it runs, libgit2 and all.
        let repository = try ScratchRepository(fixture: "check/clean")
        defer { repository.remove() }
        let status = try runProcess(relkitBinary, ["status"], environment: releaseEnvironment, directory: repository.path)
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
    }

    @Test func relkitCallsOnlyFoundationEssentials() throws {
        // Symbols of the module `Foundation` (mangled "10Foundation") that relkit's code uses;
        // FoundationEssentials' own are "20FoundationEssentials".
        let result = try runProcess("nm", ["-u", relkitBinary])
        #expect(result.status == 0, "\(result.stderr)")
        let used = result.stdout.split(separator: "\n").filter { $0.contains("10Foundation") && !$0.contains("20FoundationEssentials") }
        #expect(used.isEmpty, "\(used.prefix(10))")
        // And the check can fail: nm lists what the binary needs.
        #expect(result.stdout.contains("strerror"))
    }
}
