import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP server that records every request (webhook and SMS-gateway
/// tests) and answers with a chosen status.
public final class HTTPReceiver: Sendable {
    public struct Received: Sendable, Hashable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: String
    }

    public let port: Int
    private let channel: any Channel
    private let store: RequestStore

    public var url: String { "http://127.0.0.1:\(port)" }

    /// An answer of a responder: status, JSON body and how long to wait before sending it.
    public struct Reply: Sendable {
        public var status: Int
        public var body: String
        public var delay: Duration

        public init(status: Int, body: String, delay: Duration = .zero) {
            self.status = status
            self.body = body
            self.delay = delay
        }
    }

    /// Starts a receiver that answers `status` (200 by default; set it later with `answer(_:)`),
    /// or what `responder` says for each request.
    public static func start(status: Int = 200, responder: (@Sendable (Received) -> Reply)? = nil) async throws -> HTTPReceiver {
        let store = RequestStore(status: status, responder: responder)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try child.pipeline.syncOperations.addHandler(ReceiverHandler(store: store))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HTTPReceiver(channel: channel, store: store)
    }

    private init(channel: any Channel, store: RequestStore) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.store = store
    }

    public func requests() -> [Received] { store.state.withLock { $0.received } }
    public func answer(_ status: Int) { store.state.withLock { $0.status = status } }

    public func waitForRequests(count: Int, timeout: Duration) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let received = requests()
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("expected \(count) HTTP request(s), got \(requests().count)")
    }

    public func stop() async throws { try await channel.close() }
}

final class RequestStore: Sendable {
    struct State {
        var status: Int
        var received: [HTTPReceiver.Received] = []
    }
    let state: Mutex<State>
    let responder: (@Sendable (HTTPReceiver.Received) -> HTTPReceiver.Reply)?
    init(status: Int, responder: (@Sendable (HTTPReceiver.Received) -> HTTPReceiver.Reply)?) {
        state = Mutex(State(status: status))
        self.responder = responder
    }
}

private final class ReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let store: RequestStore
    var head: HTTPRequestHead?
    var body = ByteBuffer()

    init(store: RequestStore) { self.store = store }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let received = HTTPReceiver.Received(method: "\(head.method)", path: head.uri, headers: headers, body: String(buffer: body))
            let status = store.state.withLock { state -> Int in
                state.received.append(received)
                return state.status
            }
            let reply = store.responder?(received) ?? HTTPReceiver.Reply(status: status, body: "")
            var responseHeaders = HTTPHeaders()
            responseHeaders.add(name: "Content-Length", value: "\(reply.body.utf8.count)")
            if !reply.body.isEmpty { responseHeaders.add(name: "Content-Type", value: "application/json") }
            let responseHead = HTTPResponseHead(version: head.version, status: .init(statusCode: reply.status), headers: responseHeaders)
            let send: () -> Void = { [self] in
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                if !reply.body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
            if reply.delay > .zero {
                let nanoseconds = reply.delay.components.seconds * 1_000_000_000 + reply.delay.components.attoseconds / 1_000_000_000
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) { send() }
            } else {
                send()
            }
        }
    }
}
