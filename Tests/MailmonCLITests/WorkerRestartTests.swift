import Notifiers
import App
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Domain
import Testing

/// `mailmon worker` killed with SIGKILL in the middle of its work and started again:
/// the check it had in flight is run and stored after the restart, the alert it
/// still owed is delivered once, and nothing already done is done twice.
@Suite("mailmon worker: SIGKILL and restart")
struct WorkerRestartTests {
    @Test("a killed worker restarted loses no result and sends no duplicate alert")
    func killAndRestart() async throws {
        let directory = try MailmonBinary.workspace("mm-cli-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (runtime, admin, customer) = try await MailmonBinary.runtimeWithCustomer(in: directory)
        func monitor(_ name: String, port: Int, email: String) async throws -> Monitor {
            try await runtime.monitors.create(.table(LuaTable(fields: [
                "customerId": .integer(customer.id), "name": .string(name), "hostname": "127.0.0.1", "port": .integer(Int64(port)),
                "checkInterval": 1, "timeoutSeconds": 3, "notificationEmail": .string(email),
                "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret"],
            ])), actor: admin)
        }
        // `refused`: nothing listens, so it fails at once and owes an alert. `silent`: accepts and
        // never speaks, so its check is in flight for its 3 s timeout when the worker is killed.
        let refusedPort = try RefusedPort(), relayPort = try RefusedPort()
        defer { refusedPort.close(); relayPort.close() }
        let silentListener = try await HostileListener.start(.silent)
        let refused = try await monitor("refused", port: refusedPort.port, email: "refused@example.com")
        let silent = try await monitor("silent", port: silentListener.port, email: "silent@example.com")
        // The SMTP relay is down (its port refuses) during the first run, so the alert stays in the outbox.
        let smtpPort = relayPort.port
        let config = """
            {"worker": {"workerId": "w1", "firstRunSpreadSeconds": 0.01, "claimGraceSeconds": 1, "pollSeconds": 0.2,
                        "alertRetrySeconds": 1},
             "smtp": {"host": "127.0.0.1", "port": \(smtpPort), "security": "plain", "from": "mailmon@example.com",
                      "timeoutSeconds": 2}}
            """
        try config.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        let arguments = ["--config", directory + "/config.json"]

        let first = try MailmonBinary.start("worker", in: directory, arguments, name: "worker1")
        try await first.waitUntil("a failed delivery of the refused monitor's alert") {
            try await runtime.database.alerts(monitorId: refused.id, limit: 10).items.contains { $0.status == "failed" }
        }
        try #require(try await results(runtime, silent).isEmpty, "the silent monitor's check should still be in flight")
        #expect(try await results(runtime, refused).count == 1)
        first.send(SIGKILL)
        #expect(try first.waitForExit() == 128 + SIGKILL)

        // The relay comes up on its port now: the refusing socket starts listening, so nothing can take the port in between.
        let sink = try await SmtpSink.start(adopting: relayPort)
        let second = try MailmonBinary.start("worker", in: directory, arguments, name: "worker2")
        let mails = try await sink.waitForMessages(count: 2, timeout: .seconds(30))
        try await second.waitUntil("the silent monitor's result") { try await results(runtime, silent).count == 1 }
        // Give a duplicate every chance to show: retries are due after 1 s.
        try await Task.sleep(for: .seconds(3))
        second.send(SIGTERM)
        #expect(try second.waitForExit() == 0)

        #expect(sink.messages().count == 2, "\(sink.messages().map(\.recipients))")
        #expect(Set(mails.flatMap(\.recipients)) == ["refused@example.com", "silent@example.com"])
        // The refused monitor was checked once (the restart is no check storm) and alerted once.
        #expect(try await results(runtime, refused).count == 1)
        let refusedAlerts = try await runtime.database.alerts(monitorId: refused.id, limit: 10).items
        #expect(refusedAlerts.filter { $0.status == "sent" }.count == 1)
        // The silent monitor's check, cut off by the kill, was run again for the same due time.
        let silentResults = try await results(runtime, silent)
        #expect(silentResults.count == 1 && silentResults.first?.result.category == "timeout")
        #expect(silentResults.first?.result.dueAt != nil)
        #expect(try await runtime.database.alerts(monitorId: silent.id, limit: 10).items.map(\.status) == ["sent"])
        #expect(try await runtime.database.openIncidents(monitorId: refused.id).count == 1)
        #expect(try await runtime.database.openIncidents(monitorId: silent.id).count == 1)
        try await sink.stop()
        try await silentListener.stop()
    }

    func results(_ runtime: MailmonRuntime, _ monitor: Monitor) async throws -> [CheckRecord] {
        try await runtime.database.results(monitorId: monitor.id, from: .distantPast, to: .distantFuture)
    }
}
