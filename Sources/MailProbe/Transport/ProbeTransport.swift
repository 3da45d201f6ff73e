import Foundation
public import NIOCore
public import NIOPosix
import NIOSSL
import Synchronization

/// Connects, wires TLS and a session machine into a channel, and turns every
/// way a check can end into a `ProbeResult`. One per process: it holds the
/// TLS contexts (expensive to build) and the event loop group.
public final class ProbeTransport: Sendable {
    private let group: any EventLoopGroup
    private let verifying: NIOSSLContext
    private let insecure: NIOSSLContext
    private let additionalTrustRootsFile: String?
    /// Contexts for monitors with their own TLS policy (a private CA, a minimum version), by policy:
    /// a context is expensive to build and monitors share them.
    private let policyContexts = Mutex<[PolicyKey: NIOSSLContext]>([:])

    private struct PolicyKey: Hashable {
        var verify: Bool
        var pem: String?
        var minimumVersion: MinimumTLSVersion?
    }

    /// - Parameters:
    ///   - additionalTrustRootsFile: a PEM bundle trusted beside the system CA store
    ///     (a private CA; the tests' own CA).
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, additionalTrustRootsFile: String? = nil) throws {
        self.group = group
        self.additionalTrustRootsFile = additionalTrustRootsFile
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.shutdownTimeout = .milliseconds(500)
        if let additionalTrustRootsFile {
            configuration.additionalTrustRoots = [.file(additionalTrustRootsFile)]
        }
        verifying = try NIOSSLContext(configuration: configuration)
        configuration.certificateVerification = .none
        insecure = try NIOSSLContext(configuration: configuration)
    }

    /// The context for a target: the shared ones, or one built for its TLS policy (kept for the next check).
    private func context(for target: ProbeTarget) throws -> NIOSSLContext {
        let policy = target.tlsPolicy
        guard policy.trustedCertificatesPEM != nil || policy.minimumVersion != nil else {
            return target.verifyCertificate ? verifying : insecure
        }
        let key = PolicyKey(verify: target.verifyCertificate, pem: policy.trustedCertificatesPEM, minimumVersion: policy.minimumVersion)
        if let known = policyContexts.withLock({ $0[key] }) { return known }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.shutdownTimeout = .milliseconds(500)
        if let pem = policy.trustedCertificatesPEM {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            } catch {
                throw ProbeFailure(.configuration, "tlsOptions.ca holds no readable PEM certificate: \(error)")
            }
            guard !certificates.isEmpty else { throw ProbeFailure(.configuration, "tlsOptions.ca holds no PEM certificate") }
            // A private CA replaces the system's store (as Node's `ca` does); the tests' own CA file stays trusted.
            configuration.trustRoots = .certificates(certificates)
            if let additionalTrustRootsFile { configuration.additionalTrustRoots = [.file(additionalTrustRootsFile)] }
        } else if let additionalTrustRootsFile {
            configuration.additionalTrustRoots = [.file(additionalTrustRootsFile)]
        }
        if let minimum = policy.minimumVersion {
            configuration.minimumTLSVersion =
                switch minimum {
                case .tls1: .tlsv1
                case .tls11: .tlsv11
                case .tls12: .tlsv12
                case .tls13: .tlsv13
                }
        }
        if !target.verifyCertificate { configuration.certificateVerification = .none }
        let context = try NIOSSLContext(configuration: configuration)
        policyContexts.withLock { contexts in
            if contexts.count >= 256 { contexts = [:] }
            contexts[key] = context
        }
        return context
    }

    func run<Session: ProbeSession>(_ target: ProbeTarget, session: Session, imapLiterals: Bool) async -> ProbeResult {
        let startedAt = Date()
        let started = NIODeadline.now()
        let budget = TimeAmount.nanoseconds(Self.nanoseconds(target.timeout))
        let deadline = started + budget
        let isIPLiteral = (try? SocketAddress(ipAddress: Self.unbracketed(target.host), port: 0)) != nil
        let tlsContext: NIOSSLContext
        do {
            tlsContext = try context(for: target)
        } catch {
            let failure = error as? ProbeFailure ?? ProbeFailure(.configuration, "the TLS settings are unusable: \(error)")
            return ProbeResult(
                ok: false, category: failure.category, message: failure.message, mailProtocol: target.mailProtocol, host: target.host,
                port: target.port, security: target.session.security, startedAt: startedAt, timings: PhaseTimings(total: 0), greeting: nil,
                capabilities: [], messageCount: nil, mailboxBytes: nil, tlsVersion: nil, certificate: nil)
        }
        let tls = TLSSetup(
            context: tlsContext, serverHostname: target.tlsPolicy.serverName ?? (isIPLiteral ? nil : target.host),
            minimumVersion: target.tlsPolicy.minimumVersion)
        // An IP literal is connected to as is: no resolver queue, no Happy Eyeballs. (SocketAddress
        // traps on a port outside 0...65535; such a port keeps the resolver's error as before.)
        let literalAddress =
            isIPLiteral && (0...65535).contains(target.port)
            ? try? SocketAddress(ipAddress: Self.unbracketed(target.host), port: target.port) : nil
        let implicit = target.session.security == .implicitTLS
        let limits = target.session.limits
        var result = ProbeResult(
            ok: false, category: nil, message: nil, mailProtocol: target.mailProtocol, host: target.host, port: target.port,
            security: target.session.security, startedAt: startedAt, timings: PhaseTimings(), greeting: nil,
            capabilities: [], messageCount: nil, mailboxBytes: nil, tlsVersion: nil, certificate: nil)
        do {
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(budget)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096))
            let initializer: @Sendable (any Channel) -> EventLoopFuture<EventLoopFuture<SessionReport>> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    let promise = channel.eventLoop.makePromise(of: SessionReport.self)
                    var implicitHandler: NIOSSLClientHandler?
                    if implicit {
                        let handler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        implicitHandler = handler
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ProbeChannelHandler(
                            session: session, framer: LineFramer(limits: limits, imapLiterals: imapLiterals), tls: tls,
                            implicitTLSHandler: implicitHandler, promise: promise, started: started, deadline: deadline))
                    return promise.futureResult
                }
            }
            let future =
                if let literalAddress {
                    try await bootstrap.connect(to: literalAddress, channelInitializer: initializer)
                } else {
                    try await bootstrap.connect(host: Self.unbracketed(target.host), port: target.port, channelInitializer: initializer)
                }
            let report = try await future.get()
            result.timings = report.timings
            result.certificate = report.certificate
            result.tlsVersion = report.tlsVersion
            switch report.result {
            case .success(let outcome):
                result.ok = true
                result.greeting = outcome.greeting
                result.capabilities = outcome.capabilities
                result.messageCount = outcome.messageCount
                result.mailboxBytes = outcome.mailboxBytes
                result.newestMessageAt = outcome.newestMessageAt
            case .failure(let failure):
                result.category = failure.category
                result.message = failure.message
            }
        } catch {
            let failure = ConnectFailureClassifier.classify(error, host: target.host, port: target.port, timeout: target.timeout)
            result.category = failure.category
            result.message = failure.message
            result.timings = PhaseTimings(connect: Self.milliseconds(since: started), total: Self.milliseconds(since: started))
        }
        return result
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func milliseconds(since start: NIODeadline) -> Double {
        (Double((NIODeadline.now() - start).nanoseconds) / 10_000).rounded() / 100
    }
}
