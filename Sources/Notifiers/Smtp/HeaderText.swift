/// What may go on a header line or into a command as it is.
enum HeaderText {
    static func hasLineBreak(_ text: String) -> Bool {
        // Bytes, not Characters: "\r\n" is a single Character in Swift.
        text.utf8.contains { $0 == 0x0D || $0 == 0x0A }
    }

    /// Why `token` (a heloName, a Message-ID) cannot be sent, or nil:
    /// it must be non-empty printable ASCII without spaces.
    static func problem(with token: String) -> String? {
        if token.isEmpty { return "is empty" }
        if hasLineBreak(token) { return "contains a line break (header injection refused)" }
        if token.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            return "contains a space, a control character or a non-ASCII character"
        }
        return nil
    }

    /// `text` for an error message: control characters escaped, at most 100 bytes.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
            if out.utf8.count > 100 { return out + "…" }
        }
        return out
    }
}
