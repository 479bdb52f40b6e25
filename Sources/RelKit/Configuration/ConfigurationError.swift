import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A problem with `.release.toml`, pointing at the place in the file.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file, as messages name it.
    public var file: String
    /// Where in the file.
    public var location: SourceLocation
    /// What is wrong.
    public var message: String

    /// An error at a place of a file.
    /// - Parameters:
    ///   - file: the file, as messages name it (empty: no file, relkit's defaults).
    ///   - location: where in it.
    ///   - message: what is wrong.
    public init(file: String, at location: SourceLocation, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`; the message alone when there is no file to point to.
    public var description: String { file.isEmpty ? message : "\(file):\(location): \(message)" }
}
