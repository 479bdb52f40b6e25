import RelKitCore
import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
#else
import Foundation
#endif

/// A problem with `.release.toml`, pointing at the place in the file.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    /// `file:line:column: message`; the message alone when there is no file to point to.
    public var description: String { file.isEmpty ? message : "\(file):\(line):\(column): \(message)" }
}
