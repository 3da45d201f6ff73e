public import Foundation
public import LuaHost
public import Domain
public import Notifiers

/// The HTTP receivers of an organization (or of one customer) - webhooks, Slack, Teams, Discord,
/// Telegram, ntfy: listed by anyone who may read, added, removed and test-sent by writers; a
/// customer-scoped token sees and manages only its customer's channels.
public struct AlertChannelService: Sendable {
    let channels: any AlertRepository
    let customers: any CustomerRepository
    let access: AccessPolicy
    /// What sends a test message (nil: a test says this process cannot send).
    let senders: AlertSenders?

    public init(channels: any AlertRepository, customers: any CustomerRepository, access: AccessPolicy, senders: AlertSenders? = nil) {
        self.channels = channels
        self.customers = customers
        self.access = access
        self.senders = senders
    }

    /// What a test message did.
    public struct TestSend: Sendable {
        public var sent: Bool
        public var error: String?
    }

    /// Sends a test message on the channel now, as an alert would go (no outbox, no retry).
    public func test(_ id: String, actor: Principal) async throws -> TestSend {
        guard let number = Int64(id), number > 0 else { throw DomainError.badRequest("invalid alert channel id") }
        guard let channel = try await list(actor: actor).first(where: { $0.id == number }) else {
            throw DomainError.notFound("Alert channel not found")
        }
        try await access.require(.changeChannel, actor: actor, organizationId: channel.organizationId, customerId: channel.customerId)
        guard let sender = senders?[channel.type] else {
            return TestSend(sent: false, error: "this process sends no \(channel.type.rawValue) messages")
        }
        let delivery = PendingDelivery(
            id: 0, incidentId: 0, type: channel.type.rawValue, channelName: channel.name, recipient: channel.url,
            subject: "[mailmon] TEST: \(channel.name)",
            body: "A test message from mailmon for the alert channel \(channel.name): alerts will arrive here like this.", attempts: 0,
            nextAttemptAt: Date())
        do {
            try await sender.send(delivery)
            return TestSend(sent: true, error: nil)
        } catch {
            return TestSend(sent: false, error: String(String(describing: error).prefix(500)))
        }
    }

    public func create(_ request: JSONRequestBody, actor: Principal) async throws -> AlertChannel {
        try await create(try request.jsonObject(), actor: actor)
    }

    public func create(_ body: LuaValue, actor: Principal) async throws -> AlertChannel {
        // The role first (before anything is looked up), on the actor's own scope.
        var version = try await access.require(.changeChannel, actor: actor, organizationId: actor.organizationId, customerId: actor.customerId)
        guard let table = body.tableValue, table.array.isEmpty else { throw DomainError.badRequest("the body must be a JSON object") }
        guard let typeText = table["type"].stringValue, let type = AlertChannelType(rawValue: typeText),
            AlertChannelType.httpChannels.contains(type)
        else {
            throw DomainError.badRequest("type must be one of \(AlertChannelType.httpChannels.map(\.rawValue).joined(separator: ", "))")
        }
        guard let name = table["name"].stringValue, (1...100).contains(name.count), !Validators.hasControlCharacter(name) else {
            throw DomainError.badRequest("name is required: a string of 1-100 characters without control characters", field: "name")
        }
        guard let url = table["url"].stringValue, url.count <= 2000, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            parsed.host?.isEmpty == false
        else { throw DomainError.badRequest("url must be an http or https URL of at most 2,000 characters") }
        // The URL forms are the payload builders' (ChannelPayload): one owner for what each type needs.
        if let problem = ChannelPayload.urlProblem(type, url) { throw DomainError.badRequest(problem, field: "url") }
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
