extension String {
    /// The string made safe to print inside quotes on a terminal: control, bidirectional and
    /// invisible format characters are escaped as `\u{...}`, and very long input is shortened.
    ///
    /// - Parameter limit: the most characters shown (the rest elided).
    /// - Returns: the printable text.
    public func displayable(limit: Int = 120) -> String {
        // Printable ASCII that fits is shown as it is (the common case, without Unicode lookups).
        if utf8.count <= limit && utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return self }
        var result = ""
        var shown = 0
        for scalar in unicodeScalars {
            if shown == limit {
                result += "… (\(unicodeScalars.count) characters)"
                break
            }
            let value = scalar.value
            if value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value)
                || scalar.properties.generalCategory == .format
                || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator
            {
                result += "\\u{\(String(value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
            shown += 1
        }
        return result
    }
}

/// Where UTF-8 text is not: for messages about bytes that are not text.
public enum UTF8Check {
    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence.
    ///
    /// - Parameter bytes: the bytes.
    /// - Returns: the offset, or nil when all of them are UTF-8.
    public static func firstInvalidOffset<C: Collection<UInt8>>(in bytes: C) -> Int? where C.Index == Int {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            let length: Int
            let minimum: UInt32
            switch lead {
            case 0x00...0x7F:
                index += 1
                continue
            case 0xC2...0xDF:
                length = 2
                minimum = 0x80
            case 0xE0...0xEF:
                length = 3
                minimum = 0x800
            case 0xF0...0xF4:
                length = 4
                minimum = 0x10000
            default: return index - bytes.startIndex
            }
            guard index + length <= bytes.endIndex else { return index - bytes.startIndex }
            var scalar = UInt32(lead) & (0xFF >> (length + 1))
            for offset in 1..<length {
                let byte = bytes[index + offset]
                guard byte & 0xC0 == 0x80 else { return index - bytes.startIndex }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either.
            guard scalar >= minimum, !(0xD800...0xDFFF).contains(scalar), scalar <= 0x10FFFF else { return index - bytes.startIndex }
            index += length
        }
        return nil
    }

    /// "byte 0xFF at column 3 is not UTF-8", with a word on UTF-16 when a byte order mark says so.
    ///
    /// - Parameters:
    ///   - bytes: the text's bytes.
    ///   - offset: where the first invalid byte is.
    /// - Returns: the sentence.
    public static func describe<C: BidirectionalCollection<UInt8>>(_ bytes: C, invalidAt offset: Int) -> String where C.Index == Int {
        let start = bytes.startIndex
        if bytes.count >= 2 && ((bytes[start] == 0xFF && bytes[start + 1] == 0xFE) || (bytes[start] == 0xFE && bytes[start + 1] == 0xFF)) {
            return "the text is UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8"
        }
        let lineStart = bytes[start..<(start + offset)].lastIndex(of: 0x0A).map { $0 + 1 } ?? start
        let column = 1 + bytes[lineStart..<(start + offset)].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        let byte = bytes[start + offset]
        return "byte 0x\(String(byte, radix: 16, uppercase: true).leftPadded(to: 2)) at column \(column) is not UTF-8"
    }
}
