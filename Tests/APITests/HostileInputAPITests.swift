import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// Defects found by hostile testing, over HTTP: what a policy returns is checked by the host,
/// control characters are refused, publicIds are per organization, reloading is the operator's.
@Suite("API: hostile input")
struct HostileInputAPITests {
    static let customer = "22222222-2222-4222-8222-222222222222"

    func withServer(_ body: @Sendable (APIFixture, any TestClientProtocol) async throws -> Void) async throws {
        try await APIFixture.withCustomer(Self.customer, body)
    }

    /// A create policy that returns, for the request's name, a monitor with one value broken.
    static let brokenPolicy = """
        local M = { version = "9.9.0" }
        local broken = {
          interval = { checkInterval = math.maxinteger },
          timeout = { timeoutSeconds = 9223372036854775807 },
          zero = { timeoutSeconds = 0 },
          port = { port = 70000 },
          blank = { name = "" },
          nul = { name = "a\\0b" },
          host = { hostname = "evil host/../x" },
          smtp = { config = { protocol = "smtp", tls = false } },
        }
        function M.decide(input)
          local monitor = { customerId = mailmon.store.find_customer(input.actor.organizationId, input.request.customerId).id,
            name = "ok", hostname = "mail.example.com", port = 993, checkInterval = 5, timeoutSeconds = 10,
            status = "active", config = { protocol = "imap", tls = true }, allowedCheckCountryCodes = {} }
          for key, value in pairs(broken[input.request.name] or {}) do monitor[key] = value end
          return { monitor = monitor }
        end
        return M
        """

