public import CoreMetrics
import Foundation
import Synchronization
public import LuaHost
import MailProbe
public import Domain

/// What the worker, the alert dispatcher and the script library count, through swift-metrics
/// and the factory passed in (Prometheus in `mailmon`, nothing by default). The names and labels
/// are listed in docs/operations.md; every label has a bounded set of values (no addresses,
/// no mailbox names).
public struct MailmonMetrics: Sendable {
    let factory: any MetricsFactory
    /// Every handle made once per label and dimensions: the worker records each check and every
    /// API request calls a policy, and looking a series up in the registry each time cost more
    /// than recording into it.
    private let handles = Handles()

    private final class Handles: Sendable {
        struct Key: Hashable {
            var label: String
            var dimensions: [String]
        }
        let counters = Mutex<[Key: Counter]>([:])
        let timers = Mutex<[Key: CoreMetrics.Timer]>([:])
        let gauges = Mutex<[Key: Gauge]>([:])
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> Handles.Key {
        Handles.Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
    }

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
        let key = Self.key(label, dimensions)
        if let known = handles.counters.withLock({ $0[key] }) { return known }
        let made = Counter(label: label, dimensions: dimensions, factory: factory)
        handles.counters.withLock { $0[key] = made }
        return made
    }

    func timer(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Timer {
        let key = Self.key(label, dimensions)
        if let known = handles.timers.withLock({ $0[key] }) { return known }
        let made = Timer(label: label, dimensions: dimensions, factory: factory)
        handles.timers.withLock { $0[key] = made }
        return made
    }

    func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> Gauge {
        let key = Self.key(label, dimensions)
        if let known = handles.gauges.withLock({ $0[key] }) { return known }
        let made = Gauge(label: label, dimensions: dimensions, factory: factory)
        handles.gauges.withLock { $0[key] = made }
        return made
    }

    /// Counts nothing.
    public static let none = MailmonMetrics(factory: NOOPMetricsHandler.instance)

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Histogram buckets for the timers whose range is not a request's (seconds).
    public static let durationBuckets: [String: [Duration]] = [
        Name.scheduleLateness: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900].map { Duration.milliseconds(Int64($0 * 1000)) },
        Name.checkDuration: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30].map { Duration.microseconds(Int64($0 * 1_000_000)) },
        Name.scriptDuration: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1].map { Duration.microseconds(Int64($0 * 1_000_000)) },
    ]

    public enum Name {
        public static let checks = "mailmon_checks_total"
        public static let checkDuration = "mailmon_check_duration_seconds"
        public static let scheduleLateness = "mailmon_schedule_lateness_seconds"
        public static let checksInFlight = "mailmon_checks_in_flight"
        public static let incidentsOpened = "mailmon_incidents_opened_total"
        public static let incidentsResolved = "mailmon_incidents_resolved_total"
        public static let alerts = "mailmon_alerts_total"
        public static let scriptCalls = "mailmon_lua_calls_total"
        public static let scriptDuration = "mailmon_lua_call_duration_seconds"
        public static let databaseErrors = "mailmon_database_errors_total"
    }

    /// One finished check: its result and category, each phase's time, and how late it started.
    func checkFinished(_ result: ProbeResult, dueAt: Date?, startedAt: Date) {
        let protocolName = result.mailProtocol.rawValue
        counter(Name.checks, [("protocol", protocolName), ("result", result.ok ? "ok" : "failed"), ("category", result.category?.rawValue ?? "none")])
            .increment()
        let timings = result.timings
        let phases: [(String, Double?)] = [
            ("connect", timings.connect), ("tls", timings.tls), ("greeting", timings.greeting), ("login", timings.login),
            ("mailbox", timings.mailbox), ("logout", timings.logout), ("total", timings.total),
        ]
        for (phase, milliseconds) in phases {
            guard let milliseconds, milliseconds.isFinite, milliseconds >= 0 else { continue }
            timer(Name.checkDuration, [("protocol", protocolName), ("phase", phase)])
                .recordNanoseconds(Int64(milliseconds * 1_000_000))
        }
        if let dueAt {
            let late = max(0, startedAt.timeIntervalSince(dueAt))
            timer(Name.scheduleLateness)
                .recordNanoseconds(Int64(min(late, 86_400) * 1_000_000_000))
        }
    }

    func incidents(opened: [Incident], resolved: [Incident]) {
        for incident in opened {
            counter(Name.incidentsOpened, [("type", Self.boundedType(incident.type))]).increment()
        }
        for incident in resolved {
            counter(Name.incidentsResolved, [("type", Self.boundedType(incident.type))]).increment()
        }
    }

    func alertAttempted(channelType: String, sent: Bool) {
        counter(Name.alerts, [("channel_type", Self.boundedType(channelType)), ("result", sent ? "sent" : "failed")]).increment()
    }

    func checksInFlight(_ count: Int) {
        gauge(Name.checksInFlight).record(count)
    }

    /// A store call of the worker or the dispatcher that failed (`operation`: a fixed name).
    func databaseError(_ operation: String) {
        counter(Name.databaseErrors, [("operation", operation)]).increment()
    }

    /// Incident and channel types come from scripts: kept to a short identifier so a script
    /// cannot make unbounded series.
    public static func boundedType(_ text: String) -> String {
        let allowed = text.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || $0 == "_" || $0 == "-" }
        return allowed && !text.isEmpty && text.count <= 40 ? text : "other"
    }
}

extension MailmonMetrics: ScriptCallObserver {
    public func scriptCalled(script: String, function: String, duration: Duration, failed: Bool) {
        counter(Name.scriptCalls, [("script", script), ("function", function), ("result", failed ? "error" : "ok")]).increment()
        timer(Name.scriptDuration, [("script", script), ("function", function)])
            .recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

}
