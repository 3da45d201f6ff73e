public import Foundation

public enum MonitorStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case active, maintenance, disabled
}

public struct Monitor: Sendable, Hashable {
    public var id: Int64
    public var publicId: UUID
    public var organizationId: Int64
    public var customerId: Int64
    public var fields: MonitorFields
    public var lastCheckedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// What the checks say (state, last failure, response time).
    public var health: MonitorHealth

    public var state: MonitorState { MonitorState(status: fields.status, health: health) }
    public var stateSince: Date { MonitorState.since(status: fields.status, health: health, createdAt: createdAt) }

    public init(
        id: Int64, publicId: UUID, organizationId: Int64, customerId: Int64, fields: MonitorFields, lastCheckedAt: Date? = nil, createdAt: Date,
        updatedAt: Date, health: MonitorHealth = MonitorHealth()
    ) {
        self.health = health
        self.id = id
        self.publicId = publicId
        self.organizationId = organizationId
        self.customerId = customerId
        self.fields = fields
        self.lastCheckedAt = lastCheckedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a policy decides: everything about a monitor the API may set.
public struct MonitorFields: Sendable, Hashable {
    public var name: String
    public var hostname: String
    public var port: Int?
    /// Minutes.
    public var checkInterval: Int
    public var timeoutSeconds: Int
    public var status: MonitorStatus
    /// The `imapPopConfig` as JSON text.
    public var config: String
    public var notificationEmail: String?
    public var notificationPhoneNumber: String?
    public var allowedCheckCountryCodes: [String]
    /// `script@version` of the policy that decided these fields.
    public var policyVersion: String

    public init(
        name: String, hostname: String, port: Int?, checkInterval: Int, timeoutSeconds: Int, status: MonitorStatus, config: String,
        notificationEmail: String?, notificationPhoneNumber: String?, allowedCheckCountryCodes: [String], policyVersion: String
    ) {
        self.name = name
        self.hostname = hostname
        self.port = port
        self.checkInterval = checkInterval
        self.timeoutSeconds = timeoutSeconds
        self.status = status
        self.config = config
        self.notificationEmail = notificationEmail
        self.notificationPhoneNumber = notificationPhoneNumber
        self.allowedCheckCountryCodes = allowedCheckCountryCodes
        self.policyVersion = policyVersion
    }
}

public struct MonitorQuery: Sendable {
    public var organizationId: Int64?
    public var customerId: Int64?
    public var search: String?
    public var page: Int
    public var perPage: Int
    /// Only monitors in this state.
    public var state: MonitorState?
    /// Down first (`MonitorState.rank`), then by id; else by id.
    public var sortByState: Bool

    public init(
        organizationId: Int64?, customerId: Int64?, search: String?, page: Int, perPage: Int, state: MonitorState? = nil,
        sortByState: Bool = false
    ) {
        self.state = state
        self.sortByState = sortByState
        self.organizationId = organizationId
        self.customerId = customerId
        self.search = search
        self.page = page
        self.perPage = perPage
    }
}

/// What a conditional monitor update found.
public enum MonitorUpdate: Sendable {
    case updated(Monitor)
    /// Another write changed the monitor since it was read; nothing was written.
    case changedMeanwhile
    case notFound
}

public protocol MonitorRepository: Sendable {
    /// Inserts a monitor for `customerId`; nil (and nothing written) unless that customer is in `organizationId`.
    func insertMonitor(publicId: UUID, organizationId: Int64, customerId: Int64, fields: MonitorFields, at: Date, audit: AuditRecord?) async throws -> Monitor?
    func monitor(publicId: UUID) async throws -> Monitor?
    /// By the numeric id the create answer carries (clients of the reference API keep it).
    func monitor(id: Int64) async throws -> Monitor?
    /// Replaces the fields if the monitor is still as read (its `updatedAt` is `expected`):
    /// the caller decided the change on that state, so a write in between is not overwritten.
    func updateMonitor(id: Int64, fields: MonitorFields, at: Date, ifUpdatedAt expected: Date, audit: AuditRecord?) async throws -> MonitorUpdate
    /// Deletes the monitor with its results, incidents and alerts; false if it was gone.
    func deleteMonitor(id: Int64, audit: AuditRecord?) async throws -> Bool
    /// Replaces the config only if it is still `expected` (compared as stored, in the clear), and
    /// moves `updatedAt` on so that an update decided on the old config is decided again; false
    /// when the config changed meanwhile or the monitor is gone. For the worker's own secret
    /// rotations (an OAuth2 refresh token the provider replaced), never for API changes.
    func replaceMonitorConfig(id: Int64, expected: String, with config: String, at: Date) async throws -> Bool
    /// A page of monitors with their customer's name, ordered by id.
    func monitors(_ query: MonitorQuery) async throws -> Page<(Monitor, customerName: String)>
    func countMonitors(customerId: Int64) async throws -> Int
    /// Monitors of the query's organization, customer and search by state (states without any are absent).
    func stateCounts(_ query: MonitorQuery) async throws -> [MonitorState: Int]
}
