/// How the connection to the relay is secured.
public enum SmtpSecurity: String, Sendable, Hashable, Codable, CaseIterable {
    /// No TLS at all (a relay on localhost or a trusted network).
    case plain
    /// Plain, then upgraded with STARTTLS; fails as `starttls_unavailable` if not offered (submission, 587).
    case starttls
    /// TLS from the first byte (submissions, 465).
    case tls
}

/// The relay that alert e-mails go through, as the operator configures it.
/// Decoding fills the defaults for missing keys; `description` never shows the password.
public struct SmtpRelay: Sendable, Hashable, Codable {
    public var host: String
    public var port: Int
    public var security: SmtpSecurity
    /// AUTH (PLAIN, else LOGIN) when set; the relay must advertise AUTH.
    public var username: String?
    public var password: String?
    /// Envelope sender (MAIL FROM) and the From header: a bare address.
    public var from: String
    /// The name sent with EHLO/HELO and used on the right of Message-IDs.
    public var heloName: String
    /// Bounds the whole send, connect to QUIT.
    public var timeoutSeconds: Double
    /// Verify the certificate chain and the hostname.
    public var rejectUnauthorized: Bool
    /// A PEM bundle trusted beside the system CA store (a private CA).
    public var caFile: String?

    public init(
        host: String, port: Int, security: SmtpSecurity = .starttls, username: String? = nil, password: String? = nil,
        from: String, heloName: String = "mailmon", timeoutSeconds: Double = 30, rejectUnauthorized: Bool = true,
        caFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
        self.heloName = heloName
        self.timeoutSeconds = timeoutSeconds
        self.rejectUnauthorized = rejectUnauthorized
        self.caFile = caFile
    }

    enum CodingKeys: String, CodingKey {
        case host, port, security, username, password, from, heloName, timeoutSeconds, rejectUnauthorized, caFile
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try container.decode(String.self, forKey: .host),
            port: try container.decode(Int.self, forKey: .port),
            security: try container.decodeIfPresent(SmtpSecurity.self, forKey: .security) ?? .starttls,
            username: try container.decodeIfPresent(String.self, forKey: .username),
            password: try container.decodeIfPresent(String.self, forKey: .password),
            from: try container.decode(String.self, forKey: .from),
            heloName: try container.decodeIfPresent(String.self, forKey: .heloName) ?? "mailmon",
            timeoutSeconds: try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 30,
            rejectUnauthorized: try container.decodeIfPresent(Bool.self, forKey: .rejectUnauthorized) ?? true,
            caFile: try container.decodeIfPresent(String.self, forKey: .caFile))
    }
}

extension SmtpRelay: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "SmtpRelay(\(host):\(port) \(security.rawValue), username: \(username ?? "nil"), password: \(password == nil ? "nil" : "***"), from: \(from))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "security": security, "username": username as Any, "password": "***", "from": from])
    }
}
