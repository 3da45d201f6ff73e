/// A server response line of IMAP4rev1/IMAP4rev2, as far as a probe needs it (RFC 9051, 7).
///
/// ```
/// S: * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.
/// S: * 3 EXISTS
/// S: A2 OK [READ-WRITE] Select completed.
/// S: + OK
/// ```
public enum ImapResponse: Sendable, Hashable {
    case untagged(Untagged)
    case tagged(tag: String, ImapCondition)
    case continuation(text: String)

    public enum Untagged: Sendable, Hashable {
        /// `* OK/NO/BAD/PREAUTH/BYE [code] text`
        case condition(ImapCondition)
        /// `* CAPABILITY …`
        case capability([String])
        /// `* n EXISTS`
        case exists(Int)
        /// Anything else (FLAGS, RECENT, LIST, …), kept as text.
        case other(String)
    }
}

/// A status response: its state, optional response code and human text.
public struct ImapCondition: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case ok = "OK", no = "NO", bad = "BAD", preauth = "PREAUTH", bye = "BYE"
    }

    public var status: Status
    /// The bracketed code without brackets: `CAPABILITY IMAP4rev1 …`, `AUTHENTICATIONFAILED`.
    public var code: String?
    public var text: String

    public init(status: Status, code: String? = nil, text: String) {
        self.status = status
        self.code = code
        self.text = text
    }

    /// Capabilities announced in a `[CAPABILITY …]` code, if any.
    public var capabilities: [String]? {
        guard let code, code.uppercased().hasPrefix("CAPABILITY ") else { return nil }
        return code.split(separator: " ").dropFirst().map(String.init)
    }
}

extension ImapResponse {
    public struct ParseError: Error, Sendable, Hashable {
        public var line: String
    }

    /// Parses one logical response line (without CRLF).
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> ImapResponse {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("+") {
            return .continuation(text: String(line.dropFirst()).trimmingLeadingSpace())
        }
        guard let space = line.firstIndex(of: " ") else { throw ParseError(line: line) }
        let tag = String(line[..<space])
        let rest = String(line[line.index(after: space)...])
        if tag == "*" {
            if let condition = ImapCondition(parsing: rest) { return .untagged(.condition(condition)) }
            let words = rest.split(separator: " ", omittingEmptySubsequences: true)
            if words.first?.uppercased() == "CAPABILITY" { return .untagged(.capability(words.dropFirst().map(String.init))) }
            if words.count >= 2, let count = Int(words[0]), words[1].uppercased() == "EXISTS" { return .untagged(.exists(count)) }
            return .untagged(.other(rest))
        }
        guard tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }),
            let condition = ImapCondition(parsing: rest), condition.status != .preauth
        else { throw ParseError(line: line) }
        return .tagged(tag: tag, condition)
    }
}

extension ImapCondition {
    /// `OK [code] text`; nil if `text` does not start with a status word.
    init?(parsing text: String) {
        let word = text.prefix { $0 != " " }
        guard let status = Status(rawValue: word.uppercased()) else { return nil }
        var rest = text.dropFirst(word.count).drop { $0 == " " }
        var code: String?
        if rest.first == "[", let close = rest.firstIndex(of: "]") {
            code = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        self.init(status: status, code: code, text: String(rest))
    }
}

extension String {
    func trimmingLeadingSpace() -> String { String(drop { $0 == " " }) }
}
