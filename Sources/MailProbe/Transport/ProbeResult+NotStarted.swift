public import Foundation

extension ProbeResult {
    /// A check that failed before any connection (say, an unusable configuration).
    public static func notStarted(
        _ category: ProbeFailureCategory, message: String, mailProtocol: MailProtocol, host: String, port: Int,
        security: SessionConfiguration.Security, at date: Date
    ) -> ProbeResult {
        ProbeResult(
            ok: false, category: category, message: message, mailProtocol: mailProtocol, host: host, port: port, security: security,
            startedAt: date, timings: PhaseTimings(), greeting: nil, capabilities: [], messageCount: nil, mailboxBytes: nil,
            tlsVersion: nil, certificate: nil)
    }
}
