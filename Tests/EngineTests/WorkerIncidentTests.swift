import Notifiers
import App
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Domain
import Testing

/// The worker against a real Dovecot that goes down and comes back: results,
/// incidents after the customer's threshold, e-mail to an SMTP sink and a webhook
/// to an HTTP receiver, recovery, maintenance, and a broken hook.
@Suite("Worker: incidents and alerts against a real Dovecot")
struct WorkerIncidentTests {
    @Test("down after the threshold, alerted by e-mail and webhook, resolved with a duration when Dovecot is back")
    func downAndBack() async throws {
        let dovecot = try DovecotServer.start()
        let sink = try await SmtpSink.start()
        let receiver = try await HTTPReceiver.start()
        let f = try await WorkerFixture.make(threshold: 2)
        _ = try await f.runtime.database.addAlertChannel(
            organizationId: f.admin.organizationId, customerId: nil, type: .webhook, name: "ops-hook", url: receiver.url + "/hook", at: Date())
        let monitor = try await f.imapMonitor(dovecot)
        let relay = SmtpRelay(host: "127.0.0.1", port: sink.port, security: .plain, from: "mailmon@example.com")
        let dispatcher = f.dispatcher(try AlertSenders.configured(smtp: relay, sms: nil))
        let scheduler = f.scheduler

        #expect(try await scheduler.scheduleNew() == 1)
        f.clock.advance(5)  // the first check comes within the spread
        var checks = try await scheduler.runDue()
        #expect(checks.count == 1)
        #expect(checks.first?.check.result.ok == true)
        #expect(checks.first?.check.result.messageCount == DovecotServer.messagesPerUser)
        f.clock.advance(30)
        #expect(try await scheduler.runDue().isEmpty, "not due again before its interval")

        dovecot.stop()
        f.clock.advance(30)
        checks = try await scheduler.runDue()
        #expect(checks.first?.check.result.category == "connect_refused")
        #expect(checks.first?.opened.isEmpty == true, "one failure of a threshold of two opens nothing")

        f.clock.advance(60)
        checks = try await scheduler.runDue()
        let opened = try #require(checks.first?.opened.first)
        #expect(opened.type == "connect_refused")
        #expect(checks.first?.deliveriesQueued == 2)
        #expect(try await dispatcher.deliverDue() == 2)
        let mail = try await sink.waitForMessages(count: 1, timeout: .seconds(20))
        #expect(mail[0].recipients == ["ops@example.com"])
        #expect(mail[0].data.contains("DOWN: Mailbox (127.0.0.1)"))
        let hooks = try await receiver.waitForRequests(count: 1, timeout: .seconds(20))
        #expect(hooks[0].method == "POST" && hooks[0].path == "/hook")
        #expect(hooks[0].body.contains("connect_refused"))

        try dovecot.start()
        f.clock.advance(60)
        checks = try await scheduler.runDue()
        #expect(checks.first?.check.result.ok == true)
        #expect(checks.first?.resolved.map(\.id) == [opened.id])
        #expect(try await dispatcher.deliverDue() == 2)
        let recovery = try await sink.waitForMessages(count: 2, timeout: .seconds(20))
        #expect(recovery[1].data.contains("RESOLVED"))

        let incidents = try await f.runtime.database.incidents(monitorId: monitor.id, limit: 100)
        #expect(incidents.total == 1)
        let incident = try #require(incidents.items.first)
        #expect(incident.status == .resolved)
        #expect(incident.endedAt.map { $0.timeIntervalSince(incident.startedAt) } == 60)
        let alerts = try await f.runtime.database.alerts(monitorId: monitor.id, limit: 100)
        #expect(alerts.total == 4)
        #expect(alerts.items.allSatisfy { $0.status == "sent" })
        #expect(Set(alerts.items.map(\.type)) == ["email", "webhook"])
        try await sink.stop()
        try await receiver.stop()
        dovecot.stop()
    }

