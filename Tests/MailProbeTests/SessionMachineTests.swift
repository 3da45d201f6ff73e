import MailProbe
import Testing

/// Drives a session machine through a server transcript, collecting what it sends.
struct Transcript {
    var sent: [String] = []
    var result: SessionAction?
    var tlsStarted = false
}

protocol DrivenSession {
    mutating func receive(line: [UInt8]) -> SessionAction
    mutating func tlsEstablished() -> SessionAction
}

extension ImapSessionMachine: DrivenSession {}
extension Pop3SessionMachine: DrivenSession {}

/// Feeds `server` lines in order (each answering what the machine sent last); TLS completes at once.
func drive<Machine: DrivenSession>(_ machine: Machine, _ server: [String]) -> Transcript {
    var machine = machine
    var transcript = Transcript()
    func apply(_ action: SessionAction) {
        switch action {
        case .send(let bytes, _): transcript.sent.append(String(decoding: bytes, as: UTF8.self))
        case .startTLS:
            transcript.tlsStarted = true
            apply(machine.tlsEstablished())
        case .wait: break
        case .succeed, .fail: transcript.result = action
        }
    }
    for line in server where transcript.result == nil { apply(machine.receive(line: Array(line.utf8))) }
    return transcript
}

@Suite("IMAP session machine, against Dovecot's transcripts")
struct ImapSessionMachineTests {
    static let greeting =
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready."

    func run(_ configuration: SessionConfiguration, _ server: [String]) throws -> Transcript {
        drive(ImapSessionMachine(configuration: configuration), server)
    }

    @Test("STARTTLS, LOGIN, EXAMINE, LOGOUT: the full Dovecot exchange")
    func fullStartTLS() throws {
        let t = try run(
            SessionConfiguration(security: .startTLS, user: "alice", password: "secret"),
            [
                Self.greeting,
                "A1 OK Begin TLS negotiation now.",
                "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN",
                "A2 OK Pre-login capabilities listed, post-login capabilities have more.",
                "A3 OK [CAPABILITY IMAP4rev1 IDLE] Logged in",
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                "* 3 EXISTS",
                "* 0 RECENT",
                "A4 OK [READ-ONLY] Examine completed.",
                "* BYE Logging out",
                "A5 OK Logout completed.",
            ])
        #expect(t.sent == ["A1 STARTTLS\r\n", "A2 CAPABILITY\r\n", "A3 LOGIN alice secret\r\n", "A4 EXAMINE INBOX\r\n", "A5 LOGOUT\r\n"])
        #expect(t.tlsStarted)
        guard case .succeed(let outcome) = t.result else { Issue.record("\(String(describing: t.result))"); return }
        #expect(outcome.messageCount == 3)
        #expect(outcome.authenticated)
        #expect(outcome.greeting == "Dovecot (Debian) ready.")
    }

    @Test("a wrong password is auth_failed with the server's text, never the password")
    func authFailed() throws {
        let t = try run(
            SessionConfiguration(security: .plain, user: "alice", password: "hunter2"),
            [Self.greeting, "A1 NO [AUTHENTICATIONFAILED] Authentication failed for hunter2."])
        #expect(t.result == .fail(ProbeFailure(.authFailed, "Authentication failed for ***.")))
    }

    @Test("STARTTLS asked for but not offered is starttls_unavailable")
    func noStartTLS() throws {
        let t = try run(
            SessionConfiguration(security: .startTLS, user: "alice", password: "secret"),
            ["* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready."])
        guard case .fail(let failure) = t.result else { Issue.record("expected failure"); return }
        #expect(failure.category == .starttlsUnavailable)
        #expect(t.sent.isEmpty)
    }

    @Test("a synchronizing literal waits for the server's continuation")
    func synchronizingLiteral() throws {
        let t = try run(
            SessionConfiguration(security: .plain, user: "odd", password: "pä ss"),
            ["* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready.", "+ OK", "A1 OK Logged in", "A2 OK done", "A3 OK bye"])
        #expect(t.sent == ["A1 LOGIN odd {6}\r\n", "pä ss\r\n", "A2 EXAMINE INBOX\r\n", "A3 LOGOUT\r\n"])
        guard case .succeed = t.result else { Issue.record("\(String(describing: t.result))"); return }
    }

