/// The mail protocols mailmon checks.
public enum MailProtocol: String, Sendable, Hashable, Codable, CaseIterable {
    case imap, pop3
}

/// One check: where, how and how long. The port is already resolved (the
/// default-port rule lives in Lua, not here).
public struct ProbeTarget: Sendable, Hashable {
    public var mailProtocol: MailProtocol
    public var host: String
    public var port: Int
    public var session: SessionConfiguration
    /// `tlsOptions.rejectUnauthorized`: verify the chain and the hostname (IMAP and POP3 alike).
    public var verifyCertificate: Bool
    /// Bounds the whole check, connect included.
    public var timeout: Duration

    public init(
        mailProtocol: MailProtocol, host: String, port: Int, session: SessionConfiguration,
        verifyCertificate: Bool = true, timeout: Duration = .seconds(30)
    ) {
        self.mailProtocol = mailProtocol
        self.host = host
        self.port = port
        self.session = session
        self.verifyCertificate = verifyCertificate
        self.timeout = timeout
    }
}
