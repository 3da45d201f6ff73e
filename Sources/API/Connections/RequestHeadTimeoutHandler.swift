import NIOCore
import NIOHTTPTypes

/// Closes a connection that has not sent a complete request head within the timeout of
/// opening or of its previous response; while it waits, the connection limit may close it
/// first to make room for a new one. Sits after Hummingbird's HTTP codec, so it sees parts.
final class RequestHeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let waiting: WaitingConnections
    private var timer: Scheduled<Void>?
    private var token: Int?
    /// Heads read minus responses ended (pipelined heads are read before their answers).
    private var unanswered = 0

    init(timeout: TimeAmount, waiting: WaitingConnections) {
        self.timeout = timeout
        self.waiting = waiting
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            unanswered += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            if unanswered == 0 { arm(context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        token = waiting.add(context.channel)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { context.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
        if let token { waiting.remove(token) }
        token = nil
    }
}
