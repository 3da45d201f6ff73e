import Foundation
import MailProbe
import Domain

/// The rule that decides when the post-check hook fails (and that the shipped hook
/// implements in Lua): open after `failureThreshold` consecutive failures, resolve
/// on the first success, a certificate expiring soon is its own incident, alerts
/// to the monitor's e-mail and phone and the configured webhooks.
public enum DefaultIncidentRule {
    public static let certificateExpiring = "certificate_expiring"

    public static func decide(_ input: HookInput) -> HookDecision {
        var decision = HookDecision()
        let down = input.openIncidents.filter { $0.type != certificateExpiring }
        let certificate = input.openIncidents.first { $0.type == certificateExpiring }
        let monitor = input.monitor.fields
        if input.result.ok {
            decision.resolve = down.map(\.id)
            for incident in down {
                decision.alerts += alerts(
                    input, subject: "[mailmon] RESOLVED: \(monitor.name) (\(monitor.hostname))",
                    text: "\(monitor.name) is reachable again; the \(incident.type) incident started at \(Timestamp.format(incident.startedAt)).",
                    incident: .existing(incident.id))
            }
        } else if down.isEmpty {
            let failures = 1 + input.history.prefix { !$0.result.ok }.count
            if failures >= input.failureThreshold {
                let type = input.result.category?.rawValue ?? "unknown"
                decision.open.append(.init(type: type, message: input.result.message))
                decision.alerts += alerts(
                    input, subject: "[mailmon] DOWN: \(monitor.name) (\(monitor.hostname)): \(type)",
                    text: "\(monitor.name) failed \(failures) check(s) in a row: \(type)\(input.result.message.map { ": \($0)" } ?? "").",
                    incident: .opened(type: type))
            }
        }
        if let info = input.result.certificate {
            if info.daysUntilExpiry <= input.certificateWarningDays, certificate == nil {
                decision.open.append(.init(type: certificateExpiring, message: "certificate expires \(Timestamp.format(info.notAfter))"))
                decision.alerts += alerts(
                    input, subject: "[mailmon] CERTIFICATE: \(monitor.hostname) expires in \(info.daysUntilExpiry) day(s)",
                    text: "The certificate of \(monitor.hostname) (\(info.subject)) expires \(Timestamp.format(info.notAfter)).",
                    incident: .opened(type: certificateExpiring), sms: false)
            } else if info.daysUntilExpiry > input.certificateWarningDays, let certificate {
                decision.resolve.append(certificate.id)
            }
        }
        return decision
    }

    static func alerts(
        _ input: HookInput, subject: String, text: String, incident: CheckOutcome.IncidentReference, sms: Bool = true
    ) -> [HookDecision.Alert] {
        var alerts: [HookDecision.Alert] = []
        if let email = input.monitor.fields.notificationEmail {
            alerts.append(.init(channel: .email, to: email, subject: subject, text: text, incident: incident))
        }
        if sms, let phone = input.monitor.fields.notificationPhoneNumber {
            alerts.append(.init(channel: .sms, to: phone, subject: subject, text: subject, incident: incident))
        }
        for channel in input.channels {
            alerts.append(.init(channel: channel.type, to: channel.url, name: channel.name, subject: subject, text: text, incident: incident))
        }
        return alerts
    }
}
