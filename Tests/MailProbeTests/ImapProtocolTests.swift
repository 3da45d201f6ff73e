import MailProbe
import Testing

@Suite("IMAP responses and commands")
struct ImapProtocolTests {
    func parse(_ line: String) throws -> ImapResponse { try ImapResponse.parse(Array(line.utf8)) }

    @Test("Dovecot's greeting carries its capabilities")
    func greeting() throws {
        let response = try parse(
            "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.")
        guard case .untagged(.condition(let condition)) = response else { Issue.record("not a condition"); return }
        #expect(condition.status == .ok)
        #expect(condition.text == "Dovecot (Debian) ready.")
        #expect(condition.capabilities?.contains("STARTTLS") == true)
    }

    @Test("tagged, untagged, continuation and EXISTS lines")
    func shapes() throws {
        #expect(try parse("a5 OK [READ-WRITE] Select completed.") == .tagged(tag: "a5", ImapCondition(status: .ok, code: "READ-WRITE", text: "Select completed.")))
        #expect(try parse("* 3 EXISTS") == .untagged(.exists(3)))
        #expect(try parse("* CAPABILITY IMAP4rev1 STARTTLS") == .untagged(.capability(["IMAP4rev1", "STARTTLS"])))
        #expect(try parse("+ OK") == .continuation(text: "OK"))
        #expect(try parse("* FLAGS (\\Seen)") == .untagged(.other("FLAGS (\\Seen)")))
        #expect(throws: ImapResponse.ParseError.self) { try parse("garbage") }
        #expect(throws: ImapResponse.ParseError.self) { try parse("A1 MAYBE fine") }
    }

    func text(_ pieces: [[UInt8]]) -> [String] { pieces.map { String(decoding: $0, as: UTF8.self) } }

    @Test("LOGIN quotes what needs quoting and escapes quotes and backslashes")
    func loginQuoting() {
        #expect(text(ImapCommand.login(user: "alice", password: "secret").encode(tag: "a4", literalPlus: false)) == ["a4 LOGIN alice secret\r\n"])
        #expect(
            text(ImapCommand.login(user: "bob", password: "a b \"q\" \\x").encode(tag: "a1", literalPlus: false))
                == ["a1 LOGIN bob \"a b \\\"q\\\" \\\\x\"\r\n"])
    }

    @Test("non-ASCII passwords go as literals: synchronizing, or LITERAL+")
    func literals() {
        let password = "pä ss \"q\" \\x"  // 13 bytes, as in the Dovecot transcript
        #expect(
            text(ImapCommand.login(user: "odd", password: password).encode(tag: "a4", literalPlus: false))
                == ["a4 LOGIN odd {13}\r\n", "pä ss \"q\" \\x\r\n"])
        #expect(
            text(ImapCommand.login(user: "odd", password: password).encode(tag: "a4", literalPlus: true))
                == ["a4 LOGIN odd {13+}\r\npä ss \"q\" \\x\r\n"])
    }

    @Test("AUTHENTICATE PLAIN matches what Dovecot accepted")
    func authenticatePlain() {
        #expect(
            text(ImapCommand.authenticatePlain(user: "alice", password: "secret", initialResponse: true).encode(tag: "a4", literalPlus: false))
                == ["a4 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"])
        #expect(
            text(ImapCommand.authenticatePlain(user: "alice", password: "secret", initialResponse: false).encode(tag: "a4", literalPlus: false))
                == ["a4 AUTHENTICATE PLAIN\r\n", "AGFsaWNlAHNlY3JldA==\r\n"])
    }
}
