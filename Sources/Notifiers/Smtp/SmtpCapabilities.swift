/// What a server's EHLO reply advertises (RFC 5321, 4.1.1.1): one keyword per
/// line after the first, with parameters. HELO advertises nothing.
struct SmtpCapabilities: Sendable, Hashable {
    var keywords: Set<String> = []
    /// Upper-cased SASL mechanisms from `AUTH PLAIN LOGIN` (and the old `AUTH=PLAIN LOGIN`).
    var authMechanisms: [String] = []

    static let none = SmtpCapabilities()

    init() {}

    /// From an EHLO reply: its first line is the greeting, not a capability.
    init(ehlo reply: SmtpReply) {
        for line in reply.lines.dropFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" }).map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            keywords.insert(keyword)
            if keyword == "AUTH" {
                for mechanism in words.dropFirst() where !authMechanisms.contains(mechanism) { authMechanisms.append(mechanism) }
            }
        }
    }

    var startTLS: Bool { keywords.contains("STARTTLS") }
    var auth: Bool { keywords.contains("AUTH") }
}
