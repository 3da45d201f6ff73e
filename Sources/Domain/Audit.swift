public import Foundation

/// One change for the audit log: who (user and token), what (action and target), when, the
/// policy that decided it and the request it came in. Written in the transaction of the change
/// itself, so a change is never without its entry nor an entry without its change. It holds
/// no secret: `changes` names the fields that changed, never their values.
public struct AuditRecord: Sendable, Hashable {
    public var organizationId: Int64
    public var userId: Int64
    public var tokenId: Int64
    /// `monitor.create`, `monitor.update`, `monitor.delete`, `customer.create`, `token.create`,
    /// `token.revoke`, `channel.create`, `channel.delete`, `incident.acknowledge`, `scripts.reload`.
    public var action: String
    /// `monitor`, `customer`, `token`, `channel`, `incident` or `scripts`.
    public var targetType: String
    /// The target's public id (a UUID, or the number of a token or channel); nil on a create
    /// whose id the store assigns (it fills it in).
    public var targetId: String?
    /// The customer the target belongs to, when it belongs to one.
    public var customerId: Int64?
    /// `script@version` of the policy that decided the change, when a policy did.
    public var policyVersion: String?
    public var requestId: String?
    /// The names of the fields that changed (`config.password` for a key of the config).
    public var changes: [String]
    public var at: Date

    public init(
        organizationId: Int64, userId: Int64, tokenId: Int64, action: String, targetType: String, targetId: String?, customerId: Int64?,
        policyVersion: String? = nil, requestId: String? = nil, changes: [String] = [], at: Date
    ) {
        self.organizationId = organizationId
        self.userId = userId
        self.tokenId = tokenId
        self.action = action
        self.targetType = targetType
        self.targetId = targetId
        self.customerId = customerId
        self.policyVersion = policyVersion
        self.requestId = requestId
        self.changes = changes
        self.at = at
    }
}

/// An entry as `GET /api/audit-log` shows it: the record with the names it refers to.
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var record: AuditRecord
    public var userName: String?
    /// The token's display prefix while the token exists.
    public var tokenPrefix: String?
    public var customerPublicId: UUID?

    public init(id: Int64, record: AuditRecord, userName: String?, tokenPrefix: String?, customerPublicId: UUID?) {
        self.id = id
        self.record = record
        self.userName = userName
        self.tokenPrefix = tokenPrefix
        self.customerPublicId = customerPublicId
    }
}

/// The filters of `GET /api/audit-log`; newest first.
public struct AuditQuery: Sendable, Hashable {
    public var organizationId: Int64
    public var action: String?
    public var targetType: String?
    public var targetId: String?
    public var customerId: Int64?
    public var tokenId: Int64?
    public var userId: Int64?
    /// Entries at or after this time.
    public var since: Date?
    /// Entries before this time.
    public var until: Date?
    public var page: Int
    public var perPage: Int

    public init(
        organizationId: Int64, action: String? = nil, targetType: String? = nil, targetId: String? = nil, customerId: Int64? = nil,
        tokenId: Int64? = nil, userId: Int64? = nil, since: Date? = nil, until: Date? = nil, page: Int = 1, perPage: Int = 50
    ) {
        self.organizationId = organizationId
        self.action = action
        self.targetType = targetType
        self.targetId = targetId
        self.customerId = customerId
        self.tokenId = tokenId
        self.userId = userId
        self.since = since
        self.until = until
        self.page = page
        self.perPage = perPage
    }
}

public protocol AuditRepository: Sendable {
    /// A page of entries, newest first.
    func auditEntries(_ query: AuditQuery) async throws -> Page<AuditEntry>
    /// An entry for a change that is no row of the store's (a script reload); the store's own
    /// changes take theirs in their transaction (the `audit:` parameter of each write).
    func recordAudit(_ record: AuditRecord) async throws
}

extension AuditRecord {
    /// The record of a change by `principal`, with the request id of the task (see `RequestOrigin`).
    public init(
        _ principal: Principal, action: String, targetType: String, targetId: String?, customerId: Int64?, policyVersion: String? = nil,
        changes: [String] = [], at: Date = Date()
    ) {
        self.init(
            organizationId: principal.organizationId, userId: principal.userId, tokenId: principal.tokenId, action: action,
            targetType: targetType, targetId: targetId, customerId: customerId, policyVersion: policyVersion,
            requestId: RequestOrigin.requestId, changes: changes, at: at)
    }
}

/// The request a task serves, set by the API for the whole of a request's handling, so that
/// what it changes can name it (like a logger's request id metadata).
public enum RequestOrigin {
    @TaskLocal public static var requestId: String?
}

// Writes without an audit entry: the operator's own commands and tests.
extension MonitorRepository {
    public func insertMonitor(publicId: UUID, organizationId: Int64, customerId: Int64, fields: MonitorFields, at: Date) async throws -> Monitor? {
        try await insertMonitor(publicId: publicId, organizationId: organizationId, customerId: customerId, fields: fields, at: at, audit: nil)
    }
    public func updateMonitor(id: Int64, fields: MonitorFields, at: Date, ifUpdatedAt expected: Date) async throws -> MonitorUpdate {
        try await updateMonitor(id: id, fields: fields, at: at, ifUpdatedAt: expected, audit: nil)
    }
    public func deleteMonitor(id: Int64) async throws -> Bool { try await deleteMonitor(id: id, audit: nil) }
}

extension CustomerRepository {
    public func insertCustomer(_ customer: NewCustomer) async throws -> Customer { try await insertCustomer(customer, audit: nil) }
}

extension AccessRepository {
    public func createUserWithToken(_ token: NewToken) async throws -> Principal { try await createUserWithToken(token, audit: nil) }
    public func revokeToken(id: Int64) async throws -> Bool { try await revokeToken(id: id, audit: nil) }
}

extension AlertRepository {
    public func addAlertChannel(
        organizationId: Int64, customerId: Int64?, type: AlertChannelType, name: String, url: String, at: Date
    ) async throws -> AlertChannel {
        try await addAlertChannel(organizationId: organizationId, customerId: customerId, type: type, name: name, url: url, at: at, audit: nil)
    }
    public func deleteAlertChannel(id: Int64, organizationId: Int64) async throws -> Bool {
        try await deleteAlertChannel(id: id, organizationId: organizationId, audit: nil)
    }
}

extension IncidentRepository {
    public func acknowledgeIncident(id: Int64, at: Date, by: String) async throws -> Incident? {
        try await acknowledgeIncident(id: id, at: at, by: by, audit: nil)
    }
}
