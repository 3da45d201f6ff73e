public import Hummingbird
public import Domain
import NIOCore

/// Per-request facts: who is asking (set by `BearerAuthMiddleware`).
public struct MailmonRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The connection, for the client's address: read only when a request fails to authenticate.
    let channel: any Channel

    /// The client's IP address (what failed authentications are counted by).
    public var remoteAddress: String? { channel.remoteAddress?.ipAddress }

    public init(source: Source) {
        coreContext = .init(source: source)
        principal = nil
        channel = source.channel
    }

    /// The authenticated principal; routes behind the auth middleware always have one.
    func actor() throws -> Principal {
        guard let principal else { throw APIError(.unauthorized, "Unauthorized") }
        return principal
    }
}
