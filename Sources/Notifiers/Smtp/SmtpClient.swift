import MailProbe
import Foundation
public import NIOCore
public import NIOPosix
import NIOSSL

/// Sends alert e-mails through one relay. Build it once (it loads the TLS
/// context, which does disk I/O) and share it; `send` opens one connection per
/// message, bounded as a whole by `relay.timeoutSeconds`.
public struct SmtpClient: Sendable {
    public let relay: SmtpRelay
    private let group: any EventLoopGroup
    private let tlsContext: NIOSSLContext?
    private let limits: SmtpLimits

    /// Throws `SmtpError` (`configuration`) for unusable settings or an unreadable `caFile`.
    public init(relay: SmtpRelay, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        try relay.validate()
        self.relay = relay
        self.group = group
        self.limits = SmtpLimits()
        guard relay.security != .plain else {
            tlsContext = nil
            return
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.shutdownTimeout = .milliseconds(500)
        if let caFile = relay.caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        if !relay.rejectUnauthorized { configuration.certificateVerification = .none }
        do {
            tlsContext = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SmtpError(.configuration, "cannot build the TLS context (caFile \(relay.caFile ?? "none")): \(error)")
        }
    }

    /// Delivers `message` to the relay. Throws only `SmtpError`.
    public func send(_ message: SmtpMessage) async throws {
        let rendered = try message.rendered(from: relay.from, heloName: relay.heloName)
        let session = SmtpSession(relay: relay, recipients: message.to, payload: DotStuffing.dataPayload(rendered), limits: limits)
        let budget = TimeAmount.nanoseconds(Int64((relay.timeoutSeconds * 1e9).rounded()))
        let deadline = NIODeadline.now() + budget
        let host = relay.host.hasPrefix("[") && relay.host.hasSuffix("]") ? String(relay.host.dropFirst().dropLast()) : relay.host
        let isIPLiteral = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        let tls = tlsContext.map { SmtpTLSSetup(context: $0, serverHostname: isIPLiteral ? nil : host) }
        let implicitTLS = relay.security == .tls
        let limits = limits
        let result: Result<Void, SmtpError>
        do {
            let future = try await ClientBootstrap(group: group)
                .connectTimeout(budget)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096))
                .connect(host: host, port: relay.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let promise = channel.eventLoop.makePromise(of: Result<Void, SmtpError>.self)
                        if implicitTLS, let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            SmtpChannelHandler(
                                session: session, limits: limits, tls: tls, implicitTLS: implicitTLS, host: host,
                                promise: promise, deadline: deadline))
                        return promise.futureResult
                    }
                }
            result = try await future.get()
        } catch {
            throw Self.connectFailure(error, host: relay.host, port: relay.port, timeoutSeconds: relay.timeoutSeconds)
        }
        try result.get()
    }

    /// What `ClientBootstrap.connect` throws, as an `SmtpError` (classified as the probes classify it).
    static func connectFailure(_ error: any Error, host: String, port: Int, timeoutSeconds: Double) -> SmtpError {
        let failure = ConnectFailureClassifier.classify(error, host: host, port: port, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
        return SmtpError(failure.category == .connectTimeout ? .timeout : .connect, failure.message)
    }
}
