import Foundation

/// What a token endpoint answered (RFC 6749 5.1 and 5.2), parsed without judging it.
struct TokenEndpointAnswer: Sendable, Hashable {
    var accessToken: String?
    var expiresIn: Int?
    var refreshToken: String?
    var error: String?
    var errorDescription: String?

    static func parse(_ body: [UInt8]) -> TokenEndpointAnswer? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        func text(_ key: String) -> String? { (object[key] as? String).flatMap { $0.isEmpty ? nil : $0 } }
        let expires = (object["expires_in"] as? Int) ?? (object["expires_in"] as? String).flatMap(Int.init)
        return TokenEndpointAnswer(
            accessToken: text("access_token"), expiresIn: expires, refreshToken: text("refresh_token"), error: text("error"),
            errorDescription: text("error_description"))
    }

    /// The form a token request posts (`application/x-www-form-urlencoded`).
    static func form(_ settings: OAuthSettings, now: Date = Date()) throws -> String {
        var fields: [(String, String)] = []
        switch settings.grant {
        case .refreshToken(let token): fields = [("grant_type", "refresh_token"), ("refresh_token", token)]
        case .clientCredentials: fields = [("grant_type", "client_credentials")]
        case .jwtBearer(let key, let subject):
            // The assertion names the client (the service account) and carries the scope itself.
            let assertion = try JWTBearerAssertion.make(
                issuer: settings.clientId, subject: subject, scope: settings.scope, audience: settings.tokenEndpoint, privateKeyPEM: key,
                now: now)
            return [("grant_type", JWTBearerAssertion.grantType), ("assertion", assertion)].map { "\(encode($0.0))=\(encode($0.1))" }
                .joined(separator: "&")
        }
        fields.append(("client_id", settings.clientId))
        if let secret = settings.clientSecret { fields.append(("client_secret", secret)) }
        if let scope = settings.scope { fields.append(("scope", scope)) }
        return fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
