import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// The part of a check no IMAP code can remove: TCP connect, the TLS handshake (same
/// configuration as `ProbeTransport`: system roots + CA file, IP literal, same verification)
/// and the close, on the same event loops, with nothing else.
struct HandshakeFloor {
    let context: NIOSSLContext
    let address: SocketAddress

    init(port: Int, caFile: String?, verify: Bool) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.shutdownTimeout = .milliseconds(500)
        if let caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        if !verify { configuration.certificateVerification = .none }
        context = try NIOSSLContext(configuration: configuration)
        address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
    }

    /// failure text → count.
    func run(connections: Int, concurrency: Int) async -> [String: Int] {
        await withTaskGroup(of: String?.self) { group in
            var failures: [String: Int] = [:]
            var started = 0
            while started < min(concurrency, connections) {
                group.addTask { await one() }
                started += 1
            }
            for await failure in group {
                if let failure { failures[failure, default: 0] += 1 }
                if started < connections {
                    group.addTask { await one() }
                    started += 1
                }
            }
            return failures
        }
    }

    /// nil when the handshake completed.
    private func one() async -> String? {
        let context = context
        do {
            let handshake = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(30))
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .connect(to: address) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let promise = channel.eventLoop.makePromise(of: Void.self)
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                        try channel.pipeline.syncOperations.addHandler(CloseAfterHandshake(promise: promise))
                        return promise.futureResult
                    }
                }
            try await handshake.get()
            return nil
        } catch {
            return "handshake: \(error)"
        }
    }
}

/// Completes its promise when the handshake is done (or fails), then closes.
private final class CloseAfterHandshake: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Void>
    private var done = false

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, !done {
            done = true
            promise.succeed(())
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !done else { return }
        done = true
        promise.fail(error)
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.fail(ChannelError.ioOnClosedChannel)
        }
    }
}
