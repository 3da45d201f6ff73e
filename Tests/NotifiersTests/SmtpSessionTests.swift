@testable import Notifiers
import Testing

/// Plays the server's side of a transcript against the pure session machine.
struct SmtpTranscript {
    var session: SmtpSession
    /// What the client wrote, one entry per write, without the final CRLF.
    var sent: [String] = []
    var ended: SmtpAction?
    var tlsRequested = false

    init(_ relay: SmtpRelay, to recipients: [String] = ["ops@example.com"], payload: String = "Subject: x\r\n\r\nhi\r\n.\r\n") {
        session = SmtpSession(relay: relay, recipients: recipients, payload: Array(payload.utf8))
    }

    /// Feeds a server reply (lines separated by CRLF) and records what the client does.
    mutating func server(_ reply: String) {
        for line in reply.split(separator: "\r\n", omittingEmptySubsequences: false) {
            record(session.receive(line: Array(line.utf8)))
        }
    }

    mutating func record(_ action: SmtpAction) {
        switch action {
        case .send(let bytes):
            var text = String(decoding: bytes, as: UTF8.self)
            if text.hasSuffix("\r\n") { text.removeLast() }  // "\r\n" is one Character
            sent.append(text)
        case .startTLS: tlsRequested = true
        case .wait: break
        case .succeed, .fail: ended = action
        }
    }

    var lastSent: String? { sent.last }
    var error: SmtpError? {
        if case .fail(let error) = ended { return error }
        return nil
    }
}

@Suite("SMTP session machine: replies, EHLO/HELO, STARTTLS, AUTH, envelope")
struct SmtpSessionTests {
    static let plain = SmtpRelay(host: "relay.example", port: 25, security: .plain, from: "mailmon@example.com")
    static let submission = SmtpRelay(
        host: "relay.example", port: 587, security: .starttls, username: "alerts", password: "hunter2", from: "mailmon@example.com")

    @Test("a full plain exchange, with multi-line replies and two recipients")
    func fullExchange() {
        var t = SmtpTranscript(Self.plain, to: ["a@example.com", "b@example.com"])
        t.server("220-relay.example ESMTP\r\n220-more greeting text\r\n220 ready")
        #expect(t.sent == ["EHLO mailmon"])
        t.server("250-relay.example hello\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8")
        #expect(t.lastSent == "MAIL FROM:<mailmon@example.com>")
        t.server("250 2.1.0 Ok")
        #expect(t.lastSent == "RCPT TO:<a@example.com>")
        t.server("250 2.1.5 Ok")
        #expect(t.lastSent == "RCPT TO:<b@example.com>")
        t.server("251 2.1.5 will forward")
        #expect(t.lastSent == "DATA")
        t.server("354 go ahead")
        #expect(t.lastSent == "Subject: x\r\n\r\nhi\r\n.")
        t.server("250 2.0.0 queued as 1234")
        #expect(t.lastSent == "QUIT")
        #expect(t.ended == nil)
        t.server("221 bye")
        #expect(t.ended == .succeed)
        #expect(t.sent.count == 7)
    }

    @Test("a multi-line reply whose code changes, or a line that is no reply, is a protocol failure")
    func badReplies() {
        var changing = SmtpTranscript(Self.plain)
        changing.server("220 hi")
        changing.server("250-relay\r\n251 PIPELINING")
        #expect(changing.error?.kind == .protocol)

        var garbage = SmtpTranscript(Self.plain)
        garbage.server("* OK IMAP4rev1 ready")
        #expect(garbage.error?.kind == .greeting)
        #expect(garbage.sent.isEmpty)
    }

    @Test("a multi-line reply longer than maxReplyLines is refused")
    func replyLineLimit() {
        var session = SmtpSession(relay: Self.plain, recipients: ["a@example.com"], payload: [], limits: SmtpLimits(maxReplyLines: 3))
        _ = session.receive(line: Array("220 hi".utf8))
        var last = SmtpAction.wait
        for _ in 0..<3 { last = session.receive(line: Array("250-X".utf8)) }
        guard case .fail(let error) = last else { Issue.record("expected a failure, got \(last)"); return }
        #expect(error.kind == .protocol)
    }

