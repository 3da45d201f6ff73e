import Crypto
public import Foundation
public import LuaHost
public import MailProbe

/// A monitor's OAuth2 login as its stored config holds it (`config.auth`, normalized by
/// `lib/monitor_rules`: the providers' shorthands are already filled in).
public struct OAuthSettings: Sendable, Hashable {
    public enum Grant: Sendable, Hashable {
        case refreshToken(String)
        case clientCredentials
        /// RFC 7523: an assertion signed with the service account's key, for `subject` (the mailbox).
        case jwtBearer(privateKeyPEM: String, subject: String)
    }

    public var tokenEndpoint: String
    public var clientId: String
    public var clientSecret: String?
    public var grant: Grant
    public var scope: String?
    public var mechanism: OAuthMechanism?

    public init(
        tokenEndpoint: String, clientId: String, clientSecret: String? = nil, grant: Grant, scope: String? = nil,
        mechanism: OAuthMechanism? = nil
    ) {
        self.tokenEndpoint = tokenEndpoint
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.grant = grant
        self.scope = scope
        self.mechanism = mechanism
    }

    /// The settings of a config table, nil when it has no `auth` (a password login).
    public init?(config: LuaTable) throws {
        guard let auth = config["auth"].tableValue else { return nil }
        guard auth["type"].stringValue == "oauth2" else { throw LuaHostError("'auth.type' must be oauth2") }
        guard let endpoint = auth["tokenEndpoint"].stringValue, let clientId = auth["clientId"].stringValue else {
            throw LuaHostError("'auth' needs tokenEndpoint and clientId")
        }
        let grant: Grant
        switch auth["grant"].stringValue ?? "refresh_token" {
        case "refresh_token":
            guard let refresh = auth["refreshToken"].stringValue else { throw LuaHostError("'auth.refreshToken' is required") }
            grant = .refreshToken(refresh)
        case "client_credentials": grant = .clientCredentials
        case "jwt_bearer":
            guard let key = auth["privateKey"].stringValue, let subject = config["user"].stringValue else {
                throw LuaHostError("'auth.privateKey' and 'user' are required for the jwt_bearer grant")
            }
            grant = .jwtBearer(privateKeyPEM: key, subject: subject)
        case let other: throw LuaHostError("'auth.grant' \(other) is not refresh_token, client_credentials or jwt_bearer")
        }
        var mechanism: OAuthMechanism?
        if let name = auth["mechanism"].stringValue {
            guard let known = OAuthMechanism(rawValue: name.uppercased()) else { throw LuaHostError("'auth.mechanism' must be XOAUTH2 or OAUTHBEARER") }
            mechanism = known
        }
        self.init(
            tokenEndpoint: endpoint, clientId: clientId, clientSecret: auth["clientSecret"].stringValue, grant: grant,
            scope: auth["scope"].stringValue, mechanism: mechanism)
    }

    /// One cache entry per account: endpoint, client, scope and (for a refresh token) a digest of it.
    var cacheKey: String {
        var key = "\(tokenEndpoint)\u{1}\(clientId)\u{1}\(scope ?? "")\u{1}"
        switch grant {
        case .clientCredentials: key += "client_credentials"
        case .jwtBearer(_, let subject): key += "jwt_bearer\u{1}" + subject
        case .refreshToken(let token): key += SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
        }
        return key
    }

    /// The secrets, to keep out of any message.
    var secrets: [String] {
        var values = [clientSecret].compactMap { $0 }
        if case .refreshToken(let token) = grant { values.append(token) }
        if case .jwtBearer(let key, _) = grant { values.append(key) }
        return values.filter { !$0.isEmpty }
    }
}

extension OAuthSettings: CustomStringConvertible {
    public var description: String { "OAuthSettings(\(tokenEndpoint), client \(clientId))" }
}
