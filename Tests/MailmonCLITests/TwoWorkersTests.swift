import App
import Domain
import Engine
import Foundation
import GRDB
import LuaHost
import MailmonTestSupport
@testable import SQLiteStore
import Testing

/// Two `mailmon worker` processes with default settings on one database: the second one's
/// start must not release the first one's claims (their default worker ids differ).
@Suite("mailmon worker: two default workers")
struct TwoWorkersTests {
    @Test("a second default worker leaves the first one's in-flight claim alone: no check runs twice for one due time")
    func twoDefaultWorkers() async throws {
        let directory = try MailmonBinary.workspace("mm-two-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (runtime, admin, customer) = try await MailmonBinary.runtimeWithCustomer(in: directory)
        // Accepts and never speaks: the check stays in flight for its whole timeout.
        let silentListener = try await HostileListener.start(.silent)
        let monitor = try await runtime.monitors.create(.table(LuaTable(fields: [
            "customerId": .integer(customer.id), "name": "silent", "hostname": "127.0.0.1", "port": .integer(Int64(silentListener.port)),
            "checkInterval": 1, "timeoutSeconds": 8, "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret"],
        ])), actor: admin)
        // No workerId: both workers take the default.
        let config = #"{"worker": {"firstRunSpreadSeconds": 0.01, "claimGraceSeconds": 1, "pollSeconds": 0.2}}"#
        try config.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        let arguments = ["--config", directory + "/config.json"]

        let first = try MailmonBinary.start("worker", in: directory, arguments, name: "worker1")
        var claimedBy: String?
        try await first.waitUntil("the first worker's claim") {
            claimedBy = try await claimHolder(runtime, monitor)
            return claimedBy != nil
        }
        let second = try MailmonBinary.start("worker", in: directory, arguments, name: "worker2")
        try await second.waitUntil("the first check's result") { try await results(runtime, monitor).count >= 1 }
        try await Task.sleep(for: .seconds(2))
        first.send(SIGTERM)
        second.send(SIGTERM)
        #expect(try first.waitForExit() == 0)
        #expect(try second.waitForExit() == 0)

        let recorded = try await results(runtime, monitor)
        let dueTimes = recorded.compactMap(\.result.dueAt)
        #expect(Set(dueTimes).count == dueTimes.count, "a due time was checked twice: \(dueTimes)")
        #expect(recorded.count == 1, "one check in these seconds (interval 1 minute), got \(recorded.count)")
        let holder = try #require(claimedBy)
        #expect(holder.contains("-\(first.pid)-"), "the default worker id names the process: \(holder)")
        try await silentListener.stop()
    }

    func results(_ runtime: MailmonRuntime, _ monitor: Monitor) async throws -> [CheckRecord] {
        try await runtime.database.results(monitorId: monitor.id, from: .distantPast, to: .distantFuture)
    }

    func claimHolder(_ runtime: MailmonRuntime, _ monitor: Monitor) async throws -> String? {
        try await runtime.database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT claimedBy FROM monitor WHERE id = ?", arguments: [monitor.id])
        }
    }
}