    @Test("maintenance: checks run and are stored, incidents open, no alert is owed")
    func maintenanceSuppressesAlerts() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        let closed = refused.port
        let monitor = try await f.imapMonitor(dovecot, status: "maintenance", port: closed)
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        let checks = try await f.scheduler.runDue()
        #expect(checks.first?.check.result.ok == false)
        #expect(checks.first?.opened.count == 1)
        #expect(checks.first?.deliveriesQueued == 0)
        #expect(try await f.runtime.database.dueDeliveries(now: f.clock.now(), limit: 10).isEmpty)
        #expect(try await f.runtime.database.recentResults(monitorId: monitor.id, limit: 5).count == 1)
        dovecot.stop()
    }

    @Test("a failing or runaway hook is recorded with script and line; the default rule decides; the worker goes on")
    func brokenHook() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        let monitor = try await f.imapMonitor(dovecot, port: refused.port)
        try await f.replaceScript(
            "hooks/post_check",
            with: """
                local M = { version = "9.0.0" }
                function M.decide(input)
                  local nothing = nil
                  return nothing.field
                end
                return M
                """)
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        var checks = try await f.scheduler.runDue()
        let first = try #require(checks.first)
        #expect(first.check.result.hookError?.contains("hooks/post_check.lua:4") == true)
        #expect(first.opened.first?.type == "connect_refused", "the default rule opened the incident")
        #expect(first.deliveriesQueued == 1, "and owed the e-mail alert")

        try await f.replaceScript(
            "hooks/post_check",
            with: """
                local M = { version = "9.0.1" }
                function M.decide(input)
                  while true do end
                end
                return M
                """)
        f.clock.advance(60)
        checks = try await f.scheduler.runDue()
        let second = try #require(checks.first)
        #expect(second.check.result.hookError?.contains("budget") == true)
        #expect(second.opened.isEmpty, "the incident is already open")
        #expect(try await f.runtime.database.recentResults(monitorId: monitor.id, limit: 5).count == 2)
        dovecot.stop()
    }

    @Test("an owed alert is leased to one dispatcher at a time, and is due again when the lease ends")
    func outboxLease() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make()
        let refused = try RefusedPort()
        defer { refused.close() }
        _ = try await f.imapMonitor(dovecot, port: refused.port)
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        #expect(try await f.scheduler.runDue().first?.deliveriesQueued == 1)
        let database = f.runtime.database
        async let first = database.claimDueDeliveries(now: f.clock.now(), limit: 10, lease: 300)
        async let second = database.claimDueDeliveries(now: f.clock.now(), limit: 10, lease: 300)
        let (a, b) = try await (first, second)
        #expect(a.count + b.count == 1, "exactly one dispatcher holds it")
        #expect(try await database.claimDueDeliveries(now: f.clock.now().addingTimeInterval(301), limit: 10, lease: 300).count == 1)
        dovecot.stop()
    }

    @Test("a certificate expiring within the warning window is its own incident, raised once")
    func certificateExpiring() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make(
            settings: WorkerSettings(workerId: "test", firstRunSpreadSeconds: 1, certificateWarningDays: 100_000))
        let body: LuaValue = [
            "customerId": .integer(f.customer.id), "name": "TLS box", "hostname": "localhost", "port": .integer(Int64(dovecot.ports.imaps)),
            "checkInterval": 1, "timeoutSeconds": 5,
            "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret", "tls": true],
        ]
        let monitor = try await f.runtime.monitors.create(body, actor: f.admin)
        try await f.scheduler.scheduleNew()
        f.clock.advance(1)
        var checks = try await f.scheduler.runDue()
        #expect(checks.first?.check.result.ok == true)
        #expect(checks.first?.check.result.certificateNotAfter != nil)
        #expect(checks.first?.opened.map(\.type) == ["certificate_expiring"])
        f.clock.advance(60)
        checks = try await f.scheduler.runDue()
        #expect(checks.first?.opened.isEmpty == true)
        #expect(try await f.runtime.database.openIncidents(monitorId: monitor.id).count == 1)
        dovecot.stop()
    }
}
