/// Normalization straight from bytes to bytes, for streams of versions: no `String` or array is
/// made per version. It prints exactly what `Version.description` prints.
extension VersionSyntax {
    /// Appends the PEP 440 normal form of the parsed `bytes` to `output`.
    public func appendNormalized(of bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        if let epoch, !Self.isZero(bytes, epoch) {
            Self.appendNumber(bytes, epoch, to: &output)
            output.append(ASCII.bang)
        }
        var componentStart = release.lowerBound
        for index in release where bytes[index] == ASCII.dot {
            Self.appendNumber(bytes, componentStart..<index, to: &output)
            output.append(ASCII.dot)
            componentStart = index + 1
        }
        Self.appendNumber(bytes, componentStart..<release.upperBound, to: &output)
        if let pre, let preKind {
            switch preKind {
            case .alpha: output.append(0x61)
            case .beta: output.append(0x62)
            case .releaseCandidate: output.append(contentsOf: [0x72, 0x63])
            }
            Self.appendNumber(bytes, pre.number, to: &output)
        }
        if let post {
            output.append(contentsOf: [ASCII.dot, 0x70, 0x6F, 0x73, 0x74])  // ".post"
            Self.appendNumber(bytes, post.number, to: &output)
        }
        if let dev {
            output.append(contentsOf: [ASCII.dot, 0x64, 0x65, 0x76])  // ".dev"
            Self.appendNumber(bytes, dev.number, to: &output)
        }
        if let local {
            output.append(ASCII.plus)
            var partStart = local.lowerBound
            for index in local.lowerBound...local.upperBound where index == local.upperBound || ASCII.isSeparator(bytes[index]) {
                if partStart > local.lowerBound { output.append(ASCII.dot) }
                let part = partStart..<index
                if part.allSatisfy({ ASCII.isDigit(bytes[$0]) }) {
                    Self.appendNumber(bytes, part, to: &output)
                } else {
                    for position in part { output.append(ASCII.lower(bytes[position])) }
                }
                partStart = index + 1
            }
        }
    }

    /// Digits without leading zeros; an absent number is the implicit 0.
    @inline(__always)
    static func appendNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>?, to output: inout [UInt8]) {
        guard let range else {
            output.append(0x30)
            return
        }
        var start = range.lowerBound
        while start < range.upperBound - 1 && bytes[start] == 0x30 { start += 1 }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<range.upperBound]))
    }

    static func isZero(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        range.allSatisfy { bytes[$0] == 0x30 }
    }
}
