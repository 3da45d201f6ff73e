public import Foundation
public import LuaHost
public import Domain

/// Monitors as the API sees them: reads and deletes asked of `policies/access`,
/// every create and update decided by the monitor policies, one write each.
public struct MonitorService: Sendable {
    let monitors: any MonitorRepository
    let customers: any CustomerRepository
    let policy: MonitorPolicy
    let access: AccessPolicy
    /// Creates, updates and deletes take their turn here (shared with `CustomerService`).
    let admission: WriteAdmission

    public init(
        monitors: any MonitorRepository, customers: any CustomerRepository, policy: MonitorPolicy, access: AccessPolicy,
        admission: WriteAdmission = WriteAdmission()
    ) {
        self.monitors = monitors
        self.customers = customers
        self.policy = policy
        self.access = access
        self.admission = admission
    }

    public func create(_ request: JSONRequestBody, actor: Principal) async throws -> Monitor {
        try await create(try request.jsonObject(), actor: actor)
    }

    public func create(_ body: LuaValue, actor: Principal) async throws -> Monitor {
        try RequestShape.checkMonitorBody(body)
        return try await admission.admit {
            let decision = try await policy.decideCreate(request: body, actor: actor)
            // The policy resolved the customer; the insert checks its organization again in its transaction.
            let publicId = UUID()
            let audit = AuditRecord(
                actor, action: "monitor.create", targetType: "monitor", targetId: publicId.lowercasedString, customerId: decision.customerId,
                policyVersion: decision.fields.policyVersion)
            guard let monitor = try await monitors.insertMonitor(
                publicId: publicId, organizationId: actor.organizationId, customerId: decision.customerId, fields: decision.fields,
                at: Date(), audit: audit)
            else { throw DomainError.notFound("Customer not found") }
            return monitor
        }
    }

    /// Decides the change on the stored monitor and writes it only if the monitor is still as
    /// read; when another write came in between, the change is decided again on the new state
    /// (two PATCHes of different fields both take effect).
    public func update(_ publicId: String, _ request: JSONRequestBody, actor: Principal) async throws -> Monitor {
        try await update(publicId, try request.jsonObject(), actor: actor)
    }

    public func update(_ publicId: String, _ body: LuaValue, actor: Principal) async throws -> Monitor {
        try RequestShape.checkMonitorBody(body)
        return try await admission.admit { try await decideAndUpdate(publicId, body, actor: actor) }
    }

    private func decideAndUpdate(_ publicId: String, _ body: LuaValue, actor: Principal) async throws -> Monitor {
        for _ in 0..<Self.updateAttempts {
            let current = try await readable(publicId, actor: actor)
            let decision = try await policy.decideUpdate(request: body, actor: actor, current: current)
            // Whether a body may name another customer is the policy's rule (it refuses with a 400);
            // the store cannot move a monitor, so a policy that decides a move broke the contract.
            guard decision.customerId == current.customerId else {
                throw MonitorPolicy.contract(MonitorPolicy.updateScript, "monitor.customerId must stay \(current.customerId): monitors do not move between customers")
            }
            let audit = AuditRecord(
                actor, action: "monitor.update", targetType: "monitor", targetId: current.publicId.lowercasedString,
                customerId: current.customerId, policyVersion: decision.fields.policyVersion,
                changes: MonitorChanges.fieldNames(from: current.fields, to: decision.fields))
            switch try await monitors.updateMonitor(
                id: current.id, fields: decision.fields, at: Date(), ifUpdatedAt: current.updatedAt, audit: audit)
            {
            case .updated(let monitor): return try await visible(monitor, actor: actor)
            case .notFound: throw DomainError.notFound("Monitor not found")
            case .changedMeanwhile: continue
            }
        }
        throw DomainError.conflict("the monitor kept changing while this update was decided; send it again")
    }

    static let updateAttempts = 5

    public func delete(_ publicId: String, actor: Principal) async throws {
        try await admission.admit {
            let monitor = try await readable(publicId, actor: actor)
            let version = try await access.require(
                .deleteMonitor, actor: actor, organizationId: monitor.organizationId, customerId: monitor.customerId)
            let audit = AuditRecord(
                actor, action: "monitor.delete", targetType: "monitor", targetId: monitor.publicId.lowercasedString,
                customerId: monitor.customerId, policyVersion: version)
            guard try await monitors.deleteMonitor(id: monitor.id, audit: audit) else { throw DomainError.notFound("Monitor not found") }
        }
    }

    /// The monitor with its customer as the actor may see it: its password masked unless the
    /// actor may change the monitor (`policies/access` `read_secrets`).
    public func view(_ publicId: String, actor: Principal) async throws -> (Monitor, Customer) {
        let (monitor, customer) = try await get(publicId, actor: actor)
        return (try await visible(monitor, actor: actor), customer)
    }

    /// The monitor as the actor may see it (see `view`).
    public func visible(_ monitor: Monitor, actor: Principal) async throws -> Monitor {
        var secrets = access.secretsVisibility(for: actor)
        return try await secrets.allowed(organizationId: monitor.organizationId, customerId: monitor.customerId) ? monitor : monitor.maskingSecrets()
    }

    /// The monitor with its customer, secrets in clear (for the engine's own use: checks); 400 for a non-UUID, 404 unknown, 403 not yours.
    public func get(_ publicId: String, actor: Principal) async throws -> (Monitor, Customer) {
        let monitor = try await readable(publicId, actor: actor)
        guard let customer = try await customers.customer(id: monitor.customerId) else { throw DomainError.notFound("Customer not found") }
        return (monitor, customer)
    }

