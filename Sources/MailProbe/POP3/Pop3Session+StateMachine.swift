import Foundation
/// A POP3 check as a pure state machine: greeting, CAPA, optional STLS,
/// USER/PASS or AUTH PLAIN, STAT, QUIT (RFC 1939, 2449, 2595, 5034).
/// The driver feeds it lines; it performs no I/O.
public struct Pop3SessionMachine: Sendable {
    private enum State: Sendable {
        case greeting
        case capa(collecting: Bool)
        case stls
        case tlsPending
        case user
        case pass
        case authPlain
        /// AUTH with a token's initial response; `rejection` once the server sent its error challenge.
        case authOAuth(mechanism: OAuthMechanism, rejection: String?)
        case stat
        /// `TOP <last> 0`: its headers, collected until the terminating ".".
        case top(collecting: Bool)
        case quit
        case finished
        case failed
    }

    private let configuration: SessionConfiguration
    private var state = State.greeting
    private var capabilities: [String]?
    /// CAPA answered +OK: its list is authoritative (RFC 2449 6.2).
    private var capaSucceeded = false
    private var collected: [String] = []
    private var greeting = ""
    private var authenticated = false
    private var tlsDone = false
    private var messageCount: Int?
    private var mailboxBytes: Int?
    /// The newest message's `Date:` header (unfolded), from TOP.
    private var dateHeader: String?
    private var readingDateHeader = false

    public init(configuration: SessionConfiguration) {
        self.configuration = configuration
    }

    private func has(_ capability: String) -> Bool {
        capabilities?.contains { $0.uppercased() == capability } ?? false
    }

    private var saslMechanisms: [String] {
        capabilities?.first { $0.uppercased().hasPrefix("SASL ") }.map { $0.split(separator: " ").dropFirst().map { $0.uppercased() } } ?? []
    }

    private mutating func fail(_ category: ProbeFailureCategory, _ text: String) -> SessionAction {
        state = .failed
        return .fail(ProbeFailure(category, configuration.report(text)))
    }

