import MailProbe
import MailmonTestSupport
import Testing

@Suite("Certificates: verification, expiry, reporting")
struct CertificateProbeTests {
    /// A leaf of a CA the system does not trust, and a self-signed one (trusting the tests' CA
    /// changes nothing for it: no CA signed it).
    enum Untrusted: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case privateCA, selfSigned
        var testDescription: String { rawValue }
    }

    @Test("an untrusted certificate (private CA, self-signed) is certificate_invalid with rejectUnauthorized, still reported; ok without it",
          arguments: Untrusted.allCases, [(MailProtocol.imap, SessionConfiguration.Security.implicitTLS), (.imap, .startTLS), (.pop3, .implicitTLS), (.pop3, .startTLS)])
    func untrusted(_ kind: Untrusted, _ mode: (MailProtocol, SessionConfiguration.Security)) async throws {
        let (mailProtocol, security) = mode
        let server = try kind == .privateCA ? DovecotFixture.valid.get() : DovecotFixture.selfSigned.get()
        let port = DovecotFixture.port(server, mailProtocol, security)
        let transport = try kind == .privateCA ? DovecotFixture.systemTransport.get() : DovecotFixture.trustingTransport.get()
        let registry = ProbeRegistry(transport: transport)
        let rejected = await registry.check(DovecotFixture.target(mailProtocol, port: port, security: security))
        #expect(rejected.category == .certificateInvalid, "\(rejected.message ?? "")")
        #expect(rejected.certificate?.subject == "CN=localhost")
        #expect(rejected.certificate?.issuer == (kind == .privateCA ? "CN=mailmon test CA" : "CN=localhost"))
        #expect(rejected.messageCount == nil)

        let accepted = await registry.check(DovecotFixture.target(mailProtocol, port: port, security: security, verify: false))
        #expect(accepted.ok, "\(accepted.message ?? "")")
        #expect(accepted.certificate?.subject == "CN=localhost")
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
