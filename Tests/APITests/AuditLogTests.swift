import API
import App
import Domain
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// `GET /api/audit-log`: every change over the API with who, which token, what, when, the policy
/// version and the request id; no secret in it; only the organization's admins read it.
@Suite("Audit log")
struct AuditLogTests {
    static let acme = "7a2d4c1e-5b3f-4e8a-9c1d-2e4f6a8b0c13"
    static let password = "Audit-Secret-Passw0rd"
    static let hookKey = "T0KEN-IN-THE-WEBHOOK-PATH"

    @Test("monitor, customer, token and channel changes are logged newest first, with field names and no values")
    func changesAreLogged() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let created = try await client.call(
                .post, "/api/imap-pop-monitors", token: fixture.admin,
                json: #"{"customerId": "\#(Self.acme)", "name": "Inbox", "hostname": "mail.example.com", "imapPopConfig": {"user": "u", "password": "\#(Self.password)"}}"#)
            #expect(created.status == .created, "\(created.body)")
            let monitorId = try #require(created.body["publicId"] as? String)
            // A client's own request id is kept and echoed.
            let patched = try await client.execute(
                uri: "/api/imap-pop-monitors/\(monitorId)", method: .patch,
                headers: [
                    .authorization: "Bearer \(fixture.admin)", .contentType: "application/json", HTTPField.Name("X-Request-Id")!: "deploy-42.a",
                ],
                body: ByteBuffer(string: #"{"hostname": "imap.example.com", "imapPopConfig": {"user": "u", "password": "\#(Self.password)-2"}}"#)
            ) { response in (response.status, response.headers[HTTPField.Name("X-Request-Id")!]) }
            #expect(patched.0 == .ok && patched.1 == "deploy-42.a")
            // A change a policy refuses writes no entry.
            let refused = try await client.call(.patch, "/api/imap-pop-monitors/\(monitorId)", token: fixture.admin, json: #"{"hostname": "bad host"}"#)
            #expect(refused.status == .badRequest)
            let channel = try await client.call(
                .post, "/api/alert-channels", token: fixture.admin,
                json: #"{"type": "webhook", "name": "ops", "url": "https://hooks.example.com/\#(Self.hookKey)"}"#)
            #expect(channel.status == .created, "\(channel.body)")
            let token = try await client.call(.post, "/api/organization/tokens", token: fixture.admin, json: #"{"name": "ci", "role": "member"}"#)
            let tokenId = try #require(token.body["id"] as? Int)
            #expect(try await client.call(.delete, "/api/organization/tokens/\(tokenId)", token: fixture.admin).status == .ok)
            let deleted = try await client.call(.delete, "/api/imap-pop-monitors/\(monitorId)", token: fixture.admin)
            #expect((200..<300).contains(deleted.status.code))

            let (status, text) = try await client.execute(
                uri: "/api/audit-log?perPage=100", method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(status == .ok, "\(text)")
            #expect(!text.contains(Self.password) && !text.contains(Self.hookKey) && !text.contains(fixture.admin), "\(text)")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let items = try #require(body["items"] as? [[String: Any]])
            #expect(items.map { $0["action"] as? String } == [
                "monitor.delete", "token.revoke", "token.create", "channel.create", "monitor.update", "monitor.create", "customer.create",
            ])
            #expect(body["total"] as? Int == 7)
            let update = try #require(items.first { $0["action"] as? String == "monitor.update" })
            #expect(update["changes"] as? [String] == ["hostname", "config.password"], "\(update)")
            #expect(update["requestId"] as? String == "deploy-42.a")
            #expect((update["policyVersion"] as? String)?.hasPrefix("policies/monitor_update@") == true, "\(update)")
            #expect((update["target"] as? [String: Any])?["id"] as? String == monitorId)
            #expect(update["customerId"] as? String == Self.acme)
            let actor = try #require(update["actor"] as? [String: Any])
            #expect((actor["tokenPrefix"] as? String).map { fixture.admin.hasPrefix($0) && $0.count < fixture.admin.count } == true)
            #expect(actor["userName"] is String)
            let delete = try #require(items.first)
            #expect((delete["policyVersion"] as? String)?.hasPrefix("policies/access@") == true)
            #expect((items.first { $0["action"] as? String == "token.create" }?["target"] as? [String: Any])?["id"] as? String == "\(tokenId)")
            #expect((items.first { $0["action"] as? String == "channel.create" }?["target"] as? [String: Any])?["id"] is String)
            // Every answer names its request.
            #expect(try await client.execute(uri: "/api/customers", method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]) {
                $0.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false
            })

            // Filters.
            let monitorEntries = try await client.call(.get, "/api/audit-log?targetId=\(monitorId.uppercased())", token: fixture.admin)
            #expect((monitorEntries.body["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String } == [
                "monitor.delete", "monitor.update", "monitor.create",
            ])
            let tokenEntries = try await client.call(.get, "/api/audit-log?targetType=token&action=token.create", token: fixture.admin)
            #expect(tokenEntries.body["total"] as? Int == 1)
            let later = try await client.call(.get, "/api/audit-log?since=2999-01-01T00:00:00Z", token: fixture.admin)
            #expect(later.body["total"] as? Int == 0)
            let byCustomer = try await client.call(.get, "/api/audit-log?customerId=\(Self.acme)", token: fixture.admin)
            #expect(byCustomer.body["total"] as? Int == 3, "\(byCustomer.body)")
            #expect(try await client.call(.get, "/api/audit-log?targetType=planet", token: fixture.admin).status == .badRequest)
            #expect(try await client.call(.get, "/api/audit-log?since=yesterday", token: fixture.admin).status == .badRequest)
        }
    }

    @Test("only the organization's admins read it; another organization's admin sees none of its entries")
    func whoMayRead() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            #expect(try await client.call(.get, "/api/audit-log", token: fixture.member).status == .forbidden)
            #expect(try await client.call(.get, "/api/audit-log", token: fixture.readonly).status == .forbidden)
            #expect(try await client.call(.get, "/api/audit-log", token: nil).status == .unauthorized)
            let customers = try await client.call(.get, "/api/customers", token: fixture.admin)
            let customerId = try #require((customers.body["items"] as? [[String: Any]])?.first?["id"] as? Int)
            let scoped = try await AccessTokens.create(in: fixture.runtime.database, role: .admin, customerId: Int64(customerId)).token
            #expect(try await client.call(.get, "/api/audit-log", token: scoped).status == .forbidden)

            let second = try await fixture.runtime.database.createOrganization(name: "Second")
            let (other, _) = try await AccessTokens.create(in: fixture.runtime.database, role: .admin, organizationId: second)
            let theirs = try await client.call(.get, "/api/audit-log", token: other)
            #expect(theirs.status == .ok && theirs.body["total"] as? Int == 0, "\(theirs.body)")
            #expect(try await client.call(.get, "/api/audit-log?customerId=\(Self.acme)", token: other).status == .notFound)
            let ours = try await client.call(.get, "/api/audit-log", token: fixture.admin)
            #expect(ours.body["total"] as? Int == 1)
        }
    }

    @Test("a script reload over the API is logged with the scripts that changed; one that is refused is not")
    func reloadIsLogged() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let path = fixture.scriptsDirectory + "/policies/access.lua"
            let source = try String(contentsOfFile: path, encoding: .utf8)
            let version = try APIFixture.shippedVersion("policies/access")
            try source.replacingOccurrences(of: "version = \"\(version)\"", with: "version = \"\(version)-audit\"")
                .write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin).status == .ok)
            try "return {".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin).status == .badRequest)
            let entries = try await client.call(.get, "/api/audit-log?action=scripts.reload", token: fixture.admin)
            let items = (entries.body["items"] as? [[String: Any]]) ?? []
            #expect(items.count == 1 && items.first?["changes"] as? [String] == ["policies/access"], "\(entries.body)")
            #expect(((items.first?["target"] as? [String: Any])?["id"] as? String)?.hasPrefix("generation ") == true)
        }
    }
}
