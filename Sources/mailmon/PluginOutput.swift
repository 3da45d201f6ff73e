import Foundation
import Domain
import MailProbe

/// `mailmon check` as a monitoring plugin (Monitoring Plugins Development Guidelines): one
/// status line with performance data, the exit code a Nagios-style host reads.
enum PluginStatus: Int32 {
    case ok = 0, warning = 1, critical = 2, unknown = 3

    var label: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }
}

/// Thresholds: a response time at or above `warning`/`critical` seconds, a certificate with
/// `certWarning`/`certCritical` days or fewer left.
struct PluginThresholds: Sendable {
    var warning: Double?
    var critical: Double?
    var certWarning: Int?
    var certCritical: Int?
}

enum PluginOutput {
    /// The status the result and thresholds give: a failed check is CRITICAL (one that could not
    /// start for its settings UNKNOWN), then the response time, then the certificate's days.
    static func status(_ result: ProbeResult, _ thresholds: PluginThresholds) -> PluginStatus {
        guard result.ok else { return result.category == .configuration ? .unknown : .critical }
        let seconds = result.timings.total / 1000
        var status = PluginStatus.ok
        if let critical = thresholds.critical, seconds >= critical { return .critical }
        if let warning = thresholds.warning, seconds >= warning { status = .warning }
        if let days = result.certificate?.daysUntilExpiry {
            if let critical = thresholds.certCritical, days <= critical { return .critical }
            if let warning = thresholds.certWarning, days <= warning { status = .warning }
        }
        return status
    }

    /// `IMAP OK - 127.0.0.1:993 (implicitTLS) in 0.012 s, 3 messages | time=0.012000s;1;2;0 …`
    static func statusLine(_ result: ProbeResult, _ thresholds: PluginThresholds) -> String {
        let status = status(result, thresholds)
        let service = result.mailProtocol.rawValue.uppercased()
        let target = "\(result.host):\(result.port) (\(result.security.rawValue))"
        var text: String
        if result.ok {
            text = "\(target) in \(seconds(result.timings.total)) s"
            if let count = result.messageCount { text += ", \(count) message\(count == 1 ? "" : "s")" }
            if let days = result.certificate?.daysUntilExpiry { text += ", certificate expires in \(days) days" }
        } else {
            text = "\(result.category?.rawValue ?? "failed") \(target): \(result.message ?? "")"
        }
        // '|' separates the performance data: keep it out of the text.
        text = text.replacingOccurrences(of: "|", with: "/")
        return "\(service) \(status.label) - \(text) | \(performanceData(result, thresholds))"
    }

    /// `label=value[UOM];[warn];[crit];[min];[max]`, space separated.
    static func performanceData(_ result: ProbeResult, _ thresholds: PluginThresholds) -> String {
        var items = ["time=\(seconds(result.timings.total))s;\(number(thresholds.warning));\(number(thresholds.critical));0"]
        let t = result.timings
        let phases: [(String, Double?)] = [
            ("connect", t.connect), ("tls", t.tls), ("greeting", t.greeting), ("login", t.login), ("mailbox", t.mailbox),
        ]
        for (name, value) in phases {
            if let value { items.append("\(name)=\(seconds(value))s;;;0") }
        }
        if let count = result.messageCount { items.append("messages=\(count);;;0") }
        if let days = result.certificate?.daysUntilExpiry {
            items.append("cert_days=\(days);\(thresholds.certWarning.map(String.init) ?? "");\(thresholds.certCritical.map(String.init) ?? "")")
        }
        return items.joined(separator: " ")
    }

    /// Milliseconds as seconds with six decimals.
    private static func seconds(_ milliseconds: Double) -> String {
        let micro = Int64((milliseconds * 1000).rounded())
        let whole = micro / 1_000_000
        let fraction = String(micro % 1_000_000)
        return "\(whole)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    private static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }
}
