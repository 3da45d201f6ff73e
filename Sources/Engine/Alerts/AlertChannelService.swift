public import Foundation
public import LuaHost
public import Domain

/// Webhook and Slack receivers of an organization (or of one customer): listed by
/// anyone who may read, added and removed by writers; a customer-scoped token
/// sees and manages only its customer's channels.
public struct AlertChannelService: Sendable {
    let channels: any AlertRepository
    let customers: any CustomerRepository
    let access: AccessPolicy

    public init(channels: any AlertRepository, customers: any CustomerRepository, access: AccessPolicy) {
        self.channels = channels
        self.customers = customers
        self.access = access
    }

    public func create(_ request: JSONRequestBody, actor: Principal) async throws -> AlertChannel {
        try await create(try request.jsonObject(), actor: actor)
    }

    public func create(_ body: LuaValue, actor: Principal) async throws -> AlertChannel {
        // The role first (before anything is looked up), on the actor's own scope.
        var version = try await access.require(.changeChannel, actor: actor, organizationId: actor.organizationId, customerId: actor.customerId)
        guard let table = body.tableValue, table.array.isEmpty else { throw DomainError.badRequest("the body must be a JSON object") }
        guard let typeText = table["type"].stringValue, let type = AlertChannelType(rawValue: typeText), type == .webhook || type == .slack
        else { throw DomainError.badRequest("type must be webhook or slack") }
        guard let name = table["name"].stringValue, (1...100).contains(name.count), !Validators.hasControlCharacter(name) else {
            throw DomainError.badRequest("name is required: a string of 1-100 characters without control characters", field: "name")
        }
        guard let url = table["url"].stringValue, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            parsed.host?.isEmpty == false
        else { throw DomainError.badRequest("url must be an http or https URL") }
        var customerId = actor.customerId
        if !table["customerId"].isNil {
            guard let identifier = table["customerId"].integerValue.map(String.init) ?? table["customerId"].stringValue else {
                throw DomainError.badRequest("customerId must be a numeric id or a UUID")
            }
            guard let customer = try await CustomerLookup.find(identifier, in: customers, organizationId: actor.organizationId), customer.organizationId == actor.organizationId
            else { throw DomainError.notFound("Customer not found") }
            version = try await access.require(.changeChannel, actor: actor, organizationId: customer.organizationId, customerId: customer.id)
            customerId = customer.id
        }
        // The channel's number is the store's: it fills in the target.
        let audit = AuditRecord(
            actor, action: "channel.create", targetType: "channel", targetId: nil, customerId: customerId, policyVersion: version)
        return try await channels.addAlertChannel(
            organizationId: actor.organizationId, customerId: customerId, type: type, name: name, url: url, at: Date(), audit: audit)
    }

    /// The channels as the actor may see them: URLs (which carry keys) cut to scheme and host
    /// unless the actor may change the channel (`policies/access` `read_secrets`).
    public func view(actor: Principal) async throws -> [AlertChannel] {
        var secrets = access.secretsVisibility(for: actor)
        var visible: [AlertChannel] = []
        for channel in try await list(actor: actor) {
            let clear = try await secrets.allowed(organizationId: channel.organizationId, customerId: channel.customerId)
            visible.append(clear ? channel : channel.maskingSecrets())
        }
        return visible
    }

    public func list(actor: Principal) async throws -> [AlertChannel] {
        let all = try await channels.alertChannels(organizationId: actor.organizationId, customerId: actor.customerId)
        guard actor.customerId == nil else { return all }
        return try await channels.allAlertChannels(organizationId: actor.organizationId)
    }

    public func delete(_ id: String, actor: Principal) async throws {
        try await access.require(.changeChannel, actor: actor, organizationId: actor.organizationId, customerId: actor.customerId)
        guard let number = Int64(id), number > 0 else { throw DomainError.badRequest("invalid alert channel id") }
        guard let channel = try await list(actor: actor).first(where: { $0.id == number }) else {
            throw DomainError.notFound("Alert channel not found")
        }
        let version = try await access.require(
            .changeChannel, actor: actor, organizationId: channel.organizationId, customerId: channel.customerId)
        let audit = AuditRecord(
            actor, action: "channel.delete", targetType: "channel", targetId: String(number), customerId: channel.customerId,
            policyVersion: version)
        _ = try await channels.deleteAlertChannel(id: number, organizationId: actor.organizationId, audit: audit)
    }
}
