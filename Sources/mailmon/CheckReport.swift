import Domain
import Engine
import MailProbe

/// The human form of a check result: one status line, then details.
enum CheckReport {
    static func text(_ result: ProbeResult) -> String {
        let target = "\(result.mailProtocol.rawValue) \(result.host):\(result.port) (\(result.security.rawValue))"
        var lines: [String] = []
        if result.ok {
            var status = "OK \(target) in \(format(result.timings.total)) ms"
            if let count = result.messageCount { status += ", \(count) message\(count == 1 ? "" : "s")" }
            if let bytes = result.mailboxBytes { status += ", \(bytes) bytes" }
            lines.append(status)
        } else {
            lines.append("FAILED \(result.category?.rawValue ?? "?") \(target): \(result.message ?? "")")
        }
        if let greeting = result.greeting { lines.append("  greeting      \(greeting)") }
        if !result.capabilities.isEmpty { lines.append("  capabilities  \(result.capabilities.joined(separator: " "))") }
        if let certificate = result.certificate {
            lines.append("  certificate   \(certificate.subject), issued by \(certificate.issuer)")
            lines.append("                expires \(Timestamp.format(certificate.notAfter)) (\(certificate.daysUntilExpiry) days)"
                + (result.tlsVersion.map { ", \($0)" } ?? ""))
        }
        let t = result.timings
        let phases: [(String, Double?)] = [
            ("connect", t.connect), ("tls", t.tls), ("greeting", t.greeting), ("capability", t.capability),
            ("login", t.login), ("mailbox", t.mailbox), ("logout", t.logout), ("total", t.total),
        ]
        lines.append("  timings (ms)  " + phases.compactMap { name, value in value.map { "\(name) \(format($0))" } }.joined(separator: "  "))
        return lines.joined(separator: "\n")
    }

    private static func format(_ milliseconds: Double) -> String {
        let rounded = (milliseconds * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
