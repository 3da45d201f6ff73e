import Foundation
import NIOCore
import NIOTLS
import NIOPosix
import NIOSSL

/// A TLS server that stops at TLSv1.2, with the tests' valid
/// certificate: it sends an IMAP greeting over TLS and closes. For `tlsOptions.minVersion`:
/// Dovecot here offers TLSv1.3, and OpenSSL has no setting for a highest version in Dovecot 2.3.
public final class LegacyTLSListener: Sendable {
    public let port: Int
    private let channel: any Channel

    public static func start() async throws -> LegacyTLSListener {
        let certificates = try TestCertificates.shared()
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.certificate(.valid)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.key(.valid), format: .pem)))
        configuration.maximumTLSVersion = .tlsv12
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.addHandler(GreetThenClose())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return LegacyTLSListener(channel: channel)
    }

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    public func stop() async throws { try await channel.close() }
}

/// Greets once the TLS session is up, and closes on the client's first line.
private final class GreetThenClose: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            context.writeAndFlush(NIOAny(ByteBuffer(string: "* OK legacy TLS server ready\r\n")), promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.close(promise: nil)
    }
}
