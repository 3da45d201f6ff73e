/// Why an alert e-mail was not sent, with the server's own text for the failing step
/// (trimmed, bounded, never the password or the encoded credentials).
public struct SmtpError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The relay settings are unusable (a line break in `from`, an unreadable `caFile`).
        case configuration
        /// The message cannot be sent as given (no recipients, header injection).
        case invalidMessage = "invalid_message"
        case connect
        case tls
        /// The greeting, or EHLO and HELO, were refused.
        case greeting
        case starttlsUnavailable = "starttls_unavailable"
        case auth
        /// MAIL FROM refused.
        case sender
        /// RCPT TO refused.
        case recipient
        /// DATA or the message itself refused.
        case data
        case timeout
        case `protocol`
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "smtp \(kind.rawValue): \(message)" }
}
