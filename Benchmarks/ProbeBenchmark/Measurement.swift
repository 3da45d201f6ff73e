import Foundation

/// One measured run: what ran, and the counters around it.
struct Measurement {
    let client: String
    let concurrency: Int
    let checks: Int
    let ok: Int
    /// The run's own wall time (for checks/s).
    let wallSeconds: Double
    /// The client process's user and sys CPU over the run.
    let clientUserSeconds: Double
    let clientSysSeconds: Double
    /// Dovecot's processes over the window (approximate; see `CPUCounters`), nil if not measured.
    let dovecotCPUSeconds: Double?
    /// Average busy cores of the whole machine over the window.
    let busyCores: Double
    let p50: Double?
    let p95: Double?

    var checksPerSecond: Double { Double(ok) / wallSeconds }
    var clientCPUSeconds: Double { clientUserSeconds + clientSysSeconds }
    var clientMillisecondsPerCheck: Double { clientCPUSeconds * 1000 / Double(max(ok, 1)) }
    var clientSysMillisecondsPerCheck: Double { clientSysSeconds * 1000 / Double(max(ok, 1)) }
    var dovecotMillisecondsPerCheck: Double? { dovecotCPUSeconds.map { $0 * 1000 / Double(max(ok, 1)) } }

    /// A run inside this process: everything from the two snapshots.
    init(client: String, concurrency: Int, checks: Int, ok: Int, from start: CPUSnapshot, to end: CPUSnapshot, latencies: [Double]) {
        let window = Self.seconds(end.wall - start.wall)
        let sorted = latencies.sorted()
        self.init(
            client: client, concurrency: concurrency, checks: checks, ok: ok, wallSeconds: window,
            clientUserSeconds: end.clientUser - start.clientUser, clientSysSeconds: end.clientSys - start.clientSys,
            dovecotCPUSeconds: end.dovecot - start.dovecot, windowSeconds: window,
            machineBusySeconds: end.machine - start.machine,
            p50: Self.percentile(sorted, 0.5), p95: Self.percentile(sorted, 0.95))
    }

    /// - Parameter dovecotCPUSeconds: Dovecot's CPU over the window, already scaled to the `ok` checks.
    init(
        client: String, concurrency: Int, checks: Int, ok: Int, wallSeconds: Double, clientUserSeconds: Double,
        clientSysSeconds: Double, dovecotCPUSeconds: Double, windowSeconds: Double, machineBusySeconds: Double,
        p50: Double?, p95: Double?
    ) {
        self.client = client
        self.concurrency = concurrency
        self.checks = checks
        self.ok = ok
        self.wallSeconds = wallSeconds
        self.clientUserSeconds = clientUserSeconds
        self.clientSysSeconds = clientSysSeconds
        self.dovecotCPUSeconds = dovecotCPUSeconds > 0 ? dovecotCPUSeconds : nil
        self.busyCores = machineBusySeconds / windowSeconds
        self.p50 = p50
        self.p95 = p95
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))]
    }
}
