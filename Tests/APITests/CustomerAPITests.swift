import SQLiteStore
import Domain
import Notifiers
import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Customers over real HTTP: what create refuses, and a duplicate publicId.
@Suite("Customers API: create errors")
struct CustomerAPITests {
    @Test("create refuses a missing name, a bad email, a bad publicId, bad country codes and bounds; a taken publicId is 409")
    func createErrors() async throws {
        let fixture = try await APIFixture.make()
        try await fixture.application.test(.live) { client in
            for (json, problem) in [
                (#"{"email": "ops@example.com"}"#, "name"),
                (#"{"name": "   "}"#, "name"),
                (#"{"name": "Acme", "email": "not an address"}"#, "email"),
                (#"{"name": "Acme", "publicId": "1234"}"#, "publicId"),
                (#"{"name": "Acme", "allowedCheckCountryCodes": ["DEU"]}"#, "country code"),
                (#"{"name": "Acme", "alertLocationThresholdCount": 0}"#, "alertLocationThresholdCount"),
                ("[]", "JSON object"),
            ] {
                let response = try await client.call(.post, "/api/customers", token: fixture.admin, json: json)
                #expect(response.status == .badRequest, "\(json): \(response.body)")
                #expect((response.body["message"] as? String)?.contains(problem) == true, "\(json): \(response.body)")
            }
            let body = #"{"name": "Acme", "publicId": "22222222-2222-4222-8222-222222222222", "allowedCheckCountryCodes": ["de", "DE", "at"]}"#
            let created = try await client.call(.post, "/api/customers", token: fixture.admin, json: body)
            #expect(created.status == .created)
            #expect(created.body["allowedCheckCountryCodes"] as? [String] == ["DE", "AT"])
            let again = try await client.call(.post, "/api/customers", token: fixture.admin, json: body)
            #expect(again.status.code == 409 && again.body["statusCode"] as? Int == 409)
            let listed = try await client.call(.get, "/api/customers", token: fixture.readonly)
            #expect(listed.body["total"] as? Int == 1, "nothing half-written by the refused ones")
        }
    }
}
