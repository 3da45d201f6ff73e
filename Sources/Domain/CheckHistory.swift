public import Foundation

/// One stored check, as the worker (or a triggered check) wrote it.
public struct CheckRecord: Sendable, Hashable {
    public var id: Int64
    public var monitorId: Int64
    public var result: NewCheckResult

    public init(id: Int64, monitorId: Int64, result: NewCheckResult) {
        self.id = id
        self.monitorId = monitorId
        self.result = result
    }
}

public struct NewCheckResult: Sendable, Hashable {
    public var checkedAt: Date
    /// When the schedule wanted it (nil for checks triggered by hand).
    public var dueAt: Date?
    public var ok: Bool
    public var category: String?
    public var message: String?
    /// Phase durations in milliseconds, as JSON text.
    public var timings: String
    public var messageCount: Int?
    public var certificateNotAfter: Date?
    /// The rest of the probe's result (capabilities, TLS, certificate) as JSON text.
    public var details: String?
    /// `script@version` of the post-check hook that decided, nil if none ran.
    public var hookVersion: String?
    /// `script:line: message` when the hook failed and the default rule decided.
    public var hookError: String?
    /// The check's total time (not stored with the result: its timings hold it; the monitor keeps the latest).
    public var responseMilliseconds: Double?

    public init(
        checkedAt: Date, dueAt: Date?, ok: Bool, category: String?, message: String?, timings: String, messageCount: Int?,
        certificateNotAfter: Date?, details: String?, hookVersion: String?, hookError: String?
    ) {
        self.checkedAt = checkedAt
        self.dueAt = dueAt
        self.ok = ok
        self.category = category
        self.message = message
        self.timings = timings
        self.messageCount = messageCount
        self.certificateNotAfter = certificateNotAfter
        self.details = details
        self.hookVersion = hookVersion
        self.hookError = hookError
    }
}

public enum IncidentStatus: String, Sendable, Hashable, Codable {
    case active, resolved
}

public struct Incident: Sendable, Hashable {
    public var id: Int64
    public var monitorId: Int64
    /// The failure category (`auth_failed`, `timeout`, …) or `certificate_expiring`.
    public var type: String
    public var status: IncidentStatus
    public var message: String?
    public var startedAt: Date
    public var endedAt: Date?
    /// The API's id for the incident (nil only for incidents not read from a store).
    public var publicId: UUID?
    public var acknowledgedAt: Date?
    /// Who acknowledged it: the token's name.
    public var acknowledgedBy: String?

    public init(
        id: Int64, monitorId: Int64, type: String, status: IncidentStatus, message: String? = nil, startedAt: Date, endedAt: Date? = nil,
        publicId: UUID? = nil, acknowledgedAt: Date? = nil, acknowledgedBy: String? = nil
    ) {
        self.publicId = publicId
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.id = id
        self.monitorId = monitorId
        self.type = type
        self.status = status
        self.message = message
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// What one check leads to, written in one transaction: the result, the next
/// due time, incidents opened and resolved, and alerts owed (an outbox).
public struct CheckOutcome: Sendable {
    public struct Opening: Sendable, Hashable {
        public var type: String
        public var message: String?
        public init(type: String, message: String?) {
            self.type = type
            self.message = message
        }
    }

    public enum IncidentReference: Sendable, Hashable {
        /// An incident that exists already (open, or resolved by this outcome).
        case existing(Int64)
        /// The incident this outcome opens with that type.
        case opened(type: String)
    }

    public struct Delivery: Sendable, Hashable {
        public var incident: IncidentReference
        public var type: String
        public var channelName: String
        public var recipient: String
        public var subject: String
        public var body: String
        public var event: AlertEvent
        public init(
            incident: IncidentReference, type: String, channelName: String, recipient: String, subject: String, body: String,
            event: AlertEvent = .trigger
        ) {
            self.event = event
            self.incident = incident
            self.type = type
            self.channelName = channelName
            self.recipient = recipient
            self.subject = subject
            self.body = body
        }
    }

    public var result: NewCheckResult
    /// Nil leaves the schedule alone (a check triggered through the API).
    public var nextCheckAt: Date?
    public var open: [Opening]
    public var resolve: [Int64]
    public var deliveries: [Delivery]

    public init(result: NewCheckResult, nextCheckAt: Date?, open: [Opening] = [], resolve: [Int64] = [], deliveries: [Delivery] = []) {
        self.result = result
        self.nextCheckAt = nextCheckAt
        self.open = open
        self.resolve = resolve
        self.deliveries = deliveries
    }
}

/// What `recordCheck` wrote.
public struct RecordedCheck: Sendable {
    public var check: CheckRecord
    public var opened: [Incident]
    public var resolved: [Incident]
    public var deliveriesQueued: Int

    public init(check: CheckRecord, opened: [Incident], resolved: [Incident], deliveriesQueued: Int) {
        self.check = check
        self.opened = opened
        self.resolved = resolved
        self.deliveriesQueued = deliveriesQueued
    }
}

public protocol CheckHistoryRepository: Sendable {
    /// The latest results of a monitor, newest first.
    func recentResults(monitorId: Int64, limit: Int) async throws -> [CheckRecord]
    /// Results of a monitor in a time range, oldest first.
    func results(monitorId: Int64, from: Date, to: Date) async throws -> [CheckRecord]
    func openIncidents(monitorId: Int64) async throws -> [Incident]
    /// Writes the outcome in one transaction; nil if the monitor is gone. An opening
    /// of a type that is already active is skipped (one active incident per type).
    func recordCheck(monitorId: Int64, outcome: CheckOutcome) async throws -> RecordedCheck?
    /// Latest incidents first.
    func incidents(monitorId: Int64, limit: Int) async throws -> Page<Incident>
    func incidents(monitorId: Int64, overlapping from: Date, _ to: Date) async throws -> [Incident]
    /// Deletes results checked before `date`; returns how many.
    func pruneResults(before date: Date) async throws -> Int
}

/// Checks of one time bucket: how many, how many ok, response time (total ms) average and maximum.
public struct ResponseBucket: Sendable, Hashable {
    public var start: Date
    public var checks: Int
    public var ok: Int
    public var averageMs: Double?
    public var maximumMs: Double?

    public init(start: Date, checks: Int, ok: Int, averageMs: Double? = nil, maximumMs: Double? = nil) {
        self.start = start
        self.checks = checks
        self.ok = ok
        self.averageMs = averageMs
        self.maximumMs = maximumMs
    }
}

public protocol CheckStatisticsRepository: Sendable {
    /// Checks and ok checks of a monitor since `date`.
    func uptime(monitorId: Int64, since date: Date) async throws -> (checks: Int, ok: Int)
    /// Results in [from, to) grouped into buckets of `seconds`, oldest first.
    func responseBuckets(monitorId: Int64, from: Date, to: Date, seconds: Int) async throws -> [ResponseBucket]
}
