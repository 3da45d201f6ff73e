import NIOSSL

/// Turns what NIOSSL reports for a failed handshake into an error an operator can act on.
enum SmtpTLSFailure {
    static func classify(_ error: any Error, host: String) -> SmtpError {
        switch error {
        case NIOSSLError.handshakeFailed(.sslError(let stack)):
            let text = stack.map { String(describing: $0) }.joined(separator: "; ")
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return SmtpError(
                    .tls, "the certificate of \(host) is not trusted (expired, self-signed or from a private CA: set caFile, or rejectUnauthorized false)")
            }
            if text.contains("WRONG_VERSION_NUMBER") {
                return SmtpError(.tls, "the server did not answer with TLS (a plaintext port? try security starttls)")
            }
            if stack.contains(.eofDuringHandshake) {
                return SmtpError(.tls, "the server closed the connection during the TLS handshake")
            }
            return SmtpError(.tls, "TLS handshake failed: \(text.prefix(200))")
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return SmtpError(.tls, "the certificate does not match the hostname \(host)")
        default:
            return SmtpError(.tls, "TLS failed: \(error)")
        }
    }
}
