public import Foundation
public import LuaHost
public import Domain

/// Customers: enough to use the product without touching the database.
public struct CustomerService: Sendable {
    let customers: any CustomerRepository
    /// For how many monitors a customer to delete has (nil: none counted).
    let monitors: (any MonitorRepository)?
    let access: AccessPolicy
    /// Creates take their turn here (shared with `MonitorService`).
    let admission: WriteAdmission

    public init(
        customers: any CustomerRepository, monitors: (any MonitorRepository)? = nil, access: AccessPolicy,
        admission: WriteAdmission = WriteAdmission()
    ) {
        self.monitors = monitors
        self.customers = customers
        self.access = access
        self.admission = admission
    }

    public func create(_ request: JSONRequestBody, actor: Principal) async throws -> Customer {
        try await create(try request.jsonObject(), actor: actor)
    }

    public func create(_ body: LuaValue, actor: Principal) async throws -> Customer {
        let version = try await access.require(.createCustomer, actor: actor)
        guard let table = body.tableValue, table.array.isEmpty else { throw DomainError.badRequest("the body must be a JSON object") }
        let fields = try Self.fields(table, current: nil)
        var publicId = UUID()
        if !table["publicId"].isNil {
            guard let text = table["publicId"].stringValue, let uuid = UUID(text: text) else {
                throw DomainError.badRequest("publicId must be a UUID")
            }
            publicId = uuid
        }
        do {
            let customer = NewCustomer(
                publicId: publicId, organizationId: actor.organizationId, name: fields.name, email: fields.email,
                allowedCheckCountryCodes: fields.codes, alertLocationThresholdCount: fields.threshold, statusPage: fields.statusPage)
            let audit = AuditRecord(
                actor, action: "customer.create", targetType: "customer", targetId: publicId.lowercasedString, customerId: nil,
                policyVersion: version)
            return try await admission.admit { try await customers.insertCustomer(customer, audit: audit) }
        } catch StoreError.conflict(let message) {
            throw DomainError.conflict(message)
        }
    }

    /// The changeable fields of a create or PATCH body; a PATCH leaves out what it does not change
    /// (`current`), and null clears the e-mail and the country codes.
    struct Fields {
        var name: String
        var email: String?
        var codes: [String]
        var threshold: Int
        var statusPage: StatusPageSetting?
    }

