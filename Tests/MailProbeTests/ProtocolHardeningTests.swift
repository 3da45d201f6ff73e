import MailProbe
import Testing

@Suite("Hardening: injection, terminal states, masking")
struct ProtocolHardeningTests {
    static let greeting = "* OK [CAPABILITY IMAP4rev1 LITERAL+ STARTTLS AUTH=PLAIN] ready."

    func imap(_ line: String) throws -> ImapResponse { try ImapResponse.parse(Array(line.utf8)) }

    @Test("IMAP: responses injected after the STARTTLS OK fail the check instead of being believed")
    func imapInjection() throws {
        var machine = ImapSessionMachine(configuration: SessionConfiguration(security: .startTLS, user: "alice", password: "secret"))
        _ = machine.receive(try imap(Self.greeting))
        #expect(machine.receive(try imap("A1 OK Begin TLS")) == .startTLS)
        guard case .fail(let failure) = machine.receive(try imap("A2 OK [CAPABILITY IMAP4rev1] injected")) else {
            Issue.record("injected data was accepted")
            return
        }
        #expect(failure.category == .protocol)
        #expect(machine.tlsEstablished() == .wait, "a failed session stays failed")
    }

    @Test("POP3: replies injected after the STLS OK fail the check")
    func pop3Injection() {
        var machine = Pop3SessionMachine(configuration: SessionConfiguration(security: .startTLS, user: "a", password: "b"))
        _ = machine.receive(line: Array("+OK ready".utf8))
        for line in ["+OK", "STLS", "USER", "."] { _ = machine.receive(line: Array(line.utf8)) }
        #expect(machine.receive(line: Array("+OK go".utf8)) == .startTLS)
        guard case .fail(let failure) = machine.receive(line: Array("+OK injected".utf8)) else {
            Issue.record("injected data was accepted")
            return
        }
        #expect(failure.category == .protocol)
    }

    @Test("the framer hands over what it buffered past the STARTTLS OK, to be dropped")
    func discardBuffered() throws {
        var framer = LineFramer(imapLiterals: true)
        try framer.append(Array("A1 OK Begin TLS\r\nA2 OK injected\r\n".utf8))
        #expect(try framer.nextLine().map { String(decoding: $0, as: UTF8.self) } == "A1 OK Begin TLS")
        #expect(framer.discardBuffered() == "A2 OK injected\r\n".utf8.count)
        #expect(try framer.nextLine() == nil)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test("a failed check stays failed when the connection then closes")
    func failureIsTerminal() throws {
        var machine = ImapSessionMachine(configuration: SessionConfiguration(security: .plain))
        guard case .fail = machine.receive(try imap("* BYE Too many connections")) else { Issue.record("expected failure"); return }
        #expect(machine.connectionClosed() == .wait)
        var pop3 = Pop3SessionMachine(configuration: SessionConfiguration(security: .plain))
        guard case .fail = pop3.receive(line: Array("-ERR busy".utf8)) else { Issue.record("expected failure"); return }
        #expect(pop3.connectionClosed() == .wait)
    }

    @Test("{n} at the end of a status text is text, not a literal")
    func braceInText() throws {
        var framer = LineFramer(imapLiterals: true)
        try framer.append(Array("A2 NO Mailbox doesn't exist: Arch{2}\r\n* OK [ALERT] soon {5}\r\nA3 OK\r\n".utf8))
        var lines: [String] = []
        while let line = try framer.nextLine() { lines.append(String(decoding: line, as: UTF8.self)) }
        #expect(lines == ["A2 NO Mailbox doesn't exist: Arch{2}", "* OK [ALERT] soon {5}", "A3 OK"])
    }

    @Test("PREAUTH cannot skip STARTTLS and the login")
    func preauthWithStartTLS() throws {
        var machine = ImapSessionMachine(configuration: SessionConfiguration(security: .startTLS, user: "alice", password: "secret"))
        guard case .fail(let failure) = machine.receive(try imap("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome")) else {
            Issue.record("PREAUTH was accepted")
            return
        }
        #expect(failure.category == .starttlsUnavailable)
    }

    @Test("POP3 sends no credentials when CAPA offers no login method")
    func pop3NoLoginMethod() {
        var machine = Pop3SessionMachine(configuration: SessionConfiguration(security: .plain, user: "alice", password: "secret"))
        _ = machine.receive(line: Array("+OK ready".utf8))
        var last: SessionAction = .wait
        for line in ["+OK", "TOP", "SASL", "."] { last = machine.receive(line: Array(line.utf8)) }
        guard case .fail(let failure) = last else { Issue.record("credentials would have been sent: \(last)"); return }
        #expect(failure.category == .authFailed)
    }

    @Test("POP3 without CAPA still logs in with USER/PASS")
    func pop3WithoutCapa() {
        var machine = Pop3SessionMachine(configuration: SessionConfiguration(security: .plain, user: "alice", password: "secret"))
        _ = machine.receive(line: Array("+OK ready".utf8))
        #expect(machine.receive(line: Array("-ERR unknown command".utf8)) == .send(Array("USER alice\r\n".utf8), phase: .login))
    }

    @Test("the password is masked in every form the probe sent it, before truncation")
    func masking() {
        let configuration = SessionConfiguration(
            security: .plain, user: "alice", password: "secret", limits: ProtocolLimits(maxReportedTextBytes: 20))
        #expect(configuration.report("bad: AGFsaWNlAHNlY3JldA==") == "bad: ***")
        #expect(configuration.report("bad: \"secret\"") == "bad: ***")
        #expect(!configuration.report("0123456789012345 secret").contains("sec"))
        #expect(!"\(configuration)".contains("secret"))
        #expect(!String(reflecting: ImapCommand.login(user: "alice", password: "secret")).contains("secret"))
    }
}
