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
                default:
                    return error("unsupported_grant_type", "grant_type \(form["grant_type"] ?? "") is not supported")
                }
            default:
                return HTTPReceiver.Reply(status: 404, body: "{}")
            }
        }
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