    public struct ListQuery: Sendable {
        public var organizationId: Int64?
        public var customer: String?
        public var search: String?
        public var page: Int
        public var perPage: Int
        public var state: MonitorState?
        public var sortByState: Bool
        public init(
            organizationId: Int64?, customer: String?, search: String?, page: Int, perPage: Int, state: MonitorState? = nil,
            sortByState: Bool = false
        ) {
            self.state = state
            self.sortByState = sortByState
            self.organizationId = organizationId
            self.customer = customer
            self.search = search
            self.page = page
            self.perPage = perPage
        }
    }

    public func list(_ query: ListQuery, actor: Principal) async throws -> Page<(Monitor, customerName: String)> {
        var page = try await monitors.monitors(try await scoped(query, actor: actor))
        var secrets = access.secretsVisibility(for: actor)
        for index in page.items.indices {
            let monitor = page.items[index].0
            if try await !secrets.allowed(organizationId: monitor.organizationId, customerId: monitor.customerId) {
                page.items[index].0 = monitor.maskingSecrets()
            }
        }
        return page
    }

    /// How many monitors of the list's scope (organization, customer, search) are in each state,
    /// in one read: the dashboard's counts. The query's state, sort and page are not used.
    public func stateCounts(_ query: ListQuery, actor: Principal) async throws -> [MonitorState: Int] {
        try await monitors.stateCounts(try await scoped(query, actor: actor))
    }

    /// The store's query for a list: the actor's organization (a global supporter without a filter:
    /// every one) and customer scope, and the customer filter once the policy allowed it.
    private func scoped(_ query: ListQuery, actor: Principal) async throws -> MonitorQuery {
        try await access.require(.listMonitors, actor: actor, organizationId: query.organizationId)
        let organizationId: Int64? = query.organizationId ?? (actor.globalSupporter ? nil : actor.organizationId)
        var customerId = actor.customerId
        if let identifier = query.customer {
            let customer = try await CustomerLookup.find(identifier, in: customers, organizationId: organizationId)
            guard let customer, organizationId == nil || customer.organizationId == organizationId else {
                throw DomainError.notFound("Customer not found")
            }
            try await access.require(.listMonitors, actor: actor, organizationId: query.organizationId, customerId: customer.id)
            customerId = customer.id
        }
        return MonitorQuery(
            organizationId: organizationId, customerId: customerId, search: query.search, page: query.page, perPage: query.perPage,
            state: query.state, sortByState: query.sortByState)
    }

    /// The monitor a path names: its `publicId`, or the numeric `id` the create answer carries
    /// (clients of the reference API keep that one).
    private func readable(_ identifier: String, actor: Principal) async throws -> Monitor {
        let found: Monitor?
        if let uuid = UUID(text: identifier) {
            found = try await monitors.monitor(publicId: uuid)
        } else if let id = Int64(identifier), id > 0 {
            found = try await monitors.monitor(id: id)
        } else {
            throw DomainError.badRequest("invalid monitor id: expected the publicId (a UUID) or the numeric id")
        }
        guard let monitor = found else { throw DomainError.notFound("Monitor not found") }
        try await access.require(.readMonitor, actor: actor, organizationId: monitor.organizationId, customerId: monitor.customerId)
        return monitor
    }
}

/// A customer by numeric id or public UUID: the one place these forms are parsed (the API's
/// paths and filters, and `mailmon.store.find_customer` for the policies).
public enum CustomerLookup {
    public static let invalidIdentifier = "Invalid customer identifier: expected a numeric id or a UUID"

    /// The lookup a value names: a positive integer id, or a UUID (as text); nil for anything else.
    static func identifier(_ value: LuaValue) -> CustomerIdentifier? {
        switch value {
        case .integer(let id) where id > 0: .id(id)
        case .string(let text): Int64(text).flatMap { $0 > 0 ? .id($0) : nil } ?? UUID(text: text).map(CustomerIdentifier.publicId)
        default: nil
        }
    }

    enum CustomerIdentifier {
        case id(Int64)
        case publicId(UUID)
    }

    static func find(_ identifier: CustomerIdentifier, in customers: any CustomerRepository, organizationId: Int64?) async throws -> Customer? {
        switch identifier {
        case .id(let id): try await customers.customer(id: id)
        case .publicId(let uuid): try await customers.customer(publicId: uuid, organizationId: organizationId)
        }
    }

    /// The customer a `customerId` query filter names: 400 for a malformed one, 404 when it names no
    /// customer of the organization (another organization's is unknown here too).
    public static func filter(_ text: String, in customers: any CustomerRepository, organizationId: Int64) async throws -> Customer {
        guard let identifier = identifier(.string(text)) else {
            throw DomainError.badRequest("customerId must be a numeric id or a UUID", field: "customerId")
        }
        guard let found = try await find(identifier, in: customers, organizationId: organizationId), found.organizationId == organizationId
        else { throw DomainError.notFound("Customer not found") }
        return found
    }

    /// `organizationId`: where a publicId is looked up (publicIds are unique per organization); nil for any.
    public static func find(_ identifier: String, in customers: any CustomerRepository, organizationId: Int64?) async throws -> Customer? {
        guard let parsed = Self.identifier(.string(identifier)) else { throw DomainError.badRequest(invalidIdentifier) }
        return try await find(parsed, in: customers, organizationId: organizationId)
    }
}
