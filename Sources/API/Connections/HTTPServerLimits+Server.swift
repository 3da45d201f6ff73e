public import Hummingbird
public import HummingbirdCore
public import Logging
import NIOCore

extension HTTPServerLimits {
    /// The HTTP/1.1 server with these limits: head timeout, idle timeout, parser-error bodies.
    public func server(waiting: WaitingConnectionsHandle) -> HTTPServerBuilder {
        let head = TimeAmount.seconds(Int64(requestHeadTimeoutSeconds))
        let registry = waiting.registry
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [ParserErrorBodyHandler(), RequestHeadTimeoutHandler(timeout: head, waiting: registry)],
                idleTimeout: .seconds(Int64(idleTimeoutSeconds))))
    }

    /// The listener's configuration with the connection limit.
    public func configuration(address: BindAddress, waiting: WaitingConnectionsHandle, logger: Logger) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: "mailmon",
            availableConnectionsDelegate: ConnectionLimit(maximum: maxConnections, waiting: waiting.registry, logger: logger))
    }
}

/// The connections waiting for a request head, shared by the server's handlers and its connection limit.
public struct WaitingConnectionsHandle: Sendable {
    let registry = WaitingConnections()
    public init() {}
}
