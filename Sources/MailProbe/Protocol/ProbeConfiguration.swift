public import Foundation
/// What a session does, independent of the transport.
public struct SessionConfiguration: Sendable, Hashable {
    public enum Security: String, Sendable, Hashable, Codable {
        /// TLS from the first byte (IMAPS 993, POP3S 995).
        case implicitTLS = "tls"
        /// Plain, upgraded with STARTTLS/STLS; fails as `starttls_unavailable` if not offered.
        case startTLS = "starttls"
        case plain
    }

    public var security: Security
    /// Without a user the check stops after greeting and capabilities (a reachability check).
    public var user: String?
    public var password: String?
    /// An OAuth2 access token: the session logs in with XOAUTH2 or OAUTHBEARER instead of the password.
    public var accessToken: String?
    /// The SASL mechanism for the token; nil: XOAUTH2 when offered, else OAUTHBEARER.
    public var oauthMechanism: OAuthMechanism?
    /// IMAP only: the mailbox to open.
    public var mailbox: String
    /// IMAP only: EXAMINE (read-only, leaves \Recent alone) instead of SELECT.
    public var readOnly: Bool
    public var limits: ProtocolLimits
    /// Read when the newest message arrived: IMAP `FETCH <last> (INTERNALDATE)` after EXAMINE,
    /// POP3 the `Date:` header of `TOP <last> 0` after STAT (one more round trip; only when asked).
    public var readsNewestMessageDate: Bool

    public init(
        security: Security, user: String? = nil, password: String? = nil, accessToken: String? = nil, oauthMechanism: OAuthMechanism? = nil,
        mailbox: String = "INBOX", readOnly: Bool = true, limits: ProtocolLimits = ProtocolLimits(), readsNewestMessageDate: Bool = false
    ) {
        self.readsNewestMessageDate = readsNewestMessageDate
        self.accessToken = accessToken
        self.oauthMechanism = oauthMechanism
        self.security = security
        self.user = user
        self.password = password
        self.mailbox = mailbox
        self.readOnly = readOnly
        self.limits = limits
    }
}

/// The steps of a check, for per-phase timings.
public enum ProbePhase: String, Sendable, Hashable, Codable {
    case greeting, capability, startTLS = "starttls", login, mailbox, logout
}

/// What a session machine asks its driver to do next.
public enum SessionAction: Sendable, Hashable {
    /// Write these bytes; `phase` starts now if it differs from the current one.
    case send([UInt8], phase: ProbePhase)
    /// Add the TLS handler now, in the same read, and discard what the framer still
    /// holds (`LineFramer.discardBuffered()`); if it held anything, fail as `protocol`.
    /// Call `tlsEstablished()` after the handshake.
    case startTLS
    /// Wait for more input.
    case wait
    case succeed(SessionOutcome)
    case fail(ProbeFailure)
}

/// What a finished session learned.
public struct SessionOutcome: Sendable, Hashable {
    public var greeting: String
    public var capabilities: [String]
    public var messageCount: Int?
    /// POP3 only: the maildrop's size in octets (STAT).
    public var mailboxBytes: Int?
    public var authenticated: Bool
    /// When the newest message arrived (IMAP INTERNALDATE) or was sent (POP3 Date header), when asked and readable.
    public var newestMessageAt: Date? = nil
}

extension SessionConfiguration {
    /// Server text for a result: trimmed, bounded, and never containing the password
    /// in any form the probe sent it (plain, quoted, SASL PLAIN base64).
    public func report(_ text: String) -> String {
        var text = text.trimmingASCIIWhitespace()
        if let accessToken, !accessToken.isEmpty {
            var forms = [accessToken]
            if let user { forms += OAuthMechanism.allCases.map { $0.response(user: user, token: accessToken) } }
            for form in forms.sorted(by: { $0.utf8.count > $1.utf8.count }) { text = text.replacingAll(form, with: "***") }
        }
        if let password, !password.isEmpty {
            var forms = [password, String(decoding: ImapString.quoted(password), as: UTF8.self)]
            if let user { forms.append(SaslPlain.response(user: user, password: password)) }
            for form in forms.sorted(by: { $0.utf8.count > $1.utf8.count }) { text = text.replacingAll(form, with: "***") }
        }
        if text.utf8.count > limits.maxReportedTextBytes {
            text = String(decoding: text.utf8.prefix(limits.maxReportedTextBytes), as: UTF8.self) + "…"
        }
        return text
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        // Nothing to trim (the usual case) when neither end is a space, tab, CR or LF byte.
        let isSpaceByte: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = utf8.first, let last = utf8.last, isSpaceByte(first) || isSpaceByte(last) else { return self }
        // Scalars, not Character equality: "\r\n" is one Character.
        let isSpace: (Character) -> Bool = { $0.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" } }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    /// Replaces every occurrence of `target`, compared as UTF-8 bytes (so combining
    /// marks next to it cannot hide it).
    func replacingAll(_ target: String, with replacement: String) -> String {
        let needle = Array(target.utf8)
        let haystack = Array(utf8)
        guard !needle.isEmpty, haystack.count >= needle.count,
            haystack.indices.dropLast(needle.count - 1).contains(where: { haystack[$0..<$0 + needle.count].elementsEqual(needle) })
        else { return self }
        var out: [UInt8] = []
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count, haystack[index..<index + needle.count].elementsEqual(needle) {
                out += Array(replacement.utf8)
                index += needle.count
            } else {
                out.append(haystack[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SessionConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "SessionConfiguration(security: \(security), user: \(user ?? "nil"), password: \(password == nil ? "nil" : "***"), accessToken: \(accessToken == nil ? "nil" : "***"), mailbox: \(mailbox))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["security": security, "user": user as Any, "password": "***", "accessToken": "***", "mailbox": mailbox, "readOnly": readOnly])
    }
}
