/// Quoted-printable (RFC 2045, 6.7) for the body: every output line is at most
/// 76 characters, 7-bit, with trailing spaces encoded.
enum QuotedPrintable {
    /// Encodes lines of text (without line ends) and joins them with CRLF.
    static func encode(lines: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, line) in lines.enumerated() {
            if index > 0 { out += [0x0D, 0x0A] }
            out += encode(line: line)
        }
        return out
    }

    /// One line; soft line breaks (`=` CRLF) keep each output line within 76 characters.
    static func encode(line: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var length = 0
        for (index, byte) in line.enumerated() {
            let isLast = index == line.count - 1
            let literal = (byte >= 0x21 && byte <= 0x7E && byte != UInt8(ascii: "=")) || ((byte == 0x20 || byte == 0x09) && !isLast)
            let token = literal ? [byte] : escaped(byte)
            if length + token.count > 75 {
                out += [UInt8(ascii: "="), 0x0D, 0x0A]
                length = 0
            }
            out += token
            length += token.count
        }
        return out
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    private static func escaped(_ byte: UInt8) -> [UInt8] {
        [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
    }
}
