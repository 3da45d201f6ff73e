import MailProbe
import MailmonTestSupport
import Testing

@Suite("Checks against a real Dovecot")
struct DovecotProbeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let mailProtocol: MailProtocol
        let security: SessionConfiguration.Security
        var testDescription: String { "\(mailProtocol) \(security)" }

        func port(_ server: DovecotServer) -> Int { DovecotFixture.port(server, mailProtocol, security) }
    }

    static let cases = [
        Case(mailProtocol: .imap, security: .plain), Case(mailProtocol: .imap, security: .implicitTLS),
        Case(mailProtocol: .imap, security: .startTLS), Case(mailProtocol: .pop3, security: .plain),
        Case(mailProtocol: .pop3, security: .implicitTLS), Case(mailProtocol: .pop3, security: .startTLS),
    ]

    @Test("logs in and counts the messages", arguments: cases)
    func success(_ c: Case) async throws {
        let server = try DovecotFixture.valid.get()
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        let result = await registry.check(DovecotFixture.target(c.mailProtocol, port: c.port(server), security: c.security))
        #expect(result.ok, "\(result.category?.rawValue ?? "") \(result.message ?? "")")
        #expect(result.category == nil)
        #expect(result.messageCount == DovecotServer.messagesPerUser)
        #expect(result.greeting?.contains("ready") == true)
        #expect(result.timings.login != nil && result.timings.mailbox != nil && result.timings.total > 0)
        if c.security == .plain {
            #expect(result.certificate == nil && result.tlsVersion == nil)
        } else {
            #expect(result.certificate?.subject == "CN=localhost")
            #expect(result.certificate?.issuer == "CN=mailmon test CA")
            #expect((result.certificate?.daysUntilExpiry ?? 0) > 3000)
            #expect(result.tlsVersion?.hasPrefix("TLSv1.") == true)
            #expect(result.timings.tls != nil)
        }
        if c.mailProtocol == .pop3 { #expect((result.mailboxBytes ?? 0) > 0) }
    }

    @Test("a password with spaces, quotes, a backslash and non-ASCII", arguments: cases)
    func oddPassword(_ c: Case) async throws {
        let server = try DovecotFixture.valid.get()
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        let result = await registry.check(DovecotFixture.target(c.mailProtocol, port: c.port(server), security: c.security, user: "odd"))
        #expect(result.ok, "\(result.category?.rawValue ?? "") \(result.message ?? "")")
        #expect(result.messageCount == DovecotServer.messagesPerUser)
    }

    @Test("a wrong password is auth_failed, and the password is not in the message", arguments: cases)
    func wrongPassword(_ c: Case) async throws {
        let server = try DovecotFixture.valid.get()
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        let wrong = "wr0ng \"pass\""
        let result = await registry.check(
            DovecotFixture.target(c.mailProtocol, port: c.port(server), security: c.security, password: wrong))
        #expect(result.category == .authFailed)
        #expect(result.message?.isEmpty == false)
        #expect(result.message?.contains("wr0ng") == false)
    }

    @Test("without a user the check stops after the greeting", arguments: cases)
    func reachability(_ c: Case) async throws {
        let server = try DovecotFixture.valid.get()
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        let result = await registry.check(DovecotFixture.target(c.mailProtocol, port: c.port(server), security: c.security, user: nil))
        #expect(result.ok, "\(result.message ?? "")")
        #expect(result.messageCount == nil)
        #expect(!result.capabilities.isEmpty)
        #expect(result.timings.login == nil)
    }

    @Test("a mailbox that does not exist is a mailbox failure")
    func missingMailbox() async throws {
        let server = try DovecotFixture.valid.get()
        var target = DovecotFixture.target(.imap, port: server.ports.imap, security: .plain)
        target.session.mailbox = "Nope"
        let result = await ImapProbe(transport: try DovecotFixture.trustingTransport.get()).check(target)
        #expect(result.category == .mailbox)
        #expect(result.message?.contains("Mailbox doesn't exist") == true)
    }

    @Test("many checks at once all succeed")
    func concurrent() async throws {
        let server = try DovecotFixture.valid.get()
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        let results = await withTaskGroup(of: ProbeResult.self) { group in
            for i in 0..<200 {
                let c = Self.cases[i % Self.cases.count]
                group.addTask { await registry.check(DovecotFixture.target(c.mailProtocol, port: c.port(server), security: c.security)) }
            }
            return await group.reduce(into: [ProbeResult]()) { $0.append($1) }
        }
        #expect(results.count == 200)
        #expect(results.filter { !$0.ok }.map { "\($0.category?.rawValue ?? "") \($0.message ?? "")" } == [])
    }
}
