import MailProbe
import MailmonTestSupport
import Testing

@Suite("Misbehaving servers end in a classified failure, within the timeout, with bounded memory")
struct HostileServerTests {
    static let transport = Result { try ProbeTransport() }

    func check(_ mailProtocol: MailProtocol, port: Int, security: SessionConfiguration.Security = .plain,
               user: String? = "alice", timeout: Duration = .seconds(5), host: String = "127.0.0.1") async throws -> ProbeResult {
        let target = ProbeTarget(
            mailProtocol: mailProtocol, host: host, port: port,
            session: SessionConfiguration(security: security, user: user, password: "secret"), timeout: timeout)
        return await ProbeRegistry(transport: try Self.transport.get()).check(target)
    }

    @Test("a server that accepts and never speaks is a timeout", arguments: [MailProtocol.imap, .pop3])
    func silent(_ mailProtocol: MailProtocol) async throws {
        let listener = try await HostileListener.start(.silent)
        defer { Task { try await listener.stop() } }
        let result = try await check(mailProtocol, port: listener.port, timeout: .seconds(1))
        #expect(result.category == .timeout)
        #expect(result.message?.contains("greeting") == true)
    }

    @Test("silence during the TLS handshake is a timeout too")
    func silentTLS() async throws {
        let listener = try await HostileListener.start(.silent)
        defer { Task { try await listener.stop() } }
        let result = try await check(.imap, port: listener.port, security: .implicitTLS, timeout: .seconds(1))
        #expect(result.category == .timeout)
        #expect(result.message?.contains("TLS") == true)
    }

    @Test("an endless line stops at the line limit instead of buffering until the timeout",
          arguments: [MailProtocol.imap, .pop3])
    func endlessLine(_ mailProtocol: MailProtocol) async throws {
        let listener = try await HostileListener.start(.endlessLine)
        defer { Task { try await listener.stop() } }
        let result = try await check(mailProtocol, port: listener.port, timeout: .seconds(30))
        #expect(result.category == .greeting)
        #expect(result.message?.contains("longer than the limit") == true)
    }

    @Test("binary garbage instead of a greeting is a greeting failure", arguments: [MailProtocol.imap, .pop3])
    func garbage(_ mailProtocol: MailProtocol) async throws {
        let listener = try await HostileListener.start(.garbage)
        defer { Task { try await listener.stop() } }
        let result = try await check(mailProtocol, port: listener.port, timeout: .seconds(30))
        #expect(result.category == .greeting)
    }

    @Test("garbage after a good greeting is a protocol failure")
    func garbageAfterGreeting() async throws {
        let listener = try await HostileListener.start(.script("* OK [CAPABILITY IMAP4rev1] hi\r\n\u{1}\u{2} ??? \r\n"))
        defer { Task { try await listener.stop() } }
        let result = try await check(.imap, port: listener.port, timeout: .seconds(30))
        #expect(result.category == .protocol)
    }

    @Test("a greeting dripped one byte at a time ends at the check's deadline, not at the first quiet read",
          arguments: [MailProtocol.imap, .pop3])
    func slowDrip(_ mailProtocol: MailProtocol) async throws {
        let prefix = mailProtocol == .imap ? "* OK " : "+OK "
        let listener = try await HostileListener.start(.drip(prefix: prefix, intervalMilliseconds: 50))
        defer { Task { try await listener.stop() } }
        let result = try await check(mailProtocol, port: listener.port, timeout: .seconds(1))
        #expect(result.category == .timeout, "\(result.message ?? "")")
        #expect(result.message?.contains("greeting") == true)
        #expect(result.greeting == nil)
    }

    @Test("a greeting, then silence, is a timeout that names the step")
    func stallsAfterGreeting() async throws {
        let listener = try await HostileListener.start(.script("+OK hello\r\n"))
        defer { Task { try await listener.stop() } }
        let result = try await check(.pop3, port: listener.port, timeout: .seconds(10))
        #expect(result.category == .timeout)
        #expect(result.message?.contains("capability") == true)
        #expect(result.greeting == nil)
    }

    @Test("STARTTLS asked for but not advertised is starttls_unavailable")
    func noStartTLS() async throws {
        let listener = try await HostileListener.start(.script("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n"))
        defer { Task { try await listener.stop() } }
        let result = try await check(.imap, port: listener.port, security: .startTLS, timeout: .seconds(30))
        #expect(result.category == .starttlsUnavailable)
    }

    @Test("a plaintext server on an implicit-TLS check is a TLS handshake failure")
    func plaintextOnTLS() async throws {
        let listener = try await HostileListener.start(.script("* OK [CAPABILITY IMAP4rev1] plain\r\n"))
        defer { Task { try await listener.stop() } }
        let result = try await check(.imap, port: listener.port, security: .implicitTLS, timeout: .seconds(30))
        #expect(result.category == .tlsHandshake)
    }

    @Test("a closed port is connect_refused")
    func closedPort() async throws {
        let refused = try RefusedPort()
        defer { refused.close() }
        let result = try await check(.imap, port: refused.port)
        #expect(result.category == .connectRefused)
        #expect(result.timings.connect != nil)
    }

    @Test("a name that does not resolve is a dns failure")
    func unknownHost() async throws {
        let result = try await check(.imap, port: 143, timeout: .seconds(20), host: "no-such-host.invalid")
        #expect(result.category == .dns, "\(result.message ?? "")")
    }
}
