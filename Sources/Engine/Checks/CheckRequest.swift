public import MailProbe

/// One check as the CLI, the hooks (`mailmon.check.imap{…}`) and the worker ask for it,
/// in the monitor config's vocabulary. `port` nil means the Lua `default_port` rule.
public struct CheckRequest: Sendable, Hashable, Codable {
    public var mailProtocol: MailProtocol
    public var host: String
    public var port: Int?
    /// Implicit TLS (IMAPS/POP3S).
    public var tls: Bool
    /// Upgrade a plain connection with STARTTLS/STLS (only with `tls` false).
    public var starttls: Bool
    public var user: String?
    public var password: String?
    public var mailbox: String?
    public var rejectUnauthorized: Bool
    public var timeoutSeconds: Double
    /// An OAuth2 access token: the check logs in with it (XOAUTH2 or OAUTHBEARER) instead of a password.
    public var accessToken: String?
    public var oauthMechanism: OAuthMechanism?
    /// `tlsOptions.ca`: PEM certificates trusted instead of the system's CAs (a private CA).
    public var ca: String?
    /// `tlsOptions.servername`: the name sent as SNI and verified, instead of `host`.
    public var servername: String?
    /// `tlsOptions.minVersion`: a server offering only older versions fails as `tls_policy`.
    public var minVersion: MinimumTLSVersion?
    /// Read when the newest message arrived (`newestMessageAt` in the result): asked for by
    /// `newestMessageDate = true`, or by a monitor config with `newestMessageMaxAgeMinutes`.
    public var newestMessageDate: Bool = false

    public init(
        mailProtocol: MailProtocol, host: String, port: Int? = nil, tls: Bool = false, starttls: Bool = false,
        user: String? = nil, password: String? = nil, mailbox: String? = nil, rejectUnauthorized: Bool = true,
        timeoutSeconds: Double = 30, accessToken: String? = nil, oauthMechanism: OAuthMechanism? = nil
    ) {
        self.accessToken = accessToken
        self.oauthMechanism = oauthMechanism
        self.mailProtocol = mailProtocol
        self.host = host
        self.port = port
        self.tls = tls
        self.starttls = starttls
        self.user = user
        self.password = password
        self.mailbox = mailbox
        self.rejectUnauthorized = rejectUnauthorized
        self.timeoutSeconds = timeoutSeconds
    }

    enum CodingKeys: String, CodingKey {
        case mailProtocol = "protocol", host, port, tls, starttls, user, password, mailbox, rejectUnauthorized, timeoutSeconds, accessToken,
            oauthMechanism, ca, servername, minVersion, newestMessageDate
    }

    public var security: SessionConfiguration.Security {
        tls ? .implicitTLS : starttls ? .startTLS : .plain
    }

    /// The probe's target once the port is known.
    public func target(port: Int) -> ProbeTarget {
        ProbeTarget(
            mailProtocol: mailProtocol, host: host, port: port,
            session: SessionConfiguration(
                security: security, user: user, password: password, accessToken: accessToken, oauthMechanism: oauthMechanism,
                mailbox: mailbox ?? "INBOX", readsNewestMessageDate: newestMessageDate),
            verifyCertificate: rejectUnauthorized, timeout: .milliseconds(Int64((timeoutSeconds * 1000).rounded())),
            tlsPolicy: TLSPolicy(trustedCertificatesPEM: ca, serverName: servername, minimumVersion: minVersion))
    }
}

extension CheckRequest: CustomStringConvertible {
    public var description: String {
        "\(mailProtocol) \(host):\(port.map(String.init) ?? "default") \(security) user=\(user ?? "-")"
    }
}
