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
    /// The file, as messages name it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// What is wrong.
    public var message: String

    /// `file:line:column: message`; the message alone when there is no file to point to.
    public var description: String { file.isEmpty ? message : "\(file):\(line):\(column): \(message)" }
}
