public import Foundation

extension UUID {
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase, the form the API shows and the
    /// database stores (written by hand: it runs for every listed monitor).
    public var lowercasedString: String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        withUnsafeBytes(of: uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses the 36-character form (either case) without Foundation's scanner; nil otherwise.
    public init?(text: String) {
        var text = text
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = text.withUTF8 { utf8 -> Bool in
            guard utf8.count == 36 else { return false }
            return withUnsafeMutableBytes(of: &value) { out -> Bool in
                var count = 0
                var high: UInt8? = nil
                for (index, char) in utf8.enumerated() {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard char == UInt8(ascii: "-") else { return false }
                        continue
                    }
                    let nibble: UInt8
                    switch char {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - UInt8(ascii: "A") + 10
                    default: return false
                    }
                    if let h = high {
                        out[count] = h << 4 | nibble
                        count += 1
                        high = nil
                    } else {
                        high = nibble
                    }
                }
                return count == 16
            }
        }
        guard parsed else { return nil }
        self.init(uuid: value)
    }
}
