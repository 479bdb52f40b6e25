#!/usr/bin/env bash
# Another package can depend on relkit's libraries: a consumer package names relkit by a git URL
# and a version, as a package from elsewhere would (SwiftPM refuses unsafe flags in such a
# dependency, which a local path dependency would not show), imports RelKitCore, RelKit and
# GitKit, builds and runs. The copy of relkit is this work tree (tracked and untracked files).
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/relkit" "$scratch/consumer/Sources/consumer"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$scratch/relkit"
git -C "$scratch/relkit" init -q && git -C "$scratch/relkit" add -A
git -C "$scratch/relkit" -c user.name=ci -c user.email=ci@example.invalid commit -qm snapshot
git -C "$scratch/relkit" tag 99.0.0
cat >"$scratch/consumer/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "consumer",
    dependencies: [.package(url: "file://$scratch/relkit", exact: "99.0.0")],
    targets: [.executableTarget(name: "consumer", dependencies: [
        .product(name: "RelKitCore", package: "relkit"), .product(name: "RelKit", package: "relkit"),
        .product(name: "GitKit", package: "relkit"),
    ])]
)
SWIFT
cat >"$scratch/consumer/Sources/consumer/main.swift" <<'SWIFT'
import GitKit
import RelKit
import RelKitCore
let configuration = try ConfigurationLoader.load(text: "[version]\nscheme = \"yy.0m\"\n", file: "consumer.toml")
print(VersionSyntax.normalized("24.03.0") ?? "invalid", LibGit2Version.description, configuration.scheme)
SWIFT
(cd "$scratch/consumer" && env -u RELKIT_STATIC_LIBGIT2 swift build -q >"$scratch/build.log" 2>&1) || { cat "$scratch/build.log" >&2; echo "check-consumer: a package depending on relkit by URL does not build" >&2; exit 1; }
output=$("$scratch/consumer/.build/debug/consumer")
[ "${output%% *}" = 24.3.0 ] || { echo "check-consumer: unexpected output: $output" >&2; exit 1; }
echo "check-consumer: a package depending on relkit by URL builds and runs ($output)"