    @Test("LOGINDISABLED falls back to AUTHENTICATE PLAIN with SASL-IR")
    func loginDisabled() throws {
        let t = try run(
            SessionConfiguration(security: .plain, user: "alice", password: "secret"),
            ["* OK [CAPABILITY IMAP4rev1 LOGINDISABLED SASL-IR AUTH=PLAIN] ready.", "A1 OK Logged in"])
        #expect(t.sent.first == "A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n")
    }

    @Test("a greeting that is not OK or PREAUTH is a greeting failure")
    func badGreeting() throws {
        let t = try run(SessionConfiguration(security: .plain), ["* BYE Too many connections"])
        #expect(t.result == .fail(ProbeFailure(.greeting, "server refused the connection: Too many connections")))
    }

    @Test("without a user the check stops after the capabilities")
    func reachability() throws {
        let t = try run(SessionConfiguration(security: .plain), ["* OK ready.", "* CAPABILITY IMAP4rev1", "A1 OK listed", "A2 OK bye"])
        #expect(t.sent == ["A1 CAPABILITY\r\n", "A2 LOGOUT\r\n"])
        guard case .succeed(let outcome) = t.result else { Issue.record("expected success"); return }
        #expect(outcome.capabilities == ["IMAP4rev1"])
        #expect(!outcome.authenticated)
    }

    @Test("a missing mailbox is a mailbox failure")
    func missingMailbox() throws {
        let t = try run(
            SessionConfiguration(security: .plain, user: "alice", password: "secret", mailbox: "Nope"),
            [Self.greeting, "A1 OK Logged in", "A2 NO Mailbox doesn't exist: Nope"])
        #expect(t.result == .fail(ProbeFailure(.mailbox, "Mailbox doesn't exist: Nope")))
    }
}

@Suite("POP3 session machine, against Dovecot's transcripts")
struct Pop3SessionMachineTests {
    func run(_ configuration: SessionConfiguration, _ server: [String]) -> Transcript {
        drive(Pop3SessionMachine(configuration: configuration), server)
    }

    static let capa = ["+OK", "CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER", "SASL PLAIN LOGIN", "."]

    @Test("CAPA, STLS, CAPA, USER/PASS, STAT, QUIT")
    func full() {
        let t = run(
            SessionConfiguration(security: .startTLS, user: "alice", password: "secret"),
            ["+OK Dovecot (Debian) ready."] + Self.capa + ["+OK Begin TLS negotiation now."] + Self.capa.filter { $0 != "STLS" }
                + ["+OK", "+OK Logged in.", "+OK 3 429", "+OK Logging out."])
        #expect(t.sent == ["CAPA\r\n", "STLS\r\n", "CAPA\r\n", "USER alice\r\n", "PASS secret\r\n", "STAT\r\n", "QUIT\r\n"])
        guard case .succeed(let outcome) = t.result else { Issue.record("\(String(describing: t.result))"); return }
        #expect(outcome.messageCount == 3)
        #expect(outcome.mailboxBytes == 429)
    }

    @Test("a wrong password is auth_failed with Dovecot's text")
    func authFailed() {
        let t = run(
            SessionConfiguration(security: .plain, user: "alice", password: "nope"),
            ["+OK ready."] + Self.capa + ["+OK", "-ERR [AUTH] Authentication failed."])
        #expect(t.result == .fail(ProbeFailure(.authFailed, "[AUTH] Authentication failed.")))
    }

    @Test("no STLS in CAPA is starttls_unavailable")
    func noSTLS() {
        let t = run(SessionConfiguration(security: .startTLS, user: "a", password: "b"), ["+OK ready.", "+OK", "USER", "."])
        guard case .fail(let failure) = t.result else { Issue.record("expected failure"); return }
        #expect(failure.category == .starttlsUnavailable)
    }

    @Test("garbage instead of a greeting is a greeting failure")
    func garbageGreeting() {
        let t = run(SessionConfiguration(security: .plain), ["SSH-2.0-OpenSSH_9.2"])
        guard case .fail(let failure) = t.result else { Issue.record("expected failure"); return }
        #expect(failure.category == .greeting)
    }

    @Test("a password with a line break goes through AUTH PLAIN, never raw")
    func unsafePassword() {
        let t = run(SessionConfiguration(security: .plain, user: "alice", password: "a\r\nQUIT"), ["+OK ready."] + Self.capa + ["+OK"])
        #expect(t.sent.contains { $0.hasPrefix("AUTH PLAIN ") })
        #expect(!t.sent.contains { $0.hasPrefix("USER") || $0.hasPrefix("PASS") })
    }
}

