import App
import Domain
@testable import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Testing

/// `/ready`'s reasons, what a scrape shows after real checks, and the password a hook sees.
@Suite("Operations: readiness, metrics, sealed passwords")
struct OperationsTests {
    @Test("ready on a fresh runtime; not ready when a due check waits past the bound (worker processes only)")
    func readinessLateness() async throws {
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        _ = try await f.imapMonitorAt(port: refused.port)
        #expect(try await f.scheduler.scheduleNew() == 1)
        let inTime = Readiness(
            store: f.runtime.database, library: f.runtime.library, schedule: f.runtime.database, maxLateness: 120, clock: f.clock)
        #expect(await inTime.report().ready)
        let late = ManualClock(f.clock.now().addingTimeInterval(600))
        let lateWorker = Readiness(
            store: f.runtime.database, library: f.runtime.library, schedule: f.runtime.database, maxLateness: 120, clock: late)
        let report = await lateWorker.report()
        #expect(!report.ready)
        #expect(report.reasons.count == 1 && report.reasons[0].hasPrefix("worker: a check has waited"), "\(report.reasons)")
        let apiOnly = Readiness(store: f.runtime.database, library: f.runtime.library, schedule: nil, maxLateness: 120, clock: late)
        #expect(await apiOnly.report().ready, "a process without the worker does not answer for its lateness")
    }

    @Test("not ready without an active script set, or when the database fails")
    func readinessScriptsAndDatabase() async throws {
        let f = try await WorkerFixture.make()
        let unloaded = ScriptLibrary(directory: f.directory + "/scripts")
        let report = await Readiness(store: f.runtime.database, library: unloaded, schedule: nil, maxLateness: 120).report()
        #expect(report.reasons == ["scripts: no script set is active"])
        // A store whose file cannot be written: the root user of the test machines can write any
        // file, so the failure is the one thing stood in for here.
        let failing = await Readiness(store: FailingStore(), library: f.runtime.library, schedule: nil, maxLateness: 120).report()
        #expect(failing.reasons.count == 1 && failing.reasons[0].hasPrefix("database: cannot write or read"))
    }

    @Test("a scrape after real checks: counts by category, incidents, per-monitor series that go when the monitor goes")
    func scrapeAfterChecks() async throws {
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        let monitor = try await f.imapMonitorAt(port: refused.port)
        let scheduler = f.scheduler
        try await scheduler.scheduleNew()
        f.clock.advance(5)
        let checks = try await scheduler.runDue()
        #expect(checks.first?.check.result.category == "connect_refused")
        let text = String(decoding: try await f.runtime.exposition.scrape(), as: UTF8.self)
        #expect(text.contains(#"mailmon_checks_total{protocol="imap",result="failed",category="connect_refused"} 1"#), "\(text)")
        #expect(text.contains(#"mailmon_incidents_opened_total{type="connect_refused"} 1"#))
        #expect(text.contains(#"mailmon_incidents_open{type="connect_refused"} 1.0"#))
        #expect(text.contains(#"mailmon_alert_outbox_depth 1.0"#), "the e-mail alert is owed")
        #expect(text.contains(#"mailmon_lua_calls_total{script="hooks/post_check",function="decide",result="ok"} 1"#))
        #expect(text.contains(#"mailmon_schedule_lateness_seconds_count 1"#))
        let id = monitor.publicId.uuidString.lowercased()
        #expect(text.contains(#"mailmon_monitor_up{monitor="\#(id)",name="Refused",customer="\#(f.customer.publicId.uuidString.lowercased())"} 0.0"#))
        #expect(text.contains("# HELP mailmon_monitor_up "))

        try await f.runtime.monitors.delete(monitor.publicId.uuidString, actor: f.admin)
        let after = String(decoding: try await f.runtime.exposition.scrape(), as: UTF8.self)
        #expect(!after.contains(id), "a deleted monitor's series are gone")
        #expect(after.contains(#"mailmon_checks_total{protocol="imap",result="failed",category="connect_refused"} 1"#))
    }

    @Test("per-monitor series switched off: the fleet's gauges stay, no series names a monitor")
    func perMonitorOff() async throws {
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        let monitor = try await f.imapMonitorAt(port: refused.port)
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        _ = try await f.scheduler.runDue()
        let exposition = PrometheusExposition(readings: f.runtime.database, library: f.runtime.library, perMonitor: false)
        let text = String(decoding: try await exposition.scrape(), as: UTF8.self)
        #expect(text.contains(#"mailmon_monitors{status="active"} 1.0"#))
        #expect(!text.contains("mailmon_monitor_up") && !text.contains(monitor.publicId.uuidString.lowercased()))
    }

    @Test("a hook sees a sealed handle, never the password; mailmon.check re-runs the check with it against Dovecot")
    func sealedPassword() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make()
        // The hook re-checks with its input and reports what it saw as an incident message.
        try await f.replaceScript(
            "hooks/post_check",
            with: """
                local M = { version = "9.0.0-sealed" }
                function M.decide(input)
                  mailmon.log.warning("hook input check", input.check.password, input.monitor.config.password)
                  local again = mailmon.check[input.check.protocol](input.check)
                  return { open = { { type = "seen", message = input.check.password .. " " .. tostring(again.ok) } } }
                end
                return M
                """)
        let monitor = try await f.imapMonitor(dovecot)
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        let checks = try await f.scheduler.runDue()
        let message = try #require(checks.first?.opened.first?.message)
        #expect(message.hasPrefix("sealed:") && message.hasSuffix(" true"), "\(message)")
        #expect(!message.contains("secret"))
        #expect(f.runtime.sealed.count == 0, "handles live only while their hook runs")
        // A handle kept past its hook is refused, not a way to the password.
        let input = try LuaValue(json: Array("""
            {"check": {"protocol": "imap", "host": "127.0.0.1", "port": \(dovecot.ports.imap), "user": "alice",
                       "password": "\(message.split(separator: " ")[0])"},
             "monitor": {"config": {}}}
            """.utf8))
        do {
            _ = try await f.runtime.library.call("hooks/post_check", "decide", [input])
            Issue.record("a stale handle was accepted")
        } catch {
            #expect(error.message.contains("the sealed password is no longer valid"), "\(error)")
        }
        #expect(try await f.runtime.database.openIncidents(monitorId: monitor.id).map(\.type) == ["seen"])
    }
}

private struct FailingStore: FleetReadingRepository {
    struct DiskFull: Error, CustomStringConvertible { var description: String { "disk I/O error" } }
    func fleetReadings(now: Date, perMonitor: Bool) async throws -> FleetReadings { throw DiskFull() }
    func probeReadWrite() async throws { throw DiskFull() }
}

extension WorkerFixture {
    /// A plain-IMAP monitor named "Refused" at `port` on the loopback.
    func imapMonitorAt(port: Int) async throws -> Monitor {
        try await runtime.monitors.create(
            .table(LuaTable(fields: [
                "customerId": .integer(customer.id), "name": "Refused", "hostname": "127.0.0.1", "port": .integer(Int64(port)),
                "checkInterval": 1, "timeoutSeconds": 5, "notificationEmail": "ops@example.com",
                "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret", "tls": false],
            ])), actor: admin)
    }
}
