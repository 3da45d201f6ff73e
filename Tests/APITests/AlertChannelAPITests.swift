import SQLiteStore
import Domain
import Notifiers
import App
import Foundation
import HummingbirdTesting
import Testing

@Suite("Alert channels: webhook and Slack receivers over the API")
struct AlertChannelAPITests {
    @Test("writers add and remove channels, readers list them, bad input is a 400, readonly a 403")
    func channels() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.application.test(.live) { client in
            _ = try await client.call(.post, "/api/customers", token: fixture.admin, json: #"{"name": "Acme"}"#)
            var (status, body) = try await client.call(.post, "/api/alert-channels", token: fixture.member, json: """
                {"type": "slack", "name": "ops", "url": "https://hooks.slack.example/T000/B000"}
                """)
            #expect(status == .created)
            #expect(body["type"] as? String == "slack" && body["customerId"] is NSNull)
            let id = try #require(body["id"] as? Int)
            (status, body) = try await client.call(.post, "/api/alert-channels", token: fixture.admin, json: """
                {"type": "webhook", "name": "acme", "url": "http://127.0.0.1:9/hook", "customerId": 1}
                """)
            #expect(status == .created && body["customerId"] as? Int == 1)

            (status, body) = try await client.call(.get, "/api/alert-channels", token: fixture.readonly)
            #expect(status == .ok && body["total"] as? Int == 2)

            (status, _) = try await client.call(.post, "/api/alert-channels", token: fixture.readonly, json: """
                {"type": "webhook", "name": "x", "url": "https://example.com"}
                """)
            #expect(status == .forbidden)
            for bad in [
                #"{"type": "email", "name": "x", "url": "https://example.com"}"#, #"{"type": "webhook", "name": "x", "url": "ftp://example.com"}"#,
                #"{"type": "webhook", "name": "", "url": "https://example.com"}"#, #"{"type": "webhook", "name": "x"}"#,
            ] {
                (status, body) = try await client.call(.post, "/api/alert-channels", token: fixture.admin, json: bad)
                #expect(status == .badRequest, "\(bad)")
                #expect(body["statusCode"] as? Int == 400)
            }
            (status, _) = try await client.call(.post, "/api/alert-channels", token: fixture.admin, json: """
                {"type": "webhook", "name": "x", "url": "https://example.com", "customerId": 999}
                """)
            #expect(status == .notFound)

            (status, _) = try await client.call(.delete, "/api/alert-channels/\(id)", token: fixture.readonly)
            #expect(status == .forbidden)
            (status, _) = try await client.call(.delete, "/api/alert-channels/\(id)", token: fixture.admin)
            #expect(status == .noContent)
            (status, _) = try await client.call(.delete, "/api/alert-channels/\(id)", token: fixture.admin)
            #expect(status == .notFound)
            (status, body) = try await client.call(.get, "/api/alert-channels", token: fixture.admin)
            #expect(body["total"] as? Int == 1)
        }
    }
}
