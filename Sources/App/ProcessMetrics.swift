import CoreMetrics
public import Prometheus

/// The process's one Prometheus registry: swift-metrics is bootstrapped with it on first use, so
/// Hummingbird's request metrics and mailmon's own land in the same `/metrics`. Commands that
/// serve use it; tests make their own registries and never bootstrap.
public enum ProcessMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusExposition.factory(registry: registry))
        return registry
    }()
}
