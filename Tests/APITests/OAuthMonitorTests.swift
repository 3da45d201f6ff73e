import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import LuaHost
import MailmonTestSupport
import Testing
import _CryptoExtras

/// OAuth2 monitors end to end: created through the policies, checked by the worker's executor
/// against Dovecot's oauth2 passdb, with tokens from a local token endpoint.
@Suite("OAuth2 monitors")
struct OAuthMonitorTests {
    static let acme = "3b5d7f91-2c4e-4a6b-8d0f-1e3a5c7e9b20"

    struct Servers {
        let oauth: OAuthServer
        let dovecot: DovecotServer
    }

    static func withServers(_ body: @escaping @Sendable (Servers, APIFixture, any TestClientProtocol) async throws -> Void) async throws {
        let oauth = try await OAuthServer.start()
        let dovecot = try DovecotServer.start(oauth2Introspection: oauth.introspectionURL)
        defer { dovecot.stop() }
        do {
            try await APIFixture.withCustomer(acme) { fixture, client in try await body(Servers(oauth: oauth, dovecot: dovecot), fixture, client) }
        } catch {
            try await oauth.stop()
            throw error
        }
        try await oauth.stop()
    }

    static func create(
        _ client: any TestClientProtocol, _ fixture: APIFixture, _ servers: Servers, name: String, user: String = "alice", protocol p: String = "imap",
        auth: String, timeoutSeconds: Int = 10
    ) async throws -> Monitor {
        let port = p == "imap" ? servers.dovecot.ports.imap : servers.dovecot.ports.pop3
        let created = try await client.call(
            .post, "/api/imap-pop-monitors", token: fixture.admin,
            json: """
                {"customerId": "\(acme)", "name": "\(name)", "hostname": "127.0.0.1", "port": \(port), "timeoutSeconds": \(timeoutSeconds),
                 "imapPopConfig": {"protocol": "\(p)", "user": "\(user)", "auth": \(auth)}}
                """)
        guard created.status == .created, let publicId = (created.body["publicId"] as? String).flatMap(UUID.init(uuidString:)) else {
            throw TestSupportError("monitor not created: \(created.body)")
        }
        return try #require(try await fixture.runtime.database.monitor(publicId: publicId))
    }

    static func check(_ fixture: APIFixture, _ monitor: Monitor) async throws -> NewCheckResult {
        let stored = try #require(try await fixture.runtime.database.monitor(id: monitor.id))
        return try #require(try await fixture.runtime.executor(settings: WorkerSettings()).runNow(stored, failureThreshold: 1)).check.result
    }

    static func storedAuth(_ fixture: APIFixture, _ monitor: Monitor) async throws -> LuaTable {
        let stored = try #require(try await fixture.runtime.database.monitor(id: monitor.id))
        return try #require(try LuaValue(json: stored.fields.config.utf8).tableValue?["auth"].tableValue)
    }

