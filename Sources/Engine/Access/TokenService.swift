public import Foundation
public import LuaHost
public import Domain

/// API tokens over the API, on the reference family's two routes: `/api/organization/tokens`
/// (organization-wide and customer tokens, for the organization's admins) and `/api/customer/tokens`
/// (customer-scoped tokens, for whoever may change that customer). Who may do what is
/// `policies/access` (`list_tokens`, `create_token`, `revoke_token`); this checks the request's shape.
public struct TokenService: Sendable {
    public enum Route: String, Sendable {
        case organization, customer
    }

    /// What create answers: the token in clear (the only time) with its listing.
    public struct Created: Sendable {
        public var token: String
        public var listing: TokenListing
    }

    let access: any AccessRepository
    let customers: any CustomerRepository
    let policy: AccessPolicy

    public init(access: any AccessRepository, customers: any CustomerRepository, policy: AccessPolicy) {
        self.access = access
        self.customers = customers
        self.policy = policy
    }

    public func create(_ request: JSONRequestBody, route: Route, actor: Principal) async throws -> Created {
        guard let table = try request.jsonObject().tableValue, table.array.isEmpty else {
            throw DomainError.badRequest("the body must be a JSON object")
        }
        guard case .string(let name) = table["name"], (1...255).contains(name.count), !Validators.hasControlCharacter(name) else {
            throw DomainError.badRequest("name is required: a string of 1-255 characters without control characters", field: "name")
        }
        var expiresAt: Date?
        switch table["expiresInDays"] {
        case .nil: break
        case let value:
            guard let days = value.integerValue, (1...365).contains(days) else {
                throw DomainError.badRequest("expiresInDays must be an integer from 1 to 365 (or null: never)", field: "expiresInDays")
            }
            expiresAt = Date().addingTimeInterval(Double(days) * 86_400)
        }
        var role = Role.readonly
        if !table["role"].isNil {
            guard let text = table["role"].stringValue, let given = Role(rawValue: text) else {
                throw DomainError.badRequest("role must be admin, member or readonly", field: "role")
            }
            role = given
        }
        var customerId: Int64? = route == .customer ? actor.customerId : nil
        if !table["customerId"].isNil {
            guard let identifier = CustomerLookup.identifier(table["customerId"]),
                let customer = try await CustomerLookup.find(identifier, in: customers, organizationId: actor.organizationId),
                customer.organizationId == actor.organizationId
            else {
                guard CustomerLookup.identifier(table["customerId"]) != nil else {
                    throw DomainError.badRequest("customerId must be a numeric id or a UUID", field: "customerId")
                }
                throw DomainError.notFound("Customer not found")
            }
            customerId = customer.id
        }
        var token: [String: LuaValue] = ["role": .string(role.rawValue)]
        if let customerId { token["customerId"] = .integer(customerId) }
        let version = try await policy.require(
            .createToken, actor: actor, organizationId: actor.organizationId, customerId: customerId,
            extra: ["route": .string(route.rawValue), "token": .table(LuaTable(fields: token))])
        // The token's number is the store's: it fills in the target.
        let audit = AuditRecord(
            actor, action: "token.create", targetType: "token", targetId: nil, customerId: customerId, policyVersion: version,
            changes: ["role", "name"] + (expiresAt == nil ? [] : ["expiresAt"]))
        let (clear, principal) = try await AccessTokens.create(
            in: access, role: role, customerId: customerId, organizationId: actor.organizationId, userName: name, expiresAt: expiresAt,
            audit: audit)
        guard let listing = try await access.tokens(organizationId: actor.organizationId).first(where: { $0.id == principal.tokenId }) else {
            throw DomainError.notFound("Token not found")
        }
        return Created(token: clear, listing: listing)
    }

    /// The organization route lists every token of the organization; the customer route its
    /// customer-scoped ones (a scoped actor's only).
    public func list(route: Route, actor: Principal) async throws -> [TokenListing] {
        try await policy.require(
            .listTokens, actor: actor, organizationId: actor.organizationId, customerId: route == .customer ? actor.customerId : nil,
            extra: ["route": .string(route.rawValue)])
        let all = try await access.tokens(organizationId: actor.organizationId).filter { !$0.platformOperator || actor.platformOperator }
        switch route {
        case .organization: return all
        case .customer: return all.filter { $0.customerId != nil && (actor.customerId == nil || $0.customerId == actor.customerId) }
        }
    }

    public func revoke(_ id: String, route: Route, actor: Principal) async throws {
        guard let number = Int64(id), number > 0 else { throw DomainError.badRequest("invalid token id") }
        // A token that revoked itself would leave its holder locked out mid-session (and an organization
        // without an admin): another token does it.
        guard number != actor.tokenId else { throw DomainError.conflict("a token cannot revoke itself: use another token") }
        guard let token = try await access.tokens(organizationId: actor.organizationId).first(where: { $0.id == number }) else {
            throw DomainError.notFound("Token not found")
        }
        if token.platformOperator, !actor.platformOperator { throw DomainError.notFound("Token not found") }
        let version = try await policy.require(
            .revokeToken, actor: actor, organizationId: token.organizationId, customerId: token.customerId,
            extra: ["route": .string(route.rawValue), "token": .table(LuaTable(fields: ["role": .string(token.role.rawValue)]))])
        let audit = AuditRecord(
            actor, action: "token.revoke", targetType: "token", targetId: String(number), customerId: token.customerId, policyVersion: version)
        guard try await access.revokeToken(id: number, audit: audit) else { throw DomainError.notFound("Token not found") }
    }
}