@Suite("OAuth2 SASL in the session machines")
struct OAuthSessionMachineTests {
    static let imapGreeting = "* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER] ready."
    static let challenge = "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0="

    @Test("IMAP without SASL-IR: AUTHENTICATE XOAUTH2, the response after +, then EXAMINE")
    func imapWithoutInitialResponse() {
        let t = drive(
            ImapSessionMachine(configuration: SessionConfiguration(security: .plain, user: "alice@example.com", accessToken: "tok-0123456789")),
            [Self.imapGreeting, "+ ", "A1 OK Logged in", "* 2 EXISTS", "A2 OK done", "A3 OK bye"])
        #expect(t.sent.first == "A1 AUTHENTICATE XOAUTH2\r\n")
        let response = Array("user=alice@example.com\u{1}auth=Bearer tok-0123456789\u{1}\u{1}".utf8)
        #expect(t.sent.dropFirst().first == Base64Text.encode(response) + "\r\n")
        guard case .succeed(let outcome) = t.result else { Issue.record("\(String(describing: t.result))"); return }
        #expect(outcome.authenticated && outcome.messageCount == 2)
    }

    @Test("IMAP error challenge: answered with an empty line (XOAUTH2) or %x01 (OAUTHBEARER), then oauth_rejected with its status")
    func imapChallenge() {
        for (mechanism, abort) in [(OAuthMechanism.xoauth2, "\r\n"), (.oauthbearer, "AQ==\r\n")] {
            let t = drive(
                ImapSessionMachine(configuration: SessionConfiguration(security: .plain, user: "a", accessToken: "tok-0123456789", oauthMechanism: mechanism)),
                ["* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER] ready.", "+ \(Self.challenge)",
                 "A1 NO [AUTHENTICATIONFAILED] Authentication failed."])
            #expect(t.sent.first?.hasPrefix("A1 AUTHENTICATE \(mechanism.rawValue) ") == true)
            #expect(t.sent.last == abort)
            guard case .fail(let failure) = t.result else { Issue.record("expected failure"); continue }
            #expect(failure.category == .oauthRejected)
            #expect(failure.message == "the server rejected the token (status 401, schemes bearer, scope mail): Authentication failed.")
        }
    }

    @Test("a server without an OAuth2 mechanism is auth_failed before the token is sent")
    func imapNoMechanism() {
        let t = drive(
            ImapSessionMachine(configuration: SessionConfiguration(security: .plain, user: "a", accessToken: "tok-0123456789")),
            ["* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready."])
        #expect(t.sent.isEmpty)
        guard case .fail(let failure) = t.result else { Issue.record("expected failure"); return }
        #expect(failure.category == .authFailed && failure.message.contains("AUTH=XOAUTH2 or AUTH=OAUTHBEARER"))
    }

    @Test("POP3: AUTH with the initial response; the error challenge answered, then oauth_rejected")
    func pop3() {
        let ok = drive(
            Pop3SessionMachine(configuration: SessionConfiguration(security: .plain, user: "a", accessToken: "tok-0123456789", oauthMechanism: .oauthbearer)),
            ["+OK ready", "+OK", "SASL PLAIN XOAUTH2 OAUTHBEARER", ".", "+OK Logged in.", "+OK 3 300", "+OK bye"])
        #expect(ok.sent[1].hasPrefix("AUTH OAUTHBEARER "))
        guard case .succeed(let outcome) = ok.result else { Issue.record("\(String(describing: ok.result))"); return }
        #expect(outcome.messageCount == 3)
        let refused = drive(
            Pop3SessionMachine(configuration: SessionConfiguration(security: .plain, user: "a", accessToken: "tok-0123456789")),
            ["+OK ready", "+OK", "SASL XOAUTH2", ".", "+ \(Self.challenge)", "-ERR [AUTH] Authentication failed."])
        #expect(refused.sent.last == "\r\n")
        guard case .fail(let failure) = refused.result else { Issue.record("expected failure"); return }
        #expect(failure.category == .oauthRejected && failure.message.hasSuffix("scope mail): [AUTH] Authentication failed."))
    }
}

/// Base64 for the expectations (the probe's own encoder is internal).
enum Base64Text {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)]) + [0, 0]
            let n = Int(chunk[0]) << 16 | Int(chunk[1]) << 8 | Int(chunk[2])
            let count = min(3, bytes.count - index)
            for i in 0..<4 { out.append(i <= count ? alphabet[(n >> (18 - 6 * i)) & 0x3F] : "=") }
            index += 3
        }
        return out
    }
}
