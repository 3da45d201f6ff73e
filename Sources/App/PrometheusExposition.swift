public import Domain
public import Foundation
import Engine
public import LuaHost
public import Prometheus

/// `/metrics`: the counters and histograms that swift-metrics records into `registry`, plus the
/// gauges read from the store at each scrape (open incidents, the outbox, due checks, monitors by
/// status and, unless switched off, one series set per monitor). One scrape at a time.
public actor PrometheusExposition {
    public nonisolated let registry: PrometheusCollectorRegistry
    /// The factory swift-metrics records through (`mailmon` also bootstraps it process-wide, so
    /// Hummingbird's request metrics land in the same registry).
    public nonisolated let factory: DescribedMetricsFactory
    let readings: any FleetReadingRepository
    let library: ScriptLibrary?
    let perMonitor: Bool
    private var labelled: [String: [[String]: Prometheus.Gauge]] = [:]

    public init(
        readings: any FleetReadingRepository, library: ScriptLibrary?, perMonitor: Bool,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.registry = registry
        self.factory = Self.factory(registry: registry)
        self.readings = readings
        self.library = library
        self.perMonitor = perMonitor
        registry.makeGauge(descriptor: Self.descriptor("build", "info", "The running release."), labels: [("version", MailmonVersion.current)])
            .set(Int64(1))
    }

    /// swift-metrics into `registry`, every metric described (see `DescribedMetricsFactory`).
    public static func factory(registry: PrometheusCollectorRegistry) -> DescribedMetricsFactory {
        DescribedMetricsFactory(registry: registry)
    }

    /// The exposition in Prometheus text format, with the store's gauges read now.
    public func scrape(now: Date = Date()) async throws -> [UInt8] {
        let fleet = try await readings.fleetReadings(now: now, perMonitor: perMonitor)
        var open: [String: Double] = [:]
        for (type, count) in fleet.openIncidents { open[MailmonMetrics.boundedType(type), default: 0] += Double(count) }
        set("incidents_open", "", "Open incidents by type.", [open], labels: ["type"])
        registry.makeGauge(descriptor: Self.descriptor("alert_outbox_depth", "", "Alert deliveries still owed."), labels: [])
            .set(Int64(fleet.outboxDepth))
        registry.makeGauge(
            descriptor: Self.descriptor("alert_outbox_oldest_age", "seconds", "Age of the oldest alert delivery still owed (0 when none)."),
            labels: []
        ).set(fleet.oldestUndeliveredAt.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        registry.makeGauge(
            descriptor: Self.descriptor("checks_due_unclaimed", "", "Checks past their due time that no worker holds."), labels: []
        ).set(Int64(fleet.dueUnclaimed))
        set("monitors", "", "Monitors by status.", [fleet.monitorsByStatus.mapValues(Double.init)], labels: ["status"])
        if let library {
            var scripts: [[String]: Double] = [:]
            for info in library.active { scripts[[info.name, info.version]] = 1 }
            setLabelled("script", "info", "The active scripts and their versions.", scripts, labels: ["script", "version"])
            registry.makeGauge(
                descriptor: Self.descriptor("script_set_generation", "", "Increases with every script set that becomes active."), labels: []
            ).set(Int64(library.generation))
        }
        if perMonitor { setMonitors(fleet.monitors, now: now) }
        return registry.emitToBuffer()
    }

    private func setMonitors(_ monitors: [MonitorReading], now: Date) {
        var up: [[String]: Double] = [:]
        var checked: [[String]: Double] = [:]
        var response: [[String]: Double] = [:]
        var certificate: [[String]: Double] = [:]
        var messages: [[String]: Double] = [:]
        var newest: [[String]: Double] = [:]
        for monitor in monitors {
            let key = [monitor.publicId.uuidString.lowercased(), monitor.name, monitor.customerPublicId.lowercased()]
            if let ok = monitor.lastOk { up[key] = ok ? 1 : 0 }
            if let at = monitor.lastCheckedAt { checked[key] = at.timeIntervalSince1970 }
            if let milliseconds = monitor.responseMilliseconds { response[key] = milliseconds / 1000 }
            if let notAfter = monitor.certificateNotAfter { certificate[key] = (notAfter.timeIntervalSince(now) / 86_400).rounded(.down) }
            if let count = monitor.messageCount { messages[key] = Double(count) }
            if let at = monitor.newestMessageAt { newest[key] = at.timeIntervalSince1970 }
        }
        let labels = ["monitor", "name", "customer"]
        setLabelled("monitor_up", "", "1 when the monitor's latest check succeeded, 0 when it failed; absent before the first.", up, labels: labels)
        setLabelled("monitor_last_check_timestamp", "seconds", "When the monitor was last checked (Unix time).", checked, labels: labels)
        setLabelled("monitor_response", "seconds", "The latest check's total time.", response, labels: labels)
        setLabelled("monitor_certificate_days_left", "", "Whole days until the server certificate expires.", certificate, labels: labels)
        setLabelled("monitor_messages", "", "Messages in the mailbox at the latest check.", messages, labels: labels)
        setLabelled(
            "monitor_newest_message_timestamp", "seconds",
            "When the newest message arrived (IMAP) or was dated (POP3), as the latest check read it (Unix time).", newest, labels: labels)
    }

    private func set(_ name: String, _ unit: String, _ help: String, _ values: [[String: Double]], labels: [String]) {
        var keyed: [[String]: Double] = [:]
        for group in values { for (key, value) in group { keyed[[key]] = value } }
        setLabelled(name, unit, help, keyed, labels: labels)
    }

    /// Sets one series per key and removes the series of keys no longer present, so a deleted
    /// monitor or a closed incident type leaves no stale value behind.
    private func setLabelled(_ name: String, _ unit: String, _ help: String, _ values: [[String]: Double], labels: [String]) {
        let fullName = Self.descriptor(name, unit, help).name
        var current = labelled[fullName] ?? [:]
        for (key, gauge) in current where values[key] == nil {
            registry.unregisterGauge(gauge)
            current[key] = nil
        }
        for (key, value) in values {
            let gauge = current[key] ?? registry.makeGauge(descriptor: Self.descriptor(name, unit, help), labels: Array(zip(labels, key)))
            gauge.set(value)
            current[key] = gauge
        }
        labelled[fullName] = current
    }

    static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "mailmon", metricName: name, unitName: unit, helpText: help)
    }
}
