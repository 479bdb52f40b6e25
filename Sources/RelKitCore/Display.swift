extension String {
    /// The string made safe to print inside quotes on a terminal: control, bidirectional and
    /// invisible format characters are escaped as `\u{...}`, and very long input is shortened.
    public func displayable(limit: Int = 120) -> String {
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
                || scalar.properties.generalCategory == .paragraphSeparator {
                result += "\\u{\(String(value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
            shown += 1
        }
        return result
    }
}
