import MailProbe
import MailmonTestSupport
import Testing

/// XOAUTH2 and OAUTHBEARER against Dovecot's `oauth2` passdb, which asks a local introspection
/// endpoint whether the token is active and whose it is.
@Suite("OAuth2 logins against a real Dovecot")
struct OAuthProbeTests {
    static func target(
        _ c: DovecotProbeTests.Case, _ server: DovecotServer, token: String, mechanism: OAuthMechanism? = nil, user: String = "alice"
    ) -> ProbeTarget {
        ProbeTarget(
            mailProtocol: c.mailProtocol, host: "127.0.0.1", port: c.port(server),
            session: SessionConfiguration(security: c.security, user: user, accessToken: token, oauthMechanism: mechanism),
            verifyCertificate: true, timeout: .seconds(10))
    }

    static func withServers(_ body: (OAuthServer, DovecotServer, ProbeRegistry) async throws -> Void) async throws {
        let oauth = try await OAuthServer.start()
        let dovecot = try DovecotServer.start(oauth2Introspection: oauth.introspectionURL)
        defer { dovecot.stop() }
        do {
            try await body(oauth, dovecot, ProbeRegistry(transport: try DovecotFixture.trustingTransport.get()))
        } catch {
            try await oauth.stop()
            throw error
        }
        try await oauth.stop()
    }

    @Test("a valid token logs in with XOAUTH2 and OAUTHBEARER on IMAP and POP3, plain, implicit TLS and STARTTLS; password logins still work")
    func success() async throws {
        try await Self.withServers { oauth, dovecot, registry in
            oauth.issueAccessToken("good-token", user: "alice")
            for c in DovecotProbeTests.cases {
                for mechanism in [nil, OAuthMechanism.xoauth2, .oauthbearer] {
                    let result = await registry.check(Self.target(c, dovecot, token: "good-token", mechanism: mechanism))
                    #expect(result.ok, "\(c) \(mechanism?.rawValue ?? "auto"): \(result.category?.rawValue ?? "") \(result.message ?? "") \(dovecot.log.suffix(600))")
                    #expect(result.messageCount == DovecotServer.messagesPerUser)
                }
                let password = await registry.check(DovecotFixture.target(c.mailProtocol, port: c.port(dovecot), security: c.security))
                #expect(password.ok, "\(c) password: \(password.message ?? "")")
            }
        }
    }

    @Test("an unknown, revoked or another user's token is oauth_rejected with the server's challenge, on both protocols and mechanisms; the token is not in the message")
    func rejected() async throws {
        try await Self.withServers { oauth, dovecot, registry in
            oauth.issueAccessToken("revoked-token", user: "alice")
            oauth.revokeAccessToken("revoked-token")
            oauth.issueAccessToken("odd-token", user: "odd")
            let plain = DovecotProbeTests.cases.filter { $0.security == .plain }
            for c in plain {
                for mechanism in OAuthMechanism.allCases {
                    for token in ["unknown-token", "revoked-token", "odd-token"] {
                        let result = await registry.check(Self.target(c, dovecot, token: token, mechanism: mechanism))
                        #expect(!result.ok && result.category == .oauthRejected, "\(c) \(mechanism) \(token): \(result.category?.rawValue ?? "") \(result.message ?? "") \(dovecot.log.suffix(1500))")
                        #expect(result.message?.contains("the server rejected the token") == true, "\(result.message ?? "")")
                        #expect(result.message?.contains(token) == false)
                    }
                }
            }
            let xoauth = await registry.check(Self.target(plain[0], dovecot, token: "unknown-token", mechanism: .xoauth2))
            #expect(xoauth.message?.contains("status 401") == true, "\(xoauth.message ?? "")")
        }
    }
}
