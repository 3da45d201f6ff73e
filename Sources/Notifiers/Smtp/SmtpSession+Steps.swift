extension SmtpSession {
    /// The step in progress, for timeout and failure reports.
    public var step: String {
        switch state {
        case .greeting: "the greeting"
        case .ehlo: "EHLO"
        case .helo: "HELO"
        case .starttls: "STARTTLS"
        case .tlsPending: "the TLS handshake"
        case .authPlain, .authLogin: "AUTH"
        case .mailFrom: "MAIL FROM"
        case .rcptTo: "RCPT TO"
        case .data: "DATA"
        case .message: "the message transfer"
        case .quit, .finished, .failed: "QUIT"
        }
    }

    /// The input broke the protocol (a framing limit, a line that is not a reply).
    public mutating func inputViolation(_ text: String) -> SmtpAction {
        switch state {
        case .finished, .failed: .wait
        case .quit: finish()  // the message was accepted before this
        case .greeting: fail(.greeting, text)
        default: fail(.protocol, "\(text) (during \(step))")
        }
    }

    /// The server closed the connection.
    public mutating func connectionClosed() -> SmtpAction {
        switch state {
        case .finished, .failed: .wait
        case .quit: finish()
        case .greeting: fail(.greeting, "connection closed before the greeting")
        default: fail(kindForStep, "connection closed by the server during \(step)")
        }
    }

    /// The deadline passed. A relay that accepted the message and then keeps
    /// silent at QUIT has still delivered it.
    public mutating func deadlinePassed() -> SmtpAction {
        switch state {
        case .finished, .failed: .wait
        case .quit: finish()
        default: fail(.timeout, "no answer within \(Self.seconds(relay.timeoutSeconds)) during \(step)")
        }
    }

    private var kindForStep: SmtpError.Kind {
        switch state {
        case .greeting, .ehlo, .helo: .greeting
        case .tlsPending: .tls
        case .authPlain, .authLogin: .auth
        case .mailFrom: .sender
        case .rcptTo: .recipient
        case .data, .message: .data
        case .starttls, .quit, .finished, .failed: .protocol
        }
    }

    mutating func hello() -> SmtpAction {
        state = .ehlo
        return send("EHLO " + relay.heloName)
    }

    mutating func afterHello() -> SmtpAction {
        if relay.security == .starttls, !tlsDone {
            guard capabilities.startTLS else {
                return fail(.starttlsUnavailable, "the server does not offer STARTTLS")
            }
            state = .starttls
            return send("STARTTLS")
        }
        guard let credentials else { return mailFrom() }
        return authenticate(credentials)
    }

    private mutating func authenticate(_ credentials: SmtpCredentials) -> SmtpAction {
        if let problem = credentials.problem { return fail(.auth, problem) }
        guard capabilities.auth else {
            let hint = tlsDone ? "" : " on a plain connection (most servers offer it only over TLS)"
            return fail(.auth, "a username is set but the server does not offer AUTH\(hint)")
        }
        if capabilities.authMechanisms.contains("PLAIN") {
            state = .authPlain
            return send("AUTH PLAIN " + credentials.plainResponse)
        }
        if capabilities.authMechanisms.contains("LOGIN") {
            state = .authLogin(.started)
            return send("AUTH LOGIN")
        }
        let offered = capabilities.authMechanisms.joined(separator: " ")
        return fail(.auth, "the server offers neither AUTH PLAIN nor AUTH LOGIN (it offers: \(offered.isEmpty ? "none" : offered))")
    }

    mutating func mailFrom() -> SmtpAction {
        state = .mailFrom
        return send("MAIL FROM:<\(relay.from)>")
    }

    mutating func recipient(_ index: Int) -> SmtpAction {
        guard index < recipients.count else {
            state = .data
            return send("DATA")
        }
        state = .rcptTo(index)
        return send("RCPT TO:<\(recipients[index])>")
    }

    mutating func send(_ command: String) -> SmtpAction {
        .send(Array((command + "\r\n").utf8))
    }

    private mutating func finish() -> SmtpAction {
        state = .finished
        return .succeed
    }

    mutating func fail(_ kind: SmtpError.Kind, _ text: String) -> SmtpAction {
        state = .failed
        return .fail(SmtpError(kind, report(text)))
    }

    /// Server text for an error: trimmed, without any form of the password, bounded.
    private func report(_ text: String) -> String {
        var text = text.trimmingSpaceAndLineBreaks()
        if let credentials { text = credentials.redact(text) }
        let limit = limits.maxReportedTextBytes
        guard text.utf8.count > limit else { return text }
        return String(decoding: text.utf8.prefix(limit), as: UTF8.self) + "…"
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}

extension String {
    fileprivate func trimmingSpaceAndLineBreaks() -> String {
        let isTrimmed: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, isTrimmed(first) { scalars.removeFirst() }
        while let last = scalars.last, isTrimmed(last) { scalars.removeLast() }
        return String(scalars)
    }
}
