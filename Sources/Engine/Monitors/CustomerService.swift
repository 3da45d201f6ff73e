public import Foundation
public import LuaHost
public import Domain

/// Customers: enough to use the product without touching the database.
public struct CustomerService: Sendable {
    let customers: any CustomerRepository
    let access: AccessPolicy
    /// Creates take their turn here (shared with `MonitorService`).
    let admission: WriteAdmission

    public init(customers: any CustomerRepository, access: AccessPolicy, admission: WriteAdmission = WriteAdmission()) {
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
        // Blank is spaces only (as lib/monitor_rules has it for monitors); control characters are refused below.
        guard let name = table["name"].stringValue, !name.unicodeScalars.allSatisfy({ $0 == " " }), name.unicodeScalars.count <= 200 else {
            throw DomainError.badRequest("name is required: a string of 1-200 characters", field: "name")
        }
        guard !Validators.hasControlCharacter(name) else { throw DomainError.badRequest("name must not contain control characters", field: "name") }
        var email: String?
        if !table["email"].isNil {
            guard let text = table["email"].stringValue, Validators.isEmail(text) else { throw DomainError.badRequest("email is not a valid address") }
            email = text
        }
        var publicId = UUID()
        if !table["publicId"].isNil {
            guard let text = table["publicId"].stringValue, let uuid = UUID(text: text) else {
                throw DomainError.badRequest("publicId must be a UUID")
            }
            publicId = uuid
        }
        var codes: [String] = []
        if !table["allowedCheckCountryCodes"].isNil {
            try RequestShape.check(table["allowedCheckCountryCodes"], .stringArray, "allowedCheckCountryCodes")
            for code in table["allowedCheckCountryCodes"].tableValue?.array.compactMap(\.stringValue) ?? [] {
                guard Validators.isCountryCode(code) else { throw DomainError.badRequest("\(code) is not an ISO 3166 alpha-2 country code") }
                if !codes.contains(code.uppercased()) { codes.append(code.uppercased()) }
            }
        }
        var threshold = 1
        if !table["alertLocationThresholdCount"].isNil {
            guard let value = table["alertLocationThresholdCount"].integerValue, (1...1000).contains(value) else {
                throw DomainError.badRequest("alertLocationThresholdCount must be an integer 1-1000")
            }
            threshold = Int(value)
        }
        do {
            let customer = NewCustomer(
                publicId: publicId, organizationId: actor.organizationId, name: name, email: email, allowedCheckCountryCodes: codes,
                alertLocationThresholdCount: threshold)
            let audit = AuditRecord(
                actor, action: "customer.create", targetType: "customer", targetId: publicId.lowercasedString, customerId: nil,
                policyVersion: version)
            return try await admission.admit { try await customers.insertCustomer(customer, audit: audit) }
        } catch StoreError.conflict(let message) {
            throw DomainError.conflict(message)
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
