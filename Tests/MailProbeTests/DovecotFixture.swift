import MailProbe
import MailmonTestSupport

/// One Dovecot (valid certificate) and one with an expired certificate, shared by
/// the suites of this process; killed at exit.
enum DovecotFixture {
    static let valid = Result { try DovecotServer.start(certificate: .valid) }
    static let expired = Result { try DovecotServer.start(certificate: .expired) }
    static let wrongName = Result { try DovecotServer.start(certificate: .wrongName) }
    static let selfSigned = Result { try DovecotServer.start(certificate: .selfSigned) }

    /// Trusts the tests' CA beside the system store.
    static let trustingTransport = Result { try ProbeTransport(additionalTrustRootsFile: try TestCertificates.shared().caFile) }
    /// The system store only: the tests' CA is unknown.
    static let systemTransport = Result { try ProbeTransport() }

    /// The server's port for a protocol and security mode (STARTTLS uses the plain port).
    static func port(_ server: DovecotServer, _ mailProtocol: MailProtocol, _ security: SessionConfiguration.Security) -> Int {
        switch (mailProtocol, security) {
        case (.imap, .implicitTLS): server.ports.imaps
        case (.imap, _): server.ports.imap
        case (.pop3, .implicitTLS): server.ports.pop3s
        case (.pop3, _): server.ports.pop3
        }
    }

    static func target(
        _ mailProtocol: MailProtocol, port: Int, security: SessionConfiguration.Security, user: String? = "alice",
        password: String? = nil, verify: Bool = true, timeout: Duration = .seconds(10), host: String = "127.0.0.1"
    ) -> ProbeTarget {
        let password = password ?? user.flatMap { DovecotServer.users[$0] }
        return ProbeTarget(
            mailProtocol: mailProtocol, host: host, port: port,
            session: SessionConfiguration(security: security, user: user, password: password),
            verifyCertificate: verify, timeout: timeout)
    }
}
