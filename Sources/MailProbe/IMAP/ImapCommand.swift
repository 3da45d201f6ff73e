/// The IMAP commands a probe sends, encoded with correct string syntax (RFC 9051, 4.3).
/// Its descriptions never show the password.
public enum ImapCommand: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    case capability
    case startTLS
    case login(user: String, password: String)
    /// `AUTHENTICATE PLAIN` with the initial response (SASL-IR, RFC 4959) or after `+`.
    case authenticatePlain(user: String, password: String, initialResponse: Bool)
    /// `AUTHENTICATE XOAUTH2|OAUTHBEARER` with the token's response inline (SASL-IR) or after `+`.
    case authenticateOAuth(OAuthMechanism, user: String, token: String, initialResponse: Bool)
    case select(mailbox: String)
    case examine(mailbox: String)
    /// `FETCH <sequence> (INTERNALDATE)`: when that message arrived.
    case fetchInternalDate(sequence: Int)
    case logout

    public var description: String {
        switch self {
        case .login(let user, _): "LOGIN \(user) ***"
        case .authenticatePlain(let user, _, _): "AUTHENTICATE PLAIN (\(user))"
        case .authenticateOAuth(let mechanism, let user, _, _): "AUTHENTICATE \(mechanism.rawValue) (\(user))"
        case .capability: "CAPABILITY"
        case .startTLS: "STARTTLS"
        case .select(let m): "SELECT \(m)"
        case .examine(let m): "EXAMINE \(m)"
        case .fetchInternalDate(let n): "FETCH \(n) (INTERNALDATE)"
        case .logout: "LOGOUT"
        }
    }

    public var customMirror: Mirror { Mirror(self, children: ["command": description]) }

    /// The command as pieces to send: after each piece but the last, the client waits for
    /// a `+` continuation (a synchronizing literal). With `literalPlus`, no waiting is needed.
    public func encode(tag: String, literalPlus: Bool) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var current = Array("\(tag) ".utf8)
        func word(_ text: String) { current += Array(text.utf8) }
        func astring(_ text: String) {
            switch ImapString.form(of: text) {
            case .atom: current += Array(text.utf8)
            case .quoted: current += ImapString.quoted(text)
            case .literal:
                let bytes = Array(text.utf8)
                current += Array("{\(bytes.count)\(literalPlus ? "+" : "")}\r\n".utf8)
                if !literalPlus {
                    pieces.append(current)
                    current = []
                }
                current += bytes
            }
        }
        /// `AUTHENTICATE mechanism` with the response inline (SASL-IR, RFC 4959) or as the next piece, after `+`.
        func authenticate(_ mechanism: String, _ response: String, inline: Bool) {
            word("AUTHENTICATE " + mechanism)
            if inline {
                word(" " + response)
            } else {
                current += Array("\r\n".utf8)
                pieces.append(current)
                current = Array(response.utf8)
            }
        }
        switch self {
        case .capability: word("CAPABILITY")
        case .startTLS: word("STARTTLS")
        case .logout: word("LOGOUT")
        case .fetchInternalDate(let sequence): word("FETCH \(sequence) (INTERNALDATE)")
        case .login(let user, let password):
            word("LOGIN ")
            astring(user)
            word(" ")
            astring(password)
        case .authenticatePlain(let user, let password, let initialResponse):
            authenticate("PLAIN", SaslPlain.response(user: user, password: password), inline: initialResponse)
        case .authenticateOAuth(let mechanism, let user, let token, let initialResponse):
            authenticate(mechanism.rawValue, mechanism.response(user: user, token: token), inline: initialResponse)
        case .select(let mailbox):
            word("SELECT ")
            astring(mailbox)
        case .examine(let mailbox):
            word("EXAMINE ")
            astring(mailbox)
        }
        current += Array("\r\n".utf8)
        pieces.append(current)
        return pieces
    }
}

/// How an IMAP astring must be written.
enum ImapString {
    enum Form { case atom, quoted, literal }

    static func form(of text: String) -> Form {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return .quoted }
        if bytes.contains(where: { $0 >= 0x80 || $0 == 0 || $0 == 0x0D || $0 == 0x0A }) { return .literal }
        let special: Set<UInt8> = Set("(){ %*\"\\]".utf8)
        if bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !special.contains($0) }) { return .atom }
        return .quoted
    }

    static func quoted(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}

/// SASL PLAIN (RFC 4616): base64 of `\0user\0password`.
enum SaslPlain {
    static func response(user: String, password: String) -> String {
        Base64.encode([0] + Array(user.utf8) + [0] + Array(password.utf8))
    }
}

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let a = bytes[index]
            let b = index + 1 < bytes.count ? bytes[index + 1] : 0
            let c = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(a >> 2)])
            out.append(alphabet[Int((a & 0x03) << 4 | b >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b & 0x0F) << 2 | c >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(c & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