    /// `statusPage`: `{enabled, slug?, showHostnames?}`; null or absent leaves it as it is. Enabling without
    /// a slug keeps the current one or makes an unguessable one (32 hex digits).
    static func statusPage(_ value: LuaValue, current: StatusPageSetting?) throws -> StatusPageSetting? {
        if value.isNil { return current }
        guard let table = value.tableValue, table.array.isEmpty else {
            throw DomainError.badRequest("statusPage must be an object: {\"enabled\": true, \"slug\": …, \"showHostnames\": …}", field: "statusPage")
        }
        let known: Set<String> = ["enabled", "slug", "showHostnames"]
        if let unknown = table.fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw DomainError.badRequest("statusPage.\(unknown) is not a known key (known: enabled, slug, showHostnames)", field: "statusPage")
        }
        guard case .boolean(let enabled) = table["enabled"] else {
            throw DomainError.badRequest("statusPage.enabled is required: true or false", field: "statusPage")
        }
        var showHostnames = current?.showHostnames ?? false
        if !table["showHostnames"].isNil {
            guard case .boolean(let show) = table["showHostnames"] else {
                throw DomainError.badRequest("statusPage.showHostnames must be true or false", field: "statusPage")
            }
            showHostnames = show
        }
        var slug: String?
        if !table["slug"].isNil {
            guard let text = table["slug"].stringValue, isSlug(text) else {
                throw DomainError.badRequest(
                    "statusPage.slug must be 4-64 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
                    field: "statusPage")
            }
            slug = text
        }
        guard enabled else { return nil }
        return StatusPageSetting(
            slug: slug ?? current?.slug ?? UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), showHostnames: showHostnames)
    }

    static func isSlug(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (4...64).contains(bytes.count) else { return false }
        func alphanumeric(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        return alphanumeric(bytes.first!) && alphanumeric(bytes.last!) && bytes.allSatisfy { alphanumeric($0) || $0 == 0x2D }
    }

    static func fields(_ table: LuaTable, current: Customer?) throws -> Fields {
        var fields = Fields(
            name: current?.name ?? "", email: current?.email, codes: current?.allowedCheckCountryCodes ?? [],
            threshold: current?.alertLocationThresholdCount ?? 1, statusPage: current?.statusPage)
        fields.statusPage = try statusPage(table["statusPage"], current: current?.statusPage)
        if current == nil || !table["name"].isNil {
            // Blank is spaces only (as lib/monitor_rules has it for monitors); control characters are refused below.
            guard let name = table["name"].stringValue, !name.unicodeScalars.allSatisfy({ $0 == " " }), name.unicodeScalars.count <= 200 else {
                throw DomainError.badRequest("name is required: a string of 1-200 characters", field: "name")
            }
            guard !Validators.hasControlCharacter(name) else { throw DomainError.badRequest("name must not contain control characters", field: "name") }
            fields.name = name
        }
        if table.fields.keys.contains("email") {
            if table["email"].isNil {
                fields.email = nil
            } else {
                guard let text = table["email"].stringValue, Validators.isEmail(text) else { throw DomainError.badRequest("email is not a valid address") }
                fields.email = text
            }
        }
        if table.fields.keys.contains("allowedCheckCountryCodes") {
            fields.codes = []
            if !table["allowedCheckCountryCodes"].isNil {
                try RequestShape.check(table["allowedCheckCountryCodes"], .stringArray, "allowedCheckCountryCodes")
                for code in table["allowedCheckCountryCodes"].tableValue?.array.compactMap(\.stringValue) ?? [] {
                    guard Validators.isCountryCode(code) else { throw DomainError.badRequest("\(code) is not an ISO 3166 alpha-2 country code") }
                    if !fields.codes.contains(code.uppercased()) { fields.codes.append(code.uppercased()) }
                }
            }
        }
        if !table["alertLocationThresholdCount"].isNil {
            guard let value = table["alertLocationThresholdCount"].integerValue, (1...1000).contains(value) else {
                throw DomainError.badRequest("alertLocationThresholdCount must be an integer 1-1000")
            }
            fields.threshold = Int(value)
        }
        return fields
    }

    /// `PATCH /api/customers/:id`: any of name, email, allowedCheckCountryCodes, alertLocationThresholdCount
    /// (`policies/access` `update_customer`); the publicId stays.
    public func update(_ identifier: String, _ request: JSONRequestBody, actor: Principal) async throws -> Customer {
        let body = try request.jsonObject()
        guard let table = body.tableValue, table.array.isEmpty else { throw DomainError.badRequest("the body must be a JSON object") }
        let current = try await get(identifier, actor: actor)
        let version = try await access.require(.updateCustomer, actor: actor, organizationId: current.organizationId, customerId: current.id)
        if !table["publicId"].isNil, table["publicId"].stringValue.flatMap(UUID.init(text:)) != current.publicId {
            throw DomainError.badRequest("publicId cannot be changed", field: "publicId")
        }
        let fields = try Self.fields(table, current: current)
        var changed = current
        changed.name = fields.name
        changed.email = fields.email
        changed.allowedCheckCountryCodes = fields.codes
        changed.alertLocationThresholdCount = fields.threshold
        changed.statusPage = fields.statusPage
        var names: [String] = []
        if changed.name != current.name { names.append("name") }
        if changed.email != current.email { names.append("email") }
        if changed.allowedCheckCountryCodes != current.allowedCheckCountryCodes { names.append("allowedCheckCountryCodes") }
        if changed.alertLocationThresholdCount != current.alertLocationThresholdCount { names.append("alertLocationThresholdCount") }
        if changed.statusPage != current.statusPage { names.append("statusPage") }
        let audit = AuditRecord(
            actor, action: "customer.update", targetType: "customer", targetId: current.publicId.lowercasedString, customerId: current.id,
            policyVersion: version, changes: names)
        do {
            guard let updated = try await admission.admit({ try await customers.updateCustomer(changed, at: Date(), audit: audit) }) else {
                throw DomainError.notFound("Customer not found")
            }
            return updated
        } catch StoreError.conflict(let message) {
            throw DomainError.conflict(message)
        }
    }

    /// `DELETE /api/customers/:id[?deleteMonitors=true]`: who may, and whether a customer with monitors
    /// may go (and take them along), is `policies/access` `delete_customer`.
    public func delete(_ identifier: String, deleteMonitors: Bool, actor: Principal) async throws {
        let current = try await get(identifier, actor: actor)
        let count = try await monitors?.countMonitors(customerId: current.id) ?? 0
        let version = try await access.require(
            .deleteCustomer, actor: actor, organizationId: current.organizationId, customerId: current.id,
            extra: ["monitorCount": .integer(Int64(count)), "deleteMonitors": .boolean(deleteMonitors)])
        let audit = AuditRecord(
            actor, action: "customer.delete", targetType: "customer", targetId: current.publicId.lowercasedString, customerId: current.id,
            policyVersion: version, changes: count > 0 ? ["monitors"] : [])
        guard try await admission.admit({ try await customers.deleteCustomer(id: current.id, audit: audit) }) else {
            throw DomainError.notFound("Customer not found")
        }
    }

    public func get(_ identifier: String, actor: Principal) async throws -> Customer {
        guard let customer = try await CustomerLookup.find(
            identifier, in: customers, organizationId: actor.globalSupporter ? nil : actor.organizationId)
        else { throw DomainError.notFound("Customer not found") }
        try await access.require(.readCustomer, actor: actor, organizationId: customer.organizationId, customerId: customer.id)
        return customer
    }

    public func list(search: String?, page: Int, perPage: Int, actor: Principal) async throws -> Page<Customer> {
        try await customers.customers(
            organizationId: actor.globalSupporter ? nil : actor.organizationId, onlyCustomerId: actor.customerId, search: search,
            page: page, perPage: perPage)
    }
}
