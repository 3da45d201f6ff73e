import MailProbe

/// Every limit the client puts on a relay's output, in one place.
public struct SmtpLimits: Sendable, Hashable {
    /// Longest reply line, CRLF excluded (RFC 5321 4.5.3.1.5 allows 512; servers exceed it).
    public var maxLineBytes: Int
    /// Lines in one multi-line reply (an EHLO list is about 15).
    public var maxReplyLines: Int
    /// All bytes a relay may send during one send.
    public var maxTotalBytes: Int
    /// Longest server text kept for an error message.
    public var maxReportedTextBytes: Int

    public init(maxLineBytes: Int = 4_096, maxReplyLines: Int = 100, maxTotalBytes: Int = 256 * 1024, maxReportedTextBytes: Int = 300) {
        self.maxLineBytes = maxLineBytes
        self.maxReplyLines = maxReplyLines
        self.maxTotalBytes = maxTotalBytes
        self.maxReportedTextBytes = maxReportedTextBytes
    }

    /// The same limits for the shared `LineFramer`.
    var framing: ProtocolLimits {
        ProtocolLimits(maxLineBytes: maxLineBytes, maxLiteralBytes: 0, maxTotalBytes: maxTotalBytes, maxReportedTextBytes: maxReportedTextBytes)
    }
}
