/// What `.release.toml` says, once loaded and checked. Every command reads the same value.
public struct ReleaseConfiguration: Sendable {
    /// The scheme of every version relkit reads or writes.
    public var scheme: VersionScheme
    /// Which version main carries after a cut.
    public var nextLine: NextLinePolicy

    public init(scheme: VersionScheme = .yearMonth, nextLine: NextLinePolicy = .nextMonth) {
        self.scheme = scheme
        self.nextLine = nextLine
    }

    /// The configuration of a repository without `.release.toml`.
    public static let defaults = ReleaseConfiguration()
}
