import NIOCore
import NIOPosix
import Synchronization

/// A loopback server that misbehaves in one chosen way, for timeout and
/// limit tests. It counts what it wrote, so a test can show the client
/// stopped reading (bounded memory) instead of buffering forever.
public final class HostileListener: Sendable {
    public enum Behavior: Sendable {
        /// Accepts and never says a word.
        case silent
        /// Sends one line that never ends, as fast as the client reads it.
        case endlessLine
        /// Sends binary garbage with line breaks, forever.
        case garbage
        /// Sends these bytes, then stays silent.
        case script(String)
        /// Sends `prefix`, then one more byte of a line that never ends every `interval`:
        /// each read gets data, so only a deadline for the whole check ends it.
        case drip(prefix: String, intervalMilliseconds: Int64)
    }

    public let port: Int
    private let channel: any Channel

    public static func start(_ behavior: Behavior) async throws -> HostileListener {
        let counters = Counters()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(HostileHandler(behavior: behavior, counters: counters))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HostileListener(channel: channel, counters: counters)
    }

    private let counters: Counters

    private init(channel: any Channel, counters: Counters) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.counters = counters
    }

    /// Bytes written to clients so far.
    public var bytesWritten: Int { counters.written.load(ordering: .relaxed) }
    /// Connections the client closed.
    public var connectionsClosed: Int { counters.closed.load(ordering: .relaxed) }

    public func stop() async throws { try await channel.close() }
}

final class Counters: Sendable {
    let written = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
}

private final class HostileHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let behavior: HostileListener.Behavior
    private let counters: Counters
    private var chunk: ByteBuffer?
    private var dripTask: Scheduled<Void>?

    init(behavior: HostileListener.Behavior, counters: Counters) {
        self.behavior = behavior
        self.counters = counters
    }

    func channelActive(context: ChannelHandlerContext) {
        switch behavior {
        case .silent:
            break
        case .script(let text):
            write(ByteBuffer(string: text), context: context)
        case .endlessLine:
            chunk = ByteBuffer(repeating: UInt8(ascii: "A"), count: 16_384)
            pump(context: context)
        case .drip(let prefix, let milliseconds):
            write(ByteBuffer(string: prefix), context: context)
            drip(after: .milliseconds(milliseconds), context: context)
        case .garbage:
            var buffer = ByteBuffer()
            for i in 0..<16_384 { buffer.writeInteger(UInt8(truncatingIfNeeded: i &* 131 &+ 7)) }
            buffer.writeString("\r\n")
            chunk = buffer
            pump(context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump(context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        dripTask?.cancel()
        counters.closed.add(1, ordering: .relaxed)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// One more byte after `interval`, and so on while the client stays.
    private func drip(after interval: TimeAmount, context: ChannelHandlerContext) {
        dripTask = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { [self] in
            guard context.channel.isActive else { return }
            write(ByteBuffer(string: "A"), context: context)
            drip(after: interval, context: context)
        }
    }

    /// Writes while the socket takes it; resumes on writability, so memory stays flat.
    private func pump(context: ChannelHandlerContext) {
        guard let chunk else { return }
        while context.channel.isActive, context.channel.isWritable {
            write(chunk, context: context)
        }
    }

    private func write(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        counters.written.add(buffer.readableBytes, ordering: .relaxed)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
