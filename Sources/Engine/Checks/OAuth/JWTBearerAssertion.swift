import _CryptoExtras
import Crypto
import Foundation

/// The signed assertion of the JWT bearer grant (RFC 7523), as Google's service accounts with
/// domain-wide delegation use it: RS256 over `{iss, sub, scope, aud, iat, exp}`, valid an hour.
enum JWTBearerAssertion {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static let grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    /// `issuer`: the service account's e-mail; `subject`: the mailbox it acts for.
    static func make(issuer: String, subject: String, scope: String?, audience: String, privateKeyPEM: String, now: Date) throws -> String {
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw Problem(description: "auth.privateKey is not an RSA private key in PEM of 2048 bits or more")
        }
        let issuedAt = Int(now.timeIntervalSince1970)
        var claims: [String: Any] = ["iss": issuer, "sub": subject, "aud": audience, "iat": issuedAt, "exp": issuedAt + 3600]
        if let scope { claims["scope"] = scope }
        let header = base64URL(try JSONSerialization.data(withJSONObject: ["alg": "RS256", "typ": "JWT"], options: [.sortedKeys]))
        let payload = base64URL(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes]))
        let signingInput = header + "." + payload
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + base64URL(signature.rawRepresentation)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
