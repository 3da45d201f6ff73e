import SQLiteStore
import Domain
import Notifiers
import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("The IMAP/POP monitor API over real HTTP, decided by the Lua policies")
struct MonitorAPITests {
    static let seedCustomer = "11111111-1111-4111-8111-111111111111"
    static let seedBody = """
        {"customerId": "11111111-1111-4111-8111-111111111111", "name": "Mailbox Access", "hostname": "mail.example.com",
         "port": 993, "status": "active", "checkInterval": 30, "timeoutSeconds": 30,
         "imapPopConfig": {"protocol": "imap", "user": "monitor@example.com", "password": "password", "tls": true}}
        """

    func withServer(_ body: @Sendable (APIFixture, any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try await APIFixture.make()
        try await fixture.application.test(.live) { client in
            let created = try await client.call(.post, "/api/customers", token: fixture.admin,
                json: #"{"name": "Example Customer", "publicId": "\#(Self.seedCustomer)", "email": "ops@example.com"}"#)
            #expect(created.status == .created)
            try await body(fixture, client)
        }
    }

    @Test("tlsOptions: a private CA, a server name and a minimum TLS version are kept; a wrong one is a 400 naming it")
    func tlsOptions() async throws {
        try await withServer { fixture, client in
            let pem = "-----BEGIN CERTIFICATE-----\\nMIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3\\n-----END CERTIFICATE-----\\n"
            let created = try await client.call(
                .post, "/api/imap-pop-monitors", token: fixture.admin,
                json: #"{"customerId": "\#(Self.seedCustomer)", "name": "Internal", "hostname": "10.0.0.25", "imapPopConfig": {"tls": true, "user": "u", "password": "p", "tlsOptions": {"ca": "\#(pem)", "servername": "Mail.Internal.Example", "minVersion": "TLSv1.2"}}}"#)
            #expect(created.status == .created, "\(created.body)")
            let options = (created.body["imapPopConfig"] as? [String: Any])?["tlsOptions"] as? [String: Any]
            #expect(options?["servername"] as? String == "mail.internal.example")
            #expect(options?["minVersion"] as? String == "TLSv1.2")
            #expect((options?["ca"] as? String)?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
            #expect(options?["rejectUnauthorized"] as? Bool == true)
            for (options, named) in [
                (#"{"minVersion": "SSLv3"}"#, "tlsOptions.minVersion"), (#"{"ca": "not PEM"}"#, "tlsOptions.ca"),
                (#"{"servername": "10.0.0.25"}"#, "tlsOptions.servername"),
            ] {
                let refused = try await client.call(
                    .post, "/api/imap-pop-monitors", token: fixture.admin,
                    json: #"{"customerId": "\#(Self.seedCustomer)", "name": "Bad", "hostname": "mail.example.com", "imapPopConfig": {"tlsOptions": \#(options)}}"#)
                #expect(refused.status == .badRequest)
                #expect((refused.body["message"] as? String)?.contains(named) == true, "\(refused.body)")
            }
        }
    }

    @Test("the seed's request returns the seed's response, field for field, plus publicId")
    func seedExample() async throws {
        try await withServer { fixture, client in
            let (status, body) = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody)
            #expect(status == .created)
            let seedKeys: Set = ["id", "organizationId", "customerId", "name", "hostname", "port", "checkInterval", "timeoutSeconds",
                "status", "notificationPhoneNumber", "notificationEmail", "lastCheckedAt", "createdAt", "updatedAt", "config", "imapPopConfig"]
            #expect(seedKeys.isSubset(of: Set(body.keys)))
            #expect(body["name"] as? String == "Mailbox Access" && body["hostname"] as? String == "mail.example.com")
            #expect(body["port"] as? Int == 993 && body["checkInterval"] as? Int == 30 && body["timeoutSeconds"] as? Int == 30)
            #expect(body["status"] as? String == "active" && body["customerId"] as? Int == 1 && body["organizationId"] as? Int == 1)
            #expect(body["notificationEmail"] is NSNull && body["lastCheckedAt"] is NSNull)
            let config = body["config"] as? [String: Any]
            #expect(config?.count == 4 && config?["protocol"] as? String == "imap" && config?["tls"] as? Bool == true)
            #expect(config?["user"] as? String == "monitor@example.com" && config?["password"] as? String == "password")
            #expect((body["imapPopConfig"] as? [String: Any])?.count == 4)
            #expect(UUID(uuidString: body["publicId"] as? String ?? "") != nil)
            let created = body["createdAt"] as? String ?? ""
            #expect(created.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil)
            #expect(body["policyVersion"] as? String == "policies/monitor_create@\(try APIFixture.shippedVersion("policies/monitor_create"))")
        }
    }

    @Test("the config comes back in the seed's key order (protocol, user, password, tls), in both copies")
    func seedConfigOrder() async throws {
        try await withServer { fixture, client in
            let text = try await client.execute(
                uri: "/api/imap-pop-monitors", method: .post,
                headers: [.authorization: "Bearer \(fixture.admin)", .contentType: "application/json"],
                body: ByteBuffer(string: Self.seedBody)
            ) { String(buffer: $0.body) }
            let config = #"{"protocol":"imap","user":"monitor@example.com","password":"password","tls":true}"#
            #expect(text.contains(#""config":\#(config),"imapPopConfig":\#(config)}"#), "\(text)")
        }
    }

    @Test("normalization and defaults: paused → disabled, port null, defaults 30/30, protocol imap, tls false")
    func normalization() async throws {
        try await withServer { fixture, client in
            let (status, body) = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.member, json: """
                {"customerId": 1, "name": "n", "hostname": "MAIL.Example.com", "port": null, "status": "paused",
                 "allowedCheckCountryCodes": ["de", "DE", "at"], "imapPopConfig": {"tlsOptions": {}}}
                """)
            #expect(status == .created)
            #expect(body["status"] as? String == "disabled" && body["port"] is NSNull)
            #expect(body["checkInterval"] as? Int == 30 && body["timeoutSeconds"] as? Int == 30)
            #expect(body["hostname"] as? String == "mail.example.com")
            #expect(body["allowedCheckCountryCodes"] as? [String] == ["DE", "AT"])
            let config = body["config"] as? [String: Any]
            #expect(config?["protocol"] as? String == "imap" && config?["tls"] as? Bool == false)
            #expect((config?["tlsOptions"] as? [String: Any])?["rejectUnauthorized"] as? Bool == true, "verification on by default")

            let path = "/api/imap-pop-monitors/\(try #require(body["publicId"] as? String))"
            let patched = try await client.call(.patch, path, token: fixture.member, json: #"{"allowedCheckCountryCodes": ["at", "AT", "ch"]}"#)
            #expect(patched.status == .ok && patched.body["allowedCheckCountryCodes"] as? [String] == ["AT", "CH"])
            let list = try await client.call(.get, "/api/imap-pop-monitors", token: fixture.member)
            #expect(list.body["perPage"] as? Int == 50 && list.body["page"] as? Int == 1)
        }
    }

    @Test("bad input is a 400 with the error body, and nothing is written", arguments: [
        (#"{"customerId": 1, "name": "n", "hostname": "https://mail.example.com"}"#, "hostname"),
        (#"{"customerId": 1, "name": "n", "hostname": "mail.example.com/imap"}"#, "hostname"),
        (#"{"customerId": 1, "name": "n", "hostname": "mail.example.com:993"}"#, "hostname"),
        (#"{"customerId": 1, "name": "n", "hostname": "mail example.com"}"#, "hostname"),
        (#"{"customerId": "not-a-uuid", "name": "n", "hostname": "mail.example.com"}"#, "customer identifier"),
        (#"{"customerId": 0, "name": "n", "hostname": "mail.example.com"}"#, "customer identifier"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "port": 70000}"#, "port"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "port": "993"}"#, "port"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "status": "sleeping"}"#, "status"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "checkInterval": 61}"#, "checkInterval"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "timeoutSeconds": 1.5}"#, "timeoutSeconds"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "imapPopConfig": {"protocol": "smtp"}}"#, "protocol"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "allowedCheckCountryCodes": ["XX"]}"#, "country"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "imapPopConfig": {"tlsOption": {}}}"#,
         "imapPopConfig.tlsOption is not a known key"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "config": {"tlsOptions": {"rejectUnauthorised": false}}}"#,
         "config.tlsOptions.rejectUnauthorised is not a known key"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "imapPopConfig": {"mailbox": ""}}"#, "mailbox must not be empty"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "imapPopConfig": []}"#, "imapPopConfig must be an object"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "config": {"tlsOptions": []}}"#, "config.tlsOptions must be an object"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example", "allowedCheckCountryCodes": {}}"#,
         "allowedCheckCountryCodes must be an array of strings"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example""#, "JSON"),
        (#"[1, 2]"#, "object"),
        (#"{"customerId": 1, "name": "n", "hostname": "h.example",}"#, "expected a string key at byte 55"),
        (#"{"customerId": 1, "imapPopConfig": "# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}",
         "nested deeper than 32 levels"),
    ])
    func badInput(_ json: String, _ mentions: String) async throws {
        try await withServer { fixture, client in
            let (status, body) = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: json)
            #expect(status == .badRequest)
            #expect(body["statusCode"] as? Int == 400 && body["statusMessage"] as? String == "Bad Request")
            #expect((body["message"] as? String)?.localizedCaseInsensitiveContains(mentions) == true, "\(body)")
            let list = try await client.call(.get, "/api/imap-pop-monitors", token: fixture.admin)
            #expect(list.body["total"] as? Int == 0)
        }
    }

    @Test("401 without or with a wrong token, 403 for readonly and global supporter, 404 for an unknown customer")
    func access() async throws {
        try await withServer { fixture, client in
            #expect(try await client.call(.post, "/api/imap-pop-monitors", token: nil, json: Self.seedBody).status == .unauthorized)
            let wrong = try await client.call(.get, "/api/imap-pop-monitors", token: "mm_nope")
            #expect(wrong.status == .unauthorized && wrong.body["statusCode"] as? Int == 401)
            #expect(try await client.call(.post, "/api/imap-pop-monitors", token: fixture.readonly, json: Self.seedBody).status == .forbidden)
            #expect(try await client.call(.post, "/api/imap-pop-monitors", token: fixture.supporter, json: Self.seedBody).status == .forbidden)
            let unknown = Self.seedBody.replacingOccurrences(of: Self.seedCustomer, with: "22222222-2222-4222-8222-222222222222")
            let missing = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: unknown)
            #expect(missing.status == .notFound && missing.body["message"] as? String == "Customer not found")
        }
    }

    @Test("get, patch (readonly: status only), list with search, delete")
    func lifecycle() async throws {
        try await withServer { fixture, client in
            let created = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody)
            let id = try #require(created.body["publicId"] as? String)
            let got = try await client.call(.get, "/api/imap-pop-monitors/\(id)", token: fixture.readonly)
            #expect(got.status == .ok && (got.body["customer"] as? [String: Any])?["name"] as? String == "Example Customer")
            #expect(try await client.call(.get, "/api/imap-pop-monitors/not-a-uuid", token: fixture.admin).status == .badRequest)
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(UUID())", token: fixture.admin).status == .notFound)

            let paused = try await client.call(.patch, "/api/imap-pop-monitors/\(id)", token: fixture.readonly, json: #"{"status": "paused"}"#)
            #expect(paused.status == .ok && paused.body["status"] as? String == "disabled")
            let renamed = try await client.call(.patch, "/api/imap-pop-monitors/\(id)", token: fixture.readonly, json: #"{"name": "x"}"#)
            #expect(renamed.status == .forbidden)
            let moved = try await client.call(.patch, "/api/imap-pop-monitors/\(id)", token: fixture.member,
                                              json: #"{"port": null, "config": {"protocol": "pop3", "tls": true}}"#)
            #expect(moved.status == .ok && moved.body["port"] is NSNull)
            #expect((moved.body["imapPopConfig"] as? [String: Any])?["protocol"] as? String == "pop3")

            let found = try await client.call(.get, "/api/imap-pop-monitors?search=example%20cust&perPage=10", token: fixture.admin)
            #expect(found.body["total"] as? Int == 1 && found.body["perPage"] as? Int == 10)
            #expect(((found.body["items"] as? [[String: Any]])?.first?["customerName"]) as? String == "Example Customer")
            let none = try await client.call(.get, "/api/imap-pop-monitors?search=zzz", token: fixture.admin)
            #expect(none.body["total"] as? Int == 0)
            #expect(try await client.call(.get, "/api/imap-pop-monitors?perPage=500", token: fixture.admin).status == .badRequest)

            #expect(try await client.call(.delete, "/api/imap-pop-monitors/\(id)", token: fixture.readonly).status == .forbidden)
            #expect(try await client.call(.delete, "/api/imap-pop-monitors/\(id)", token: fixture.member).status == .noContent)
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(id)", token: fixture.admin).status == .notFound)
        }
    }

    @Test("PATCH validates as create does, keeps the config on null, and takes only a JSON object")
    func patchRules() async throws {
        try await withServer { fixture, client in
            let created = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody)
            let path = "/api/imap-pop-monitors/\(try #require(created.body["publicId"] as? String))"
            for (json, problem) in [
                (#"{"hostname": "https://mail.example.com/x"}"#, "hostname"),
                (#"{"checkInterval": 0}"#, "checkInterval"),
                (#"{"timeoutSeconds": 61}"#, "timeoutSeconds"),
                (#"{"port": 70000}"#, "port"),
                (#"{"status": "sleeping"}"#, "status"),
                (#"{"allowedCheckCountryCodes": ["XX1"]}"#, "country code"),
                (#"{"name": 5}"#, "name"),
                (#"{"imapPopConfig": {"protocol": "imap", "passwd": "x"}}"#, "imapPopConfig.passwd is not a known key"),
                (#"{"name": "x""#, "malformed JSON"),
                ("[]", "JSON object"),
                (#"["name"]"#, "JSON object"),
            ] {
                let response = try await client.call(.patch, path, token: fixture.admin, json: json)
                #expect(response.status == .badRequest, "\(json): \(response.body)")
                #expect(response.body["statusCode"] as? Int == 400 && response.body["statusMessage"] as? String == "Bad Request")
                #expect((response.body["message"] as? String)?.contains(problem) == true, "\(json): \(response.body)")
            }
            for id in ["not-a-uuid", UUID().uuidString] {
                let response = try await client.call(.patch, "/api/imap-pop-monitors/\(id)", token: fixture.admin, json: #"{"name": "x"}"#)
                #expect(response.status == (id == "not-a-uuid" ? .badRequest : .notFound))
            }
            let unchanged = try await client.call(.get, path, token: fixture.admin)
            #expect(unchanged.body["name"] as? String == "Mailbox Access" && unchanged.body["port"] as? Int == 993)

            // null, as an absent field, keeps the stored config (user and all); the alias beside it applies.
            let kept = try await client.call(.patch, path, token: fixture.admin, json: #"{"imapPopConfig": null, "name": "Renamed"}"#)
            #expect(kept.status == .ok && kept.body["name"] as? String == "Renamed")
            #expect((kept.body["imapPopConfig"] as? [String: Any])?["user"] as? String == "monitor@example.com")
            #expect((kept.body["imapPopConfig"] as? [String: Any])?["tls"] as? Bool == true)
            let aliased = try await client.call(
                .patch, path, token: fixture.admin, json: #"{"imapPopConfig": null, "config": {"protocol": "pop3", "user": "u"}}"#)
            #expect(aliased.status == .ok && (aliased.body["imapPopConfig"] as? [String: Any])?["protocol"] as? String == "pop3")
            #expect(aliased.body["policyVersion"] as? String == "policies/monitor_update@\(try APIFixture.shippedVersion("policies/monitor_update"))")
        }
    }

    @Test("a policy that limits monitors per customer (mailmon.store.count_monitors) takes effect on reload")
    func monitorLimitPolicy() async throws {
        try await withServer { fixture, client in
            #expect(try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody).status == .created)
            let path = fixture.scriptsDirectory + "/policies/monitor_create.lua"
            let limited = try String(contentsOfFile: path, encoding: .utf8)
                .replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.0""#, options: .regularExpression)
                .replacingOccurrences(of: "  local monitor, problem = { customerId = customer.id }, nil", with: """
                      if mailmon.store.count_monitors(customer.id) >= 2 then
                        return rules.reject(409, "at most 2 monitors per customer")
                      end
                      local monitor, problem = { customerId = customer.id }, nil
                    """)
            try limited.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin).status == .ok)
            #expect(try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody).status == .created)
            let refused = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody)
            #expect(refused.status == .conflict && refused.body["message"] as? String == "at most 2 monitors per customer", "\(refused.body)")
            #expect(try await client.call(.get, "/api/imap-pop-monitors", token: fixture.admin).body["total"] as? Int == 2)
        }
    }

    @Test("a reload that would remove the update policy, or its decide function, is refused; PATCH keeps working")
    func reloadKeepsEntryPoints() async throws {
        try await withServer { fixture, client in
            let created = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody)
            let path = "/api/imap-pop-monitors/\(try #require(created.body["publicId"] as? String))"
            let script = fixture.scriptsDirectory + "/policies/monitor_update.lua"
            let original = try String(contentsOfFile: script, encoding: .utf8)
            try FileManager.default.removeItem(atPath: script)
            let missing = try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin)
            #expect(missing.status == .badRequest && (missing.body["message"] as? String)?.contains("policies/monitor_update.lua") == true,
                    "\(missing.body)")
            try original
                .replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.0""#, options: .regularExpression)
                .replacingOccurrences(of: "function M.decide(", with: "function M.decided(")
                .write(toFile: script, atomically: true, encoding: .utf8)
            let renamed = try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin)
            #expect(renamed.status == .badRequest && (renamed.body["message"] as? String)?.contains("no function 'decide'") == true,
                    "\(renamed.body)")
            let patched = try await client.call(.patch, path, token: fixture.admin, json: #"{"name": "Still decided"}"#)
            #expect(patched.status == .ok && patched.body["name"] as? String == "Still decided")
        }
    }

    @Test("a replaced policy takes effect on reload without a restart; a broken one is refused and the old one keeps serving")
    func policyReload() async throws {
        try await withServer { fixture, client in
            let path = fixture.scriptsDirectory + "/policies/monitor_create.lua"
            let original = try String(contentsOfFile: path, encoding: .utf8)
            let strict = original
                .replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.0""#, options: .regularExpression)
                .replacingOccurrences(of: "  local monitor, problem = { customerId = customer.id }, nil", with: """
                      if not tostring(input.request.hostname):match("%.internal%.test$") then
                        return rules.reject(400, "hostnames must end in .internal.test")
                      end
                      local monitor, problem = { customerId = customer.id }, nil
                    """)
            try strict.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try await client.call(.post, "/api/admin/scripts/reload", token: fixture.member).status == .forbidden)
            let reloaded = try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin)
            #expect(reloaded.status == .ok)
            let refused = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody)
            #expect(refused.status == .badRequest && refused.body["message"] as? String == "hostnames must end in .internal.test")
            let allowed = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin,
                                                json: Self.seedBody.replacingOccurrences(of: "mail.example.com", with: "mx.internal.test"))
            #expect(allowed.status == .created && allowed.body["policyVersion"] as? String == "policies/monitor_create@9.0.0")

            try (strict.replacingOccurrences(of: #"version = "9.0.0""#, with: #"version = "9.0.1""#) + "\nthis is not lua\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let broken = try await client.call(.post, "/api/admin/scripts/reload", token: fixture.admin)
            #expect(broken.status == .badRequest)
            #expect((broken.body["message"] as? String)?.contains("policies/monitor_create.lua:") == true, "\(broken.body)")
            let still = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: Self.seedBody)
            #expect(still.status == .badRequest && still.body["message"] as? String == "hostnames must end in .internal.test")
            let scripts = try await client.call(.get, "/api/scripts", token: fixture.readonly)
            let names = (scripts.body["scripts"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            #expect(names.contains("policies/monitor_create") && names.contains("lib/ports"))
        }
    }

    @Test("pages, invalid query values, IP literal hostnames, and the scripts listing with digests")
    func listingAndLiterals() async throws {
        try await withServer { fixture, client in
            for hostname in ["192.0.2.10", "2001:db8::1", "[2001:db8::2]"] {
                let body = Self.seedBody.replacingOccurrences(of: #""mail.example.com""#, with: "\"\(hostname)\"")
                let created = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: body)
                #expect(created.status == .created, "\(hostname): \(created.body)")
            }
            for hostname in ["192.0.2.10:993", "2001:db8::1::2", "mail example.com"] {
                let body = Self.seedBody.replacingOccurrences(of: #""mail.example.com""#, with: "\"\(hostname)\"")
                #expect(try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: body).status == .badRequest)
            }
            // Three monitors, two a page: page 2 holds the third, page 3 nothing; the total stays 3.
            var seen: [String] = []
            for page in 1...3 {
                let listed = try await client.call(.get, "/api/imap-pop-monitors?perPage=2&page=\(page)", token: fixture.admin)
                #expect(listed.status == .ok && listed.body["total"] as? Int == 3 && listed.body["page"] as? Int == page)
                let items = listed.body["items"] as? [[String: Any]] ?? []
                #expect(items.count == [2, 1, 0][page - 1])
                seen += items.compactMap { $0["publicId"] as? String }
            }
            #expect(Set(seen).count == 3)
            for query in ["page=0", "page=x", "perPage=0", "perPage=-1", "organizationId=abc", "customerId=not-a-uuid", "customerId=1.5"] {
                let response = try await client.call(.get, "/api/imap-pop-monitors?\(query)", token: fixture.admin)
                #expect(response.status == .badRequest, "\(query): \(response.body)")
                #expect(response.body["statusCode"] as? Int == 400)
            }
            let scripts = try await client.call(.get, "/api/scripts", token: fixture.readonly)
            let create = (scripts.body["scripts"] as? [[String: Any]])?.first { $0["name"] as? String == "policies/monitor_create" }
            let digest = try #require(create?["sha256"] as? String)
            #expect(digest.count == 64 && digest.allSatisfy(\.isHexDigit))
            #expect(create?["version"] as? String == (try APIFixture.shippedVersion("policies/monitor_create")))
        }
    }

    @Test("a misspelt or empty query parameter is a 400 naming it, not a silently unfiltered list; an empty search is a search for everything")
    func queryParameters() async throws {
        try await APIFixture.withCustomer("5d0c3e1a-8b7f-4a2c-9e6d-1f3b5a7c9e21") { fixture, client in
            let misspelt = try await client.call(.get, "/api/imap-pop-monitors?stat=down", token: fixture.admin)
            #expect(misspelt.status == .badRequest, "\(misspelt.body)")
            #expect((misspelt.body["message"] as? String)?.hasPrefix("unknown query parameter 'stat': this route takes customerId, organizationId, page") == true)
            let empty = try await client.call(.get, "/api/imap-pop-monitors?customerId=", token: fixture.admin)
            #expect(empty.status == .badRequest && empty.body["message"] as? String == "customerId must not be empty")
            #expect(try await client.call(.get, "/api/imap-pop-monitors?search=", token: fixture.admin).status == .ok)
            #expect(try await client.call(.get, "/api/customers?page=", token: fixture.admin).status == .badRequest)
            #expect(try await client.call(.get, "/api/customers?search=&perPage=10", token: fixture.admin).status == .ok)
        }
    }
}
