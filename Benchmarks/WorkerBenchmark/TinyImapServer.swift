import NIOCore
import NIOPosix

/// A trivial plain-IMAP responder on loopback: greeting with capabilities, LOGIN accepted,
/// SELECT/EXAMINE answer 3 messages, LOGOUT closes. It stands in for Dovecot, which spends
/// about 8 ms of CPU per session (a forked process each) and could not serve 333 checks/s on
/// two cores; with it, the worker is what is measured.
struct TinyImapServer {
    let port: Int
    let channel: any Channel

    static func start() async throws -> TinyImapServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineSplitter()))
                    try child.pipeline.syncOperations.addHandler(TinyImapHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TinyImapServer(port: channel.localAddress?.port ?? 0, channel: channel)
    }
}

/// CRLF- or LF-terminated lines, at most 4 KiB.
private struct LineSplitter: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 4096 { context.close(promise: nil) }
            return .needMoreData
        }
        let length = end - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }
}

private final class TinyImapHandler: ChannelInboundHandler {
    typealias InboundIn = String
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        send("* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=XOAUTH2] tiny ready\r\n", context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let words = unwrapInboundIn(data).split(separator: " ", maxSplits: 2)
        guard words.count >= 2 else { return send("* BAD no tag\r\n", context: context) }
        let tag = words[0]
        switch words[1].uppercased() {
        case "CAPABILITY": send("* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=XOAUTH2\r\n\(tag) OK done\r\n", context: context)
        case "LOGIN", "AUTHENTICATE": send("\(tag) OK logged in\r\n", context: context)
        case "SELECT", "EXAMINE":
            send("* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] ok\r\n\(tag) OK [READ-ONLY] done\r\n", context: context)
        case "LOGOUT":
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "* BYE\r\n\(tag) OK bye\r\n"))).whenComplete { _ in
                context.close(promise: nil)
            }
        default: send("\(tag) BAD unknown\r\n", context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    private func send(_ text: String, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
    }
}
