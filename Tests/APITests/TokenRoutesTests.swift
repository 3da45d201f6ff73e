import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// `/api/organization/tokens` and `/api/customer/tokens`, expiry, last use, and failed-authentication limits.
@Suite("API tokens over the API")
struct TokenRoutesTests {
    static let acme = "6f1c1b9e-3a4f-4c8e-9d2a-0b7e5f3a1c42"

    /// Polls `condition` every 50 ms for up to 10 s (background writes and the principal cache's second).
    static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("never: \(what)")
    }

    @Test("an admin creates a named, expiring token shown once; it works, is listed with a hint and its last use, and is refused once deleted")
    func organizationLifecycle() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let created = try await client.call(
                .post, "/api/organization/tokens", token: fixture.admin, json: #"{"name": "CI deploys", "expiresInDays": 30, "role": "member"}"#)
            #expect(created.status == .created, "\(created.body)")
            let token = try #require(created.body["token"] as? String)
            #expect(token.hasPrefix("mm_") && created.body["name"] as? String == "CI deploys" && created.body["role"] as? String == "member")
            let expires = try #require((created.body["expiresAt"] as? String).flatMap(Timestamp.parse))
            #expect(abs(expires.timeIntervalSinceNow - 30 * 86_400) < 120)
            #expect(try await client.call(.get, "/api/customers", token: token).status == .ok)
            let id = try #require(created.body["id"] as? Int)
            var listed: [String: Any] = [:]
            try await Self.eventually("the token's last use is listed") {
                let list = try await client.execute(uri: "/api/organization/tokens", method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]) {
                    try JSONSerialization.jsonObject(with: Data($0.body.readableBytesView)) as? [[String: Any]] ?? []
                }
                listed = list.first { $0["id"] as? Int == id } ?? [:]
                return listed["lastUsedAt"] is String
            }
            #expect((listed["tokenHint"] as? String).map { $0.hasSuffix("...") && !$0.contains(token) } == true, "\(listed)")
            #expect(listed["token"] == nil)
            let deleted = try await client.call(.delete, "/api/organization/tokens/\(id)", token: fixture.admin)
            #expect(deleted.status == .ok && deleted.body["success"] as? Bool == true)
            try await Self.eventually("the deleted token is refused") {
                try await client.call(.get, "/api/customers", token: token).status == .unauthorized
            }
            #expect(try await client.call(.delete, "/api/organization/tokens/\(id)", token: fixture.admin).status == .notFound)
            let adminId = try #require(try await fixture.runtime.database.principal(tokenHash: AccessTokens.hash(fixture.admin))?.tokenId)
            let itself = try await client.call(.delete, "/api/organization/tokens/\(adminId)", token: fixture.admin)
            #expect(itself.status == .conflict && itself.body["message"] as? String == "a token cannot revoke itself: use another token")
        }
    }

    @Test("roles and scopes: members and readonly tokens stay off the organization route; customer tokens no stronger than their maker")
    func rolesAndScopes() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            #expect(try await client.call(.get, "/api/organization/tokens", token: fixture.member).status == .forbidden)
            #expect(try await client.call(.post, "/api/organization/tokens", token: fixture.member, json: #"{"name": "x"}"#).status == .forbidden)
            #expect(try await client.call(.get, "/api/organization/tokens", token: fixture.supporter).status == .forbidden)
            let missing = try await client.call(.post, "/api/customer/tokens", token: fixture.member, json: #"{"name": "x"}"#)
            #expect(missing.status == .badRequest && (missing.body["message"] as? String) == "customerId is required", "\(missing.body)")
            let invalid = try await client.call(.post, "/api/customer/tokens", token: fixture.member, json: #"{"name": "x", "customerId": 999}"#)
            #expect(invalid.status == .notFound && (invalid.body["message"] as? String) == "Customer not found")
            for body in [#"{"name": "", "customerId": 1}"#, #"{"name": "x", "customerId": 1, "expiresInDays": 0}"#,
                         #"{"name": "x", "customerId": 1, "role": "owner"}"#, "[]", "{"] {
                #expect(try await client.call(.post, "/api/customer/tokens", token: fixture.member, json: body).status == .badRequest, "\(body)")
            }
            // A member makes a readonly token for the customer; the customer-scoped token then makes another for itself only.
            let scoped = try await client.call(
                .post, "/api/customer/tokens", token: fixture.member, json: #"{"name": "Acme portal", "customerId": "acme-slug", "role": "member"}"#)
            #expect(scoped.status == .badRequest, "customerId takes the numeric id or the UUID, not a slug: \(scoped.body)")
            let adminPrincipal = try #require(try await fixture.runtime.database.principal(tokenHash: AccessTokens.hash(fixture.admin)))
            let customers = try await fixture.runtime.customers.list(search: nil, page: 1, perPage: 1, actor: adminPrincipal)
            let customer = try #require(customers.items.first)
            let portal = try await client.call(
                .post, "/api/customer/tokens", token: fixture.member,
                json: #"{"name": "Acme portal", "customerId": "\#(customer.publicId.lowercasedString)", "role": "member"}"#)
            #expect(portal.status == .created, "\(portal.body)")
            let portalToken = try #require(portal.body["token"] as? String)
            #expect(portal.body["customerId"] as? Int == Int(customer.id))
            let stronger = try await client.call(
                .post, "/api/customer/tokens", token: portalToken, json: #"{"name": "y", "customerId": \#(customer.id), "role": "admin"}"#)
            #expect(stronger.status == .forbidden, "\(stronger.body)")
            let own = try await client.call(.post, "/api/customer/tokens", token: portalToken, json: #"{"name": "z", "role": "readonly"}"#)
            #expect(own.status == .created, "a scoped token's customer is the default: \(own.body)")
            #expect(try await client.call(.post, "/api/customer/tokens", token: fixture.readonly, json: #"{"name": "r", "customerId": 1}"#).status == .forbidden)
            // The customer route lists customer tokens only; the scoped one sees its customer's.
            let list = try await client.execute(uri: "/api/customer/tokens", method: .get, headers: [.authorization: "Bearer \(portalToken)"]) {
                try JSONSerialization.jsonObject(with: Data($0.body.readableBytesView)) as? [[String: Any]] ?? []
            }
            #expect(list.count == 2 && list.allSatisfy { $0["customerId"] as? Int == Int(customer.id) })
            // An organization token is not deleted through the customer route.
            let organizationTokens = try await client.execute(uri: "/api/organization/tokens", method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]) {
                try JSONSerialization.jsonObject(with: Data($0.body.readableBytesView)) as? [[String: Any]] ?? []
            }
            let memberOwn = try #require(try await fixture.runtime.database.principal(tokenHash: AccessTokens.hash(fixture.member))?.tokenId)
            let memberId = try #require(
                organizationTokens.first { $0["customerId"] is NSNull && $0["role"] as? String == "member" && $0["id"] as? Int != Int(memberOwn) }?["id"] as? Int)
            #expect(try await client.call(.delete, "/api/customer/tokens/\(memberId)", token: fixture.member).status == .forbidden)
        }
    }

    @Test("another organization's tokens are 404 on every token route")
    func otherOrganization() async throws {
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let second = try await fixture.runtime.database.createOrganization(name: "Second")
            let (otherAdmin, otherPrincipal) = try await AccessTokens.create(in: fixture.runtime.database, role: .admin, organizationId: second)
            let mine = try await client.execute(uri: "/api/organization/tokens", method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]) {
                try JSONSerialization.jsonObject(with: Data($0.body.readableBytesView)) as? [[String: Any]] ?? []
            }
            #expect(!mine.contains { $0["id"] as? Int == Int(otherPrincipal.tokenId) })
            for path in ["/api/organization/tokens/\(otherPrincipal.tokenId)", "/api/customer/tokens/\(otherPrincipal.tokenId)"] {
                #expect(try await client.call(.delete, path, token: fixture.admin).status == .notFound, "\(path)")
            }
            #expect(try await client.call(.get, "/api/customers", token: otherAdmin).status == .ok)
        }
    }

    @Test("an expired token gets 401")
    func expired() async throws {
        let fixture = try await APIFixture.make()
        let (token, _) = try await AccessTokens.create(in: fixture.runtime.database, role: .admin, expiresAt: Date().addingTimeInterval(-1))
        try await fixture.application.test(.router) { client in
            let status = try await client.call(.get, "/api/customers", token: token).status
            #expect(status == .unauthorized)
        }
    }

    @Test("invalid tokens from one address: 401, then slowed 401s, then 429 with Retry-After; a valid token still passes")
    func failedAuthentications() async throws {
        let fixture = try await APIFixture.make()
        var dependencies = APIDependencies(runtime: fixture.runtime)
        dependencies.authFailures = AuthFailureLimiter(
            settings: .init(window: .seconds(600), freeFailures: 3, slowedFailures: 2, delay: .milliseconds(1)))
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            for _ in 0..<5 {
                #expect(try await client.call(.get, "/api/customers", token: "mm_guess").status == .unauthorized)
            }
            try await client.execute(uri: "/api/customers", method: .get, headers: [.authorization: "Bearer mm_guess"]) { response in
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
            }
            #expect(try await client.call(.get, "/api/customers", token: fixture.admin).status == .ok, "no lock-out of a real token")
            #expect(try await client.call(.get, "/api/customers", token: nil).status == .unauthorized, "no token is no guess")
        }
    }
}
