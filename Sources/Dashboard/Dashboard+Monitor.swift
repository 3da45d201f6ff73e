import API
import Domain
import Engine
import Foundation
import Hummingbird

struct CheckRow {
    let at: String
    let atISO: String
    let ok: Bool
    let result: String
    let category: String?
    let message: String?
    let response: String
    let hookVersion: String?
}

struct IncidentRow {
    let publicId: String
    let href: String
    let type: String
    let status: String
    let active: Bool
    let message: String?
    let monitorName: String
    let monitorHref: String
    let customer: String
    let started: String
    let startedISO: String
    let duration: String
    let acknowledged: String?
    let canAcknowledge: Bool
}

struct AlertRow {
    let type: String
    let status: String
    let failed: Bool
    let channel: String
    let at: String
    let error: String?
}

struct Fact {
    let name: String
    let value: String
}

/// The part of the monitor page that refreshes itself.
struct MonitorLive {
    let state: String
    let since: String
    let sinceISO: String
    let lastCheck: String
    let failure: String?
    let uptime: [Fact]
    let chart: String
    let checks: [CheckRow]
    let incidents: [IncidentRow]
    let noIncidents: Bool
    let alerts: [AlertRow]
    let noAlerts: Bool
    let certificate: [Fact]
    let hasCertificate: Bool
    /// What the last check found in the mailbox: messages, the newest message's date.
    let mailbox: [Fact]
    let hasMailbox: Bool
    let hookVersion: String
    let updatedAt: String
    /// The acknowledge forms' CSRF token (the live part is rendered on its own too).
    let csrfToken: String
}

struct MonitorView {
    let chrome: Chrome
    let publicId: String
    let name: String
    let customer: String
    let customerHref: String
    let target: String
    let settings: [Fact]
    let policyVersion: String
    let canChange: Bool
    let paused: Bool
    let notice: String?
    let liveURL: String
    let refreshSeconds: Int
    let live: MonitorLive
}

