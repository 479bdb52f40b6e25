/// The commits relkit makes to move versions (`cut`, `tag`, `bump`) end with a trailer that says
/// so. A backport never picks them and the audit never lists them: they are how each branch got
/// its own version, not fixes. Recognised by the trailer, never by the wording of the subject.
public enum Bookkeeping {
    /// The key of the trailer relkit writes on its own version commits.
    public static let trailerKey = "Relkit-Bookkeeping"

    /// `subject` with the trailer naming what made it (`cut 26.05`, `tag 26.05.1`, `bump`).
    ///
    /// - Parameters:
    ///   - subject: the commit's subject.
    ///   - command: what made it.
    /// - Returns: the message.
    public static func message(_ subject: String, madeBy command: String) -> String {
        "\(subject)\n\n\(trailerKey): \(command)"
    }

    /// The trailer's key as bytes, lowercase, looked for before any trailer is parsed.
    private static let marker = Array("relkit-bookkeeping".utf8)

    /// Whether relkit made this commit to move versions.
    ///
    /// - Parameter message: a commit message.
    /// - Returns: whether it carries relkit's bookkeeping trailer.
    public static func isBookkeeping(message: String) -> Bool {
        // The audit asks of every commit: the trailer parse only when the key is there at all.
        // Bytes, case folded in place: a lowercased copy and a string search cost ~2 µs a message.
        guard ASCII.contains(Array(message.utf8), marker, foldingCase: true) else { return false }
        return Trailers.parse(message).contains { $0.matches(key: trailerKey) }
    }
}
