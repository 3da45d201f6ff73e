import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A loopback ESMTP server for tests: it accepts mail, keeps every message it
/// received, and can require STARTTLS, serve implicit TLS, require AUTH PLAIN/LOGIN
/// (535 for wrong credentials) and refuse chosen recipients (550).
public final class SmtpSink: Sendable {
    public struct Options: Sendable {
        public enum TLS: Sendable {
            case none
            /// STARTTLS offered and required before AUTH and MAIL.
            case startTLS
            /// TLS from the first byte.
            case implicit
        }

        public var tls: TLS
        /// The certificate served with `.startTLS` and `.implicit` (signed by the test CA).
        public var certificate: TestCertificates.Kind
        /// With both set, AUTH PLAIN LOGIN is offered (after TLS when `.startTLS`) and required for MAIL.
        public var username: String?
        public var password: String?
        /// RCPT TO for an address containing this is refused with 550.
        public var rejectRecipientsContaining: String?

        public init(
            tls: TLS = .none, certificate: TestCertificates.Kind = .valid, username: String? = nil, password: String? = nil,
            rejectRecipientsContaining: String? = nil
        ) {
            self.tls = tls
            self.certificate = certificate
            self.username = username
            self.password = password
            self.rejectRecipientsContaining = rejectRecipientsContaining
        }
    }

    /// One message as the sink received it.
    public struct ReceivedMail: Sendable, Hashable {
        public var from: String
        public var recipients: [String]
        /// The message with the dot-stuffing removed, CRLF line ends, without the final "." line.
        public var data: String
        /// Whether the message came over TLS (implicit or after STARTTLS).
        public var tls: Bool
        public var authUsername: String?
        /// `PLAIN` or `LOGIN`, when the client authenticated.
        public var authMechanism: String?
    }

    public let port: Int
    private let channel: any Channel
    private let store: LockedValue<[ReceivedMail]>

    /// Listens on `port` of 127.0.0.1 (0: a port the kernel picks).
    /// Takes over a port that refused until now (see `RefusedPort.listenAndHandOver`), so nothing can take it in between.
    public static func start(_ options: Options = Options(), adopting refused: RefusedPort) async throws -> SmtpSink {
        try await start(options, socket: .adopt(try refused.listenAndHandOver()))
    }

    public static func start(_ options: Options = Options(), port: Int = 0) async throws -> SmtpSink {
        try await start(options, socket: .bind(port))
    }

    private enum Socket {
        case bind(Int)
        case adopt(Int32)
    }

    private static func start(_ options: Options, socket: Socket) async throws -> SmtpSink {
        let store = LockedValue<[ReceivedMail]>([])
        var tlsContext: NIOSSLContext?
        if options.tls != .none {
            let certificates = try TestCertificates.shared()
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.certificate(options.certificate)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.key(options.certificate), format: .pem)))
            tlsContext = try NIOSSLContext(configuration: configuration)
        }
        let context = tlsContext
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if options.tls == .implicit, let context {
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try child.pipeline.syncOperations.addHandler(
                        SmtpSinkHandler(options: options, tlsContext: context, store: store))
                }
            }
        let channel: any Channel
        switch socket {
        case .bind(let port): channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        case .adopt(let descriptor): channel = try await bootstrap.withBoundSocket(descriptor).get()
        }
        return SmtpSink(channel: channel, store: store)
    }

    private init(channel: any Channel, store: LockedValue<[ReceivedMail]>) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.store = store
    }

    /// Every message received so far, in order.
    public func messages() -> [ReceivedMail] { store.withLock { $0 } }

    /// Waits until at least `count` messages arrived; throws after `timeout`.
    public func waitForMessages(count: Int, timeout: Duration) async throws -> [ReceivedMail] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let received = messages()
            if received.count >= count { return received }
            guard clock.now < deadline else {
                throw TestSupportError("the SMTP sink received \(received.count) of \(count) messages within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    public func stop() async throws { try await channel.close() }
}

extension SmtpSink.Options.TLS: Equatable {}
