import MailProbe
import Testing

@Suite("Line framing with limits")
struct LineFramerTests {
    func lines(_ input: String, imap: Bool = true, limits: ProtocolLimits = ProtocolLimits(), chunk: Int = 1) throws -> [String] {
        var framer = LineFramer(limits: limits, imapLiterals: imap)
        var out: [String] = []
        let bytes = Array(input.utf8)
        var index = 0
        while index < bytes.count {
            try framer.append(bytes[index..<min(index + chunk, bytes.count)])
            index += chunk
            while let line = try framer.nextLine() { out.append(String(decoding: line, as: UTF8.self)) }
        }
        return out
    }

    @Test("CRLF and bare LF end lines, split at every byte")
    func lineEnds() throws {
        #expect(try lines("* OK ready\r\nA1 OK done\n+ go\r\n") == ["* OK ready", "A1 OK done", "+ go"])
    }

    @Test("an IMAP literal is kept inside its line, CRLF and all")
    func literal() throws {
        let input = "* 1 FETCH (BODY[] {8}\r\nab\r\ncd\r\n)\r\nA1 OK\r\n"
        #expect(try lines(input) == ["* 1 FETCH (BODY[] {8}\r\nab\r\ncd\r\n)", "A1 OK"])
        #expect(try lines(input, chunk: 1000) == ["* 1 FETCH (BODY[] {8}\r\nab\r\ncd\r\n)", "A1 OK"])
    }

    @Test("an endless line fails once it passes the limit")
    func endlessLine() throws {
        var framer = LineFramer(limits: ProtocolLimits(maxLineBytes: 100), imapLiterals: true)
        try framer.append(Array(repeating: UInt8(ascii: "x"), count: 102))
        #expect(throws: LineFramer.Violation.lineTooLong) { _ = try framer.nextLine() }
    }

    @Test("a literal over the limit fails before its bytes arrive")
    func hugeLiteral() throws {
        var framer = LineFramer(limits: ProtocolLimits(maxLiteralBytes: 10), imapLiterals: true)
        try framer.append(Array("* 1 FETCH {11}\r\n".utf8))
        #expect(throws: LineFramer.Violation.literalTooLarge) { _ = try framer.nextLine() }
    }

    @Test("a flood of short lines fails at the total limit")
    func flood() throws {
        var framer = LineFramer(limits: ProtocolLimits(maxTotalBytes: 1_000), imapLiterals: false)
        #expect(throws: LineFramer.Violation.tooMuchData) {
            for _ in 0..<200 {
                try framer.append(Array("* OK\r\n".utf8))
                while try framer.nextLine() != nil {}
            }
        }
    }

    @Test("POP3 framing does not treat {n} as a literal")
    func pop3NoLiterals() throws {
        #expect(try lines("+OK {3}\r\nabc\r\n", imap: false) == ["+OK {3}", "abc"])
    }
}
