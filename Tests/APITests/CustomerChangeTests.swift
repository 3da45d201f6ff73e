import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// `PATCH` and `DELETE /api/customers/:id`, decided by `policies/access` (`update_customer`,
/// `delete_customer`), each in the audit log.
@Suite("Customers: change and delete")
struct CustomerChangeTests {
    static let acme = "9c2e4a6b-8d1f-4b3a-a5c7-e9f1b3d5a7c9"

    @Test("PATCH changes the given fields (null clears e-mail and codes), keeps the publicId; roles, scope and other organizations")
    func update() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let path = "/api/customers/\(Self.acme)"
            #expect(try await client.call(.patch, path, token: fixture.admin, json: #"{"email": "ops@acme.example", "allowedCheckCountryCodes": ["de", "AT"]}"#).status == .ok)
            let changed = try await client.call(.patch, path, token: fixture.member, json: #"{"name": "Acme GmbH", "alertLocationThresholdCount": 3, "allowedCheckCountryCodes": null}"#)
            #expect(changed.status == .ok, "\(changed.body)")
            #expect(changed.body["name"] as? String == "Acme GmbH" && changed.body["email"] as? String == "ops@acme.example")
            #expect(changed.body["allowedCheckCountryCodes"] as? [String] == [] && changed.body["alertLocationThresholdCount"] as? Int == 3)
            #expect(changed.body["publicId"] as? String == Self.acme)
            let read = try await client.call(.get, path, token: fixture.readonly)
            #expect(read.body["name"] as? String == "Acme GmbH")
            let cleared = try await client.call(.patch, path, token: fixture.admin, json: #"{"email": null}"#)
            #expect(cleared.body["email"] is NSNull && cleared.body["name"] as? String == "Acme GmbH")

            #expect(try await client.call(.patch, path, token: fixture.readonly, json: #"{"name": "x"}"#).status == .forbidden)
            #expect(try await client.call(.patch, path, token: fixture.supporter, json: #"{"name": "x"}"#).status == .forbidden)
            let moved = try await client.call(.patch, path, token: fixture.admin, json: #"{"publicId": "\#(UUID().uuidString)"}"#)
            #expect(moved.status == .badRequest && moved.body["message"] as? String == "publicId cannot be changed")
            #expect(try await client.call(.patch, path, token: fixture.admin, json: #"{"name": " "}"#).status == .badRequest)
            #expect(try await client.call(.patch, path, token: fixture.admin, json: #"{"allowedCheckCountryCodes": ["XX"]}"#).status == .badRequest)
            #expect(try await client.call(.patch, "/api/customers/\(UUID().uuidString)", token: fixture.admin, json: "{}").status == .notFound)
            let second = try await fixture.runtime.database.createOrganization(name: "Second")
            let (other, _) = try await AccessTokens.create(in: fixture.runtime.database, role: .admin, organizationId: second)
            #expect(try await client.call(.patch, path, token: other, json: #"{"name": "theirs"}"#).status == .notFound)

            let audit = try await client.call(.get, "/api/audit-log?action=customer.update", token: fixture.admin)
            let changes = ((audit.body["items"] as? [[String: Any]]) ?? []).compactMap { $0["changes"] as? [String] }
            #expect(changes == [["email"], ["name", "allowedCheckCountryCodes", "alertLocationThresholdCount"], ["email", "allowedCheckCountryCodes"]], "\(audit.body)")
        }
    }

    @Test("DELETE: admins only; a customer with monitors is a 409 unless deleteMonitors=true, which takes its monitors and scoped tokens along")
    func delete() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let created = try await client.call(
                .post, "/api/imap-pop-monitors", token: fixture.admin,
                json: #"{"customerId": "\#(Self.acme)", "name": "Inbox", "hostname": "mail.example.com"}"#)
            let monitorId = try #require(created.body["publicId"] as? String)
            let customerId = try #require(created.body["customerId"] as? Int)
            let scoped = try await AccessTokens.create(in: fixture.runtime.database, role: .member, customerId: Int64(customerId)).token
            #expect(try await client.call(.get, "/api/customers", token: scoped).status == .ok)
            let path = "/api/customers/\(Self.acme)"

            #expect(try await client.call(.delete, path, token: fixture.member).status == .forbidden)
            #expect(try await client.call(.delete, path, token: scoped).status == .forbidden)
            let refused = try await client.call(.delete, path, token: fixture.admin)
            #expect(refused.status == .conflict, "\(refused.body)")
            #expect((refused.body["message"] as? String)?.hasPrefix("the customer has 1 monitor(s)") == true)
            #expect(try await client.call(.delete, path + "?deleteMonitors=maybe", token: fixture.admin).status == .badRequest)
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(monitorId)", token: fixture.admin).status == .ok, "nothing deleted")

            #expect(try await client.call(.delete, path + "?deleteMonitors=true", token: fixture.admin).status == .noContent)
            #expect(try await client.call(.get, path, token: fixture.admin).status == .notFound)
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(monitorId)", token: fixture.admin).status == .notFound)
            try await TokenRoutesTests.eventually("the customer's scoped token is refused") {
                try await client.call(.get, "/api/customers", token: scoped).status == .unauthorized
            }
            #expect(try await client.call(.delete, path, token: fixture.admin).status == .notFound)
            let audit = try await client.call(.get, "/api/audit-log?action=customer.delete", token: fixture.admin)
            let entry = (audit.body["items"] as? [[String: Any]])?.first
            #expect(entry?["changes"] as? [String] == ["monitors"] && (entry?["policyVersion"] as? String)?.hasPrefix("policies/access@") == true)

            // A customer without monitors goes without the flag.
            let empty = try await client.call(.post, "/api/customers", token: fixture.admin, json: #"{"name": "Empty"}"#)
            let emptyId = try #require(empty.body["publicId"] as? String)
            #expect(try await client.call(.delete, "/api/customers/\(emptyId)", token: fixture.admin).status == .noContent)
        }
    }
}
