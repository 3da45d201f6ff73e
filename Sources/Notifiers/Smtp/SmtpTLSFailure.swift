import MailProbe

/// A failed TLS handshake with a relay, classified as the probes classify it, with what an operator can do about it.
enum SmtpTLSFailure {
    static func classify(_ error: any Error, host: String) -> SmtpError {
        let failure = TLSFailureClassifier.classify(error, leaf: nil)
        switch failure.category {
        case .certificateInvalid, .certificateExpired:
            return SmtpError(
                .tls, "the certificate of \(host) is not trusted: \(failure.message) (expired, self-signed or from a private CA: set caFile, or rejectUnauthorized false)")
        case .tlsHandshake where failure.message.contains("did not answer with TLS"):
            return SmtpError(.tls, "\(failure.message); try security starttls")
        default:
            return SmtpError(.tls, failure.message)
        }
    }
}
