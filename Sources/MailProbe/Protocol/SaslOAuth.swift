/// The two SASL mechanisms that carry an OAuth2 access token: Google's and Microsoft's XOAUTH2,
/// and OAUTHBEARER (RFC 7628). Pure functions: the session machines send what these build.
public enum OAuthMechanism: String, Sendable, Hashable, Codable, CaseIterable {
    case xoauth2 = "XOAUTH2"
    case oauthbearer = "OAUTHBEARER"

    /// The mechanism to use among those the server offers: the configured one if offered, else
    /// XOAUTH2 (what Microsoft 365 and Google both take), else OAUTHBEARER; nil when neither is offered.
    static func choose(configured: OAuthMechanism?, offered: (OAuthMechanism) -> Bool) -> OAuthMechanism? {
        if let configured { return offered(configured) ? configured : nil }
        return [.xoauth2, .oauthbearer].first(where: offered)
    }

    /// The initial client response, base64.
    func response(user: String, token: String) -> String {
        switch self {
        case .xoauth2: Base64.encode(Array("user=\(user)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8))
        case .oauthbearer: Base64.encode(Array("n,a=\(Self.saslName(user)),\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8))
        }
    }

    /// What the client answers to the server's error challenge, so the server can end the
    /// exchange with its failure (XOAUTH2: an empty response; RFC 7628 3.2.3: `%x01`).
    var abortResponse: String {
        switch self {
        case .xoauth2: ""
        case .oauthbearer: Base64.encode([0x01])
        }
    }

    /// RFC 5801's saslname: `,` and `=` escaped.
    private static func saslName(_ user: String) -> String {
        user.replacingAll("=", with: "=3D").replacingAll(",", with: "=2C")
    }

    /// The server's error challenge (base64 JSON such as `{"status":"401","schemes":"bearer","scope":"mail"}`)
    /// as text for a result: its fields, or the raw challenge when it is not JSON.
    static func describeChallenge(_ challenge: String) -> String {
        guard let bytes = Base64.decode(challenge.trimmingASCIIWhitespace()), !bytes.isEmpty else {
            return "the server rejected the token"
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var fields: [String] = []
        for key in ["status", "schemes", "scope"] {
            if let value = jsonStringField(key, in: text) { fields.append("\(key) \(value)") }
        }
        return "the server rejected the token (" + (fields.isEmpty ? text : fields.joined(separator: ", ")) + ")"
    }

    /// `"key":"value"` or `"key":123` in a flat JSON object; enough for the challenge.
    private static func jsonStringField(_ key: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        let needle = Array("\"\(key)\"".utf8)
        guard bytes.count >= needle.count,
            let start = (0...(bytes.count - needle.count)).first(where: { bytes[$0..<$0 + needle.count].elementsEqual(needle) })
        else { return nil }
        var rest = bytes[(start + needle.count)...].drop { $0 == 0x20 }
        guard rest.first == UInt8(ascii: ":") else { return nil }
        rest = rest.dropFirst().drop { $0 == 0x20 }
        let value: ArraySlice<UInt8>
        if rest.first == UInt8(ascii: "\"") {
            value = rest.dropFirst().prefix { $0 != UInt8(ascii: "\"") }
        } else {
            value = rest.prefix { $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "}") && $0 != 0x20 }
        }
        return value.isEmpty ? nil : String(decoding: value.prefix(100), as: UTF8.self)
    }
}

extension Base64 {
    /// Standard base64 with padding; nil for anything else.
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(byte + 4)
            case UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "/"): values.append(63)
            case UInt8(ascii: "="): padding += 1
            default: return nil
            }
            if padding > 0, byte != UInt8(ascii: "=") { return nil }
        }
        guard (values.count + padding) % 4 == 0, padding <= 2 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index + 1 < values.count {
            let a = values[index], b = values[index + 1]
            out.append(a << 2 | b >> 4)
            if index + 2 < values.count { out.append((b & 0x0F) << 4 | values[index + 2] >> 2) }
            if index + 3 < values.count { out.append((values[index + 2] & 0x03) << 6 | values[index + 3]) }
            index += 4
        }
        return out
    }
}
