import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// Every documented operation that names a resource, asked by another organization's admin with
/// the real ids of this one: 404 as for an id that does not exist (never 403, which would confirm
/// it, never data), and the resource unchanged afterwards.
@Suite("Cross-organization probes on every route")
struct CrossOrganizationTests {
    static let acme = "5e2f7c1a-9b3d-4f60-8a7e-1c4d2b6f8e90"

    @Test("another organization's admin gets 404 on every route with an id, and changes nothing")
    func everyRoute() async throws {
        let refused = try RefusedPort()
        defer { refused.close() }
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            // One of everything in this organization: a customer, a monitor with an incident, a channel, a token.
            let monitor = try await client.call(
                .post, "/api/imap-pop-monitors", token: fixture.admin,
                json: #"{"customerId": "\#(Self.acme)", "name": "Ours", "hostname": "127.0.0.1", "port": \#(refused.port), "imapPopConfig": {"protocol": "imap", "user": "u", "password": "p"}}"#)
            let monitorId = try #require(monitor.body["publicId"] as? String)
            let monitorNumber = try #require(monitor.body["id"] as? Int)
            let customerId = try #require(monitor.body["customerId"] as? Int)
            #expect(try await client.call(.post, "/api/imap-pop-monitors/\(monitorId)/trigger-check", token: fixture.admin).status == .ok)
            let incidents = try await client.call(.get, "/api/incidents", token: fixture.admin)
            let incidentId = try #require((incidents.body["items"] as? [[String: Any]])?.first?["publicId"] as? String)
            let channel = try await client.call(
                .post, "/api/alert-channels", token: fixture.admin, json: #"{"type": "webhook", "name": "ours", "url": "https://hooks.example.com/x"}"#)
            let channelId = try #require(channel.body["id"] as? Int)
            let token = try await client.call(
                .post, "/api/customer/tokens", token: fixture.admin, json: #"{"name": "ours", "customerId": \#(customerId)}"#)
            let tokenId = try #require(token.body["id"] as? Int)

            let second = try await fixture.runtime.database.createOrganization(name: "Second")
            let (other, _) = try await AccessTokens.create(in: fixture.runtime.database, role: .admin, organizationId: second)
            var probed = 0
            for (method, path) in try OpenAPIRouteTests.operations() where path.contains("{") {
                let concrete: [String]
                switch true {
                case path.hasPrefix("/api/imap-pop-monitors/"):
                    concrete = [monitorId, "\(monitorNumber)"].map { path.replacingOccurrences(of: "{publicId}", with: $0) }
                case path.hasPrefix("/api/customers/"):
                    concrete = ["\(customerId)", Self.acme].map { path.replacingOccurrences(of: "{id}", with: $0) }
                case path.hasPrefix("/api/incidents/"): concrete = [path.replacingOccurrences(of: "{publicId}", with: incidentId)]
                case path.hasPrefix("/api/alert-channels/"): concrete = [path.replacingOccurrences(of: "{id}", with: "\(channelId)")]
                case path.hasSuffix("/tokens/{id}"): concrete = [path.replacingOccurrences(of: "{id}", with: "\(tokenId)")]
                default:
                    Issue.record("no probe for \(method) \(path): add one")
                    concrete = []
                }
                for uri in concrete {
                    let answer = try await client.call(.init(method)!, uri, token: other, json: method == "GET" || method == "DELETE" ? nil : "{}")
                    #expect(answer.status == .notFound, "\(method) \(uri) answered \(answer.status.code): \(answer.body)")
                    #expect(!"\(answer.body)".contains("Ours"), "\(method) \(uri) leaked data")
                    probed += 1
                }
            }
            #expect(probed >= 12)
            // Filters naming this organization's ids are refused as unknown ones, with no data.
            for query in ["/api/incidents?monitorId=\(monitorId)", "/api/incidents?customerId=\(customerId)", "/api/imap-pop-monitors?customerId=\(Self.acme)"] {
                let answer = try await client.call(.get, query, token: other)
                #expect([.badRequest, .notFound].contains(answer.status) && !"\(answer.body)".contains("Ours"), "\(query): \(answer.status.code)")
            }
            // Everything is as it was.
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(monitorId)", token: fixture.admin).body["name"] as? String == "Ours")
            #expect(try await client.call(.get, "/api/incidents/\(incidentId)", token: fixture.admin).body["incident"] is [String: Any])
            #expect((try await client.call(.get, "/api/alert-channels", token: fixture.admin).body["items"] as? [Any])?.count == 1)
            let incident = try await client.call(.get, "/api/incidents/\(incidentId)", token: fixture.admin).body["incident"] as? [String: Any]
            #expect(incident?["acknowledgedAt"] is NSNull, "not acknowledged by the probe")
        }
    }
}
