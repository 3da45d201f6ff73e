/// What `SmtpSession` asks its driver to do next.
public enum SmtpAction: Sendable, Hashable {
    /// Write these bytes.
    case send([UInt8])
    /// Add the TLS handler now, in the same read, and discard what the framer still
    /// holds (`LineFramer.discardBuffered()`); if it held anything, fail as `protocol`.
    /// Call `tlsEstablished()` after the handshake.
    case startTLS
    /// Wait for more input.
    case wait
    /// The relay accepted the message.
    case succeed
    case fail(SmtpError)
}