    @Test("a policy returning values that break the host's invariants is a 500 naming script and field; nothing is stored")
    func policyValuesChecked() async throws {
        try await withServer { fixture, client in
            try Self.brokenPolicy.write(toFile: fixture.scriptsDirectory + "/policies/monitor_create.lua", atomically: true, encoding: .utf8)
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin).status == .ok)
            let expectations = [
                "interval": "monitor.checkInterval", "timeout": "monitor.timeoutSeconds", "zero": "monitor.timeoutSeconds",
                "port": "monitor.port", "blank": "monitor.name", "nul": "monitor.name", "host": "monitor.hostname", "smtp": "monitor.config",
            ]
            for (name, field) in expectations.sorted(by: { $0.key < $1.key }) {
                let response = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin,
                    json: #"{"customerId": "\#(Self.customer)", "name": "\#(name)", "hostname": "mail.example.com"}"#)
                let message = response.body["message"] as? String ?? ""
                #expect(response.status == .internalServerError, "\(name): \(response.body)")
                #expect(message.contains("policies/monitor_create.lua") && message.contains(field), "\(name): \(message)")
            }
            let fine = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin,
                json: #"{"customerId": "\#(Self.customer)", "name": "fine", "hostname": "mail.example.com"}"#)
            #expect(fine.status == .created, "\(fine.body)")
            let list = try await client.call(.get, "/api/imap-pop-monitors", token: fixture.admin)
            #expect(list.body["total"] as? Int == 1, "only the valid monitor is stored: \(list.body)")
        }
    }

    @Test("control characters in names are refused with a 400 (monitors by the policy, customers and channels by the host)")
    func controlCharacters() async throws {
        try await withServer { fixture, client in
            let monitor = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin,
                json: #"{"customerId": "\#(Self.customer)", "name": "a\u0000b", "hostname": "mail.example.com"}"#)
            #expect(monitor.status == .badRequest && (monitor.body["message"] as? String)?.contains("control characters") == true,
                "\(monitor.body)")
            let customer = try await client.call(.post, "/api/customers", token: fixture.admin, json: #"{"name": "tab\there"}"#)
            #expect(customer.status == .badRequest, "\(customer.body)")
            let channel = try await client.call(.post, "/api/alert-channels", token: fixture.admin,
                json: #"{"type": "webhook", "name": "line\nbreak", "url": "https://hooks.example.com/x"}"#)
            #expect(channel.status == .badRequest, "\(channel.body)")
        }
    }

    @Test("a customer publicId taken in another organization is free here: no 409 that confirms it exists elsewhere")
    func publicIdPerOrganization() async throws {
        try await withServer { fixture, client in
            let database = fixture.runtime.database
            let second = try await database.createOrganization(name: "Second")
            let secondAdmin = try await AccessTokens.create(in: database, role: .admin, organizationId: second).token
            let created = try await client.call(.post, "/api/customers", token: secondAdmin,
                json: #"{"name": "Theirs", "publicId": "\#(Self.customer)"}"#)
            #expect(created.status == .created, "\(created.body)")
            // Each organization sees its own customer under the shared publicId.
            let mine = try await client.call(.get, "/api/customers/\(Self.customer)", token: fixture.admin)
            let theirs = try await client.call(.get, "/api/customers/\(Self.customer)", token: secondAdmin)
            #expect(mine.body["name"] as? String == "Acme" && theirs.body["name"] as? String == "Theirs", "\(mine.body) \(theirs.body)")
            // A monitor created by the second organization lands on its own customer.
            let monitor = try await client.call(.post, "/api/imap-pop-monitors", token: secondAdmin,
                json: #"{"customerId": "\#(Self.customer)", "name": "Theirs", "hostname": "mail.example.com"}"#)
            #expect(monitor.status == .created && monitor.body["customerId"] as? Int == theirs.body["id"] as? Int, "\(monitor.body)")
            // Within one organization the publicId is still unique.
            let again = try await client.call(.post, "/api/customers", token: secondAdmin,
                json: #"{"name": "Again", "publicId": "\#(Self.customer)"}"#)
            #expect(again.status == .conflict)
        }
    }

    @Test("reloading the server-wide scripts is the platform operator's: tenant admins get 403")
    func reloadIsTheOperators() async throws {
        try await withServer { fixture, client in
            let database = fixture.runtime.database
            let second = try await database.createOrganization(name: "Second")
            let tenantAdmin = try await AccessTokens.create(in: database, role: .admin, organizationId: second).token
            let sameOrgAdmin = try await AccessTokens.create(in: database, role: .admin).token
            for token in [tenantAdmin, sameOrgAdmin, fixture.member, fixture.supporter] {
                #expect(try await client.call(.post, "/api/admin/scripts/reload", token: token).status == .forbidden)
            }
            let operatorToken = try await AccessTokens.create(in: database, role: .admin, organizationId: second, platformOperator: true).token
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: operatorToken).status == .ok)
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin).status == .ok, "the bootstrap admin")
        }
    }

    @Test("a policy's runaway pattern match is refused at its line; three at once leave /health answering")
    func runawayPattern() async throws {
        try await withServer { fixture, client in
            let path = fixture.scriptsDirectory + "/policies/monitor_create.lua"
            let original = try String(contentsOfFile: path, encoding: .utf8)
            let slow = original
                .replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.8.0""#, options: .regularExpression)
                .replacingOccurrences(of: "function M.decide(input)\n", with: "function M.decide(input)\n  local found = string.rep('a', 300):find('.-.-.-b')\n")
            try slow.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin).status == .ok)
            let line = try #require(slow.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("'.-.-.-b'") }) + 1
            let body = #"{"customerId": "\#(Self.customer)", "name": "x", "hostname": "mail.example.com"}"#
            try await withThrowingTaskGroup(of: (String, Int, String).self) { group in
                for index in 0..<3 {
                    group.addTask {
                        let response = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: body)
                        return ("create \(index)", Int(response.status.code), response.body["message"] as? String ?? "")
                    }
                }
                group.addTask {
                    let response = try await client.call(.get, "/health", token: nil)
                    return ("health", Int(response.status.code), "")
                }
                for try await (name, status, message) in group {
                    if name == "health" {
                        #expect(status == 200)
                    } else {
                        #expect(status == 500, "\(name): \(message)")
                        #expect(message.contains("policies/monitor_create.lua:\(line)") && message.contains("pattern too costly"), "\(name): \(message)")
                    }
                }
            }
            let list = try await client.call(.get, "/api/imap-pop-monitors", token: fixture.admin)
            #expect(list.body["total"] as? Int == 0, "nothing half-written")
        }
    }
}