    @Test("refresh_token grant: the token is fetched once and cached, the rotated refresh token stored, a rejected token refreshed and retried once; IMAP and POP3")
    func refreshGrant() async throws {
        try await Self.withServers { servers, fixture, client in
            servers.oauth.addRefreshToken("rt-initial-0001", user: "alice")
            let auth = #"{"type": "oauth2", "tokenEndpoint": "\#(servers.oauth.tokenURL)", "clientId": "mailmon", "clientSecret": "cs-Secret-42", "refreshToken": "rt-initial-0001"}"#
            let monitor = try await Self.create(client, fixture, servers, name: "M365 inbox", auth: auth)
            var result = try await Self.check(fixture, monitor)
            #expect(result.ok, "\(result.category ?? "") \(result.message ?? "")")
            #expect(servers.oauth.tokenRequests == 1)
            #expect(servers.oauth.lastTokenRequest["grant_type"] == "refresh_token" && servers.oauth.lastTokenRequest["client_secret"] == "cs-Secret-42")
            // The provider rotated the refresh token: the new one is stored, sealed like the rest of the config.
            let rotated = try #require(servers.oauth.refreshTokens.first)
            #expect(rotated != "rt-initial-0001")
            #expect(try await Self.storedAuth(fixture, monitor)["refreshToken"].stringValue == rotated)

            result = try await Self.check(fixture, monitor)
            #expect(result.ok && servers.oauth.tokenRequests == 1, "the cached token is used")

            // The server stops accepting the cached token: refreshed and retried once, in the same check.
            for token in ["at-alice-1"] { servers.oauth.revokeAccessToken(token) }
            result = try await Self.check(fixture, monitor)
            #expect(result.ok, "\(result.category ?? "") \(result.message ?? "")")
            #expect(servers.oauth.tokenRequests == 2)
            // That refresh rotated the token again: the newest is the stored one.
            let latest = try #require(try await Self.storedAuth(fixture, monitor)["refreshToken"].stringValue)
            #expect(latest != rotated && servers.oauth.refreshTokens.contains(latest))

            // A POP3 monitor of the same account shares the cached token.
            servers.oauth.addRefreshToken("rt-pop-0001", user: "alice", rotate: false)
            let pop = try await Self.create(
                client, fixture, servers, name: "POP", protocol: "pop3",
                auth: #"{"type": "oauth2", "tokenEndpoint": "\#(servers.oauth.tokenURL)", "clientId": "mailmon", "refreshToken": "rt-pop-0001", "mechanism": "OAUTHBEARER"}"#)
            result = try await Self.check(fixture, pop)
            #expect(result.ok, "\(result.category ?? "") \(result.message ?? "")")

            // Readers without read_secrets see the secrets masked; the admin sees them.
            let shown = try await client.call(.get, "/api/imap-pop-monitors/\(monitor.publicId.lowercasedString)", token: fixture.readonly)
            let shownAuth = (shown.body["imapPopConfig"] as? [String: Any])?["auth"] as? [String: Any]
            #expect(shownAuth?["refreshToken"] as? String == "********" && shownAuth?["clientSecret"] as? String == "********", "\(shown.body)")
            #expect(shownAuth?["tokenEndpoint"] as? String == servers.oauth.tokenURL)
            // A PATCH that sends the masks back (or leaves auth out) keeps the stored secrets.
            let patched = try await client.call(
                .patch, "/api/imap-pop-monitors/\(monitor.publicId.lowercasedString)", token: fixture.admin,
                json: #"{"imapPopConfig": {"protocol": "imap", "user": "alice", "auth": {"type": "oauth2", "tokenEndpoint": "\#(servers.oauth.tokenURL)", "clientId": "mailmon", "clientSecret": "********", "refreshToken": "********"}}}"#)
            #expect(patched.status == .ok, "\(patched.body)")
            #expect(try await Self.storedAuth(fixture, monitor)["refreshToken"].stringValue == latest)
            #expect(try await Self.storedAuth(fixture, monitor)["clientSecret"].stringValue == "cs-Secret-42")
            let renamed = try await client.call(
                .patch, "/api/imap-pop-monitors/\(monitor.publicId.lowercasedString)", token: fixture.admin,
                json: #"{"imapPopConfig": {"protocol": "imap", "user": "alice"}}"#)
            let kept = try await Self.storedAuth(fixture, monitor)["refreshToken"].stringValue
            #expect(renamed.status == .ok && kept == latest)

            // The refresh token is revoked: the check fails as oauth_token with the endpoint's error, no secret in it.
            servers.oauth.revokeRefreshToken(latest)
            servers.oauth.revokeAccessToken("at-alice-2")
            result = try await Self.check(fixture, monitor)
            #expect(!result.ok && result.category == "oauth_token", "\(result.category ?? "") \(result.message ?? "")")
            #expect(result.message?.contains("invalid_grant") == true && result.message?.contains("AADSTS70008") == true)
            for secret in [latest, "cs-Secret-42"] { #expect(result.message?.contains(secret) == false) }
        }
    }

    @Test("client_credentials grant; a token for another user is oauth_rejected; a slow token endpoint fails within the check's timeout")
    func otherGrantsAndFailures() async throws {
        try await Self.withServers { servers, fixture, client in
            servers.oauth.addClient(id: "app-1", secret: "app-Secret-7", user: "alice")
            let app = try await Self.create(
                client, fixture, servers, name: "App-only",
                auth: #"{"type": "oauth2", "grant": "client_credentials", "tokenEndpoint": "\#(servers.oauth.tokenURL)", "clientId": "app-1", "clientSecret": "app-Secret-7", "scope": "https://outlook.office365.com/.default"}"#)
            var result = try await Self.check(fixture, app)
            #expect(result.ok, "\(result.category ?? "") \(result.message ?? "")")
            #expect(servers.oauth.lastTokenRequest["scope"] == "https://outlook.office365.com/.default")

            // alice's token for the mailbox of odd: Dovecot refuses it.
            servers.oauth.addRefreshToken("rt-alice-for-odd", user: "alice", rotate: false)
            let odd = try await Self.create(
                client, fixture, servers, name: "Wrong user", user: "odd",
                auth: #"{"type": "oauth2", "tokenEndpoint": "\#(servers.oauth.tokenURL)", "clientId": "mailmon", "refreshToken": "rt-alice-for-odd"}"#)
            result = try await Self.check(fixture, odd)
            #expect(!result.ok && result.category == "oauth_rejected", "\(result.category ?? "") \(result.message ?? "")")

            // A token endpoint slower than the check's timeout.
            servers.oauth.addRefreshToken("rt-slow", user: "alice", rotate: false)
            let slow = try await Self.create(
                client, fixture, servers, name: "Slow endpoint",
                auth: #"{"type": "oauth2", "tokenEndpoint": "\#(servers.oauth.tokenURL)", "clientId": "mailmon", "refreshToken": "rt-slow"}"#, timeoutSeconds: 1)
            servers.oauth.setDelay(.seconds(3))
            result = try await Self.check(fixture, slow)
            #expect(!result.ok && result.category == "oauth_token", "\(result.category ?? "") \(result.message ?? "")")
            // The deadline is the check's (1 s), not the endpoint's delay (3 s).
            #expect(result.message?.contains("no answer within 1 s") == true, "\(result.message ?? "")")
        }
    }

    @Test("the policies validate auth: a provider fills in endpoint and scope; unknown keys, a missing secret or an http endpoint are 400s")
    func policyValidation() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let created = try await client.call(
                .post, "/api/imap-pop-monitors", token: fixture.admin,
                json: #"{"customerId": "\#(Self.acme)", "name": "M365", "hostname": "outlook.office365.com", "imapPopConfig": {"protocol": "imap", "tls": true, "user": "ops@contoso.com", "auth": {"type": "oauth2", "provider": "microsoft", "tenant": "contoso.onmicrosoft.com", "grant": "client_credentials", "clientId": "id", "clientSecret": "s3cret-value"}}}"#)
            #expect(created.status == .created, "\(created.body)")
            let auth = (created.body["imapPopConfig"] as? [String: Any])?["auth"] as? [String: Any]
            #expect(auth?["tokenEndpoint"] as? String == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
            #expect(auth?["scope"] as? String == "https://outlook.office365.com/.default")
            for (bad, message) in [
                (#"{"type": "oauth2", "provider": "google", "clientId": "i"}"#, "refreshToken is required"),
                (#"{"type": "oauth2", "provider": "google", "clientId": "i", "refreshToken": "r", "refresh": "x"}"#, "auth.refresh is not a known key"),
                (#"{"type": "oauth2", "tokenEndpoint": "http://idp.example.com/token", "clientId": "i", "refreshToken": "r"}"#, "https URL"),
                (#"{"type": "oauth2", "provider": "microsoft", "clientId": "i", "refreshToken": "r"}"#, "tenant is required"),
                (#"{"type": "basic"}"#, "type must be oauth2"),
            ] {
                let refused = try await client.call(
                    .post, "/api/imap-pop-monitors", token: fixture.admin,
                    json: #"{"customerId": "\#(Self.acme)", "name": "x", "hostname": "imap.gmail.com", "imapPopConfig": {"user": "a@example.com", "auth": \#(bad)}}"#)
                #expect(refused.status == .badRequest && (refused.body["message"] as? String)?.contains(message) == true, "\(bad): \(refused.body)")
            }
        }
    }

    @Test("jwt_bearer (Google service accounts): an RS256 assertion for the mailbox's user, verified by the token endpoint; an unknown key is oauth_token")
    func jwtBearer() async throws {
        try await Self.withServers { servers, fixture, client in
            let email = "monitor@project.iam.gserviceaccount.com"
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            servers.oauth.addServiceAccount(email: email, publicKeyPEM: key.publicKey.pemRepresentation)
            func auth(_ pem: String) -> String {
                let escaped = pem.replacingOccurrences(of: "\n", with: "\\n")
                return #"{"type": "oauth2", "grant": "jwt_bearer", "tokenEndpoint": "\#(servers.oauth.tokenURL)", "clientId": "\#(email)", "privateKey": "\#(escaped)", "scope": "https://mail.google.com/"}"#
            }
            let monitor = try await Self.create(client, fixture, servers, name: "Workspace", auth: auth(key.pemRepresentation))
            let result = try await Self.check(fixture, monitor)
            #expect(result.ok, "\(result.category ?? "") \(result.message ?? "")")
            let claims = servers.oauth.lastAssertionClaims
            #expect(claims["iss"] == email && claims["sub"] == "alice" && claims["scope"] == "https://mail.google.com/", "\(claims)")
            let shown = try await client.call(.get, "/api/imap-pop-monitors/\(monitor.publicId.lowercasedString)", token: fixture.readonly)
            #expect(((shown.body["imapPopConfig"] as? [String: Any])?["auth"] as? [String: Any])?["privateKey"] as? String == "********")

            let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let unknown = try await Self.create(client, fixture, servers, name: "Unknown key", user: "odd", auth: auth(stranger.pemRepresentation))
            let refused = try await Self.check(fixture, unknown)
            #expect(!refused.ok && refused.category == "oauth_token" && refused.message?.contains("Invalid JWT Signature") == true, "\(refused.message ?? "")")
            #expect(refused.message?.contains("PRIVATE KEY") == false)
        }
    }
}
