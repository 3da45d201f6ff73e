import Foundation
/// An IMAP check as a pure state machine: greeting, CAPABILITY, optional
/// STARTTLS, LOGIN or AUTHENTICATE PLAIN, EXAMINE/SELECT, LOGOUT. It performs
/// no I/O; the driver feeds it parsed responses and carries out its actions.
public struct ImapSessionMachine: Sendable {
    private enum State: Sendable {
        case greeting
        case capability(tag: String)
        case startTLS(tag: String)
        case tlsPending
        case login(tag: String, remaining: [[UInt8]])
        /// AUTHENTICATE with a token: `pending` is the response still to send after `+` (no
        /// SASL-IR); `rejection` the server's error challenge, once it sent one.
        case oauth(tag: String, mechanism: OAuthMechanism, pending: [UInt8]?, rejection: String?)
        case mailbox(tag: String)
        /// `FETCH <last> (INTERNALDATE)`.
        case newest(tag: String)
        case logout(tag: String)
        case finished
        case failed
    }

    private let configuration: SessionConfiguration
    private var state = State.greeting
    private var counter = 0
    private var capabilities: [String]?
    private var greeting = ""
    private var authenticated = false
    private var tlsDone = false
    private var messageCount: Int?

    /// `FETCH <last> (INTERNALDATE)`, when the configuration asks for it.
    private var newestMessageAt: Date?

    public init(configuration: SessionConfiguration) {
        self.configuration = configuration
    }

    private func has(_ capability: String) -> Bool {
        capabilities?.contains { ImapCase.matches($0, uppercased: capability) } ?? false
    }

    private mutating func nextTag() -> String {
        counter += 1
        return "A\(counter)"
    }

    private mutating func send(_ command: ImapCommand, phase: ProbePhase) -> (tag: String, pieces: [[UInt8]]) {
        let tag = nextTag()
        return (tag, command.encode(tag: tag, literalPlus: has("LITERAL+") || has("LITERAL-")))
    }

    private mutating func fail(_ category: ProbeFailureCategory, _ text: String) -> SessionAction {
        state = .failed
        return .fail(ProbeFailure(category, configuration.report(text)))
    }

    /// The step in progress, for per-phase timings and timeout reports.
    public var phase: ProbePhase {
        switch state {
        case .greeting: .greeting
        case .capability: .capability
        case .startTLS, .tlsPending: .startTLS
        case .login, .oauth: .login
        case .mailbox, .newest: .mailbox
        case .logout, .finished, .failed: .logout
        }
    }

    /// Feeds one line as the framer returned it.
    public mutating func receive(line: [UInt8]) -> SessionAction {
        do {
            return receive(try ImapResponse.parse(line))
        } catch {
            return inputViolation("not an IMAP response: \(error.line)")
        }
    }

    /// The input broke the protocol (a framing limit, an unparsable line).
    public mutating func inputViolation(_ text: String) -> SessionAction {
        switch state {
        case .finished, .failed: return .wait
        case .greeting: return fail(.greeting, text)
        default: return fail(.protocol, text)
        }
    }

