import Foundation

/// How the worker schedules, bounds and keeps its work. Every field has a default
/// (see docs/operations.md); a config file's `worker` section may set any of them.
public struct WorkerSettings: Sendable, Codable, Hashable {
    /// This worker's name in claims. The default is unique to the process (host, pid and a
    /// random part), so two workers never release each other's claims; a restarted worker's
    /// old claims end with their lease. A fixed name set in the config makes a restarted worker
    /// take back its own claims at once; two running workers must never share one.
    public var workerId: String
    /// Checks in flight at most; due checks beyond it wait in the database.
    public var concurrency: Int
    /// New or re-activated monitors get their first check within this many seconds, spread at random.
    public var firstRunSpreadSeconds: Double
    /// A batch of new monitors larger than this rate allows within `firstRunSpreadSeconds` is spread
    /// wider (at most over each monitor's interval), so 20,000 monitors created at once do not
    /// stay bunched in the same seconds of every interval.
    public var firstRunsPerSecond: Double
    /// A claim outlives its check's timeout by this much before another worker may take it.
    public var claimGraceSeconds: Double
    /// The longest the scheduler sleeps before looking at the database again.
    public var pollSeconds: Double
    public var retentionDays: Int
    /// A certificate expiring within this many days opens a `certificate_expiring` incident.
    public var certificateWarningDays: Int
    /// Results the post-check hook sees (newest first).
    public var historyLength: Int
    /// Alert delivery: attempts before giving up, and the first retry delay (doubling).
    public var alertAttempts: Int
    public var alertRetrySeconds: Double
    /// `/ready` answers 503 when a due check has waited longer than this (processes running the worker).
    public var readyLatenessSeconds: Double

    public init(
        workerId: String = WorkerSettings.defaultWorkerId, concurrency: Int = 256, firstRunSpreadSeconds: Double = 10,
        firstRunsPerSecond: Double = 100, claimGraceSeconds: Double = 15, pollSeconds: Double = 1, retentionDays: Int = 30, certificateWarningDays: Int = 14,
        historyLength: Int = 10, alertAttempts: Int = 5, alertRetrySeconds: Double = 30,
        readyLatenessSeconds: Double = 120
    ) {
        self.readyLatenessSeconds = readyLatenessSeconds
        self.workerId = workerId
        self.concurrency = concurrency
        self.firstRunSpreadSeconds = firstRunSpreadSeconds
        self.firstRunsPerSecond = firstRunsPerSecond
        self.claimGraceSeconds = claimGraceSeconds
        self.pollSeconds = pollSeconds
        self.retentionDays = retentionDays
        self.certificateWarningDays = certificateWarningDays
        self.historyLength = historyLength
        self.alertAttempts = alertAttempts
        self.alertRetrySeconds = alertRetrySeconds
    }

    public static var defaultWorkerId: String { processWorkerId }

    /// `host-pid-random`, made once per process.
    private static let processWorkerId: String = {
        var generator = SystemRandomNumberGenerator()
        let random = String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 16)
        return "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(random)"
    }()

    /// Decodes a partial `worker` section: missing keys keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WorkerSettings()
        self.init(
            workerId: try c.decodeIfPresent(String.self, forKey: .workerId) ?? d.workerId,
            concurrency: try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? d.concurrency,
            firstRunSpreadSeconds: try c.decodeIfPresent(Double.self, forKey: .firstRunSpreadSeconds) ?? d.firstRunSpreadSeconds,
            firstRunsPerSecond: try c.decodeIfPresent(Double.self, forKey: .firstRunsPerSecond) ?? d.firstRunsPerSecond,
            claimGraceSeconds: try c.decodeIfPresent(Double.self, forKey: .claimGraceSeconds) ?? d.claimGraceSeconds,
            pollSeconds: try c.decodeIfPresent(Double.self, forKey: .pollSeconds) ?? d.pollSeconds,
            retentionDays: try c.decodeIfPresent(Int.self, forKey: .retentionDays) ?? d.retentionDays,
            certificateWarningDays: try c.decodeIfPresent(Int.self, forKey: .certificateWarningDays) ?? d.certificateWarningDays,
            historyLength: try c.decodeIfPresent(Int.self, forKey: .historyLength) ?? d.historyLength,
            alertAttempts: try c.decodeIfPresent(Int.self, forKey: .alertAttempts) ?? d.alertAttempts,
            alertRetrySeconds: try c.decodeIfPresent(Double.self, forKey: .alertRetrySeconds) ?? d.alertRetrySeconds,
            readyLatenessSeconds: try c.decodeIfPresent(Double.self, forKey: .readyLatenessSeconds) ?? d.readyLatenessSeconds)
    }
}