    @Test("EHLO refused with 5xx falls back to HELO")
    func heloFallback() {
        var t = SmtpTranscript(Self.plain)
        t.server("220 old relay")
        t.server("502 5.5.2 command not recognized")
        #expect(t.lastSent == "HELO mailmon")
        t.server("250 old relay")
        #expect(t.lastSent == "MAIL FROM:<mailmon@example.com>")

        var both = SmtpTranscript(Self.plain)
        both.server("220 x")
        both.server("500 no")
        both.server("501 still no")
        #expect(both.error?.kind == .greeting)
        #expect(both.error?.message.contains("501 still no") == true)
    }

    @Test("a greeting other than 220 is a greeting failure with the server's text")
    func refusedGreeting() {
        var t = SmtpTranscript(Self.plain)
        t.server("554 5.3.2 no service for you")
        #expect(t.error?.kind == .greeting)
        #expect(t.error?.message.contains("554 5.3.2 no service for you") == true)
    }

    @Test("STARTTLS required but not advertised fails before any credentials are sent")
    func startTLSNotAdvertised() {
        var t = SmtpTranscript(Self.submission)
        t.server("220 hi")
        t.server("250-relay\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME")
        #expect(t.error?.kind == .starttlsUnavailable)
        #expect(!t.sent.contains { $0.hasPrefix("AUTH") })
    }

    @Test("STARTTLS: 220, the upgrade, EHLO again, then AUTH PLAIN with the right response")
    func startTLSThenAuthPlain() {
        var t = SmtpTranscript(Self.submission)
        t.server("220 hi")
        t.server("250-relay\r\n250-STARTTLS\r\n250 SIZE 100")
        #expect(t.lastSent == "STARTTLS")
        t.server("220 2.0.0 Ready to start TLS")
        #expect(t.tlsRequested)
        t.record(t.session.tlsEstablished())
        #expect(t.lastSent == "EHLO mailmon")
        t.server("250-relay\r\n250-AUTH=LOGIN PLAIN\r\n250 8BITMIME")
        #expect(t.lastSent == "AUTH PLAIN AGFsZXJ0cwBodW50ZXIy")
        t.server("235 2.7.0 Authentication successful")
        #expect(t.lastSent == "MAIL FROM:<mailmon@example.com>")
    }

    @Test("data the server sends between its STARTTLS 220 and the handshake is refused")
    func injectionAfterStartTLS() {
        var t = SmtpTranscript(Self.submission)
        t.server("220 hi")
        t.server("250-relay\r\n250 STARTTLS")
        t.server("220 go")
        t.server("250 injected")
        #expect(t.error?.kind == .protocol)
    }

    @Test("STARTTLS refused by the server is starttls_unavailable")
    func startTLSRefused() {
        var t = SmtpTranscript(Self.submission)
        t.server("220 hi")
        t.server("250-relay\r\n250 STARTTLS")
        t.server("454 4.7.0 TLS not available due to local problem")
        #expect(t.error?.kind == .starttlsUnavailable)
        #expect(t.error?.message.contains("454") == true)
    }

    @Test("AUTH LOGIN when only LOGIN is advertised")
    func authLogin() {
        var relay = Self.submission
        relay.security = .tls
        var t = SmtpTranscript(relay)
        t.server("220 hi")
        t.server("250-relay\r\n250 AUTH LOGIN")
        #expect(t.lastSent == "AUTH LOGIN")
        t.server("334 VXNlcm5hbWU6")
        #expect(t.lastSent == "YWxlcnRz")
        t.server("334 UGFzc3dvcmQ6")
        #expect(t.lastSent == "aHVudGVyMg==")
        t.server("235 ok")
        #expect(t.lastSent == "MAIL FROM:<mailmon@example.com>")
    }