    /// Feeds one parsed response.
    public mutating func receive(_ response: ImapResponse) -> SessionAction {
        switch state {
        case .finished, .failed:
            return .wait
        case .tlsPending:
            // RFC 9051 6.2.1: nothing may follow the OK before the handshake; acting on it would
            // let a man in the middle inject responses.
            return fail(.protocol, "the server sent data after accepting STARTTLS, before TLS started")
        default:
            break
        }
        switch response {
        case .untagged(.capability(let list)):
            capabilities = list
            return .wait
        case .untagged(.exists(let count)):
            if case .mailbox = state { messageCount = count }
            return .wait
        case .untagged(.internalDate(let sequence, let text)):
            if case .newest = state, sequence == messageCount { newestMessageAt = InternetDate.imap(text) }
            return .wait
        case .untagged(.condition(let condition)) where condition.status == .ok:
            if case .greeting = state { break }  // the greeting is handled below
            guard let list = condition.capabilities else { break }
            capabilities = list
            return .wait
        default:
            break
        }
        switch (state, response) {
        case (.greeting, .untagged(.condition(let condition))):
            greeting = condition.text
            if let list = condition.capabilities { capabilities = list }
            switch condition.status {
            case .ok: break
            case .preauth:
                // STARTTLS is not allowed once authenticated (RFC 9051 6.2.1); a forged PREAUTH
                // must not let the check skip TLS and the login.
                if configuration.security == .startTLS {
                    return fail(.starttlsUnavailable, "the server sent PREAUTH, so STARTTLS is impossible")
                }
                authenticated = true
            default: return fail(.greeting, "server refused the connection: \(condition.text)")
            }
            return afterGreetingOrTLS()
        case (.greeting, _):
            return fail(.greeting, "unexpected greeting")

        case (_, .untagged(.condition(let condition))) where condition.status == .bye:
            if case .logout = state { return .wait }
            return fail(categoryForCurrentStep(), "server closed the session: \(condition.text)")
        case (_, .untagged):
            return .wait

        case (.capability(let tag), .tagged(let t, let condition)) where t == tag:
            guard condition.status == .ok else { return fail(.protocol, "CAPABILITY failed: \(condition.text)") }
            if let list = condition.capabilities { capabilities = list }
            return afterCapabilities()

        case (.startTLS(let tag), .tagged(let t, let condition)) where t == tag:
            guard condition.status == .ok else { return fail(.starttlsUnavailable, "STARTTLS refused: \(condition.text)") }
            state = .tlsPending
            capabilities = nil  // RFC 9051 6.2.1: capabilities must be asked again after TLS
            return .startTLS

        case (.login(let tag, var remaining), .continuation):
            guard !remaining.isEmpty else { return fail(.authFailed, "unexpected continuation during login") }
            let piece = remaining.removeFirst()
            state = .login(tag: tag, remaining: remaining)
            return .send(piece, phase: .login)
        case (.oauth(let tag, let mechanism, let pending, let rejection), .continuation(let text)):
            if let pending {
                state = .oauth(tag: tag, mechanism: mechanism, pending: nil, rejection: rejection)
                return .send(pending, phase: .login)
            }
            // The server's error challenge: answer it so that the server ends the exchange with its NO.
            guard rejection == nil else { return fail(.oauthRejected, "the server challenged the token twice") }
            state = .oauth(tag: tag, mechanism: mechanism, pending: nil, rejection: OAuthMechanism.describeChallenge(text))
            return .send(Array((mechanism.abortResponse + "\r\n").utf8), phase: .login)
        case (.oauth(let tag, _, _, let rejection), .tagged(let t, let condition)) where t == tag:
            guard condition.status == .ok else {
                if let rejection { return fail(.oauthRejected, "\(rejection): \(condition.text)") }
                return fail(.authFailed, condition.text)
            }
            authenticated = true
            if let list = condition.capabilities { capabilities = list }
            return openMailbox()
        case (.login(let tag, _), .tagged(let t, let condition)) where t == tag:
            guard condition.status == .ok else { return fail(.authFailed, condition.text) }
            authenticated = true
            if let list = condition.capabilities { capabilities = list }
            return openMailbox()

        case (.mailbox(let tag), .tagged(let t, let condition)) where t == tag:
            guard condition.status == .ok else { return fail(.mailbox, condition.text) }
            if configuration.readsNewestMessageDate, let count = messageCount, count > 0 {
                let (tag, pieces) = send(.fetchInternalDate(sequence: count), phase: .mailbox)
                state = .newest(tag: tag)
                return .send(pieces[0], phase: .mailbox)
            }
            return logout()
        case (.newest(let tag), .tagged(let t, _)) where t == tag:
            // A refused FETCH leaves the date unknown; the check itself passed.
            return logout()

        case (.logout(let tag), .tagged(let t, _)) where t == tag:
            state = .finished
            return .succeed(outcome)

        default:
            return fail(categoryForCurrentStep(), "unexpected response")
        }
    }