    /// The step in progress, for per-phase timings and timeout reports.
    public var phase: ProbePhase {
        switch state {
        case .greeting: .greeting
        case .capa: .capability
        case .stls, .tlsPending: .startTLS
        case .user, .pass, .authPlain, .authOAuth: .login
        case .stat, .top: .mailbox
        case .quit, .finished, .failed: .logout
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

    private static func line(_ text: String) -> [UInt8] { Array((text + "\r\n").utf8) }

    /// Feeds one line from the server.
    public mutating func receive(line bytes: [UInt8]) -> SessionAction {
        switch state {
        case .finished, .failed:
            return .wait
        case .tlsPending:
            return fail(.protocol, "the server sent data after accepting STLS, before TLS started")
        default:
            break
        }
        if case .capa(collecting: true) = state {
            let text = String(decoding: bytes, as: UTF8.self)
            if text == "." {
                capabilities = collected
                return afterCapabilities()
            }
            collected.append(text.hasPrefix("..") ? String(text.dropFirst()) : text)
            return .wait
        }
        if case .top(collecting: true) = state {
            let text = String(decoding: bytes, as: UTF8.self)
            if text == "." { return quit() }
            if readingDateHeader, text.first == " " || text.first == "\t" {
                dateHeader = (dateHeader ?? "") + " " + text.trimmingCharacters(in: .whitespaces)
            } else {
                readingDateHeader = dateHeader == nil && text.lowercased().hasPrefix("date:")
                if readingDateHeader { dateHeader = String(text.dropFirst(5)).trimmingCharacters(in: .whitespaces) }
            }
            return .wait
        }
        if case .authOAuth(let mechanism, let rejection) = state, bytes.first == UInt8(ascii: "+"), bytes.count == 1 || bytes[1] == 0x20 {
            // A SASL challenge (`+ base64`), not `+OK`: the server's error; answer so it ends the exchange.
            guard rejection == nil else { return fail(.oauthRejected, "the server challenged the token twice") }
            let challenge = String(decoding: bytes.dropFirst(), as: UTF8.self)
            state = .authOAuth(mechanism: mechanism, rejection: OAuthMechanism.describeChallenge(challenge))
            return .send(Self.line(mechanism.abortResponse), phase: .login)
        }
        guard let reply = try? Pop3Reply.parse(bytes) else {
            return inputViolation("not a POP3 reply: \(String(decoding: bytes, as: UTF8.self))")
        }
        switch state {
        case .greeting:
            guard reply.ok else { return fail(.greeting, "server refused the connection: \(reply.text)") }
            greeting = reply.text
            return askCapabilities()
        case .capa:
            guard reply.ok else {
                capabilities = []  // CAPA is optional (RFC 2449): go on without it
                return afterCapabilities()
            }
            collected = []
            capaSucceeded = true
            state = .capa(collecting: true)
            return .wait
        case .stls:
            guard reply.ok else { return fail(.starttlsUnavailable, "STLS refused: \(reply.text)") }
            state = .tlsPending
            capabilities = nil
            return .startTLS
        case .user:
            guard reply.ok else { return fail(.authFailed, reply.text) }
            state = .pass
            return .send(Self.line("PASS " + (configuration.password ?? "")), phase: .login)
        case .authOAuth(_, let rejection):
            guard reply.ok else {
                if let rejection { return fail(.oauthRejected, "\(rejection): \(reply.text)") }
                return fail(.authFailed, reply.text)
            }
            authenticated = true
            state = .stat
            return .send(Self.line("STAT"), phase: .mailbox)
        case .pass, .authPlain:
            guard reply.ok else { return fail(.authFailed, reply.text) }
            authenticated = true
            state = .stat
            return .send(Self.line("STAT"), phase: .mailbox)
        case .stat:
            guard reply.ok else { return fail(.mailbox, reply.text) }
            let fields = reply.text.split(separator: " ")
            guard fields.count >= 2, let count = Int(fields[0]), let size = Int(fields[1]) else {
                return fail(.protocol, "unreadable STAT reply: \(reply.text)")
            }
            messageCount = count
            mailboxBytes = size
            if configuration.readsNewestMessageDate, count > 0 {
                state = .top(collecting: false)
                return .send(Self.line("TOP \(count) 0"), phase: .mailbox)
            }
            return quit()
        case .top:
            // A server without TOP (it is optional, RFC 1939) leaves the date unknown; the check passed.
            guard reply.ok else { return quit() }
            state = .top(collecting: true)
            return .wait
        case .quit:
            state = .finished
            return .succeed(outcome)
        case .tlsPending, .finished, .failed:
            return fail(.protocol, "unexpected reply")
        }
    }

    public mutating func tlsEstablished() -> SessionAction {
        guard case .tlsPending = state else { return .wait }
        tlsDone = true
        capaSucceeded = false
        return askCapabilities()
    }

    public mutating func connectionClosed() -> SessionAction {
        switch state {
        case .quit:
            state = .finished
            return .succeed(outcome)
        case .finished, .failed:
            return .wait
        case .greeting:
            return fail(.greeting, "connection closed before the greeting")
        case .user, .pass, .authPlain, .authOAuth:
            return fail(.authFailed, "connection closed by the server during login")
        default:
            return fail(.protocol, "connection closed by the server")
        }
    }

    private var outcome: SessionOutcome {
        SessionOutcome(
            greeting: configuration.report(greeting), capabilities: capabilities ?? [], messageCount: messageCount,
            mailboxBytes: mailboxBytes, authenticated: authenticated, newestMessageAt: dateHeader.flatMap(InternetDate.header))
    }

    private mutating func askCapabilities() -> SessionAction {
        state = .capa(collecting: false)
        return .send(Self.line("CAPA"), phase: .capability)
    }

    private mutating func afterCapabilities() -> SessionAction {
        if configuration.security == .startTLS, !tlsDone {
            // Without CAPA the server may still know STLS: try it and let the reply decide.
            if let capabilities, !capabilities.isEmpty, !has("STLS") {
                return fail(.starttlsUnavailable, "the server does not offer STLS")
            }
            state = .stls
            return .send(Self.line("STLS"), phase: .startTLS)
        }
        guard let user = configuration.user else { return quit() }
        if let token = configuration.accessToken {
            if (user + token).utf8.contains(where: { $0 < 0x20 }) { return fail(.authFailed, "the user or token contains control characters") }
            // Without CAPA, try the mechanism asked for (or XOAUTH2) and let the reply decide.
            let offered: (OAuthMechanism) -> Bool = { capaSucceeded ? saslMechanisms.contains($0.rawValue) : true }
            guard let mechanism = OAuthMechanism.choose(configured: configuration.oauthMechanism, offered: offered) else {
                let wanted = configuration.oauthMechanism?.rawValue ?? "XOAUTH2 or OAUTHBEARER"
                return fail(.authFailed, "the server does not offer SASL \(wanted) for an OAuth2 login")
            }
            state = .authOAuth(mechanism: mechanism, rejection: nil)
            return .send(Self.line("AUTH \(mechanism.rawValue) " + mechanism.response(user: user, token: token)), phase: .login)
        }
        let password = configuration.password ?? ""
        if (user + password).utf8.contains(0) { return fail(.authFailed, "the credentials contain a NUL byte, which POP3 cannot carry") }
        if capaSucceeded, !has("USER"), !saslMechanisms.contains("PLAIN") {
            // Never send credentials the server said it will not take here (RFC 2449 6.2).
            return fail(.authFailed, "the server offers no login method on this connection (no USER, no SASL PLAIN)")
        }
        // Bytes, not Characters: "\r\n" is a single Character in Swift.
        let unsafeForLines = (user + password).utf8.contains { $0 == 0x0D || $0 == 0x0A }
        if saslMechanisms.contains("PLAIN"), unsafeForLines || !has("USER") {
            state = .authPlain
            return .send(Self.line("AUTH PLAIN " + SaslPlain.response(user: user, password: password)), phase: .login)
        }
        guard !unsafeForLines else { return fail(.authFailed, "the credentials contain line breaks and the server offers no SASL PLAIN") }
        state = .user
        return .send(Self.line("USER " + user), phase: .login)
    }

    private mutating func quit() -> SessionAction {
        state = .quit
        return .send(Self.line("QUIT"), phase: .logout)
    }
}
