public import Domain
public import Foundation
import LuaHost

/// `GET /api/audit-log`: the organization's changes, newest first, for whoever `policies/access`
/// allows `read_audit_log` (the organization's admins). Filters come as the query string gives them.
public struct AuditLogService: Sendable {
    public struct Filters: Sendable {
        public var action: String?
        public var targetType: String?
        public var targetId: String?
        public var customer: String?
        public var tokenId: String?
        public var since: String?
        public var until: String?

        public init(
            action: String? = nil, targetType: String? = nil, targetId: String? = nil, customer: String? = nil, tokenId: String? = nil,
            since: String? = nil, until: String? = nil
        ) {
            self.action = action
            self.targetType = targetType
            self.targetId = targetId
            self.customer = customer
            self.tokenId = tokenId
            self.since = since
            self.until = until
        }
    }

    public static let targetTypes: Set<String> = ["monitor", "customer", "token", "channel", "incident", "scripts"]
    /// Every action the log records (`AuditRecord.action`).
    public static let actions: Set<String> = [
        "monitor.create", "monitor.update", "monitor.delete", "customer.create", "customer.update", "customer.delete", "token.create",
        "token.revoke", "channel.create",
        "channel.delete", "incident.acknowledge", "scripts.reload",
    ]

    let audit: any AuditRepository
    let customers: any CustomerRepository
    let policy: AccessPolicy

    public init(audit: any AuditRepository, customers: any CustomerRepository, policy: AccessPolicy) {
        self.audit = audit
        self.customers = customers
        self.policy = policy
    }

    public func list(_ filters: Filters, page: Int, perPage: Int, actor: Principal) async throws -> Page<AuditEntry> {
        try await policy.require(.readAuditLog, actor: actor, organizationId: actor.organizationId, customerId: actor.customerId)
        var query = AuditQuery(organizationId: actor.organizationId, page: page, perPage: perPage)
        if let action = filters.action {
            guard Self.actions.contains(action) else {
                throw DomainError.badRequest("action must be one of \(Self.actions.sorted().joined(separator: ", "))", field: "action")
            }
            query.action = action
        }
        if let type = filters.targetType {
            guard Self.targetTypes.contains(type) else {
                throw DomainError.badRequest("targetType must be one of \(Self.targetTypes.sorted().joined(separator: ", "))", field: "targetType")
            }
            query.targetType = type
        }
        if let target = filters.targetId {
            guard (1...64).contains(target.count) else { throw DomainError.badRequest("targetId must be 1-64 characters", field: "targetId") }
            // UUIDs are stored in lower case.
            query.targetId = UUID(text: target)?.lowercasedString ?? target
        }
        if let customer = filters.customer {
            query.customerId = try await CustomerLookup.filter(customer, in: customers, organizationId: actor.organizationId).id
        }
        if let token = filters.tokenId {
            guard let number = Int64(token), (1...999_999_999_999_999_999).contains(number) else {
                throw DomainError.badRequest("tokenId must be a positive integer", field: "tokenId")
            }
            query.tokenId = number
        }
        func time(_ name: String, _ text: String?) throws -> Date? {
            guard let text else { return nil }
            guard let date = Timestamp.parse(text) else { throw DomainError.badRequest("\(name) must be an ISO-8601 date or timestamp", field: name) }
            return date
        }
        query.since = try time("since", filters.since)
        query.until = try time("until", filters.until)
        return try await audit.auditEntries(query)
    }
}
