/// Normalization straight from bytes to bytes, for streams of versions: no `String` or array is
/// made per version. It prints exactly what `Version.description` prints.
extension VersionSyntax {
    /// The most bytes the normal form of an input of `inputLength` bytes can take (implicit
    /// numbers and `-1` -> `.post1` make it longer than the input).
    ///
    /// - Parameter inputLength: the input's length in bytes.
    /// - Returns: the bound.
    public static func maximumNormalizedLength(_ inputLength: Int) -> Int { 2 * inputLength + 16 }

    /// Writes the PEP 440 normal form of the parsed `bytes` at `output`, which has room for
    /// `maximumNormalizedLength(bytes.count)` bytes; returns the number of bytes written.
    ///
    /// - Parameters:
    ///   - bytes: the version's bytes, as parsed.
    ///   - output: where to write.
    /// - Returns: the count of bytes written.
    public func writeNormalized(of bytes: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt8>) -> Int {
        var writer = Writer(bytes: bytes, output: output)
        if let epoch, epoch.contains(where: { bytes[$0] != 0x30 }) {
            writer.number(epoch)
            writer.byte(ASCII.bang)
        }
        // The release segment: copy it, dropping each leading zero that has a digit after it.
        var previous = ASCII.dot
        for index in release {
            let current = bytes[index]
            if current == 0x30 && previous == ASCII.dot && index + 1 < release.upperBound && ASCII.isDigit(bytes[index + 1]) {
                continue
            }
            writer.byte(current)
            previous = current
        }
        if let pre, let preKind {
            switch preKind {
            case .alpha: writer.byte(0x61)
            case .beta: writer.byte(0x62)
            case .releaseCandidate:
                writer.byte(0x72)
                writer.byte(0x63)
            }
            writer.number(pre.number)
        }
        if let post {
            writer.word(".post")
            writer.number(post.number)
        }
        if let dev {
            writer.word(".dev")
            writer.number(dev.number)
        }
        if let local {
            writer.byte(ASCII.plus)
            var partStart = local.lowerBound
            for index in local.lowerBound...local.upperBound where index == local.upperBound || ASCII.isSeparator(bytes[index]) {
                if partStart > local.lowerBound { writer.byte(ASCII.dot) }
                let part = partStart..<index
                if part.allSatisfy({ ASCII.isDigit(bytes[$0]) }) {
                    writer.number(part)
                } else {
                    for position in part { writer.byte(ASCII.lower(bytes[position])) }
                }
                partStart = index + 1
            }
        }
        return writer.count
    }

    /// The normal form of a string through the streaming path (what `relkit version normalize -`
    /// prints for it), or nil when it is not a version.
    ///
    /// - Parameter text: the version.
    /// - Returns: its normal form, or nil.
    public static func normalized(_ text: String) -> String? {
        var copy = text
        return copy.withUTF8 { bytes in
            guard case .success(let syntax) = parse(bytes) else { return nil }
            var output: [UInt8] = []
            syntax.appendNormalized(of: bytes, to: &output)
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// Appends the PEP 440 normal form of the parsed `bytes` to `output`.
    ///
    /// - Parameters:
    ///   - bytes: the version's bytes, as parsed.
    ///   - output: what to append to.
    public func appendNormalized(of bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var scratch = [UInt8](repeating: 0, count: Self.maximumNormalizedLength(bytes.count))
        let count = scratch.withUnsafeMutableBufferPointer { writeNormalized(of: bytes, to: $0.baseAddress!) }
        output.append(contentsOf: scratch[0..<count])
    }

    private struct Writer {
        let bytes: UnsafeBufferPointer<UInt8>
        let output: UnsafeMutablePointer<UInt8>
        var count = 0

        @inline(__always) mutating func byte(_ value: UInt8) {
            output[count] = value
            count += 1
        }

        @inline(__always) mutating func word(_ text: StaticString) {
            for offset in 0..<text.utf8CodeUnitCount { byte(text.utf8Start[offset]) }
        }

        /// Digits without leading zeros; an absent number is the implicit 0.
        @inline(__always) mutating func number(_ range: Range<Int>?) {
            guard let range else {
                byte(0x30)
                return
            }
            var start = range.lowerBound
            while start < range.upperBound - 1 && bytes[start] == 0x30 { start += 1 }
            for position in start..<range.upperBound { byte(bytes[position]) }
        }
    }
}
