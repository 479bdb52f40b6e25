// The C library of the platform, in one place: GitKit, RelKit and the CLI write
// `internal import SystemLibc` instead of a ladder of `#if canImport(...)` in each file (as
// swift-tools-support-core's TSCLibc does). `internal` at each use keeps it out of their APIs.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#else
#error("relkit runs on Linux (glibc or musl) and macOS")
#endif
