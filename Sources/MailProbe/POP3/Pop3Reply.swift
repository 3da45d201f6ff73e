/// A POP3 status line (RFC 1939, 3): `+OK text` or `-ERR text`.
public struct Pop3Reply: Sendable, Hashable {
    public var ok: Bool
    public var text: String

    public struct ParseError: Error, Sendable, Hashable {
        public var line: String
    }

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> Pop3Reply {
        let line = String(decoding: bytes, as: UTF8.self)
        if line == "+OK" || line.hasPrefix("+OK ") { return Pop3Reply(ok: true, text: String(line.dropFirst(3)).trimmingLeadingSpace()) }
        if line == "-ERR" || line.hasPrefix("-ERR ") { return Pop3Reply(ok: false, text: String(line.dropFirst(4)).trimmingLeadingSpace()) }
        throw ParseError(line: line)
    }
}
