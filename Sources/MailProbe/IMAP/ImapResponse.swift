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
        /// `* <n> FETCH (INTERNALDATE "<date-time>")`: the message's arrival, as the server wrote it.
        case internalDate(sequence: Int, String)
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
        guard let code, Self.isCapabilityCode(code) else { return nil }
        guard code.utf8.allSatisfy({ $0 < 0x80 }) else { return code.split(separator: " ").dropFirst().map(String.init) }
        // ASCII: every byte is a Character (CR LF aside, which holds no space), so bytes split the same way.
        return code.utf8.split(separator: 0x20).dropFirst().map { String(decoding: $0, as: UTF8.self) }
    }

    /// `code.uppercased().hasPrefix("CAPABILITY ")`, without uppercasing every code of every
    /// response: ASCII is compared byte by byte; anything else takes the Unicode-aware path.
    static func isCapabilityCode(_ code: String) -> Bool {
        let prefix = "CAPABILITY ".utf8
        var expected = prefix.makeIterator()
        for byte in code.utf8 {
            // Non-ASCII, even right after the prefix (a combining mark joins the space's Character).
            if byte >= 0x80 { return code.uppercased().hasPrefix("CAPABILITY ") }
            guard let next = expected.next() else { return true }
            if ImapCase.upper(byte) != next { return false }
        }
        return expected.next() == nil
    }
}

/// IMAP keywords are ASCII and case-insensitive.
enum ImapCase {
    static func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }

    static func isAlphanumeric(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(upper(byte)) || (0x30...0x39).contains(byte) }

    /// `candidate.uppercased() == expected` for an ASCII uppercase `expected`, without allocating
    /// when `candidate` is ASCII.
    static func matches(_ candidate: String, uppercased expected: String) -> Bool {
        let bytes = candidate.utf8
        if bytes.contains(where: { $0 >= 0x80 }) { return candidate.uppercased() == expected }
        return bytes.count == expected.utf8.count && zip(bytes, expected.utf8).allSatisfy { upper($0) == $1 }
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
            if words.count >= 4, let sequence = Int(words[0]), words[1].uppercased() == "FETCH", words[2].uppercased() == "(INTERNALDATE",
                let open = rest.firstIndex(of: "\""), let close = rest[rest.index(after: open)...].firstIndex(of: "\"")
            {
                return .untagged(.internalDate(sequence: sequence, String(rest[rest.index(after: open)..<close])))
            }
            return .untagged(.other(rest))
        }
        // ASCII letters, digits and dots (bytes: a non-ASCII Character has a non-ASCII byte).
        guard tag.utf8.allSatisfy({ ImapCase.isAlphanumeric($0) || $0 == UInt8(ascii: ".") }),
            let condition = ImapCondition(parsing: rest), condition.status != .preauth
        else { throw ParseError(line: line) }
        return .tagged(tag: tag, condition)
    }
}

extension ImapCondition {
    /// `OK [code] text`; nil if `text` does not start with a status word.
    init?(parsing text: String) {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            guard let parsed = Self(parsingASCII: text) else { return nil }
            self = parsed
            return
        }
        let word = text.prefix { $0 != " " }
        guard let status = Status(rawValue: word.uppercased()) else { return nil }
        var rest = text[word.endIndex...].drop { $0 == " " }
        var code: String?
        if rest.first == "[", let close = rest.firstIndex(of: "]") {
            code = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        self.init(status: status, code: code, text: String(rest))
    }

    /// The same for ASCII text, byte by byte: there every byte is a Character (CR LF aside,
    /// which is never a space or a bracket), so the result is identical, without grapheme breaking.
    private init?(parsingASCII text: String) {
        let bytes = text.utf8
        let space = UInt8(ascii: " ")
        let wordEnd = bytes.firstIndex(of: space) ?? bytes.endIndex
        guard let status = Status(rawValue: String(decoding: bytes[..<wordEnd].map(ImapCase.upper), as: UTF8.self)) else {
            return nil
        }
        var start = bytes[wordEnd...].firstIndex { $0 != space } ?? bytes.endIndex
        var code: String?
        if start != bytes.endIndex, bytes[start] == UInt8(ascii: "["),
            let close = bytes[start...].firstIndex(of: UInt8(ascii: "]"))
        {
            code = String(text[bytes.index(after: start)..<close])
            start = bytes[bytes.index(after: close)...].firstIndex { $0 != space } ?? bytes.endIndex
        }
        self.init(status: status, code: code, text: String(text[start...]))
    }
}

extension String {
    func trimmingLeadingSpace() -> String { String(drop { $0 == " " }) }
}
