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
    /// The handles of the script-call metrics, made once per script and function: every API
    /// request calls a policy, and looking the series up in the registry each time cost more
    /// than recording into it.
    private let scriptHandles = ScriptHandles()

    private final class ScriptHandles: Sendable {
        struct Key: Hashable {
            var script: String
            var function: String
        }
        struct Handles: Sendable {
            var ok: Counter
            var error: Counter
            var duration: CoreMetrics.Timer
        }
        let handles = Mutex<[Key: Handles]>([:])
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
        Counter(
            label: Name.checks,
            dimensions: [("protocol", protocolName), ("result", result.ok ? "ok" : "failed"), ("category", result.category?.rawValue ?? "none")],
            factory: factory
        ).increment()
        let timings = result.timings
        let phases: [(String, Double?)] = [
            ("connect", timings.connect), ("tls", timings.tls), ("greeting", timings.greeting), ("login", timings.login),
            ("mailbox", timings.mailbox), ("logout", timings.logout), ("total", timings.total),
        ]
        for (phase, milliseconds) in phases {
            guard let milliseconds, milliseconds.isFinite, milliseconds >= 0 else { continue }
            Timer(label: Name.checkDuration, dimensions: [("protocol", protocolName), ("phase", phase)], factory: factory)
                .recordNanoseconds(Int64(milliseconds * 1_000_000))
        }
        if let dueAt {
            let late = max(0, startedAt.timeIntervalSince(dueAt))
            Timer(label: Name.scheduleLateness, factory: factory)
                .recordNanoseconds(Int64(min(late, 86_400) * 1_000_000_000))
        }
    }

    func incidents(opened: [Incident], resolved: [Incident]) {
        for incident in opened {
            Counter(label: Name.incidentsOpened, dimensions: [("type", Self.boundedType(incident.type))], factory: factory).increment()
        }
        for incident in resolved {
            Counter(label: Name.incidentsResolved, dimensions: [("type", Self.boundedType(incident.type))], factory: factory).increment()
        }
    }

    func alertAttempted(channelType: String, sent: Bool) {
        Counter(
            label: Name.alerts, dimensions: [("channel_type", Self.boundedType(channelType)), ("result", sent ? "sent" : "failed")],
            factory: factory
        ).increment()
    }

    func checksInFlight(_ count: Int) {
        Gauge(label: Name.checksInFlight, factory: factory).record(count)
    }

    /// A store call of the worker or the dispatcher that failed (`operation`: a fixed name).
    func databaseError(_ operation: String) {
        Counter(label: Name.databaseErrors, dimensions: [("operation", operation)], factory: factory).increment()
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
        let key = ScriptHandles.Key(script: script, function: function)
        let handles = scriptHandles.handles.withLock { $0[key] } ?? {
            let dimensions = [("script", script), ("function", function)]
            let made = ScriptHandles.Handles(
                ok: Counter(label: Name.scriptCalls, dimensions: dimensions + [("result", "ok")], factory: factory),
                error: Counter(label: Name.scriptCalls, dimensions: dimensions + [("result", "error")], factory: factory),
                duration: Timer(label: Name.scriptDuration, dimensions: dimensions, factory: factory))
            scriptHandles.handles.withLock { $0[key] = made }
            return made
        }()
        (failed ? handles.error : handles.ok).increment()
        handles.duration.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
