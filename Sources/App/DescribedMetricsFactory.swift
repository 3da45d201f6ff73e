public import CoreMetrics
import Engine
public import Prometheus

/// swift-metrics into the Prometheus registry, with a `# HELP` line and a conventional name for
/// every metric (Prometheus's own lint, `promtool check metrics`, passes): mailmon's metrics keep
/// their names; Hummingbird's request metrics become `mailmon_http_…`; any other library's get a
/// valid name, `_total` on counters, and a generic help line.
public struct DescribedMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let durationBuckets: [String: [Duration]]
    let defaultBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map {
        Duration.microseconds(Int64($0 * 1_000_000))
    }
    let defaultValueBuckets: [Double] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var buckets: [String: [Duration]] = [:]
        for (label, value) in MailmonMetrics.durationBuckets { buckets[Self.described(label, counter: false).name] = value }
        durationBuckets = buckets
    }

    /// Known metrics: swift-metrics label → (Prometheus name, help).
    static let descriptions: [String: (name: String, help: String)] = [
        MailmonMetrics.Name.checks: (MailmonMetrics.Name.checks, "Checks finished, by protocol, result (ok, failed) and failure category."),
        MailmonMetrics.Name.checkDuration: (MailmonMetrics.Name.checkDuration, "Time of each check phase (connect, tls, greeting, login, mailbox, logout, total)."),
        MailmonMetrics.Name.scheduleLateness: (MailmonMetrics.Name.scheduleLateness, "How long after its due time a scheduled check started."),
        MailmonMetrics.Name.checksInFlight: (MailmonMetrics.Name.checksInFlight, "Checks this worker has claimed and not yet written."),
        MailmonMetrics.Name.incidentsOpened: (MailmonMetrics.Name.incidentsOpened, "Incidents opened, by type."),
        MailmonMetrics.Name.incidentsResolved: (MailmonMetrics.Name.incidentsResolved, "Incidents resolved, by type."),
        MailmonMetrics.Name.alerts: (MailmonMetrics.Name.alerts, "Alert delivery attempts, by channel type and result (sent, failed)."),
        MailmonMetrics.Name.scriptCalls: (MailmonMetrics.Name.scriptCalls, "Calls into the Lua scripts, by script, function and result (ok, error)."),
        MailmonMetrics.Name.scriptDuration: (MailmonMetrics.Name.scriptDuration, "Time of calls into the Lua scripts, by script and function."),
        MailmonMetrics.Name.databaseErrors: (MailmonMetrics.Name.databaseErrors, "Database calls of the worker and the alert dispatcher that failed, by operation."),
        "hb.requests": ("mailmon_http_requests_total", "HTTP requests answered, by route, method and status."),
        "hb.request.errors": ("mailmon_http_request_errors_total", "HTTP requests that ended in an error, by route, method and error type."),
        "http.server.request.duration": ("mailmon_http_request_duration_seconds", "Time to answer HTTP requests, by route, method and status."),
        "http.server.active_requests": ("mailmon_http_active_requests", "HTTP requests being answered, by method."),
    ]

    static func described(_ label: String, counter: Bool) -> (name: String, help: String) {
        if let known = descriptions[label] { return known }
        var name = String(label.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
        if name.first?.isNumber ?? true { name = "_" + name }
        if counter, !name.hasSuffix("_total") { name += "_total" }
        return (name, "\(label) (recorded through swift-metrics)")
    }

    static func descriptor(_ label: String, counter: Bool) -> MetricNameDescriptor {
        let (name, help) = described(label, counter: counter)
        return MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: Self.descriptor(label, counter: true), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: Self.descriptor(label, counter: true), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: Self.descriptor(label, counter: false), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: Self.descriptor(label, counter: false), labels: dimensions, buckets: defaultValueBuckets)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: Self.descriptor(label, counter: false), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let descriptor = Self.descriptor(label, counter: false)
        return registry.makeDurationHistogram(
            descriptor: descriptor, labels: dimensions, buckets: durationBuckets[descriptor.name] ?? defaultBuckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
