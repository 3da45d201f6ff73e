public import Foundation
public import Domain

/// A monitor's history as the API shows it: incidents, alerts, the details page,
/// and checks triggered by hand. Reads need read access; triggering needs write access.
public struct MonitorHistoryService: Sendable {
    public struct Details: Sendable {
        public var monitor: Monitor
        public var customer: Customer
        public var latest: CheckRecord?
        /// Percent ok over the last day, 30 days and 365 days (nil without checks).
        public var uptime: (day: Double?, month: Double?, year: Double?)
        public var query: DetailsQuery
        public var raw: [CheckRecord]
        public var buckets: [ResponseBucket]
        public var incidents: [Incident]
        public var alerts: Page<AlertAttempt>
    }

    let monitors: MonitorService
    let history: any CheckHistoryRepository
    let statistics: any CheckStatisticsRepository
    let alerts: any AlertRepository
    let executor: CheckExecutor
    let rateLimit: TriggerRateLimit

    public init(
        monitors: MonitorService, history: any CheckHistoryRepository, statistics: any CheckStatisticsRepository,
        alerts: any AlertRepository, executor: CheckExecutor, rateLimit: TriggerRateLimit = TriggerRateLimit()
    ) {
        self.monitors = monitors
        self.history = history
        self.statistics = statistics
        self.alerts = alerts
        self.executor = executor
        self.rateLimit = rateLimit
    }

    public func incidents(_ publicId: String, actor: Principal) async throws -> Page<Incident> {
        let (monitor, _) = try await monitors.get(publicId, actor: actor)
        return try await history.incidents(monitorId: monitor.id, limit: 100)
    }

    public func alertHistory(_ publicId: String, actor: Principal) async throws -> Page<AlertAttempt> {
        let (monitor, _) = try await monitors.get(publicId, actor: actor)
        return try await alerts.alerts(monitorId: monitor.id, limit: 100)
    }

    public func details(_ publicId: String, query: DetailsQuery, actor: Principal, now: Date = Date()) async throws -> Details {
        let (monitor, customer) = try await monitors.view(publicId, actor: actor)
        func percent(_ days: Double) async throws -> Double? { try await uptime(of: monitor, days: days, now: now) }
        let raw = query.raw ? try await history.results(monitorId: monitor.id, from: query.from, to: query.to) : []
        let buckets =
            query.raw
            ? [] : try await statistics.responseBuckets(monitorId: monitor.id, from: query.from, to: query.to, seconds: query.range.bucketSeconds)
        return Details(
            monitor: monitor, customer: customer, latest: try await history.recentResults(monitorId: monitor.id, limit: 1).first,
            uptime: (try await percent(1), try await percent(30), try await percent(365)), query: query, raw: raw, buckets: buckets,
            incidents: try await history.incidents(monitorId: monitor.id, overlapping: query.from, query.to),
            alerts: try await alerts.alerts(monitorId: monitor.id, limit: 100))
    }

    /// The latest checks of each monitor, newest first (the dashboard's sparklines): only for monitors
    /// the caller has already read through `MonitorService` as `actor`.
    public func recentChecks(of monitors: [Monitor], limit: Int) async throws -> [Int64: [CheckRecord]] {
        var checks: [Int64: [CheckRecord]] = [:]
        for monitor in monitors { checks[monitor.id] = try await history.recentResults(monitorId: monitor.id, limit: limit) }
        return checks
    }

    /// Percent of ok checks of a monitor the caller has read, over the last `days` (nil without checks).
    public func uptime(of monitor: Monitor, days: Double, now: Date = Date()) async throws -> Double? {
        let counts = try await statistics.uptime(monitorId: monitor.id, since: now.addingTimeInterval(-days * 86_400))
        guard counts.checks > 0 else { return nil }
        return (Double(counts.ok) * 10_000 / Double(counts.checks)).rounded() / 100
    }

    /// Runs the monitor's check now, stores it like a scheduled one (hook, incidents,
    /// alerts) and returns it; 429 when the monitor was triggered moments ago.
    public func trigger(_ publicId: String, actor: Principal, now: Date = Date()) async throws -> RecordedCheck {
        let (monitor, customer) = try await monitors.get(publicId, actor: actor)
        try await monitors.access.require(.triggerCheck, actor: actor, organizationId: monitor.organizationId, customerId: monitor.customerId)
        if let wait = rateLimit.admit(monitor.id, now: now) {
            throw DomainError.rateLimited("Too Many Requests: this monitor was checked moments ago; retry in \(wait) s")
        }
        guard let recorded = try await executor.runNow(monitor, failureThreshold: customer.alertLocationThresholdCount) else {
            throw DomainError.notFound("Monitor not found")
        }
        return recorded
    }
}
