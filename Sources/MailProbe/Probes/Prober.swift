/// One prober a protocol, behind one small interface.
public protocol Prober: Sendable {
    func check(_ target: ProbeTarget) async -> ProbeResult
}

/// IMAP4rev1: greeting, CAPABILITY, STARTTLS, LOGIN/AUTHENTICATE PLAIN, EXAMINE/SELECT, LOGOUT.
public struct ImapProbe: Prober {
    let transport: ProbeTransport
    public init(transport: ProbeTransport) { self.transport = transport }

    public func check(_ target: ProbeTarget) async -> ProbeResult {
        await transport.run(target, session: ImapSessionMachine(configuration: target.session), imapLiterals: true)
    }
}

/// POP3: greeting, CAPA, STLS, USER/PASS or AUTH PLAIN, STAT, QUIT.
public struct Pop3Probe: Prober {
    let transport: ProbeTransport
    public init(transport: ProbeTransport) { self.transport = transport }

    public func check(_ target: ProbeTarget) async -> ProbeResult {
        await transport.run(target, session: Pop3SessionMachine(configuration: target.session), imapLiterals: false)
    }
}

/// The probers by protocol.
public struct ProbeRegistry: Sendable {
    public let imap: ImapProbe
    public let pop3: Pop3Probe

    public init(transport: ProbeTransport) {
        imap = ImapProbe(transport: transport)
        pop3 = Pop3Probe(transport: transport)
    }

    public func prober(for mailProtocol: MailProtocol) -> any Prober {
        switch mailProtocol {
        case .imap: imap
        case .pop3: pop3
        }
    }

    public func check(_ target: ProbeTarget) async -> ProbeResult {
        await prober(for: target.mailProtocol).check(target)
    }
}
