import RelKitCore

/// Why a compose file's services cannot be read.
public struct ComposeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the problem.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// What is wrong.
    public var description: String { message }
}

/// The `services:` of a compose file: each service's name and image, read from the YAML that
/// libyaml parses (`YAMLDocument`), so that flow style, anchors and merge keys read as compose
/// reads them. A service without an `image:` of its own takes the one of the service it
/// `extends` in the same file; one extended from another file has none here (relkit compares one
/// file at two refs).
public enum ComposeFile {
    /// The services of a compose file.
    /// - Parameter bytes: the file's bytes.
    /// - Returns: each service with its image and line (the image's line when it has one of its own).
    /// - Throws: `ComposeError` for YAML libyaml cannot parse, or `services` that is no mapping.
    public static func services(in bytes: [UInt8]) throws(ComposeError) -> [ComposeService] {
        let root: YAMLNode?
        do { root = try YAMLDocument.parse(bytes) } catch { throw ComposeError(line: error.location.line, message: error.problem) }
        guard let root, let services = root["services"], !services.isNull else { return [] }
        guard case .mapping(let entries, _) = services else {
            throw ComposeError(line: services.line, message: "services is not a mapping of service names")
        }
        var definitions: [(name: String, line: Int, body: YAMLNode)] = []
        for entry in entries {
            guard let name = entry.key.text, !name.isEmpty, name != "<<" else {
                throw ComposeError(line: entry.key.line, message: "a service without a name")
            }
            switch entry.value {
            case .mapping: definitions.append((name, entry.key.line, entry.value))
            case .scalar where entry.value.isNull: definitions.append((name, entry.key.line, entry.value))
            default: throw ComposeError(line: entry.value.line, message: "service '\(name.displayable(limit: 40))' is not a mapping")
            }
        }
        let bodies = Dictionary(definitions.map { ($0.name, $0.body) }, uniquingKeysWith: { first, _ in first })
        return definitions.map { definition in
            if let image = definition.body["image"], let text = image.text {
                return ComposeService(name: definition.name, image: text, line: image.line)
            }
            return ComposeService(name: definition.name, image: extendedImage(definition.body, bodies), line: definition.line)
        }
    }

    /// The image a service inherits through `extends` within the file (`extends: web` or
    /// `extends: {service: web}`), following a chain; nil for another file's service or a loop.
    static func extendedImage(_ body: YAMLNode, _ bodies: [String: YAMLNode]) -> String? {
        var current = body
        var visited = Set<String>()
        while let extends = current["extends"] {
            if extends["file"] != nil { return nil }
            guard let name = extends.text ?? extends["service"]?.text, visited.insert(name).inserted, let next = bodies[name] else { return nil }
            if let image = next["image"]?.text { return image }
            current = next
        }
        return nil
    }
}
