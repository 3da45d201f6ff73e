import Foundation
import MailProbe
import MailmonTestSupport
import Testing

@Suite("TLS policy: a private CA, another server name, a minimum version")
struct TLSPolicyProbeTests {
    static func target(
        _ server: DovecotServer, _ mailProtocol: MailProtocol = .imap, policy: TLSPolicy, host: String = "127.0.0.1"
    ) -> ProbeTarget {
        var target = DovecotFixture.target(
            mailProtocol, port: DovecotFixture.port(server, mailProtocol, .implicitTLS), security: .implicitTLS, host: host)
        target.tlsPolicy = policy
        return target
    }

    @Test("a private CA in the monitor is trusted instead of the system store: the check passes where the system store fails it")
    func privateCA() async throws {
        let server = try DovecotFixture.valid.get()
        let registry = ProbeRegistry(transport: try DovecotFixture.systemTransport.get())
        let pem = try String(contentsOfFile: try TestCertificates.shared().caFile, encoding: .utf8)
        for mailProtocol in MailProtocol.allCases {
            let without = await registry.check(Self.target(server, mailProtocol, policy: TLSPolicy()))
            #expect(without.category == .certificateInvalid, "\(without.message ?? "")")
            let with = await registry.check(Self.target(server, mailProtocol, policy: TLSPolicy(trustedCertificatesPEM: pem)))
            #expect(with.ok, "\(with.message ?? "")")
            #expect(with.certificate?.issuer == "CN=mailmon test CA")
        }
        // Another CA in the monitor: the system store is not asked, the check fails.
        let other = try String(contentsOfFile: try TestCertificates.shared().certificate(.selfSigned), encoding: .utf8)
        let wrongCA = await registry.check(Self.target(server, policy: TLSPolicy(trustedCertificatesPEM: other)))
        #expect(wrongCA.category == .certificateInvalid, "\(wrongCA.message ?? "")")
        // Text that holds no certificate: the check cannot start, as configuration.
        let broken = await registry.check(
            Self.target(server, policy: TLSPolicy(trustedCertificatesPEM: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")))
        #expect(broken.category == .configuration, "\(broken.message ?? "")")
        #expect(broken.message?.contains("tlsOptions.ca") == true)
    }

    @Test("servername is sent as SNI and verified instead of the host")
    func serverName() async throws {
        let server = try DovecotFixture.wrongName.get()  // a certificate for mail.other.example
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        let byAddress = await registry.check(Self.target(server, policy: TLSPolicy()))
        #expect(byAddress.category == .certificateInvalid, "\(byAddress.message ?? "")")
        let named = await registry.check(Self.target(server, policy: TLSPolicy(serverName: "mail.other.example")))
        #expect(named.ok, "\(named.message ?? "")")
        let otherName = await registry.check(Self.target(server, policy: TLSPolicy(serverName: "mail.third.example")))
        #expect(otherName.category == .certificateInvalid, "\(otherName.message ?? "")")
    }

    @Test("a server that offers only TLSv1.2 fails a TLSv1.3 minimum as tls_policy; without the minimum the handshake goes through")
    func minimumVersion() async throws {
        let legacy = try await LegacyTLSListener.start()
        let registry = ProbeRegistry(transport: try DovecotFixture.trustingTransport.get())
        func target(_ minimum: MinimumTLSVersion?) -> ProbeTarget {
            ProbeTarget(
                mailProtocol: .imap, host: "127.0.0.1", port: legacy.port,
                session: SessionConfiguration(security: .implicitTLS, user: "alice", password: "secret"), timeout: .seconds(10),
                tlsPolicy: TLSPolicy(minimumVersion: minimum))
        }
        let refused = await registry.check(target(.tls13))
        #expect(refused.category == .tlsPolicy, "\(refused.category.map(\.rawValue) ?? "ok"): \(refused.message ?? "")")
        #expect(refused.message?.contains("TLSv1.3") == true)
        let allowed = await registry.check(target(.tls12))
        #expect(allowed.tlsVersion == "TLSv1.2", "\(allowed.message ?? "")")
        #expect(allowed.category != .tlsPolicy && allowed.category != .tlsHandshake)
        try await legacy.stop()

        // Dovecot offers TLSv1.3: the same minimum passes.
        let server = try DovecotFixture.valid.get()
        let modern = await registry.check(Self.target(server, policy: TLSPolicy(minimumVersion: .tls13)))
        #expect(modern.ok, "\(modern.message ?? "")")
        #expect(modern.tlsVersion == "TLSv1.3")
    }
}
