import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// Monitor state in the API (additive fields, filter and sort) and the incidents API with acknowledgement.
@Suite("API: monitor state and incidents")
struct IncidentAndStateTests {
    static let acme = "0b9a3f4e-7c21-4d5e-9f6a-2c8d1e3b5a70"

    @Test("a failing check makes the monitor down with its category; list filters and sorts by state; incidents list, show a timeline and are acknowledged")
    func downIncidentAcknowledged() async throws {
        let refused = try RefusedPort()
        defer { refused.close() }
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            func monitor(_ name: String) async throws -> String {
                let created = try await client.call(
                    .post, "/api/imap-pop-monitors", token: fixture.admin,
                    json: #"{"customerId": "\#(Self.acme)", "name": "\#(name)", "hostname": "127.0.0.1", "port": \#(refused.port), "imapPopConfig": {"protocol": "imap", "user": "u", "password": "p"}}"#)
                return try #require(created.body["publicId"] as? String, "\(created.body)")
            }
            let fresh = try await monitor("Fresh")
            let failing = try await monitor("Failing")
            var shown = try await client.call(.get, "/api/imap-pop-monitors/\(failing)", token: fixture.admin).body
            #expect(shown["state"] as? String == "unknown" && shown["lastFailureCategory"] is NSNull)
            #expect(try await client.call(.post, "/api/imap-pop-monitors/\(failing)/trigger-check", token: fixture.admin).status == .ok)
            shown = try await client.call(.get, "/api/imap-pop-monitors/\(failing)", token: fixture.admin).body
            #expect(shown["state"] as? String == "down", "\(shown)")
            #expect(shown["lastFailureCategory"] as? String == "connect_refused" && shown["lastFailureMessage"] is String)
            #expect(shown["lastResponseTimeMs"] is Int && shown["stateSince"] as? String == shown["lastFailureAt"] as? String)

            func names(_ query: String) async throws -> [String] {
                let body = try await client.call(.get, "/api/imap-pop-monitors?\(query)", token: fixture.readonly).body
                return (body["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await names("state=down") == ["Failing"])
            #expect(try await names("state=unknown") == ["Fresh"])
            #expect(try await names("state=up").isEmpty)
            #expect(try await names("sort=state") == ["Failing", "Fresh"])
            #expect(try await names("sort=id") == ["Fresh", "Failing"])
            #expect(try await names("") == ["Fresh", "Failing"], "the reference's order stays the default")
            #expect(try await client.call(.get, "/api/imap-pop-monitors?state=broken", token: fixture.admin).status == .badRequest)
            #expect(try await client.call(.get, "/api/imap-pop-monitors?sort=name", token: fixture.admin).status == .badRequest)

            let list = try await client.call(.get, "/api/incidents?status=active", token: fixture.readonly).body
            let items = try #require(list["items"] as? [[String: Any]])
            #expect(items.count == 1 && list["total"] as? Int == 1)
            let incident = items[0]
            #expect(incident["type"] as? String == "connect_refused" && incident["isOngoing"] as? Bool == true)
            #expect((incident["monitor"] as? [String: Any])?["publicId"] as? String == failing)
            #expect((incident["customer"] as? [String: Any])?["publicId"] as? String == Self.acme)
            let incidentId = try #require(incident["publicId"] as? String)
            #expect((try await client.call(.get, "/api/incidents?status=resolved", token: fixture.admin).body["items"] as? [Any])?.isEmpty == true)
            #expect((try await client.call(.get, "/api/incidents?monitorId=\(fresh)", token: fixture.admin).body["items"] as? [Any])?.isEmpty == true)
            #expect((try await client.call(.get, "/api/incidents?type=auth_failed", token: fixture.admin).body["items"] as? [Any])?.isEmpty == true)
            for bad in ["status=open", "monitorId=not-a-uuid", "customerId=0", "customerId=", "statu=active"] {
                #expect(try await client.call(.get, "/api/incidents?\(bad)", token: fixture.admin).status == .badRequest, "\(bad)")
            }
            // Well-formed ids of nothing (or of another organization's things) are unknown.
            for unknown in ["monitorId=\(UUID().uuidString)", "customerId=999"] {
                #expect(try await client.call(.get, "/api/incidents?\(unknown)", token: fixture.admin).status == .notFound, "\(unknown)")
            }

            let details = try await client.call(.get, "/api/incidents/\(incidentId)", token: fixture.readonly)
            #expect(details.status == .ok)
            let events = ((details.body["timeline"] as? [[String: Any]]) ?? []).compactMap { $0["event"] as? String }
            #expect(events.first == "opened", "\(details.body)")
            #expect(try await client.call(.post, "/api/incidents/\(incidentId)/acknowledge", token: fixture.readonly).status == .forbidden)
            let acknowledged = try await client.call(.post, "/api/incidents/\(incidentId)/acknowledge", token: fixture.member)
            #expect(acknowledged.status == .ok && acknowledged.body["acknowledgedAt"] is String, "\(acknowledged.body)")
            let by = try #require(acknowledged.body["acknowledgedBy"] as? String)
            let again = try await client.call(.post, "/api/incidents/\(incidentId)/acknowledge", token: fixture.admin)
            #expect(again.body["acknowledgedBy"] as? String == by && again.body["acknowledgedAt"] as? String == acknowledged.body["acknowledgedAt"] as? String)
            let afterwards = try await client.call(.get, "/api/incidents/\(incidentId)", token: fixture.admin).body
            #expect(((afterwards["timeline"] as? [[String: Any]]) ?? []).contains { $0["event"] as? String == "acknowledged" && $0["detail"] as? String == by })
            // The acknowledgement that took effect is in the audit log, once (the second changed nothing).
            let audit = try await client.call(.get, "/api/audit-log?action=incident.acknowledge", token: fixture.admin).body
            let entries = (audit["items"] as? [[String: Any]]) ?? []
            #expect(entries.count == 1 && (entries.first?["target"] as? [String: Any])?["id"] as? String == incidentId.lowercased(), "\(audit)")
            #expect(((entries.first?["actor"] as? [String: Any])?["userName"] as? String) == by)
            #expect(try await client.call(.get, "/api/incidents/not-a-uuid", token: fixture.admin).status == .badRequest)
            #expect(try await client.call(.get, "/api/incidents/\(UUID().uuidString)", token: fixture.admin).status == .notFound)

            // Another organization's admin: 404 for the incident, nothing in its list.
            let second = try await fixture.runtime.database.createOrganization(name: "Second")
            let (other, _) = try await AccessTokens.create(in: fixture.runtime.database, role: .admin, organizationId: second)
            #expect(try await client.call(.get, "/api/incidents/\(incidentId)", token: other).status == .notFound)
            #expect(try await client.call(.post, "/api/incidents/\(incidentId)/acknowledge", token: other).status == .notFound)
            #expect((try await client.call(.get, "/api/incidents", token: other).body["items"] as? [Any])?.isEmpty == true)

            let paused = try await client.call(.patch, "/api/imap-pop-monitors/\(failing)", token: fixture.admin, json: #"{"status": "maintenance"}"#)
            #expect(paused.body["state"] as? String == "maintenance" && paused.body["stateSince"] as? String != shown["stateSince"] as? String)
        }
    }

    @Test("a monitor's path takes its numeric id as well as its publicId, as clients of the reference keep the id")
    func numericIds() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let created = try await client.call(
                .post, "/api/imap-pop-monitors", token: fixture.admin,
                json: #"{"customerId": "\#(Self.acme)", "name": "By id", "hostname": "mail.example.com"}"#)
            let number = try #require(created.body["id"] as? Int)
            let publicId = try #require(created.body["publicId"] as? String)
            let read = try await client.call(.get, "/api/imap-pop-monitors/\(number)", token: fixture.readonly)
            #expect(read.status == .ok && read.body["publicId"] as? String == publicId)
            let renamed = try await client.call(.patch, "/api/imap-pop-monitors/\(number)", token: fixture.admin, json: #"{"name": "Renamed"}"#)
            #expect(renamed.status == .ok && renamed.body["name"] as? String == "Renamed")
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(number)/incident-history", token: fixture.admin).status == .ok)
            for bad in ["0", "-1", "1.5", "abc"] {
                #expect(try await client.call(.get, "/api/imap-pop-monitors/\(bad)", token: fixture.admin).status == .badRequest, "\(bad)")
            }
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(number + 1000)", token: fixture.admin).status == .notFound)
            #expect(try await client.call(.delete, "/api/imap-pop-monitors/\(number)", token: fixture.admin).status == .noContent)
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(publicId)", token: fixture.admin).status == .notFound)
        }
    }
}
