public import Foundation

/// What a metrics scrape reads from the store at once: the fleet's gauges, and (when asked)
/// one reading per monitor. Across every organization: the operator's view.
public struct FleetReadings: Sendable, Hashable {
    /// Open incidents by type.
    public var openIncidents: [String: Int]
    /// Alert deliveries still owed, and when the oldest of them was queued.
    public var outboxDepth: Int
    public var oldestUndeliveredAt: Date?
    /// Checks whose due time has passed and that no worker holds.
    public var dueUnclaimed: Int
    /// Monitors by status (`active`, `maintenance`, `disabled`).
    public var monitorsByStatus: [String: Int]
    /// Empty unless asked for; disabled monitors are left out (a paused monitor is not down).
    public var monitors: [MonitorReading]

    public init(
        openIncidents: [String: Int] = [:], outboxDepth: Int = 0, oldestUndeliveredAt: Date? = nil, dueUnclaimed: Int = 0,
        monitorsByStatus: [String: Int] = [:], monitors: [MonitorReading] = []
    ) {
        self.openIncidents = openIncidents
        self.outboxDepth = outboxDepth
        self.oldestUndeliveredAt = oldestUndeliveredAt
        self.dueUnclaimed = dueUnclaimed
        self.monitorsByStatus = monitorsByStatus
        self.monitors = monitors
    }
}

/// One monitor and its latest check, for per-monitor series.
public struct MonitorReading: Sendable, Hashable {
    public var publicId: UUID
    public var name: String
    public var customerPublicId: String
    public var status: String
    /// Nil before the first check.
    public var lastOk: Bool?
    public var lastCheckedAt: Date?
    public var responseMilliseconds: Double?
    public var certificateNotAfter: Date?
    public var messageCount: Int?
    /// The newest message's date, when the latest check read it (`newestMessageMaxAgeMinutes`).
    public var newestMessageAt: Date?

    public init(
        publicId: UUID, name: String, customerPublicId: String, status: String, lastOk: Bool?, lastCheckedAt: Date?,
        responseMilliseconds: Double?, certificateNotAfter: Date?, messageCount: Int?, newestMessageAt: Date? = nil
    ) {
        self.newestMessageAt = newestMessageAt
        self.publicId = publicId
        self.name = name
        self.customerPublicId = customerPublicId
        self.status = status
        self.lastOk = lastOk
        self.lastCheckedAt = lastCheckedAt
        self.responseMilliseconds = responseMilliseconds
        self.certificateNotAfter = certificateNotAfter
        self.messageCount = messageCount
    }
}

public protocol FleetReadingRepository: Sendable {
    /// The fleet's gauges as of `now`, with one reading per monitor when `perMonitor`.
    func fleetReadings(now: Date, perMonitor: Bool) async throws -> FleetReadings
    /// A write and a read that touch the database's file (what readiness asks); throws when either fails.
    func probeReadWrite() async throws
}
