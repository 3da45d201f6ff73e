import _CryptoExtras
public import Foundation
import Synchronization

/// A loopback OAuth2 authorization server for the tests: a token endpoint (`POST /token`:
/// `refresh_token` with rotation, `client_credentials`) and an introspection endpoint
/// (`POST /introspect`, what Dovecot's `oauth2` passdb asks). Tokens, refresh tokens and
/// clients are set by the test; `delay` slows the token endpoint.
public final class OAuthServer: Sendable {
    struct State {
        /// access token → user, while valid
        var accessTokens: [String: String] = [:]
        /// refresh token → (user, rotate)
        var refreshTokens: [String: (user: String, rotate: Bool)] = [:]
        /// client id → (secret, user the app-only token is for)
        var clients: [String: (secret: String, user: String)] = [:]
        /// service account e-mail → its public key (PEM), for JWT bearer assertions
        var serviceAccounts: [String: String] = [:]
        var lastAssertionClaims: [String: String] = [:]
        var issued = 0
        var tokenRequests = 0
        var lastTokenRequest: [String: String] = [:]
        var delay: Duration = .zero
        var expiresIn = 3600
    }

    final class Box: Sendable {
        let state = Mutex(State())
    }

    private let box: Box
    public let receiver: HTTPReceiver

    public var tokenURL: String { receiver.url + "/token" }
    public var introspectionURL: String { receiver.url + "/introspect" }

    public static func start() async throws -> OAuthServer {
        let box = Box()
        let receiver = try await HTTPReceiver.start { request in OAuthServer.answer(request, box: box) }
        return OAuthServer(box: box, receiver: receiver)
    }

    private init(box: Box, receiver: HTTPReceiver) {
        self.box = box
        self.receiver = receiver
    }

    public func stop() async throws { try await receiver.stop() }

    /// A valid access token for `user`.
    public func issueAccessToken(_ token: String, user: String) { box.state.withLock { $0.accessTokens[token] = user } }
    public func revokeAccessToken(_ token: String) { box.state.withLock { _ = $0.accessTokens.removeValue(forKey: token) } }
    public func addRefreshToken(_ token: String, user: String, rotate: Bool = true) {
        box.state.withLock { $0.refreshTokens[token] = (user, rotate) }
    }
    public func revokeRefreshToken(_ token: String) { box.state.withLock { _ = $0.refreshTokens.removeValue(forKey: token) } }
    public func addClient(id: String, secret: String, user: String) { box.state.withLock { $0.clients[id] = (secret, user) } }
    /// A service account whose assertions (RS256, verified with this public key) get tokens for their `sub`.
    public func addServiceAccount(email: String, publicKeyPEM: String) { box.state.withLock { $0.serviceAccounts[email] = publicKeyPEM } }
    /// The claims of the last JWT bearer assertion, as text.
    public var lastAssertionClaims: [String: String] { box.state.withLock { $0.lastAssertionClaims } }
    public func setDelay(_ delay: Duration) { box.state.withLock { $0.delay = delay } }
    public func setExpiresIn(_ seconds: Int) { box.state.withLock { $0.expiresIn = seconds } }
    public var tokenRequests: Int { box.state.withLock { $0.tokenRequests } }
    public var lastTokenRequest: [String: String] { box.state.withLock { $0.lastTokenRequest } }
    /// The refresh tokens that are valid now (after rotations).
    public var refreshTokens: [String] { box.state.withLock { Array($0.refreshTokens.keys) } }

    static func answer(_ request: HTTPReceiver.Received, box: Box) -> HTTPReceiver.Reply {
        let form = Self.form(request.body)
        return box.state.withLock { state in
            switch request.path {
            case "/introspect":
                if let token = form["token"], let user = state.accessTokens[token] {
                    return HTTPReceiver.Reply(status: 200, body: #"{"active": true, "username": "\#(user)"}"#)
                }
                return HTTPReceiver.Reply(status: 200, body: #"{"active": false}"#)
            case "/token":
                state.tokenRequests += 1
                state.lastTokenRequest = form
                let delay = state.delay
                func error(_ code: String, _ description: String, status: Int = 400) -> HTTPReceiver.Reply {
                    HTTPReceiver.Reply(status: status, body: #"{"error": "\#(code)", "error_description": "\#(description)"}"#, delay: delay)
                }
                func issue(for user: String, refresh: String?) -> HTTPReceiver.Reply {
                    state.issued += 1
                    let access = "at-\(user)-\(state.issued)"
                    state.accessTokens[access] = user
                    let refreshField = refresh.map { #", "refresh_token": "\#($0)""# } ?? ""
                    return HTTPReceiver.Reply(
                        status: 200,
                        body: #"{"access_token": "\#(access)", "token_type": "Bearer", "expires_in": \#(state.expiresIn)\#(refreshField)}"#,
                        delay: delay)
                }
                switch form["grant_type"] {
                case "refresh_token":
                    guard let refresh = form["refresh_token"], let entry = state.refreshTokens[refresh] else {
                        return error("invalid_grant", "AADSTS70008: The refresh token has expired or is revoked.")
                    }
                    guard entry.rotate else { return issue(for: entry.user, refresh: nil) }
                    state.refreshTokens.removeValue(forKey: refresh)
                    let next = "rt-\(entry.user)-\(state.issued + 1)"
                    state.refreshTokens[next] = entry
                    return issue(for: entry.user, refresh: next)
                case "client_credentials":
                    guard let id = form["client_id"], let client = state.clients[id], client.secret == form["client_secret"] else {
                        return error("invalid_client", "AADSTS7000215: Invalid client secret provided.", status: 401)
                    }
                    return issue(for: client.user, refresh: nil)
                case "urn:ietf:params:oauth:grant-type:jwt-bearer":
                    guard let assertion = form["assertion"], let claims = verify(assertion, accounts: state.serviceAccounts) else {
                        return error("invalid_grant", "Invalid JWT Signature.")
                    }
                    state.lastAssertionClaims = claims.mapValues { "\($0)" }
                    let now = Int(Date().timeIntervalSince1970)
                    guard claims["aud"] as? String == "http://127.0.0.1:\(request.headers["host"].flatMap { $0.split(separator: ":").last }.map(String.init) ?? "")/token",
                        let exp = claims["exp"] as? Int, exp > now, let iat = claims["iat"] as? Int, iat <= now + 5, let subject = claims["sub"] as? String
                    else { return error("invalid_grant", "Invalid JWT: aud, iat, exp or sub.") }
                    return issue(for: subject, refresh: nil)
                default:
                    return error("unsupported_grant_type", "grant_type \(form["grant_type"] ?? "") is not supported")
                }
            default:
                return HTTPReceiver.Reply(status: 404, body: "{}")
            }
        }
    }

    /// The claims of an RS256 JWT signed by one of the accounts (by its `iss`), or nil.
    static func verify(_ jwt: String, accounts: [String: String]) -> [String: Any]? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = base64URLDecode(parts[0]), let payloadData = base64URLDecode(parts[1]),
            let signatureData = base64URLDecode(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any], header["alg"] as? String == "RS256",
            let claims = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any], let issuer = claims["iss"] as? String,
            let pem = accounts[issuer], let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem)
        else { return nil }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureData)
        guard key.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8), padding: .insecurePKCS1v1_5) else { return nil }
        return claims
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode: (Substring) -> String = { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
