internal import SystemLibc

/// One environment variable (`ProcessInfo.environment` builds a dictionary of all of them per
/// call). Here, in the lowest library, because GitKit's fast paths read their switches too
/// (`RELKIT_OBJECT_FILES`, `RELKIT_COMMIT_GRAPH`).
///
/// - Parameter name: the variable's name.
/// - Returns: its value, or nil when it is not set.
public func environmentValue(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
