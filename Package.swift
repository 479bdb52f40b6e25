// swift-tools-version:6.0
import PackageDescription

// The default build links the system's libgit2 (1.5 to 1.9), found by pkg-config, and has no
// unsafe flags in any build, so that other packages can depend on RelKitCore, RelKit and GitKit.
// RELKIT_STATIC_LIBGIT2=1 (set by `make release-static` after Scripts/static-prerequisites.sh)
// is the opt-in packaging step: libgit2 and its libraries from their archives, with the stubs
// of Sources/StaticLinkStubs; the Makefile passes their linker wraps on the command line
// (STATIC_LINK_WRAPS). GNU ld on Linux only.
let staticLibgit2 = Context.environment["RELKIT_STATIC_LIBGIT2"] == "1"
let gitKitDependencies: [Target.Dependency] = ["SystemLibc"] + (staticLibgit2 ? ["Clibgit2", "StaticLinkStubs"] : ["Clibgit2"])

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
        // `make docs`: the DocC catalogs of the three libraries (a build-time plugin only).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
    ],
    targets: [
        // libgit2 from the system (Debian/Ubuntu: libgit2-dev; Fedora: libgit2-devel; Homebrew:
        // libgit2), or from its archives in the static build (Sources/Clibgit2Static).
        .systemLibrary(
            name: "Clibgit2",
            path: staticLibgit2 ? "Sources/Clibgit2Static" : "Sources/Clibgit2",
            pkgConfig: staticLibgit2 ? nil : "libgit2",
            providers: [.apt(["libgit2-dev", "pkg-config"]), .yum(["libgit2-devel", "pkgconf"]), .brew(["libgit2", "pkg-config"])]
        ),
        // libyaml from the system (compose files), or from its archive in the static build.
        .systemLibrary(
            name: "CYAML",
            path: staticLibgit2 ? "Sources/CYAMLStatic" : "Sources/CYAML",
            pkgConfig: staticLibgit2 ? nil : "yaml-0.1",
            providers: [.apt(["libyaml-dev", "pkg-config"]), .yum(["libyaml-devel", "pkgconf"]), .brew(["libyaml", "pkg-config"])]
        ),
        // The C library's allocator settings (glibc's mallopt), for the executable's start.
        .systemLibrary(name: "CAllocator", path: "Sources/CAllocator"),
        // The platform's C library (Glibc, Musl or Darwin), imported in one place.
        .target(name: "SystemLibc"),
        // Pure core: versions, schemes, policies. No I/O, no Foundation. Its rounding calls
        // libm's floor/ceil, which nothing else links for it in a package without Foundation
        // (the fuzz targets).
        .target(name: "RelKitCore", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // Thin, safe libgit2 wrapper (and the fast readers of git's formats beside it).
        .target(name: "GitKit", dependencies: gitKitDependencies),
        // Operations: configuration loading, repository inspection, commands' work.
        .target(
            name: "RelKit",
            dependencies: [
                "RelKitCore", "GitKit", "CYAML", "SystemLibc",
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
                "RelKit", "RelKitCore", "GitKit", "CAllocator", "SystemLibc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // Helpers shared by the integration and end-to-end tests: processes, scratch repositories.
        .target(name: "RelKitTestSupport", path: "Tests/RelKitTestSupport"),
        .testTarget(name: "RelKitCoreTests", dependencies: ["RelKitCore", "RelKitTestSupport"]),
        // GitKit's own tests: the libgit2 wrapper and the fast readers against git and zlib.
        .testTarget(name: "GitKitTests", dependencies: ["GitKit", "Clibgit2", "RelKitTestSupport"] + (staticLibgit2 ? ["StaticLinkStubs"] : [])),
        .testTarget(name: "RelKitTests", dependencies: ["RelKit", "RelKitCore", "GitKit", "RelKitTestSupport"]),
        .testTarget(name: "RelKitEndToEndTests", dependencies: ["relkit", "RelKitTestSupport"]),
    ]
)

// Symbols the static link of libgit2 needs that relkit does not want (see its stubs.c).
if staticLibgit2 {
    package.targets.append(.target(name: "StaticLinkStubs"))
}
