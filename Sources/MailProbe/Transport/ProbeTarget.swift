/// The mail protocols mailmon checks.
public enum MailProtocol: String, Sendable, Hashable, Codable, CaseIterable {
    case imap, pop3
}

/// The oldest TLS version a check accepts (`tlsOptions.minVersion`, in Node's spelling).
public enum MinimumTLSVersion: String, Sendable, Hashable, Codable, CaseIterable {
    case tls1 = "TLSv1", tls11 = "TLSv1.1", tls12 = "TLSv1.2", tls13 = "TLSv1.3"
}

/// How a check's TLS differs from the default (the system's CAs, the hostname, any version the
/// library offers): a private CA, another name for SNI and verification, a minimum version.
public struct TLSPolicy: Sendable, Hashable {
    /// PEM certificates trusted instead of the system's CA store (a private CA).
    public var trustedCertificatesPEM: String?
    /// Sent as SNI and verified instead of the host (a server reached by IP or by an internal name).
    public var serverName: String?
    public var minimumVersion: MinimumTLSVersion?

    public init(trustedCertificatesPEM: String? = nil, serverName: String? = nil, minimumVersion: MinimumTLSVersion? = nil) {
        self.trustedCertificatesPEM = trustedCertificatesPEM
        self.serverName = serverName
        self.minimumVersion = minimumVersion
    }

    public var isDefault: Bool { trustedCertificatesPEM == nil && serverName == nil && minimumVersion == nil }
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
    public var tlsPolicy: TLSPolicy

    public init(
        mailProtocol: MailProtocol, host: String, port: Int, session: SessionConfiguration,
        verifyCertificate: Bool = true, timeout: Duration = .seconds(30), tlsPolicy: TLSPolicy = TLSPolicy()
    ) {
        self.tlsPolicy = tlsPolicy
        self.mailProtocol = mailProtocol
        self.host = host
        self.port = port
        self.session = session
        self.verifyCertificate = verifyCertificate
        self.timeout = timeout
    }
}
