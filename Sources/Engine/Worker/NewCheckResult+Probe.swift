import Foundation
import MailProbe
import Domain

extension NewCheckResult {
    init(probe: ProbeResult, checkedAt: Date, dueAt: Date?, hookVersion: String?, hookError: String?) {
        let encoder = JSONEncoder.mailmon()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let timings = (try? encoder.encode(probe.timings)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let details = (try? encoder.encode(probe)).map { String(decoding: $0, as: UTF8.self) }
        self.init(
            checkedAt: checkedAt, dueAt: dueAt, ok: probe.ok, category: probe.category?.rawValue, message: probe.message, timings: timings,
            messageCount: probe.messageCount, certificateNotAfter: probe.certificate?.notAfter, details: details,
            hookVersion: hookVersion, hookError: hookError)
        responseMilliseconds = probe.timings.total
    }
}

extension ProbeResult {
    /// A check that could not start: its config (or the port rule) is unusable.
    static func configurationFailure(_ request: CheckRequest, message: String, at date: Date) -> ProbeResult {
        .notStarted(
            .configuration, message: "configuration: \(message)", mailProtocol: request.mailProtocol, host: request.host,
            port: request.port ?? 0, security: request.security, at: date)
    }
}
