// swift-tools-version:6.0
// libFuzzer targets for relkit's parsers. Built with `--sanitize=fuzzer --sanitize=address`
// by `make fuzz` (see Fuzz/README.md); not part of the main package's build.
import PackageDescription

let package = Package(
    name: "relkit-fuzz",
    dependencies: [.package(name: "relkit", path: "..")],
    targets: [
        .executableTarget(name: "FuzzVersion", dependencies: [.product(name: "RelKitCore", package: "relkit")]),
        .executableTarget(name: "FuzzTrailers", dependencies: [.product(name: "RelKitCore", package: "relkit")]),
        .executableTarget(name: "FuzzCommitGraph", dependencies: [.product(name: "GitKit", package: "relkit")]),
        .executableTarget(name: "FuzzObjectFormats", dependencies: [.product(name: "GitKit", package: "relkit")]),
        .executableTarget(
            name: "FuzzUpgrade",
            dependencies: [.product(name: "RelKit", package: "relkit"), .product(name: "RelKitCore", package: "relkit")]
        ),
        .executableTarget(
            name: "FuzzConfiguration",
            dependencies: [.product(name: "RelKit", package: "relkit"), .product(name: "RelKitCore", package: "relkit")]
        ),
    ]
)
