@testable import Notifiers
import MailmonTestSupport
import Testing

@Suite("SMTP client against a loopback sink: delivery, STARTTLS, AUTH, refusals, certificates, timeout")
struct SmtpDeliveryTests {
    static let message = SmtpMessage(
        to: ["ops@example.com", "oncall@example.com"], subject: "Monitor imap-main is DOWN",
        body: "The check failed at 12:00.\n.\nauth_failed: bad credentials")

    static func relay(
        port: Int, security: SmtpSecurity = .plain, host: String = "127.0.0.1", username: String? = nil, password: String? = nil,
        trustTestCA: Bool = true, timeoutSeconds: Double = 10
    ) throws -> SmtpRelay {
        SmtpRelay(
            host: host, port: port, security: security, username: username, password: password, from: "mailmon@example.com",
            heloName: "mon.test", timeoutSeconds: timeoutSeconds, caFile: trustTestCA ? try TestCertificates.shared().caFile : nil)
    }

    static func failure(sending message: SmtpMessage = message, through relay: SmtpRelay) async throws -> SmtpError? {
        let client = try SmtpClient(relay: relay)
        return await #expect(throws: SmtpError.self) { try await client.send(message) }
    }

    @Test("plain delivery: envelope, headers and the un-stuffed body arrive")
    func plainDelivery() async throws {
        let sink = try await SmtpSink.start()
        defer { Task { try await sink.stop() } }
        try await SmtpClient(relay: try Self.relay(port: sink.port)).send(Self.message)
        let mail = try #require(try await sink.waitForMessages(count: 1, timeout: .seconds(5)).first)
        #expect(mail.from == "mailmon@example.com")
        #expect(mail.recipients == ["ops@example.com", "oncall@example.com"])
        #expect(!mail.tls)
        #expect(mail.authUsername == nil)
        #expect(mail.data.contains("\r\nSubject: Monitor imap-main is DOWN\r\n"))
        #expect(mail.data.contains("\r\nTo: ops@example.com, oncall@example.com\r\n"))
        #expect(mail.data.hasSuffix("\r\n\r\nThe check failed at 12:00.\r\n.\r\nauth_failed: bad credentials\r\n"))
    }

    @Test("STARTTLS with the test CA trusted, then AUTH PLAIN", arguments: ["127.0.0.1", "localhost"])
    func startTLSAndAuth(host: String) async throws {
        let sink = try await SmtpSink.start(.init(tls: .startTLS, username: "alerts", password: "s3cret pass"))
        defer { Task { try await sink.stop() } }
        let relay = try Self.relay(port: sink.port, security: .starttls, host: host, username: "alerts", password: "s3cret pass")
        try await SmtpClient(relay: relay).send(Self.message)
        let mail = try #require(sink.messages().first)
        #expect(mail.tls)
        #expect(mail.authUsername == "alerts")
        #expect(mail.authMechanism == "PLAIN")
        #expect(mail.recipients.count == 2)
    }

    @Test("implicit TLS delivers too")
    func implicitTLS() async throws {
        let sink = try await SmtpSink.start(.init(tls: .implicit, username: "alerts", password: "pw"))
        defer { Task { try await sink.stop() } }
        try await SmtpClient(relay: try Self.relay(port: sink.port, security: .tls, username: "alerts", password: "pw")).send(Self.message)
        let mail = try #require(sink.messages().first)
        #expect(mail.tls && mail.authUsername == "alerts")
    }

    @Test("a wrong password is an auth error with the server's text and without the password")
    func wrongPassword() async throws {
        let sink = try await SmtpSink.start(.init(tls: .startTLS, username: "alerts", password: "right"))
        defer { Task { try await sink.stop() } }
        let relay = try Self.relay(port: sink.port, security: .starttls, username: "alerts", password: "wrong-Pa55")
        let error = try await Self.failure(through: relay)
        #expect(error?.kind == .auth)
        #expect(error?.message.contains("535") == true)
        #expect(error.map { "\($0)".contains("wrong-Pa55") } == false)
        #expect(sink.messages().isEmpty)
    }

    @Test("a refused recipient is a recipient error naming the address and the 550")
    func rejectedRecipient() async throws {
        let sink = try await SmtpSink.start(.init(rejectRecipientsContaining: "oncall"))
        defer { Task { try await sink.stop() } }
        let error = try await Self.failure(through: try Self.relay(port: sink.port))
        #expect(error?.kind == .recipient)
        #expect(error?.message.contains("oncall@example.com") == true)
        #expect(error?.message.contains("550") == true)
        #expect(sink.messages().isEmpty)
    }

    @Test("STARTTLS required by the settings but not offered is starttls_unavailable")
    func startTLSUnavailable() async throws {
        let sink = try await SmtpSink.start()
        defer { Task { try await sink.stop() } }
        let error = try await Self.failure(through: try Self.relay(port: sink.port, security: .starttls))
        #expect(error?.kind == .starttlsUnavailable)
        #expect(sink.messages().isEmpty)
    }

    @Test("an untrusted certificate is a tls error with rejectUnauthorized, and accepted without it")
    func untrustedCertificate() async throws {
        let sink = try await SmtpSink.start(.init(tls: .startTLS))
        defer { Task { try await sink.stop() } }
        var relay = try Self.relay(port: sink.port, security: .starttls, trustTestCA: false)
        let error = try await Self.failure(through: relay)
        #expect(error?.kind == .tls)
        #expect(error?.message.contains("not trusted") == true)
        #expect(sink.messages().isEmpty)

        relay.rejectUnauthorized = false
        try await SmtpClient(relay: relay).send(Self.message)
        #expect(sink.messages().count == 1)
    }

    @Test("a listener that never answers is a timeout")
    func silentListener() async throws {
        let listener = try await HostileListener.start(.silent)
        defer { Task { try await listener.stop() } }
        let error = try await Self.failure(through: try Self.relay(port: listener.port, timeoutSeconds: 1))
        #expect(error?.kind == .timeout)
    }

    @Test("unusable settings are refused when the client is built, before any connection")
    func configuration() throws {
        let good = try Self.relay(port: 587, security: .starttls)
        var relays = [good, good, good, good]
        relays[0].caFile = "/nonexistent/ca.pem"
        relays[1].port = 0
        relays[2].from = "mailmon@example.com\r\nBcc: x@example.com"
        relays[3].timeoutSeconds = 0
        for relay in relays {
            let error = #expect(throws: SmtpError.self) { try SmtpClient(relay: relay) }
            #expect(error?.kind == .configuration)
        }
        _ = try SmtpClient(relay: good)
    }

    @Test("nothing listening is a connect error")
    func refused() async throws {
        let closed = try RefusedPort()
        defer { closed.close() }
        let error = try await Self.failure(through: try Self.relay(port: closed.port))
        #expect(error?.kind == .connect)
    }
}
