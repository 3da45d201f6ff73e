public import Domain
public import Foundation

/// A customer's public status page, as it is shown to anyone with its address: monitors by name,
/// their state, 90 days of daily uptime, and what is open now. Never a user or password; hostnames
/// only when the customer's setting says so; no raw failure messages (they may name hosts or users).
public struct StatusPage: Sendable {
    public struct Day: Sendable, Hashable {
        public var start: Date
        public var checks: Int
        public var ok: Int
    }

    public struct Entry: Sendable {
        public var name: String
        public var hostname: String?
        public var state: MonitorState
        /// 90 days, oldest first, today last.
        public var days: [Day]
    }

    public struct OpenIncident: Sendable {
        public var monitorName: String
        public var type: String
        /// What the page says about it (by type: "The server could not be reached", …).
        public var publicMessage: String
        public var startedAt: Date
    }

    /// `operational`, `warning` (only warnings open), `degraded` (anything else open), `maintenance`.
    public var overall: String
    public var customerName: String
    public var monitors: [Entry]
    public var incidents: [OpenIncident]
    public var generatedAt: Date
    /// Changes whenever what the page shows may have: a check recorded (by any worker), a monitor or
    /// the customer changed, a new day. Equal fingerprints: the page is the same.
    public var fingerprint: String
}

/// Builds status pages and keeps them until the worker's results change them: every request costs
/// two point reads (the customer by slug, its monitors); the 89 finished days of each monitor are
/// computed once a day, today's bucket and the open incidents when a check was recorded.
public actor StatusPageService {
    public static let days = 90

    let customers: any CustomerRepository
    let monitors: any MonitorRepository
    let statistics: any CheckStatisticsRepository
    let incidents: any IncidentRepository
    private var pages: [String: StatusPage] = [:]
    /// Per monitor: the day (UTC, as days since 1970) the finished days were computed on, and those days.
    private var finishedDays: [Int64: (day: Int, days: [StatusPage.Day])] = [:]

    public init(
        customers: any CustomerRepository, monitors: any MonitorRepository, statistics: any CheckStatisticsRepository,
        incidents: any IncidentRepository
    ) {
        self.customers = customers
        self.monitors = monitors
        self.statistics = statistics
        self.incidents = incidents
    }

    /// The page at `slug`, nil when no customer has one there.
    public func page(slug: String, now: Date = Date()) async throws -> StatusPage? {
        guard let customer = try await customers.customer(statusPageSlug: slug), let setting = customer.statusPage else { return nil }
        var listed: [Monitor] = []
        var page = 1
        while true {
            let found = try await monitors.monitors(
                MonitorQuery(organizationId: customer.organizationId, customerId: customer.id, search: nil, page: page, perPage: 1000))
            listed += found.items.map(\.0)
            if listed.count >= found.total || found.items.isEmpty { break }
            page += 1
        }
        let today = Int(floor(now.timeIntervalSince1970 / 86_400))
        var fingerprint = "\(customer.id):\(customer.updatedAt.timeIntervalSince1970):\(setting.showHostnames):\(today)"
        for monitor in listed {
            // The state too: a late result can change the state without moving lastCheckedAt.
            fingerprint += "|\(monitor.id):\(monitor.updatedAt.timeIntervalSince1970):\(monitor.lastCheckedAt?.timeIntervalSince1970 ?? 0)"
                + ":\(monitor.state.rawValue):\(monitor.stateSince.timeIntervalSince1970)"
        }
        if let cached = pages[slug], cached.fingerprint == fingerprint { return cached }

        let todayStart = Date(timeIntervalSince1970: Double(today) * 86_400)
        var entries: [StatusPage.Entry] = []
        for monitor in listed.sorted(by: { $0.fields.name.localizedStandardCompare($1.fields.name) == .orderedAscending }) {
            var finished: [StatusPage.Day]
            if let known = finishedDays[monitor.id], known.day == today {
                finished = known.days
            } else {
                let from = todayStart.addingTimeInterval(-Double(Self.days - 1) * 86_400)
                let buckets = try await statistics.responseBuckets(monitorId: monitor.id, from: from, to: todayStart, seconds: 86_400)
                finished = Self.days(buckets, from: from, count: Self.days - 1)
                finishedDays[monitor.id] = (today, finished)
            }
            let todayBuckets = try await statistics.responseBuckets(
                monitorId: monitor.id, from: todayStart, to: todayStart.addingTimeInterval(86_400), seconds: 86_400)
            let days = finished + Self.days(todayBuckets, from: todayStart, count: 1)
            entries.append(
                StatusPage.Entry(
                    name: monitor.fields.name, hostname: setting.showHostnames ? monitor.fields.hostname : nil, state: monitor.state, days: days))
        }
        if finishedDays.count > 200_000 { finishedDays = [:] }
        let open = try await incidents.incidents(
            IncidentQuery(organizationId: customer.organizationId, customerId: customer.id, status: .active, page: 1, perPage: 200))
        let openIncidents = open.items.map {
            StatusPage.OpenIncident(
                monitorName: $0.monitorName, type: $0.incident.type, publicMessage: Self.publicMessage($0.incident.type),
                startedAt: $0.incident.startedAt)
        }
        let overall: String
        if openIncidents.isEmpty {
            overall = listed.contains { $0.state == .maintenance } ? "maintenance" : "operational"
        } else if openIncidents.allSatisfy({ CheckState.warningIncidentTypes.contains($0.type) }) {
            overall = "warning"
        } else {
            overall = "degraded"
        }
        let built = StatusPage(
            overall: overall, customerName: customer.name, monitors: entries, incidents: openIncidents, generatedAt: now, fingerprint: fingerprint)
        if pages.count > 1_000 { pages = [:] }
        pages[slug] = built
        return built
    }

    /// `count` days from `from`, each with its bucket's counts (none: no checks that day).
    static func days(_ buckets: [ResponseBucket], from: Date, count: Int) -> [StatusPage.Day] {
        var days = (0..<count).map { StatusPage.Day(start: from.addingTimeInterval(Double($0) * 86_400), checks: 0, ok: 0) }
        for bucket in buckets {
            let index = Int((bucket.start.timeIntervalSince(from) / 86_400).rounded(.down))
            guard days.indices.contains(index) else { continue }
            days[index].checks += bucket.checks
            days[index].ok += bucket.ok
        }
        return days
    }

    /// What a status page says about an incident of a type: nothing that names a host or a user.
    public static func publicMessage(_ type: String) -> String {
        switch type {
        case "dns", "connect_refused", "connect_timeout": "The mail server could not be reached."
        case "timeout": "The mail server did not answer in time."
        case "auth_failed", "oauth_rejected", "oauth_token": "Logging in to the mailbox failed."
        case "tls_handshake", "certificate_invalid", "certificate_expired", "starttls_unavailable", "tls_policy":
            "The secure connection to the mail server failed."
        case "greeting", "protocol", "mailbox": "The mail server answered unexpectedly."
        case "certificate_expiring": "The mail server's certificate expires soon."
        case "slow_response": "The mail server answers slowly."
        case "message_count": "The mailbox holds more or fewer messages than expected."
        case "message_age": "No new message arrived in the expected time."
        case "flapping": "The mailbox is unstable: checks alternate between passing and failing."
        default: "A problem with the mailbox is being looked at."
        }
    }
}