    @Test("a failed AUTH reports the server's text, never the password or its encodings")
    func authFailureWithoutSecret() {
        var relay = Self.submission
        relay.security = .tls
        var t = SmtpTranscript(relay)
        t.server("220 hi")
        t.server("250-relay\r\n250 AUTH PLAIN")
        t.server("535 5.7.8 bad credentials: AGFsZXJ0cwBodW50ZXIy (hunter2, aHVudGVyMg==)")
        let error = t.error
        #expect(error?.kind == .auth)
        #expect(error?.message.contains("535 5.7.8 bad credentials") == true)
        for secret in ["hunter2", "AGFsZXJ0cwBodW50ZXIy", "aHVudGVyMg=="] {
            #expect(error?.message.contains(secret) == false)
            #expect(error.map { "\($0)" }?.contains(secret) == false)
        }
    }

    @Test("a username without AUTH advertised (or without PLAIN/LOGIN) fails clearly")
    func authNotAdvertised() {
        var relay = Self.submission
        relay.security = .tls
        var none = SmtpTranscript(relay)
        none.server("220 hi")
        none.server("250-relay\r\n250 8BITMIME")
        #expect(none.error?.kind == .auth)
        #expect(none.error?.message.contains("does not offer AUTH") == true)

        var other = SmtpTranscript(relay)
        other.server("220 hi")
        other.server("250-relay\r\n250 AUTH CRAM-MD5 XOAUTH2")
        #expect(other.error?.kind == .auth)
        #expect(other.error?.message.contains("CRAM-MD5") == true)
    }

    @Test("refusals name the step: sender, recipient, data")
    func refusals() {
        var sender = SmtpTranscript(Self.plain)
        sender.server("220 hi")
        sender.server("250 relay")
        sender.server("553 5.7.1 sender not allowed")
        #expect(sender.error?.kind == .sender)

        var recipient = SmtpTranscript(Self.plain, to: ["ok@example.com", "nobody@example.com"])
        for reply in ["220 hi", "250 relay", "250 ok", "250 ok"] { recipient.server(reply) }
        recipient.server("550 5.1.1 <nobody@example.com>: user unknown")
        #expect(recipient.error?.kind == .recipient)
        #expect(recipient.error?.message.contains("RCPT TO:<nobody@example.com>") == true)
        #expect(recipient.error?.message.contains("550 5.1.1") == true)

        var data = SmtpTranscript(Self.plain)
        for reply in ["220 hi", "250 relay", "250 ok", "250 ok", "354 go"] { data.server(reply) }
        data.server("554 5.7.1 message rejected as spam")
        #expect(data.error?.kind == .data)
    }

    @Test("the deadline: a timeout while waiting, but success once the message was accepted")
    func deadline() {
        var waiting = SmtpTranscript(Self.plain)
        waiting.server("220 hi")
        waiting.record(waiting.session.deadlinePassed())
        #expect(waiting.error?.kind == .timeout)
        #expect(waiting.error?.message.contains("EHLO") == true)

        var quitting = SmtpTranscript(Self.plain)
        for reply in ["220 hi", "250 relay", "250 ok", "250 ok", "354 go", "250 queued"] { quitting.server(reply) }
        quitting.record(quitting.session.deadlinePassed())
        #expect(quitting.ended == .succeed)
    }

    @Test("a close during DATA is a data failure; a close after the message is accepted is success")
    func connectionClosed() {
        var during = SmtpTranscript(Self.plain)
        for reply in ["220 hi", "250 relay", "250 ok", "250 ok"] { during.server(reply) }
        during.record(during.session.connectionClosed())
        #expect(during.error?.kind == .data)

        var after = SmtpTranscript(Self.plain)
        for reply in ["220 hi", "250 relay", "250 ok", "250 ok", "354 go", "250 queued"] { after.server(reply) }
        after.record(after.session.connectionClosed())
        #expect(after.ended == .succeed)
    }
}
