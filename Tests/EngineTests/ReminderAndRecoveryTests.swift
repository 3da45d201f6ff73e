import App
import Domain
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import Notifiers
import SQLiteStore
import Testing

/// The default rule's on-call settings against a real Dovecot, stopped and started: a reminder
/// every `reminderMinutes` while an incident is open and unacknowledged, and `recoveryThreshold`
/// successes in a row before it resolves. The schedule runs on a manual clock (the rule is about minutes).
@Suite("Worker: reminders until acknowledged, recovery after M successes")
struct ReminderAndRecoveryTests {
    @Test("reminders every 15 minutes stop when the incident is acknowledged; two successes resolve it, one does not")
    func remindersAndRecovery() async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let f = try await WorkerFixture.make(threshold: 1)
        let monitor = try await f.runtime.monitors.create(.table(LuaTable(fields: [
            "customerId": .integer(f.customer.id), "name": "Mailbox", "hostname": "127.0.0.1", "port": .integer(Int64(dovecot.ports.imap)),
            "checkInterval": 5, "timeoutSeconds": 5, "notificationEmail": "ops@example.com",
            "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret", "reminderMinutes": 15, "recoveryThreshold": 2],
        ])), actor: f.admin)
        let scheduler = f.scheduler
        #expect(try await scheduler.scheduleNew() == 1)
        dovecot.stop()
        f.clock.advance(5)
        var checks = try await scheduler.runDue()
        let incident = try #require(checks.first?.opened.first)
        #expect(checks.first?.deliveriesQueued == 1, "the DOWN alert")

        // Checks every 5 minutes: a reminder when 15 and 30 minutes have passed, none in between.
        var reminders: [Int] = []
        for step in 1...6 {
            f.clock.advance(300)
            checks = try await scheduler.runDue()
            if checks.first?.deliveriesQueued == 1 { reminders.append(step * 5) }
        }
        #expect(reminders == [15, 30], "\(reminders)")

        // Acknowledged: no more reminders.
        _ = try await f.runtime.database.acknowledgeIncident(id: incident.id, at: f.clock.now(), by: "alice")
        for _ in 1...4 {
            f.clock.advance(300)
            checks = try await scheduler.runDue()
            #expect(checks.first?.deliveriesQueued == 0)
        }

        // Back: the first success keeps the incident open, the second resolves it (with its RESOLVED alert).
        try dovecot.start()
        f.clock.advance(300)
        checks = try await scheduler.runDue()
        #expect(checks.first?.check.result.ok == true && checks.first?.resolved.isEmpty == true && checks.first?.deliveriesQueued == 0)
        f.clock.advance(300)
        checks = try await scheduler.runDue()
        #expect(checks.first?.resolved.first?.id == incident.id && checks.first?.deliveriesQueued == 1)
        _ = monitor
    }

    @Test("the policy refuses settings out of range")
    func validation() async throws {
        let f = try await WorkerFixture.make()
        for (key, value) in [("reminderMinutes", 1), ("recoveryThreshold", 0), ("recoveryThreshold", 11)] {
            await #expect(throws: (any Error).self, "\(key) \(value)") {
                _ = try await f.runtime.monitors.create(.table(LuaTable(fields: [
                    "customerId": .integer(f.customer.id), "name": "M", "hostname": "127.0.0.1",
                    "imapPopConfig": .table(LuaTable(fields: ["protocol": "imap", key: .integer(Int64(value))])),
                ])), actor: f.admin)
            }
        }
    }

    @Test("a PagerDuty channel gets a trigger when the incident opens and a resolve with the same dedup key when it closes")
    func pagerDutyTriggerAndResolve() async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let receiver = try await HTTPReceiver.start(status: 202)
        let f = try await WorkerFixture.make(threshold: 1)
        _ = try await f.runtime.database.addAlertChannel(
            organizationId: f.admin.organizationId, customerId: nil, type: .pagerduty, name: "on-call",
            url: receiver.url + "/v2/enqueue?routing_key=R0UT1NG", at: Date())
        _ = try await f.imapMonitor(dovecot, email: nil)
        let scheduler = f.scheduler
        let dispatcher = f.dispatcher(try AlertSenders.configured(smtp: nil, sms: nil))
        #expect(try await scheduler.scheduleNew() == 1)
        dovecot.stop()
        f.clock.advance(5)
        let opened = try #require(try await scheduler.runDue().first?.opened.first)
        #expect(try await dispatcher.deliverDue() == 1)
        try dovecot.start()
        f.clock.advance(60)
        #expect(try await scheduler.runDue().first?.resolved.first?.id == opened.id)
        f.clock.advance(1)
        #expect(try await dispatcher.deliverDue() == 1)
        let events = try await receiver.waitForRequests(count: 2, timeout: .seconds(10)).map {
            try JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any] ?? [:]
        }
        #expect(events.map { $0["event_action"] as? String } == ["trigger", "resolve"])
        #expect(Set(events.compactMap { $0["dedup_key"] as? String }) == ["mailmon-incident-\(opened.id)"])
        #expect(events.allSatisfy { $0["routing_key"] as? String == "R0UT1NG" })
        try await receiver.stop()
    }

    @Test("flapping: changes between up and down open one FLAPPING alert and hold DOWN and RESOLVED alerts until STABLE")
    func flapping() async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let f = try await WorkerFixture.make(threshold: 1)
        let monitor = try await f.runtime.monitors.create(.table(LuaTable(fields: [
            "customerId": .integer(f.customer.id), "name": "Mailbox", "hostname": "127.0.0.1", "port": .integer(Int64(dovecot.ports.imap)),
            "checkInterval": 1, "timeoutSeconds": 5, "notificationEmail": "ops@example.com",
            "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret", "flapThreshold": 3],
        ])), actor: f.admin)
        let scheduler = f.scheduler
        #expect(try await scheduler.scheduleNew() == 1)
        f.clock.advance(5)
        _ = try await scheduler.runDue()  // up
        var subjects: [String] = []
        var running = true
        func check(up: Bool) async throws -> RecordedCheck? {
            if up, !running { try dovecot.start() } else if !up, running { dovecot.stop() }
            running = up
            f.clock.advance(60)
            let recorded = try await scheduler.runDue().first
            let owed = try await f.runtime.database.dueDeliveries(now: f.clock.now().addingTimeInterval(3600), limit: 100)
            for delivery in owed {
                subjects.append(delivery.subject)
                try await f.runtime.database.recordAttempt(delivery, sent: true, error: nil, at: f.clock.now(), retryAt: nil)
            }
            return recorded
        }
        _ = try await check(up: false)  // DOWN (1 change)
        _ = try await check(up: true)  // RESOLVED (2 changes)
        let third = try await check(up: false)  // 3 changes: FLAPPING, its DOWN held
        #expect(third?.opened.map(\.type).sorted() == ["connect_refused", "flapping"])
        _ = try await check(up: true)  // resolves quietly
        _ = try await check(up: false)  // opens quietly
        #expect(subjects.map { $0.components(separatedBy: ":").first ?? "" } == [
            "[mailmon] DOWN", "[mailmon] RESOLVED", "[mailmon] FLAPPING",
        ], "\(subjects)")
        let state = try #require(try await f.runtime.database.monitor(id: monitor.id))
        #expect(state.health.checkState == .down, "a down incident is open beside the flapping one")
        // Stable for long enough: no change in the last 10 checks (under half the threshold), and STABLE goes out.
        for _ in 0..<10 { _ = try await check(up: true) }
        #expect(subjects.contains { $0.hasPrefix("[mailmon] STABLE") }, "\(subjects)")
        #expect(subjects.filter { $0.hasPrefix("[mailmon] RESOLVED") }.count == 1, "no RESOLVED while flapping: \(subjects)")
        let after = try #require(try await f.runtime.database.monitor(id: monitor.id))
        #expect(after.health.checkState == .up)
    }
}
