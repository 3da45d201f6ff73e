import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// The role and scope rules live in Lua, once: replacing the script changes what the API
/// allows, without a rebuild, and a policy's own status is kept.
@Suite("API: the access rules are the scripts'")
struct PolicyOwnershipAPITests {
    static let customer = "33333333-3333-4333-8333-333333333333"

    func withServer(_ body: @Sendable (APIFixture, any TestClientProtocol) async throws -> Void) async throws {
        try await APIFixture.withCustomer(Self.customer, body)
    }

    func replace(_ fixture: APIFixture, _ name: String, _ edit: (String) -> String) throws {
        let path = "\(fixture.scriptsDirectory)/\(name).lua"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let edited = edit(original).replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.0""#, options: .regularExpression)
        #expect(edited != original.replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.0""#, options: .regularExpression))
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("policies/access decides reads: a replaced rule answers with the status it chose")
    func accessPolicyDecidesReads() async throws {
        try await withServer { fixture, client in
            #expect(try await client.call(.get, "/api/customers/\(Self.customer)", token: fixture.readonly).status == .ok)
            try replace(fixture, "policies/access") {
                $0.replacingOccurrences(of: "function M.decide(input)\n", with: """
                    function M.decide(input)
                      if input.action == "read_customer" and input.actor.role == "readonly" then
                        return reject(451, "customers are not shown to readonly tokens here")
                      end

                    """)
            }
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin).status == .ok)
            let refused = try await client.call(.get, "/api/customers/\(Self.customer)", token: fixture.readonly)
            #expect(refused.status.code == 451 && refused.body["message"] as? String == "customers are not shown to readonly tokens here",
                "\(refused.status) \(refused.body)")
            #expect(try await client.call(.get, "/api/customers/\(Self.customer)", token: fixture.admin).status == .ok)
        }
    }

    @Test("lib/access owns the role rule for creates, updates and deletes alike")
    func oneRoleRule() async throws {
        try await withServer { fixture, client in
            let body = #"{"customerId": "\#(Self.customer)", "name": "Mailbox", "hostname": "mail.example.com"}"#
            #expect(try await client.call(.post, "/api/imap-pop-monitors", token: fixture.readonly, json: body).status == .forbidden)
            let created = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: body)
            let id = try #require(created.body["publicId"] as? String)
            #expect(try await client.call(.delete, "/api/imap-pop-monitors/\(id)", token: fixture.readonly).status == .forbidden)

            // Readonly tokens may write now: one change in lib/access, seen by the create policy and by policies/access.
            try replace(fixture, "lib/access") {
                $0.replacingOccurrences(
                    of: #"  if actor.role == "readonly" then return reject(403, "Forbidden: readonly users cannot change this") end"#,
                    with: "")
            }
            // Its selftest says readonly may not delete: that changes with the rule.
            try replace(fixture, "policies/access") {
                $0.replacingOccurrences(
                    of: #"  assert(M.decide { action = "delete_monitor", actor = readonly, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)"#,
                    with: "")
                .replacingOccurrences(
                    of: #"  assert(M.decide { action = "read_secrets", actor = readonly, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)"#,
                    with: "")
                // The token rule uses the same lib/access: a readonly token may now make tokens for its customer too.
                .replacingOccurrences(
                    of: #"token = { role = "readonly", customerId = 5 } }.reject.status == 403)"#,
                    with: #"token = { role = "readonly", customerId = 5 } } == nil)"#)
                .replacingOccurrences(
                    of: #"assert(M.decide { action = "acknowledge_incident", actor = readonly, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)"#,
                    with: #"assert(M.decide { action = "acknowledge_incident", actor = readonly, target = { organizationId = 1, customerId = 5 } } == nil)"#)
                .replacingOccurrences(
                    of: #"assert(M.decide { action = "update_customer", actor = readonly, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)"#,
                    with: #"assert(M.decide { action = "update_customer", actor = readonly, target = { organizationId = 1, customerId = 5 } } == nil)"#)
            }
            let reloaded = try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin)
            #expect(reloaded.status == .ok, "\(reloaded.body)")
            #expect(try await client.call(.post, "/api/imap-pop-monitors", token: fixture.readonly, json: body).status == .created)
            #expect(try await client.call(.delete, "/api/imap-pop-monitors/\(id)", token: fixture.readonly).status == .noContent)
        }
    }

    @Test("a set without policies/access, or without lib/alerting's default rule, is refused on reload")
    func requiredEntryPoints() async throws {
        try await withServer { fixture, client in
            try replace(fixture, "policies/access") { $0.replacingOccurrences(of: "function M.decide(input)", with: "function M.decided(input)") }
            let refused = try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin)
            #expect(refused.status == .badRequest && (refused.body["message"] as? String)?.contains("policies/access") == true, "\(refused.body)")
            #expect(try await client.call(.get, "/api/customers/\(Self.customer)", token: fixture.readonly).status == .ok, "the old set serves")
        }
    }
}
