import App
import Domain
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Testing

/// When the post-check hook fails, the default rule that decides is lib/alerting's, in Lua:
/// replacing it changes the fallback without a rebuild; if it fails too, nothing is opened.
@Suite("The default incident rule is the scripts'")
struct DefaultRuleFallbackTests {
    static let brokenHook = """
        local M = { version = "9.0.0" }
        function M.decide(input)
          local nothing = nil
          return nothing.field
        end
        return M
        """

    @Test("a failing hook falls back to lib/alerting's default_decision, as replaced")
    func replacedDefaultRule() async throws {
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        let monitor = try await f.runtime.monitors.create(
            .table(.init(fields: [
                "customerId": .integer(f.customer.id), "name": "Mailbox", "hostname": "127.0.0.1", "port": .integer(Int64(refused.port)),
                "checkInterval": 1, "timeoutSeconds": 5,
            ])), actor: f.admin)
        try await f.replaceScript("hooks/post_check", with: Self.brokenHook)
        let shipped = try String(contentsOfFile: "\(f.directory)/scripts/lib/alerting.lua", encoding: .utf8)
        try await f.replaceScript(
            "lib/alerting",
            with: shipped.replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.0""#, options: .regularExpression)
                .replacingOccurrences(of: "local kind = result.category or \"unknown\"", with: "local kind = \"replaced-\" .. (result.category or \"unknown\")"))
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        let first = try #require(try await f.scheduler.runDue().first)
        #expect(first.check.result.hookError?.contains("hooks/post_check.lua:4") == true)
        #expect(first.opened.first?.type == "replaced-connect_refused", "the replaced Lua rule decided: \(first.opened)")
        #expect(try await f.runtime.database.openIncidents(monitorId: monitor.id).map(\.type) == ["replaced-connect_refused"])
    }

    @Test("when the default rule fails too, the check is recorded with both errors and nothing is opened or alerted")
    func minimalRule() async throws {
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        let monitor = try await f.imapMonitor(try DovecotServer.start(), port: refused.port)
        try await f.replaceScript("hooks/post_check", with: Self.brokenHook)
        let shipped = try String(contentsOfFile: "\(f.directory)/scripts/lib/alerting.lua", encoding: .utf8)
        try await f.replaceScript(
            "lib/alerting",
            with: shipped.replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.1""#, options: .regularExpression)
                .replacingOccurrences(of: "function M.default_decision(input)\n", with: "function M.default_decision(input)\n  error(\"rule broken\")\n"))
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        let first = try #require(try await f.scheduler.runDue().first)
        let hookError = first.check.result.hookError ?? ""
        #expect(hookError.contains("hooks/post_check.lua:4") && hookError.contains("rule broken"), "\(hookError)")
        #expect(first.opened.isEmpty && first.deliveriesQueued == 0)
        #expect(try await f.runtime.database.recentResults(monitorId: monitor.id, limit: 5).count == 1)
    }
}
