public import Foundation

public enum AlertChannelType: String, Sendable, Hashable, Codable, CaseIterable {
    case email, sms, webhook, slack, teams, discord, telegram, ntfy, pagerduty, opsgenie

    /// The types an alert channel (`/api/alert-channels`) may have: an HTTP endpoint each.
    public static let httpChannels: [AlertChannelType] = [.webhook, .slack, .teams, .discord, .telegram, .ntfy, .pagerduty, .opsgenie]
}

/// What an alert says about its incident.
public enum AlertEvent: String, Sendable, Hashable, Codable {
    case trigger, resolve
}

/// One delivery attempt: the alert history.
public struct AlertAttempt: Sendable, Hashable {
    public var id: Int64
    public var incidentId: Int64
    public var type: String
    /// `sent` or `failed`.
    public var status: String
    public var channelName: String
    public var sentAt: Date?
    public var errorMessage: String?

    public init(id: Int64, incidentId: Int64, type: String, status: String, channelName: String, sentAt: Date? = nil, errorMessage: String? = nil) {
        self.id = id
        self.incidentId = incidentId
        self.type = type
        self.status = status
        self.channelName = channelName
        self.sentAt = sentAt
        self.errorMessage = errorMessage
    }
}

/// A delivery still owed (the outbox): it survives restarts until sent or given up.
public struct PendingDelivery: Sendable, Hashable {
    public var id: Int64
    public var incidentId: Int64
    public var type: String
    public var channelName: String
    public var recipient: String
    public var subject: String
    public var body: String
    public var attempts: Int
    public var nextAttemptAt: Date
    /// `trigger` (an incident opened or still open) or `resolve` (it closed): what on-call services
    /// (PagerDuty, Opsgenie) do with the alert of the incident.
    public var event: AlertEvent

    public init(
        id: Int64, incidentId: Int64, type: String, channelName: String, recipient: String, subject: String, body: String, attempts: Int,
        nextAttemptAt: Date, event: AlertEvent = .trigger
    ) {
        self.event = event
        self.id = id
        self.incidentId = incidentId
        self.type = type
        self.channelName = channelName
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}

/// A webhook receiver of an organization, or of one of its customers.
public struct AlertChannel: Sendable, Hashable {
    public var id: Int64
    public var organizationId: Int64
    public var customerId: Int64?
    public var type: AlertChannelType
    public var name: String
    public var url: String
    public var createdAt: Date

    public init(id: Int64, organizationId: Int64, customerId: Int64? = nil, type: AlertChannelType, name: String, url: String, createdAt: Date) {
        self.id = id
        self.organizationId = organizationId
        self.customerId = customerId
        self.type = type
        self.name = name
        self.url = url
        self.createdAt = createdAt
    }
}

public protocol AlertRepository: Sendable {
    /// Owed deliveries due at `now`, oldest first.
    func dueDeliveries(now: Date, limit: Int) async throws -> [PendingDelivery]
    /// Like `dueDeliveries`, but leases them for `lease` seconds (their next attempt moves
    /// out of reach) in one write transaction, so two workers never send the same one.
    func claimDueDeliveries(now: Date, limit: Int, lease: TimeInterval) async throws -> [PendingDelivery]
    /// The earliest retry time in the outbox.
    func nextDeliveryAt() async throws -> Date?
    /// Records an attempt; the delivery leaves the outbox unless `retryAt` is given.
    func recordAttempt(_ delivery: PendingDelivery, sent: Bool, error: String?, at: Date, retryAt: Date?) async throws
    func alerts(monitorId: Int64, limit: Int) async throws -> Page<AlertAttempt>
    /// The organization's channels plus those of `customerId` (the ones a monitor of that customer alerts).
    func alertChannels(organizationId: Int64, customerId: Int64?) async throws -> [AlertChannel]
    /// Every channel of the organization, its customers' included.
    func allAlertChannels(organizationId: Int64) async throws -> [AlertChannel]
    func addAlertChannel(organizationId: Int64, customerId: Int64?, type: AlertChannelType, name: String, url: String, at: Date, audit: AuditRecord?) async throws
        -> AlertChannel
    func deleteAlertChannel(id: Int64, organizationId: Int64, audit: AuditRecord?) async throws -> Bool
}