extension Dashboard {
    /// `GET /monitors/:id` and its live part; `POST …/check` (check now), `…/pause`, `…/resume`.
    func addMonitorPages(to router: Router<MailmonRequestContext>) {
        router.get("monitors/:publicId") { request, context in
            try await page(request) { me, _ in
                let publicId = try context.parameters.require("publicId")
                let (monitor, customer) = try await monitors.view(publicId, actor: me.principal)
                var notice: String?
                if request.uri.queryParameters["checked"] != nil, let latest = try await history.recentChecks(of: [monitor], limit: 1)[monitor.id]?.first {
                    let r = latest.result
                    notice = r.ok
                        ? "Checked now: passed in \(ViewFormat.milliseconds(ViewFormat.totalMilliseconds(r.timings)))."
                        : "Checked now: failed (\(r.category ?? "unknown")): \(r.message ?? "")"
                }
                let view = MonitorView(
                    chrome: me.chrome, publicId: monitor.publicId.lowercasedString, name: monitor.fields.name, customer: customer.name,
                    customerHref: "/?customer=\(customer.publicId.lowercasedString)",
                    target: "\(monitor.fields.hostname)\(monitor.fields.port.map { ":\($0)" } ?? "")", settings: Self.settings(monitor),
                    policyVersion: monitor.fields.policyVersion,
                    canChange: try await mayChange(me.principal, organizationId: monitor.organizationId, customerId: monitor.customerId),
                    paused: monitor.fields.status == .disabled, notice: notice, liveURL: "/monitors/\(monitor.publicId.lowercasedString)/live",
                    refreshSeconds: refreshSeconds, live: try await monitorLive(monitor, me))
                return pages.page("monitor", view)
            }
        }
        router.get("monitors/:publicId/live") { request, context in
            try await page(request) { me, _ in
                let (monitor, _) = try await monitors.view(try context.parameters.require("publicId"), actor: me.principal)
                return pages.page("monitor_live", try await monitorLive(monitor, me))
            }
        }
        router.post("monitors/:publicId/check") { request, context in
            try await page(request, form: true) { me, _ in
                let publicId = try context.parameters.require("publicId")
                _ = try await history.trigger(publicId, actor: me.principal)
                return PageRenderer.redirect("/monitors/\(publicId.lowercased())?checked=1")
            }
        }
        for (action, status) in [("pause", "disabled"), ("resume", "active")] {
            router.post(RouterPath("monitors/:publicId/\(action)")) { request, context in
                try await page(request, form: true) { me, _ in
                    let publicId = try context.parameters.require("publicId")
                    _ = try await monitors.update(publicId, JSONRequestBody(bytes: Array(#"{"status":"\#(status)"}"#.utf8)), actor: me.principal)
                    return PageRenderer.redirect("/monitors/\(publicId.lowercased())")
                }
            }
        }
    }

    func monitorLive(_ monitor: Monitor, _ me: SignedIn, now: Date = Date()) async throws -> MonitorLive {
        let checks = try await history.recentChecks(of: [monitor], limit: 50)[monitor.id] ?? []
        let dayQuery = try DetailsQuery(range: "day", date: nil, startDate: nil, endDate: nil, granularity: nil, now: now)
        let details = try await history.details(monitor.publicId.lowercasedString, query: dayQuery, actor: me.principal, now: now)
        let week = try await history.uptime(of: monitor, days: 7, now: now)
        // One point per 15 minutes of the day, empty where nothing was checked (the line breaks there).
        let bucketSeconds = 900.0
        var points = Array(repeating: ResponseChart.Point(milliseconds: nil, ok: true), count: Int(86_400 / bucketSeconds))
        for bucket in details.buckets {
            let index = Int(bucket.start.timeIntervalSince(details.query.from) / bucketSeconds)
            guard points.indices.contains(index) else { continue }
            points[index] = ResponseChart.Point(milliseconds: bucket.ok > 0 ? bucket.averageMs : nil, ok: bucket.ok > 0 || bucket.checks == 0)
        }
        let incidentRows = try await incidents.list(
            IncidentQuery(organizationId: monitor.organizationId, monitorId: monitor.id, page: 1, perPage: 20), actor: me.principal
        ).items
        let canAcknowledge = try await access.allows(
            .acknowledgeIncident, actor: me.principal, organizationId: monitor.organizationId, customerId: monitor.customerId)
        let latest = checks.first?.result
        var certificate: [Fact] = []
        // The probe's details (TLS, certificate, newest message), read once for both lists below.
        let probed = latest?.details.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        if let object = probed {
            if let tls = object["tlsVersion"] as? String { certificate.append(Fact(name: "TLS version", value: tls)) }
            if let cert = object["certificate"] as? [String: Any] {
                for (key, label) in [("subject", "subject"), ("issuer", "issuer"), ("notBefore", "valid from"), ("notAfter", "valid until")] {
                    if let value = cert[key] as? String { certificate.append(Fact(name: label, value: value)) }
                }
                if let days = ViewFormat.daysLeft(latest?.certificateNotAfter, now: now) {
                    certificate.append(Fact(name: "days left", value: String(days)))
                }
            }
        }
        var mailbox: [Fact] = []
        if let count = latest?.messageCount { mailbox.append(Fact(name: "messages", value: String(count))) }
        if let newest = probed?["newestMessageAt"] as? String, let date = Timestamp.parse(newest) {
            mailbox.append(Fact(name: "newest message", value: "\(ViewFormat.clock(date)) (\(ViewFormat.ago(date, now: now)))"))
        }
        let state = monitor.state
        return MonitorLive(
            state: state.rawValue, since: ViewFormat.ago(monitor.stateSince, now: now), sinceISO: ViewFormat.iso(monitor.stateSince),
            lastCheck: ViewFormat.ago(monitor.lastCheckedAt, now: now),
            failure: ViewFormat.failure(monitor),
            uptime: [
                Fact(name: "24 h", value: ViewFormat.percent(details.uptime.day)), Fact(name: "7 d", value: ViewFormat.percent(week)),
                Fact(name: "30 d", value: ViewFormat.percent(details.uptime.month)),
            ],
            chart: ResponseChart.wide(points, label: "average response time per 15 minutes over the last 24 hours"),
            checks: checks.map { record in
                let r = record.result
                return CheckRow(
                    at: ViewFormat.clock(r.checkedAt), atISO: ViewFormat.iso(r.checkedAt), ok: r.ok, result: r.ok ? "passed" : "failed",
                    category: r.category, message: r.message, response: ViewFormat.milliseconds(ViewFormat.totalMilliseconds(r.timings)),
                    hookVersion: r.hookVersion)
            },
            incidents: incidentRows.map { incidentRow($0, canAcknowledge: canAcknowledge, now: now) }, noIncidents: incidentRows.isEmpty,
            alerts: details.alerts.items.prefix(20).map {
                AlertRow(type: $0.type, status: $0.status, failed: $0.status != "sent", channel: $0.channelName, at: ViewFormat.clock($0.sentAt),
                         error: $0.errorMessage)
            },
            noAlerts: details.alerts.items.isEmpty, certificate: certificate, hasCertificate: !certificate.isEmpty, mailbox: mailbox,
            hasMailbox: !mailbox.isEmpty,
            hookVersion: latest?.hookVersion ?? "—", updatedAt: ViewFormat.clock(now), csrfToken: me.csrf)
    }

    func incidentRow(_ listing: IncidentListing, canAcknowledge: Bool, now: Date) -> IncidentRow {
        let i = listing.incident
        let publicId = i.publicId?.lowercasedString ?? ""
        return IncidentRow(
            publicId: publicId, href: "/incidents/\(publicId)", type: i.type, status: i.status.rawValue, active: i.status == .active,
            message: i.message, monitorName: listing.monitorName, monitorHref: "/monitors/\(listing.monitorPublicId.lowercasedString)",
            customer: listing.customerName, started: ViewFormat.clock(i.startedAt), startedISO: ViewFormat.iso(i.startedAt),
            duration: HistoryFormat.duration(seconds: max(0, (i.endedAt ?? now).timeIntervalSince(i.startedAt))),
            acknowledged: i.acknowledgedAt.map { "acknowledged by \(i.acknowledgedBy ?? "someone") at \(ViewFormat.clock($0))" },
            canAcknowledge: canAcknowledge && i.status == .active && i.acknowledgedAt == nil)
    }

    /// What the monitor is set to, passwords never (the config is shown masked, and only its non-secret keys).
    static func settings(_ monitor: Monitor) -> [Fact] {
        let f = monitor.fields
        var facts = [
            Fact(name: "status", value: f.status.rawValue), Fact(name: "every", value: "\(f.checkInterval) min"),
            Fact(name: "timeout", value: "\(f.timeoutSeconds) s"),
        ]
        if let config = try? JSONSerialization.jsonObject(with: Data(monitor.maskingSecrets().fields.config.utf8)) as? [String: Any] {
            for key in ["protocol", "user", "tls", "starttls", "mailbox"] {
                guard let value = config[key] else { continue }
                facts.append(Fact(name: key, value: "\(value is Bool ? ((value as? Bool) == true ? "yes" : "no") : "\(value)")"))
            }
            if let auth = config["auth"] as? [String: Any] {
                facts.append(Fact(name: "login", value: "OAuth2 \((auth["provider"] as? String) ?? "") \((auth["grant"] as? String) ?? "")"))
            }
        }
        if let email = f.notificationEmail { facts.append(Fact(name: "alerts to", value: email)) }
        return facts
    }
}
