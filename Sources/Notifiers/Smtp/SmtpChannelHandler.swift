import MailProbe
import NIOCore
import NIOSSL
import NIOTLS

/// How TLS is started: up front (implicit) or after STARTTLS.
struct SmtpTLSSetup {
    let context: NIOSSLContext
    /// SNI and the hostname to verify; nil for IP literals (verified against IP SANs).
    let serverHostname: String?
}

/// Drives one `SmtpSession` over one connection. Thin on purpose: framing and
/// protocol live in `LineFramer` and the session; this carries out their actions,
/// owns the deadline and reports exactly once.
final class SmtpChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var session: SmtpSession
    private var framer: LineFramer
    private let tls: SmtpTLSSetup?
    private let promise: EventLoopPromise<Result<Void, SmtpError>>
    private let deadline: NIODeadline
    private let host: String
    private var timeoutTask: Scheduled<Void>?
    private var handshakePending: Bool
    private var completed = false

    init(
        session: SmtpSession, limits: SmtpLimits, tls: SmtpTLSSetup?, implicitTLS: Bool, host: String,
        promise: EventLoopPromise<Result<Void, SmtpError>>, deadline: NIODeadline
    ) {
        self.session = session
        self.framer = LineFramer(limits: limits.framing, imapLiterals: false)
        self.tls = tls
        self.handshakePending = implicitTLS
        self.host = host
        self.promise = promise
        self.deadline = deadline
    }

    func channelActive(context: ChannelHandlerContext) {
        timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            if handshakePending {
                finish(context: context, .failure(SmtpError(.timeout, "no answer within the timeout during the TLS handshake")))
            } else {
                apply(session.deadlinePassed(), context: context)
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !completed else { return }
        do {
            try framer.append(unwrapInboundIn(data).readableBytesView)
        } catch {
            return apply(session.inputViolation(Self.describe(error)), context: context)
        }
        readLines(context: context)
    }

    private func readLines(context: ChannelHandlerContext) {
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
            apply(session.tlsEstablished(), context: context)
            readLines(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !completed else { return }
        if handshakePending { return finish(context: context, .failure(SmtpTLSFailure.classify(error, host: host))) }
        // A peer that closes without close_notify: channelInactive decides what that means.
        if let tlsError = error as? NIOSSLError, case .uncleanShutdown = tlsError { return }
        let step = session.step
        var action = session.connectionClosed()
        if case .fail(var failure) = action {
            failure.message = "connection error during \(step): \(error)"
            action = .fail(failure)
        }
        apply(action, context: context)
        finish(context: context, .failure(SmtpError(.protocol, "connection error during \(step): \(error)")))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !completed {
            if handshakePending {
                finish(context: context, .failure(SmtpError(.tls, "connection closed during the TLS handshake")))
            } else {
                apply(session.connectionClosed(), context: context)
                finish(context: context, .failure(SmtpError(.protocol, "connection closed by the server")))
            }
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Safety net, also for Happy Eyeballs losers: the promise is always completed.
        timeoutTask?.cancel()
        if !completed {
            completed = true
            promise.succeed(.failure(SmtpError(.connect, "connection abandoned")))
        }
    }

    private func apply(_ action: SmtpAction, context: ChannelHandlerContext) {
        switch action {
        case .wait:
            break
        case .send(let bytes):
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case .startTLS:
            startTLS(context: context)
        case .succeed:
            finish(context: context, .success(()))
        case .fail(let error):
            finish(context: context, .failure(error))
        }
    }

    private func startTLS(context: ChannelHandlerContext) {
        // Bytes that came after the server's 220 arrived in plaintext; never read them as TLS data.
        guard framer.discardBuffered() == 0 else {
            return finish(
                context: context, .failure(SmtpError(.protocol, "the server sent data after accepting STARTTLS, before TLS started")))
        }
        guard let tls else { return finish(context: context, .failure(SmtpError(.tls, "no TLS context for STARTTLS"))) }
        do {
            let handler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
            handshakePending = true  // adding the handler starts the handshake at once
            try context.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            finish(context: context, .failure(SmtpError(.tls, "could not start TLS: \(error)")))
        }
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<Void, SmtpError>) {
        guard !completed else { return }
        completed = true
        timeoutTask?.cancel()
        promise.succeed(result)
        context.close(promise: nil)
    }

    private static func describe(_ violation: any Error) -> String {
        switch violation as? LineFramer.Violation {
        case .lineTooLong: "the server sent a line longer than the limit"
        case .tooMuchData: "the server sent more data than the limit for one message"
        case .literalTooLarge, nil: "\(violation)"
        }
    }
}
