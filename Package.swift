// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "relkit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "relkit", targets: ["relkit"]),
        .library(name: "RelKitCore", targets: ["RelKitCore"]),
        .library(name: "RelKit", targets: ["RelKit"]),
        .library(name: "GitKit", targets: ["GitKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
    ],
    targets: [
        // libgit2 1.5 from the system (Debian: libgit2-dev).
        // Linked statically (see its module map); its headers are in /usr/include.
        .systemLibrary(
            name: "Clibgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Symbols the static link of libgit2 needs that relkit does not want (see its stubs.c).
        .target(name: "StaticLinkStubs"),
        // Pure core: versions, schemes, policies. No I/O, no Foundation.
        .target(name: "RelKitCore"),
        // Thin, safe libgit2 wrapper.
        .target(
            name: "GitKit",
            dependencies: ["Clibgit2", "StaticLinkStubs"],
            // libgit2 parses the system's CA bundle when it starts (5 to 9 ms; relkit never uses
            // the network), fills mbedtls's HAVEGE pool and sets up libssh2: these calls go to
            // StaticLinkStubs instead (see its stubs.c).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--wrap=mbedtls_x509_crt_parse_file", "-Xlinker", "--wrap=mbedtls_havege_init",
                                           "-Xlinker", "--wrap=mbedtls_havege_random", "-Xlinker", "--wrap=git_transport_ssh_global_init"])]
        ),
        // Operations: configuration loading, repository inspection, commands' work.
        .target(
            name: "RelKit",
            dependencies: [
                "RelKitCore", "GitKit",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            // Only what a file imports: TOMLKit imports Foundation, whose String methods would
            // otherwise be picked over the standard library's and link all of Foundation.
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // The CLI: argument parsing and rendering only.
        .executableTarget(
            name: "relkit",
            dependencies: [
                "RelKit", "RelKitCore", "GitKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // Helpers shared by the integration and end-to-end tests: processes, scratch repositories.
        .target(name: "RelKitTestSupport", path: "Tests/RelKitTestSupport"),
        .testTarget(name: "RelKitCoreTests", dependencies: ["RelKitCore"]),
        .testTarget(name: "RelKitTests", dependencies: ["RelKit", "RelKitCore", "GitKit", "RelKitTestSupport", "StaticLinkStubs"]),
        .testTarget(name: "RelKitEndToEndTests", dependencies: ["relkit", "RelKitTestSupport"]),
    ]
)
