import App
import Domain
import Engine
import Foundation
import MailmonTestSupport
import SQLiteStore
import Testing

/// Rows a broken policy (or an older version) may have stored: the worker never crashes on
/// them; a row it cannot run becomes a recorded failure in the `configuration` category.
@Suite("The worker on stored values it cannot trust")
struct StoredValueTests {
    static let cases: [(name: String, change: @Sendable (inout MonitorFields) -> Void, category: String)] = [
        ("checkInterval at Int.max", { $0.checkInterval = .max }, "connect_refused"),
        ("timeoutSeconds at Int.max", { $0.timeoutSeconds = .max }, "configuration"),
        ("timeoutSeconds 0", { $0.timeoutSeconds = 0 }, "configuration"),
        ("timeoutSeconds -1", { $0.timeoutSeconds = -1 }, "configuration"),
        ("port 70000", { $0.port = 70_000 }, "configuration"),
        ("port -1", { $0.port = -1 }, "configuration"),
        ("hostname evil host/../x", { $0.hostname = "evil host/../x" }, "configuration"),
        ("protocol smtp", { $0.config = #"{"protocol":"smtp","tls":false}"# }, "configuration"),
        ("config not JSON", { $0.config = "{oops" }, "connect_refused"),
    ]

    @Test("each unusable row is checked, recorded with a category, and scheduled again", arguments: 0..<cases.count)
    func unusableRow(_ index: Int) async throws {
        let (name, change, category) = Self.cases[index]
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        var fields = MonitorFields(
            name: "stored", hostname: "127.0.0.1", port: refused.port, checkInterval: 1, timeoutSeconds: 5, status: .active,
            config: #"{"protocol":"imap","tls":false}"#, notificationEmail: nil, notificationPhoneNumber: nil,
            allowedCheckCountryCodes: [], policyVersion: "test")
        change(&fields)
        let monitor = try #require(
            try await f.runtime.database.insertMonitor(
                publicId: UUID(), organizationId: f.customer.organizationId, customerId: f.customer.id, fields: fields, at: Date()))
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        let checks = try await f.scheduler.runDue()
        let recorded = try #require(checks.first, "\(name): the row was not checked")
        #expect(recorded.check.result.category == category, "\(name): \(recorded.check.result.message ?? "")")
        #expect(try await f.runtime.database.recentResults(monitorId: monitor.id, limit: 5).count == 1, "\(name)")
        // And a trigger-check answers with the recorded failure instead of an error.
        let triggered = try await f.runtime.history().trigger(monitor.publicId.lowercasedString, actor: f.admin)
        #expect(triggered.check.result.category == category, "\(name)")
    }
}
