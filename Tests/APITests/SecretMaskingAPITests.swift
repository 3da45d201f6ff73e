import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// Mailbox passwords and channel URLs are shown only to tokens that may change them.
@Suite("API: secrets masked for tokens that cannot change them")
struct SecretMaskingAPITests {
    static let customer = "44444444-4444-4444-8444-444444444444"
    static let password = "s3cret-Pässword!"
    static let hookURL = "https://hooks.example.com/services/T000/B000/keykeykey"

    func raw(_ client: any TestClientProtocol, _ path: String, token: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
            (response.status, String(decoding: response.body.readableBytesView, as: UTF8.self))
        }
    }

    @Test("readonly and global-supporter tokens see the mask everywhere; writers see the password; PATCH keeps it unless a new one is sent")
    func masking() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.application.test(.live) { client in
            #expect(try await client.call(.post, "/api/customers", token: fixture.admin,
                json: #"{"name": "Acme", "publicId": "\#(Self.customer)"}"#).status == .created)
            let created = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: """
                {"customerId": "\(Self.customer)", "name": "Mailbox", "hostname": "mail.example.com",
                 "imapPopConfig": {"protocol": "imap", "user": "box@example.com", "password": "\(Self.password)", "tls": true}}
                """)
            #expect((created.body["imapPopConfig"] as? [String: Any])?["password"] as? String == Self.password, "the seed's create answer")
            let id = try #require(created.body["publicId"] as? String)
            let channel = try await client.call(.post, "/api/alert-channels", token: fixture.admin,
                json: #"{"type": "webhook", "name": "ops", "url": "\#(Self.hookURL)"}"#)
            #expect(channel.status == .created)

            for token in [fixture.readonly, fixture.supporter] {
                for path in ["/api/imap-pop-monitors/\(id)", "/api/imap-pop-monitors", "/api/imap-pop-monitors/\(id)/details", "/api/alert-channels"] {
                    let (status, body) = try await raw(client, path, token: token)
                    #expect(status == .ok, "\(path): \(body)")
                    #expect(!body.contains(Self.password) && !body.contains("keykeykey"), "\(path) shows a secret: \(body)")
                }
                let one = try await client.call(.get, "/api/imap-pop-monitors/\(id)", token: token)
                #expect((one.body["imapPopConfig"] as? [String: Any])?["password"] as? String == "********")
                #expect((one.body["config"] as? [String: Any])?["user"] as? String == "box@example.com", "only the secret is masked")
            }
            let channels = try await client.call(.get, "/api/alert-channels", token: fixture.readonly)
            #expect(((channels.body["items"] as? [[String: Any]])?.first?["url"] as? String) == "https://hooks.example.com/********", "\(channels.body)")
            // A readonly token may change the status: the answer stays masked.
            let paused = try await client.call(.patch, "/api/imap-pop-monitors/\(id)", token: fixture.readonly, json: #"{"status": "paused"}"#)
            #expect(paused.status == .ok && (paused.body["imapPopConfig"] as? [String: Any])?["password"] as? String == "********")

            // Writers see it; a PATCH without the password, or with the mask, keeps it.
            let (_, memberView) = try await raw(client, "/api/imap-pop-monitors/\(id)", token: fixture.member)
            #expect(memberView.contains(Self.password))
            let (_, adminChannels) = try await raw(client, "/api/alert-channels", token: fixture.admin)
            #expect(adminChannels.contains("keykeykey"))
            for config in [#"{"protocol": "imap", "user": "other@example.com", "tls": true}"#,
                           #"{"protocol": "imap", "user": "other@example.com", "password": "********", "tls": true}"#] {
                let patched = try await client.call(.patch, "/api/imap-pop-monitors/\(id)", token: fixture.admin, json: #"{"imapPopConfig": \#(config)}"#)
                #expect(patched.status == .ok, "\(patched.body)")
                let stored = patched.body["imapPopConfig"] as? [String: Any]
                #expect(stored?["password"] as? String == Self.password && stored?["user"] as? String == "other@example.com", "\(patched.body)")
            }
            // A member scoped to the customer may change its monitor (password in clear), not the
            // organization-wide channel (URL masked).
            let customerId = try #require((try await client.call(.get, "/api/customers/\(Self.customer)", token: fixture.admin)).body["id"] as? Int)
            let scoped = try await AccessTokens.create(in: fixture.runtime.database, role: .member, customerId: Int64(customerId)).token
            let (_, scopedMonitor) = try await raw(client, "/api/imap-pop-monitors/\(id)", token: scoped)
            #expect(scopedMonitor.contains(Self.password))
            let (_, scopedChannels) = try await raw(client, "/api/alert-channels", token: scoped)
            #expect(!scopedChannels.contains("keykeykey") && scopedChannels.contains("https://hooks.example.com/********"), "\(scopedChannels)")

            let changed = try await client.call(.patch, "/api/imap-pop-monitors/\(id)", token: fixture.admin,
                json: #"{"imapPopConfig": {"protocol": "imap", "user": "other@example.com", "password": "new-one", "tls": true}}"#)
            #expect((changed.body["imapPopConfig"] as? [String: Any])?["password"] as? String == "new-one")
        }
    }
}
