/// relkit's own version; `relkit bump` keeps it in step with VERSION (see .release.toml).
enum RelKitInfo {
    static let version = "26.11.0.dev0"
}
