/// The DATA payload (RFC 5321, 4.5.2): a rendered message (CRLF line ends) with
/// every line that starts with "." given a second one, ending in CRLF "." CRLF.
public enum DotStuffing {
    public static func dataPayload(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + 16)
        var atLineStart = true
        for byte in message {
            if atLineStart, byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            atLineStart = byte == 0x0A
        }
        if !out.isEmpty, !out.ends(with: [0x0D, 0x0A]) { out += [0x0D, 0x0A] }
        return out + Array(".\r\n".utf8)
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
