public import Hummingbird
public import Domain

/// Per-request facts: who is asking (set by `BearerAuthMiddleware`).
public struct MailmonRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// The authenticated principal; routes behind the auth middleware always have one.
    func actor() throws -> Principal {
        guard let principal else { throw APIError(.unauthorized, "Unauthorized") }
        return principal
    }
}
