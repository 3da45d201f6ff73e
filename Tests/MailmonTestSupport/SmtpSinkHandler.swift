import Foundation
import NIOCore
import NIOSSL

/// One connection to the `SmtpSink`: a small, strict ESMTP server.
final class SmtpSinkHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Mode { case command, data, authPlain, authLoginUser, authLoginPassword(String) }

    private let options: SmtpSink.Options
    private let tlsContext: NIOSSLContext?
    private let store: LockedValue<[SmtpSink.ReceivedMail]>
    private var buffer: [UInt8] = []
    private var mode = Mode.command
    private var tlsActive: Bool
    private var authUser: String?
    private var authMechanism: String?
    private var from: String?
    private var recipients: [String] = []
    private var data: [String] = []

    init(options: SmtpSink.Options, tlsContext: NIOSSLContext?, store: LockedValue<[SmtpSink.ReceivedMail]>) {
        self.options = options
        self.tlsContext = tlsContext
        self.store = store
        self.tlsActive = options.tls == .implicit
    }

    private var authRequired: Bool { options.username != nil && options.password != nil }
    private var authOffered: Bool { authRequired && (options.tls != .startTLS || tlsActive) }

    func channelActive(context: ChannelHandlerContext) {
        reply("220 sink.test ESMTP ready", context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffer += unwrapInboundIn(data).readableBytesView
        while let end = buffer.firstIndex(of: 0x0A) {
            var line = Array(buffer[..<end])
            buffer.removeFirst(end + 1)
            if line.last == 0x0D { line.removeLast() }
            handle(String(decoding: line, as: UTF8.self), context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func handle(_ line: String, context: ChannelHandlerContext) {
        switch mode {
        case .data: return dataLine(line, context: context)
        case .authPlain: return checkPlain(line, context: context)
        case .authLoginUser:
            mode = .authLoginPassword(Self.decode(line) ?? "")
            return reply("334 UGFzc3dvcmQ6", context: context)
        case .authLoginPassword(let user):
            return check(user: user, password: Self.decode(line) ?? "", mechanism: "LOGIN", context: context)
        case .command: break
        }
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = line.dropFirst(verb.count).drop { $0 == " " }
        switch verb {
        case "EHLO":
            var lines = ["sink.test greets \(argument)", "8BITMIME"]
            if options.tls == .startTLS, !tlsActive { lines.append("STARTTLS") }
            if authOffered { lines.append("AUTH PLAIN LOGIN") }
            lines.append("HELP")
            let text = lines.enumerated().map { "250\($0.offset == lines.count - 1 ? " " : "-")\($0.element)" }
            reply(text.joined(separator: "\r\n"), context: context)
        case "HELO": reply("250 sink.test", context: context)
        case "STARTTLS": startTLS(context: context)
        case "AUTH": auth(String(argument), context: context)
        case "MAIL": mail(String(argument), context: context)
        case "RCPT": recipient(String(argument), context: context)
        case "DATA":
            guard from != nil, !recipients.isEmpty else { return reply("503 5.5.1 Error: need RCPT command", context: context) }
            mode = .data
            reply("354 End data with <CR><LF>.<CR><LF>", context: context)
        case "RSET":
            resetEnvelope()
            reply("250 2.0.0 Ok", context: context)
        case "NOOP": reply("250 2.0.0 Ok", context: context)
        case "QUIT":
            reply("221 2.0.0 Bye", context: context)
            context.close(promise: nil)
        default: reply("502 5.5.2 Error: command not recognized", context: context)
        }
    }

    private func startTLS(context: ChannelHandlerContext) {
        guard options.tls == .startTLS, !tlsActive, let tlsContext else {
            return reply("454 4.7.0 TLS not available", context: context)
        }
        buffer = []  // never carry plaintext over into the TLS session
        reply("220 2.0.0 Ready to start TLS", context: context)
        do {
            try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext), position: .first)
            tlsActive = true
            authUser = nil
            resetEnvelope()
        } catch {
            context.close(promise: nil)
        }
    }

    private func auth(_ argument: String, context: ChannelHandlerContext) {
        guard authOffered else { return reply("503 5.5.1 Error: authentication not enabled", context: context) }
        guard authUser == nil else { return reply("503 5.5.1 Error: already authenticated", context: context) }
        let words = argument.split(separator: " ").map(String.init)
        switch words.first?.uppercased() {
        case "PLAIN":
            if words.count > 1 { return checkPlain(words[1], context: context) }
            mode = .authPlain
            reply("334 ", context: context)
        case "LOGIN":
            mode = .authLoginUser
            reply("334 VXNlcm5hbWU6", context: context)
        default:
            reply("504 5.5.4 Unrecognized authentication type", context: context)
        }
    }

    private func checkPlain(_ response: String, context: ChannelHandlerContext) {
        let parts = (Self.decode(response) ?? "").split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            mode = .command
            return reply("501 5.5.2 Cannot decode response", context: context)
        }
        check(user: parts[1], password: parts[2], mechanism: "PLAIN", context: context)
    }

    private func check(user: String, password: String, mechanism: String, context: ChannelHandlerContext) {
        mode = .command
        guard user == options.username, password == options.password else {
            return reply("535 5.7.8 Error: authentication failed: bad credentials for \(user)", context: context)
        }
        authUser = user
        authMechanism = mechanism
        reply("235 2.7.0 Authentication successful", context: context)
    }

    private func mail(_ argument: String, context: ChannelHandlerContext) {
        if options.tls == .startTLS, !tlsActive { return reply("530 5.7.0 Must issue a STARTTLS command first", context: context) }
        if authRequired, authUser == nil { return reply("530 5.7.0 Authentication required", context: context) }
        guard let address = Self.address(argument, prefix: "FROM:") else { return reply("501 5.5.4 Syntax: MAIL FROM:<address>", context: context) }
        resetEnvelope()
        from = address
        reply("250 2.1.0 Ok", context: context)
    }

    private func recipient(_ argument: String, context: ChannelHandlerContext) {
        guard from != nil else { return reply("503 5.5.1 Error: need MAIL command", context: context) }
        guard let address = Self.address(argument, prefix: "TO:") else { return reply("501 5.5.4 Syntax: RCPT TO:<address>", context: context) }
        if let pattern = options.rejectRecipientsContaining, address.contains(pattern) {
            return reply("550 5.1.1 <\(address)>: Recipient address rejected: User unknown", context: context)
        }
        recipients.append(address)
        reply("250 2.1.5 Ok", context: context)
    }

    private func dataLine(_ line: String, context: ChannelHandlerContext) {
        guard line != "." else {
            let mail = SmtpSink.ReceivedMail(
                from: from ?? "", recipients: recipients, data: data.map { $0 + "\r\n" }.joined(), tls: tlsActive,
                authUsername: authUser, authMechanism: authMechanism)
            store.withLock { $0.append(mail) }
            mode = .command
            resetEnvelope()
            return reply("250 2.0.0 Ok: queued", context: context)
        }
        data.append(line.hasPrefix(".") ? String(line.dropFirst()) : line)
    }

    private func resetEnvelope() {
        from = nil
        recipients = []
        data = []
    }

    private func reply(_ text: String, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
    }

    private static func address(_ argument: String, prefix: String) -> String? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count).drop { $0 == " " }
        guard rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }

    private static func decode(_ base64: String) -> String? {
        Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
    }
}
