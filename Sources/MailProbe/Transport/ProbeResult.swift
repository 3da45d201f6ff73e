public import Foundation

/// The outcome of one check, as the CLI, the worker, the API and the hooks see it.
/// It never contains the password.
public struct ProbeResult: Sendable, Hashable, Codable {
    public var ok: Bool
    /// nil when `ok`.
    public var category: ProbeFailureCategory?
    /// The server's own text for the failing step (trimmed, bounded), or what the transport saw.
    public var message: String?
    public var mailProtocol: MailProtocol
    public var host: String
    public var port: Int
    public var security: SessionConfiguration.Security
    public var startedAt: Date
    public var timings: PhaseTimings
    public var greeting: String?
    public var capabilities: [String]
    public var messageCount: Int?
    /// POP3 only: the maildrop size from STAT.
    public var mailboxBytes: Int?
    public var tlsVersion: String?
    /// The peer's leaf certificate, also when verification failed.
    public var certificate: CertificateInfo?
    /// When the newest message arrived (IMAP INTERNALDATE) or was dated (POP3 `Date:` header);
    /// read only when the check asks for it (`SessionConfiguration.readsNewestMessageDate`).
    public var newestMessageAt: Date? = nil

    enum CodingKeys: String, CodingKey {
        case ok, category, message, mailProtocol = "protocol", host, port, security, startedAt, timings, greeting,
            capabilities, messageCount, mailboxBytes, tlsVersion, certificate, newestMessageAt
    }
}

/// Milliseconds spent in each step; nil for steps the check never reached.
public struct PhaseTimings: Sendable, Hashable, Codable {
    public var connect: Double?
    public var tls: Double?
    public var greeting: Double?
    public var capability: Double?
    public var login: Double?
    public var mailbox: Double?
    public var logout: Double?
    public var total: Double

    public init(
        connect: Double? = nil, tls: Double? = nil, greeting: Double? = nil, capability: Double? = nil,
        login: Double? = nil, mailbox: Double? = nil, logout: Double? = nil, total: Double = 0
    ) {
        self.connect = connect
        self.tls = tls
        self.greeting = greeting
        self.capability = capability
        self.login = login
        self.mailbox = mailbox
        self.logout = logout
        self.total = total
    }
}

/// What a check reports of the server's certificate.
public struct CertificateInfo: Sendable, Hashable, Codable {
    public var subject: String
    public var issuer: String
    public var notBefore: Date
    public var notAfter: Date
    /// Whole days from the check to `notAfter`; negative once expired.
    public var daysUntilExpiry: Int

    public init(subject: String, issuer: String, notBefore: Date, notAfter: Date, checkedAt: Date) {
        self.subject = subject
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.daysUntilExpiry = Int((notAfter.timeIntervalSince(checkedAt) / 86_400).rounded(.down))
    }
}
