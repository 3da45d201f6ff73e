import Foundation
import NIOCore
import NIOSSL
import NIOTLS

/// What the handler hands back when the session ends, whichever way.
struct SessionReport: Sendable {
    var result: Result<SessionOutcome, ProbeFailure>
    var timings: PhaseTimings
    var certificate: CertificateInfo?
    var tlsVersion: String?
}

/// How TLS is started: up front (implicit) or after STARTTLS/STLS.
struct TLSSetup {
    let context: NIOSSLContext
    /// SNI and the hostname to verify; nil for IP literals (verified against IP SANs).
    let serverHostname: String?
    /// For telling a server that offers only older versions (`tls_policy`) from other handshake failures.
    var minimumVersion: MinimumTLSVersion? = nil
}

/// Drives one session machine over one connection. Thin on purpose: framing,
/// protocol and decisions live in `LineFramer` and the session machines; this
/// carries out their actions, owns the deadline and reports exactly once.
final class ProbeChannelHandler<Session: ProbeSession>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var session: Session
    private var framer: LineFramer
    private let tls: TLSSetup?
    private var sslHandler: NIOSSLClientHandler?
    private let promise: EventLoopPromise<SessionReport>
    private let deadline: NIODeadline
    private var clock: PhaseClock
    private var timeoutTask: Scheduled<Void>?
    private var handshakePending = false
    private var certificate: CertificateInfo?
    private var tlsVersion: String?
    private var completed = false

    init(
        session: Session, framer: LineFramer, tls: TLSSetup?, implicitTLSHandler: NIOSSLClientHandler?,
        promise: EventLoopPromise<SessionReport>, started: NIODeadline, deadline: NIODeadline
    ) {
        self.session = session
        self.framer = framer
        self.tls = tls
        self.sslHandler = implicitTLSHandler
        self.handshakePending = implicitTLSHandler != nil
        self.promise = promise
        self.deadline = deadline
        self.clock = PhaseClock(started: started)
    }

    func channelActive(context: ChannelHandlerContext) {
        clock.enter(handshakePending ? .tls : .greeting)
        timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            let step = handshakePending ? "the TLS handshake" : "\(session.phase.rawValue)"
            finish(context: context, .failure(ProbeFailure(.timeout, "no answer within the timeout during \(step)")))
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !completed else { return }
        let buffer = unwrapInboundIn(data)
        do {
            try framer.append(buffer.readableBytesView)
        } catch {
            return apply(session.inputViolation(Self.describe(error)), context: context)
        }
        while !completed, !handshakePending {
            let line: [UInt8]?
            do {
                line = try framer.nextLine()
            } catch {
                return apply(session.inputViolation(Self.describe(error)), context: context)
            }
            guard let line else { return }
            apply(session.receive(line: line), context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, handshakePending {
            handshakePending = false
            readPeerCertificate()
            tlsVersion = sslHandler?.tlsVersion.map(Self.describe)
            clock.enter(session.phase == .startTLS ? PhaseClock.Slot.capability : PhaseClock.Slot.greeting)
            if session.phase == .startTLS { apply(session.tlsEstablished(), context: context) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !completed else { return }
        if handshakePending {
            // The leaf is still readable here even when verification failed (pinned by a test).
            readPeerCertificate()
            return finish(context: context, .failure(TLSFailureClassifier.classify(error, leaf: certificate, minimumVersion: tls?.minimumVersion)))
        }
        // A peer that closes without close_notify: channelInactive decides what that means.
        if let tlsError = error as? NIOSSLError, case .uncleanShutdown = tlsError { return }
        var action = session.connectionClosed()
        if case .fail(var failure) = action {
            failure.message = "connection error during \(session.phase.rawValue): \(error)"
            action = .fail(failure)
        }
        apply(action, context: context)
        if !completed { finish(context: context, .failure(ProbeFailure(.protocol, "connection error: \(error)"))) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !completed {
            if handshakePending {
                finish(context: context, .failure(ProbeFailure(.tlsHandshake, "connection closed during the TLS handshake")))
            } else {
                apply(session.connectionClosed(), context: context)
                if !completed {
                    finish(context: context, .failure(ProbeFailure(.protocol, "connection closed by the server")))
                }
            }
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Safety net, also for Happy Eyeballs losers: the promise is always completed.
        timeoutTask?.cancel()
        if !completed {
            completed = true
            promise.succeed(report(.failure(ProbeFailure(.protocol, "connection abandoned"))))
        }
    }

    private func apply(_ action: SessionAction, context: ChannelHandlerContext) {
        switch action {
        case .wait:
            break
        case .send(let bytes, let phase):
            clock.enter(phase)
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case .startTLS:
            startTLS(context: context)
        case .succeed(let outcome):
            finish(context: context, .success(outcome))
        case .fail(let failure):
            finish(context: context, .failure(failure))
        }
    }

    private func startTLS(context: ChannelHandlerContext) {
        // Bytes that came after the server's OK arrived in plaintext; never read them as TLS data.
        guard framer.discardBuffered() == 0 else {
            return finish(
                context: context,
                .failure(ProbeFailure(.protocol, "the server sent data after accepting STARTTLS, before TLS started")))
        }
        guard let tls else {
            return finish(context: context, .failure(ProbeFailure(.tlsHandshake, "no TLS context for STARTTLS")))
        }
        do {
            let handler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
            sslHandler = handler
            handshakePending = true  // adding the handler starts the handshake at once
            try context.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            finish(context: context, .failure(ProbeFailure(.tlsHandshake, "could not start TLS: \(error)")))
        }
    }

    private func readPeerCertificate() {
        if certificate == nil, let leaf = sslHandler?.peerCertificate {
            certificate = CertificateInfo(leaf, checkedAt: Date())
        }
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<SessionOutcome, ProbeFailure>) {
        guard !completed else { return }
        completed = true
        timeoutTask?.cancel()
        promise.succeed(report(result))
        context.close(promise: nil)
    }

    private func report(_ result: Result<SessionOutcome, ProbeFailure>) -> SessionReport {
        SessionReport(result: result, timings: clock.timings(), certificate: certificate, tlsVersion: tlsVersion)
    }

    private static func describe(_ violation: any Error) -> String {
        switch violation as? LineFramer.Violation {
        case .lineTooLong: "the server sent a line longer than the limit"
        case .literalTooLarge: "the server announced a literal larger than the limit"
        case .tooMuchData: "the server sent more data than the limit for one check"
        case nil: "\(violation)"
        }
    }

    private static func describe(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1.0"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }
}
