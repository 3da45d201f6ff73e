public import Hummingbird
public import HummingbirdCore
public import Logging
import NIOCore

extension HTTPServerLimits {
    /// The HTTP/1.1 server with these limits: head timeout, idle timeout, parser-error bodies.
    public func server(waiting: WaitingConnections) -> HTTPServerBuilder {
        let head = TimeAmount.seconds(Int64(requestHeadTimeoutSeconds))
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [ParserErrorBodyHandler(), RequestHeadTimeoutHandler(timeout: head, waiting: waiting)],
                idleTimeout: .seconds(Int64(idleTimeoutSeconds))))
    }

    /// The listener's configuration with the connection limit.
    public func configuration(address: BindAddress, waiting: WaitingConnections, logger: Logger) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: "mailmon",
            availableConnectionsDelegate: ConnectionLimit(maximum: maxConnections, waiting: waiting, logger: logger))
    }
}
