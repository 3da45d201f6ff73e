/// Every limit the probes put on a server's output, in one place.
///
/// A hostile or broken server (an endless line, a huge literal, a flood of
/// untagged data) hits one of these and the check fails as `protocol` or
/// `greeting`, with memory bounded by them.
public struct ProtocolLimits: Sendable, Hashable {
    /// Longest line accepted, CRLF excluded. Dovecot's longest (CAPABILITY) is about 400 bytes.
    public var maxLineBytes: Int
    /// Largest IMAP literal accepted inside a response.
    public var maxLiteralBytes: Int
    /// All bytes a server may send during one check.
    public var maxTotalBytes: Int
    /// Longest server text kept for a result message.
    public var maxReportedTextBytes: Int

    public init(maxLineBytes: Int = 8_192, maxLiteralBytes: Int = 65_536, maxTotalBytes: Int = 1 << 20, maxReportedTextBytes: Int = 300) {
        self.maxLineBytes = maxLineBytes
        self.maxLiteralBytes = maxLiteralBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxReportedTextBytes = maxReportedTextBytes
    }
}
