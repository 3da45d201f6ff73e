import Foundation

/// One measured window: what ran, and the counters around it.
struct Measurement {
    let client: String
    let concurrency: Int
    let checks: Int
    let ok: Int
    let wallSeconds: Double
    /// The client process's user + sys over the window.
    let clientCPUSeconds: Double
    /// Dovecot's processes over the window (approximate; see `CPUCounters`), nil if not measured.
    let dovecotCPUSeconds: Double?
    let machineBusySeconds: Double
    let p50: Double?
    let p95: Double?

    var checksPerSecond: Double { Double(ok) / wallSeconds }
    var clientMillisecondsPerCheck: Double { clientCPUSeconds * 1000 / Double(max(ok, 1)) }
    var dovecotMillisecondsPerCheck: Double? { dovecotCPUSeconds.map { $0 * 1000 / Double(max(ok, 1)) } }
    /// Average busy cores of the whole machine over the window.
    var busyCores: Double { machineBusySeconds / wallSeconds }

    init(
        client: String, concurrency: Int, checks: Int, ok: Int, from start: CPUSnapshot, to end: CPUSnapshot,
        clientCPUSeconds: Double? = nil, wallSeconds: Double? = nil, dovecotChecks: Int? = nil, p50: Double?, p95: Double?
    ) {
        self.client = client
        self.concurrency = concurrency
        self.checks = checks
        self.ok = ok
        let wall = end.wall - start.wall
        self.wallSeconds = wallSeconds ?? Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        self.clientCPUSeconds = clientCPUSeconds ?? end.client - start.client
        let dovecot = end.dovecot - start.dovecot
        // Dovecot's share scaled to the checks the client counted (a child process may also run warm-up checks).
        self.dovecotCPUSeconds = dovecot > 0 ? dovecot * Double(ok) / Double(max(dovecotChecks ?? ok, 1)) : nil
        self.machineBusySeconds = end.machine - start.machine
        self.p50 = p50
        self.p95 = p95
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))]
    }
}
