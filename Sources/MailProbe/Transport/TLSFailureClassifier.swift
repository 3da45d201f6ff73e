public import Foundation
import NIOSSL

/// Turns what NIOSSL reports for a failed handshake into a failure category.
/// NIOSSL does not expose the X.509 verify code, so "expired" is decided
/// from the leaf's dates (an expired intermediate reads as untrusted).
/// Shared by the probes and the alert SMTP client.
public enum TLSFailureClassifier {
    public static func classify(
        _ error: any Error, leaf: CertificateInfo?, minimumVersion: MinimumTLSVersion? = nil, now: Date = Date()
    ) -> ProbeFailure {
        switch error {
        case NIOSSLError.handshakeFailed(.sslError(let stack)):
            let text = stack.map { String(describing: $0) }.joined(separator: "; ")
            // The server's highest version is below the minimum: it says so (protocol_version), or answers with it.
            if let minimumVersion, text.contains("UNSUPPORTED_PROTOCOL") || text.contains("PROTOCOL_VERSION") {
                return ProbeFailure(.tlsPolicy, "the server offers no TLS version at or above \(minimumVersion.rawValue) (tlsOptions.minVersion)")
            }
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                guard let leaf else { return ProbeFailure(.certificateInvalid, "certificate verification failed") }
                if leaf.notAfter < now {
                    return ProbeFailure(.certificateExpired, "certificate expired on \(format(leaf.notAfter)) (\(leaf.subject))")
                }
                if leaf.notBefore > now {
                    return ProbeFailure(.certificateInvalid, "certificate not valid before \(format(leaf.notBefore)) (\(leaf.subject))")
                }
                return ProbeFailure(.certificateInvalid, "certificate not trusted: \(leaf.subject), issued by \(leaf.issuer)")
            }
            if text.contains("WRONG_VERSION_NUMBER") {
                return ProbeFailure(.tlsHandshake, "the server did not answer with TLS (plaintext port?)")
            }
            if stack.contains(.eofDuringHandshake) {
                return ProbeFailure(.tlsHandshake, "the server closed the connection during the TLS handshake")
            }
            return ProbeFailure(.tlsHandshake, "TLS handshake failed: \(shortReason(text))")
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return ProbeFailure(.certificateInvalid, "certificate does not match the hostname (\(leaf?.subject ?? "no subject"))")
        case let error as NIOSSLError:
            return ProbeFailure(.tlsHandshake, "TLS failed: \(error)")
        default:
            return ProbeFailure(.tlsHandshake, "TLS failed: \(error)")
        }
    }

    /// `error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at …` → `CERTIFICATE_VERIFY_FAILED`.
    private static func shortReason(_ text: String) -> String {
        let reasons = text.split(separator: ";").compactMap { entry -> Substring? in
            guard let internalRange = entry.range(of: "OPENSSL_internal:") else { return nil }
            return entry[internalRange.upperBound...].split(separator: " ").first
        }
        return reasons.isEmpty ? String(text.prefix(200)) : reasons.joined(separator: ", ")
    }

    private static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

extension CertificateInfo {
    init(_ certificate: NIOSSLCertificate, checkedAt: Date) {
        self.init(
            subject: Self.format(certificate.subjectName), issuer: Self.format(certificate.issuerName),
            notBefore: Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore)),
            notAfter: Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter)),
            checkedAt: checkedAt)
    }

    private static let labels: [SSLCertificateNameType: String] = [
        .commonName: "CN", .organization: "O", .organizationalUnit: "OU", .country: "C",
        .state: "ST", .city: "L", .emailAddress: "emailAddress", .userId: "UID",
    ]

    private static func format(_ names: [SSLCertificateName]) -> String {
        names.map { "\(labels[$0.type] ?? "?")=\($0.value)" }.joined(separator: ", ")
    }
}
