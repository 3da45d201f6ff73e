/// Sending one message through a relay as a pure state machine (RFC 5321, 3207, 4954):
/// greeting, EHLO (HELO after a 5xx), STARTTLS and EHLO again, AUTH PLAIN or LOGIN,
/// MAIL FROM, RCPT TO for each recipient, DATA, the message, QUIT.
/// The driver feeds it lines; it performs no I/O.
public struct SmtpSession: Sendable {
    enum State: Sendable, Hashable {
        case greeting, ehlo, helo, starttls, tlsPending
        case authPlain, authLogin(LoginStep)
        case mailFrom, rcptTo(Int), data, message, quit, finished, failed
    }

    enum LoginStep: Sendable, Hashable { case started, usernameSent, passwordSent }

    let relay: SmtpRelay
    let recipients: [String]
    /// The dot-stuffed message with its terminating "." line (`DotStuffing.dataPayload`).
    let payload: [UInt8]
    let limits: SmtpLimits
    let credentials: SmtpCredentials?
    var state = State.greeting
    var reader: SmtpReplyReader
    var capabilities = SmtpCapabilities.none
    var tlsDone: Bool

    public init(relay: SmtpRelay, recipients: [String], payload: [UInt8], limits: SmtpLimits = SmtpLimits()) {
        self.relay = relay
        self.recipients = recipients
        self.payload = payload
        self.limits = limits
        self.credentials = relay.username.map { SmtpCredentials(username: $0, password: relay.password ?? "") }
        self.reader = SmtpReplyReader(maxLines: limits.maxReplyLines)
        self.tlsDone = relay.security == .tls
    }

    /// Feeds one line from the server.
    public mutating func receive(line: [UInt8]) -> SmtpAction {
        switch state {
        case .finished, .failed: return .wait
        case .tlsPending: return fail(.protocol, "the server sent data after accepting STARTTLS, before TLS started")
        default: break
        }
        switch reader.add(line) {
        case .incomplete: return .wait
        case .invalid(let text): return inputViolation(text)
        case .complete(let reply): return handle(reply)
        }
    }

    private mutating func handle(_ reply: SmtpReply) -> SmtpAction {
        let code = reply.code
        switch state {
        case .greeting:
            guard code == 220 else { return fail(.greeting, "the server refused the connection: \(reply.text)") }
            return hello()
        case .ehlo:
            if code == 250 {
                capabilities = SmtpCapabilities(ehlo: reply)
                return afterHello()
            }
            guard code / 100 == 5 else { return fail(.greeting, "EHLO refused: \(reply.text)") }
            state = .helo
            return send("HELO " + relay.heloName)
        case .helo:
            guard code == 250 else { return fail(.greeting, "EHLO and HELO refused: \(reply.text)") }
            capabilities = .none
            return afterHello()
        case .starttls:
            guard code == 220 else { return fail(.starttlsUnavailable, "STARTTLS refused: \(reply.text)") }
            state = .tlsPending
            return .startTLS
        case .authPlain, .authLogin(.passwordSent):
            guard code == 235 else { return fail(.auth, "authentication failed: \(reply.text)") }
            return mailFrom()
        case .authLogin(.started):
            guard code == 334, let credentials else { return fail(.auth, "AUTH LOGIN refused: \(reply.text)") }
            state = .authLogin(.usernameSent)
            return send(credentials.loginUsername)
        case .authLogin(.usernameSent):
            guard code == 334, let credentials else { return fail(.auth, "the username was refused: \(reply.text)") }
            state = .authLogin(.passwordSent)
            return send(credentials.loginPassword)
        case .mailFrom:
            guard code == 250 else { return fail(.sender, "MAIL FROM:<\(relay.from)> refused: \(reply.text)") }
            return recipient(0)
        case .rcptTo(let index):
            guard code == 250 || code == 251 else {
                return fail(.recipient, "RCPT TO:<\(recipients[index])> refused: \(reply.text)")
            }
            return recipient(index + 1)
        case .data:
            guard code == 354 else { return fail(.data, "DATA refused: \(reply.text)") }
            state = .message
            return .send(payload)
        case .message:
            guard code == 250 else { return fail(.data, "the message was refused: \(reply.text)") }
            state = .quit
            return send("QUIT")
        case .quit:
            state = .finished
            return .succeed
        case .tlsPending, .finished, .failed:
            return .wait
        }
    }

    /// The TLS handshake after STARTTLS succeeded: say EHLO again (RFC 3207, 4.2).
    public mutating func tlsEstablished() -> SmtpAction {
        guard case .tlsPending = state else { return .wait }
        tlsDone = true
        capabilities = .none
        return hello()
    }
}
