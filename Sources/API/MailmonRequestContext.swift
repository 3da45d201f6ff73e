public import Hummingbird
public import Domain

/// Per-request facts: who is asking (set by `BearerAuthMiddleware`).
public struct MailmonRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The client's IP address (what failed authentications are counted by).
    public var remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The authenticated principal; routes behind the auth middleware always have one.
    func actor() throws -> Principal {
        guard let principal else { throw APIError(.unauthorized, "Unauthorized") }
        return principal
    }
}
