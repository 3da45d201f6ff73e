import SQLiteStore
import Domain
import Notifiers
import App
import Foundation
import MailmonTestSupport
import NIOHTTP1
import Testing

/// `mailmon serve` as an operator runs it: a separate process, a bootstrap token on
/// stdout, policies replaced on disk and picked up on SIGHUP, a clean stop on SIGTERM.
@Suite("mailmon serve: bootstrap token, SIGHUP reload, SIGTERM")
struct ServeSignalTests {
    @Test("SIGHUP reloads a replaced policy without a restart; a broken one is refused and the old one keeps serving")
    func sighupReload() async throws {
        let directory = try MailmonBinary.workspace("mm-cli-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePorts.take(1)[0]
        let serve = try MailmonBinary.start("serve", in: directory, ["--port", "\(port)"], name: "serve")
        let token = try await MailmonBinary.bootstrapToken(of: serve, port: port)
        let api = HTTPCall(base: "http://127.0.0.1:\(port)", token: token)
        #expect(try await api(.POST, "/api/customers", json: #"{"name": "Acme"}"#).status == 201)
        let body = { (hostname: String) in
            #"{"customerId": 1, "name": "Box", "hostname": "\#(hostname)", "imapPopConfig": {"user": "u", "password": "p"}}"#
        }
        #expect(try await api(.POST, "/api/imap-pop-monitors", json: body("mail.other.org")).status == 201)

        let path = directory + "/scripts/policies/monitor_create.lua"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let strict = original
            .replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.0""#, options: .regularExpression)
            .replacingOccurrences(of: "  local monitor, problem = { customerId = customer.id }, nil", with: """
                  if not tostring(input.request.hostname):match("%.example%.com$") then
                    return rules.reject(400, "hostnames must end in .example.com")
                  end
                  local monitor, problem = { customerId = customer.id }, nil
                """)
        #expect(strict != original)
        try strict.write(toFile: path, atomically: true, encoding: .utf8)
        serve.send(SIGHUP)
        try await serve.waitUntil("the reloaded policy") { try await activeVersion(api, "policies/monitor_create") == "9.0.0" }
        let refused = try await api(.POST, "/api/imap-pop-monitors", json: body("mail.other.org"))
        #expect(refused.status == 400 && refused.body["message"] as? String == "hostnames must end in .example.com")
        let allowed = try await api(.POST, "/api/imap-pop-monitors", json: body("mail.example.com"))
        #expect(allowed.status == 201 && allowed.body["policyVersion"] as? String == "policies/monitor_create@9.0.0")

        try (strict.replacingOccurrences(of: #"version = "9.0.0""#, with: #"version = "9.0.1""#) + "\nthis is not lua\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        serve.send(SIGHUP)
        try await serve.waitUntil("the refused reload in the log") { serve.output.contains("reload refused") }
        #expect(serve.output.contains("policies/monitor_create.lua:"))
        #expect(try await activeVersion(api, "policies/monitor_create") == "9.0.0")
        #expect(try await api(.POST, "/api/imap-pop-monitors", json: body("mail.other.org")).status == 400)
        #expect(try await api(.GET, "/api/imap-pop-monitors").body["total"] as? Int == 2)

        serve.send(SIGTERM)
        #expect(try serve.waitForExit() == 0)
    }

    func activeVersion(_ api: HTTPCall, _ name: String) async throws -> String? {
        let scripts = try await api(.GET, "/api/scripts").body["scripts"] as? [[String: Any]] ?? []
        return scripts.first { $0["name"] as? String == name }?["version"] as? String
    }
}