    /// The TLS handshake after STARTTLS completed.
    public mutating func tlsEstablished() -> SessionAction {
        guard case .tlsPending = state else { return .wait }
        tlsDone = true
        return afterGreetingOrTLS()
    }

    /// The server closed the connection.
    public mutating func connectionClosed() -> SessionAction {
        switch state {
        case .logout:
            state = .finished
            return .succeed(outcome)
        case .finished, .failed:
            return .wait
        case .greeting:
            return fail(.greeting, "connection closed before the greeting")
        default:
            return fail(categoryForCurrentStep(), "connection closed by the server")
        }
    }

    private var outcome: SessionOutcome {
        SessionOutcome(
            greeting: configuration.report(greeting), capabilities: capabilities ?? [], messageCount: messageCount,
            mailboxBytes: nil, authenticated: authenticated, newestMessageAt: newestMessageAt)
    }

    private func categoryForCurrentStep() -> ProbeFailureCategory {
        switch state {
        case .greeting: .greeting
        case .startTLS, .tlsPending: .tlsHandshake
        case .login, .oauth: .authFailed
        case .mailbox: .mailbox
        default: .protocol
        }
    }

    private mutating func afterGreetingOrTLS() -> SessionAction {
        if capabilities == nil {
            let (tag, pieces) = send(.capability, phase: .capability)
            state = .capability(tag: tag)
            return .send(pieces[0], phase: .capability)
        }
        return afterCapabilities()
    }

    private mutating func afterCapabilities() -> SessionAction {
        if configuration.security == .startTLS, !tlsDone {
            guard has("STARTTLS") else { return fail(.starttlsUnavailable, "the server does not offer STARTTLS") }
            let (tag, pieces) = send(.startTLS, phase: .startTLS)
            state = .startTLS(tag: tag)
            return .send(pieces[0], phase: .startTLS)
        }
        guard let user = configuration.user, !authenticated else { return configuration.user == nil ? logout() : openMailbox() }
        if let token = configuration.accessToken {
            guard let mechanism = OAuthMechanism.choose(configured: configuration.oauthMechanism, offered: { has("AUTH=" + $0.rawValue) }) else {
                let wanted = configuration.oauthMechanism.map { "AUTH=\($0.rawValue)" } ?? "AUTH=XOAUTH2 or AUTH=OAUTHBEARER"
                return fail(.authFailed, "the server does not offer \(wanted) for an OAuth2 login")
            }
            var (tag, pieces) = send(.authenticateOAuth(mechanism, user: user, token: token, initialResponse: has("SASL-IR")), phase: .login)
            let first = pieces.removeFirst()
            state = .oauth(tag: tag, mechanism: mechanism, pending: pieces.first, rejection: nil)
            return .send(first, phase: .login)
        }
        let password = configuration.password ?? ""
        let command: ImapCommand
        if has("LOGINDISABLED") {
            guard has("AUTH=PLAIN") else {
                return fail(.authFailed, "the server refuses LOGIN (LOGINDISABLED) and offers no AUTH=PLAIN")
            }
            command = .authenticatePlain(user: user, password: password, initialResponse: has("SASL-IR"))
        } else {
            command = .login(user: user, password: password)
        }
        var (tag, pieces) = send(command, phase: .login)
        let first = pieces.removeFirst()
        state = .login(tag: tag, remaining: pieces)
        return .send(first, phase: .login)
    }

    private mutating func openMailbox() -> SessionAction {
        let command: ImapCommand =
            configuration.readOnly ? .examine(mailbox: configuration.mailbox) : .select(mailbox: configuration.mailbox)
        let (tag, pieces) = send(command, phase: .mailbox)
        guard pieces.count == 1 else { return fail(.mailbox, "the mailbox name needs a literal the server did not accept") }
        state = .mailbox(tag: tag)
        return .send(pieces[0], phase: .mailbox)
    }

    private mutating func logout() -> SessionAction {
        let (tag, pieces) = send(.logout, phase: .logout)
        state = .logout(tag: tag)
        return .send(pieces[0], phase: .logout)
    }
}
