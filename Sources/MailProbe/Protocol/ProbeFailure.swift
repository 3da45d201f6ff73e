/// Why a check failed, as the API, the hooks and the operator see it.
public enum ProbeFailureCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case dns
    case connectRefused = "connect_refused"
    case connectTimeout = "connect_timeout"
    case tlsHandshake = "tls_handshake"
    case certificateInvalid = "certificate_invalid"
    case certificateExpired = "certificate_expired"
    /// The server offers no TLS version at or above the monitor's `tlsOptions.minVersion`.
    case tlsPolicy = "tls_policy"
    case greeting
    case starttlsUnavailable = "starttls_unavailable"
    case authFailed = "auth_failed"
    /// The server refused the OAuth2 access token (its SASL error challenge, such as status 401).
    case oauthRejected = "oauth_rejected"
    /// No access token could be had: the token endpoint refused, failed or did not answer in time.
    case oauthToken = "oauth_token"
    case mailbox
    case `protocol`
    case timeout
    /// The check could not start: the monitor's stored settings are unusable (recorded, never retried silently).
    case configuration
}

/// A classified failure with the server's own text for the failing step (never a password).
public struct ProbeFailure: Error, Sendable, Hashable {
    public var category: ProbeFailureCategory
    public var message: String

    public init(_ category: ProbeFailureCategory, _ message: String) {
        self.category = category
        self.message = message
    }
}
