import MailProbe
import MailmonTestSupport
import Testing

@Suite("Certificates: verification, expiry, reporting")
struct CertificateProbeTests {
    @Test("an untrusted certificate is certificate_invalid with rejectUnauthorized, and still reported",
          arguments: [MailProtocol.imap, .pop3], [SessionConfiguration.Security.implicitTLS, .startTLS])
    func untrusted(_ mailProtocol: MailProtocol, _ security: SessionConfiguration.Security) async throws {
        let server = try DovecotFixture.valid.get()
        let port = DovecotFixture.port(server, mailProtocol, security)
        let registry = ProbeRegistry(transport: try DovecotFixture.systemTransport.get())
        let rejected = await registry.check(DovecotFixture.target(mailProtocol, port: port, security: security))
        #expect(rejected.category == .certificateInvalid, "\(rejected.message ?? "")")
        #expect(rejected.certificate?.subject == "CN=localhost")
        #expect(rejected.messageCount == nil)

        let accepted = await registry.check(DovecotFixture.target(mailProtocol, port: port, security: security, verify: false))
        #expect(accepted.ok, "\(accepted.message ?? "")")
        #expect(accepted.certificate?.subject == "CN=localhost")
    }

    @Test("a self-signed certificate is certificate_invalid with rejectUnauthorized, ok without it",
          arguments: [MailProtocol.imap, .pop3], [SessionConfiguration.Security.implicitTLS, .startTLS])
    func selfSigned(_ mailProtocol: MailProtocol, _ security: SessionConfiguration.Security) async throws {
        let server = try DovecotFixture.selfSigned.get()
        let port = DovecotFixture.port(server, mailProtocol, security)
        // Trusting the tests' CA changes nothing: no CA signed this one.
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        let rejected = await registry.check(DovecotFixture.target(mailProtocol, port: port, security: security))
        #expect(rejected.category == .certificateInvalid, "\(rejected.message ?? "")")
        #expect(rejected.certificate?.subject == "CN=localhost" && rejected.certificate?.issuer == "CN=localhost")
        let accepted = await registry.check(DovecotFixture.target(mailProtocol, port: port, security: security, verify: false))
        #expect(accepted.ok, "\(accepted.message ?? "")")
        #expect(accepted.messageCount == DovecotServer.messagesPerUser)
    }

    @Test("an expired certificate is certificate_expired, trusted CA or not", arguments: [true, false])
    func expired(_ trustCA: Bool) async throws {
        let server = try DovecotFixture.expired.get()
        let transport = try trustCA ? DovecotFixture.trustingTransport.get() : DovecotFixture.systemTransport.get()
        let registry = ProbeRegistry(transport: transport)
        for (mailProtocol, port) in [(MailProtocol.imap, server.ports.imaps), (.pop3, server.ports.pop3s)] {
            let result = await registry.check(DovecotFixture.target(mailProtocol, port: port, security: .implicitTLS))
            #expect(result.category == .certificateExpired, "\(result.message ?? "")")
            #expect((result.certificate?.daysUntilExpiry ?? 0) < -365)
            let insecure = await registry.check(DovecotFixture.target(mailProtocol, port: port, security: .implicitTLS, verify: false))
            #expect(insecure.ok, "\(insecure.message ?? "")")
            #expect((insecure.certificate?.daysUntilExpiry ?? 0) < -365)
        }
    }

    @Test("the hostname is checked: a trusted certificate for another name is certificate_invalid")
    func hostnameMismatch() async throws {
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        let valid = try DovecotFixture.valid.get()
        let byName = await registry.check(DovecotFixture.target(.imap, port: valid.ports.imaps, security: .implicitTLS, host: "localhost"))
        #expect(byName.ok, "\(byName.message ?? "")")

        let other = try DovecotFixture.wrongName.get()
        let mismatch = await registry.check(DovecotFixture.target(.imap, port: other.ports.imaps, security: .implicitTLS))
        #expect(mismatch.category == .certificateInvalid, "\(mismatch.message ?? "")")
        #expect(mismatch.message?.contains("hostname") == true)
        #expect(mismatch.certificate?.subject == "CN=mail.other.example")
        let insecure = await registry.check(
            DovecotFixture.target(.imap, port: other.ports.imaps, security: .implicitTLS, verify: false))
        #expect(insecure.ok, "\(insecure.message ?? "")")
    }
}
