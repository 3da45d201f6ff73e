import App
import Domain
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Testing

/// `greetingPattern`: the server's greeting must match, or the check fails as `greeting` (a host that
/// answers, but is not the server the monitor means).
@Suite("Greeting pattern")
struct GreetingPatternTests {
    @Test("a matching greeting passes, another fails as greeting naming the pattern; an invalid pattern is refused by the policy")
    func greetingPattern() async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let f = try await WorkerFixture.make()
        func monitor(_ pattern: String) async throws -> Monitor {
            try await f.runtime.monitors.create(.table(LuaTable(fields: [
                "customerId": .integer(f.customer.id), "name": .string("Greeting \(pattern)"), "hostname": "127.0.0.1",
                "port": .integer(Int64(dovecot.ports.imap)),
                "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret", "greetingPattern": .string(pattern)],
            ])), actor: f.admin)
        }
        let executor = f.runtime.executor(settings: f.settings, clock: f.clock)
        let matching = try await executor.runNow(try await monitor("^Dovecot .*ready"), failureThreshold: 1)
        #expect(matching?.check.result.ok == true, "\(matching?.check.result.message ?? "")")
        let other = try await executor.runNow(try await monitor("^Microsoft Exchange"), failureThreshold: 1)
        #expect(other?.check.result.ok == false && other?.check.result.category == "greeting")
        #expect(other?.check.result.message?.hasPrefix("the greeting does not match /^Microsoft Exchange/: Dovecot") == true, "\(other?.check.result.message ?? "")")
        await #expect(throws: (any Error).self) { _ = try await monitor("(unclosed") }
    }
}

/// `responseTimeWarningMs` and `responseTimeCriticalMs`: a passing but slow check opens a
/// `slow_response` incident (the state is degraded, not down), alerted at the critical time.
@Suite("Response-time thresholds")
struct ResponseTimeTests {
    @Test("over the limits: slow_response opens with a SLOW alert and the state is degraded; under them it resolves")
    func slowResponse() async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let f = try await WorkerFixture.make()
        func config(_ warning: Int, _ critical: Int) -> LuaValue {
            ["protocol": "imap", "user": "alice", "password": "secret", "responseTimeWarningMs": .integer(Int64(warning)),
             "responseTimeCriticalMs": .integer(Int64(critical))]
        }
        // Any real login takes more than a millisecond: over both limits.
        let created = try await f.runtime.monitors.create(.table(LuaTable(fields: [
            "customerId": .integer(f.customer.id), "name": "Timed", "hostname": "127.0.0.1", "port": .integer(Int64(dovecot.ports.imap)),
            "notificationEmail": "ops@example.com", "imapPopConfig": config(1, 1),
        ])), actor: f.admin)
        let executor = f.runtime.executor(settings: f.settings, clock: f.clock)
        let slow = try #require(try await executor.runNow(created, failureThreshold: 1))
        #expect(slow.check.result.ok && slow.opened.map(\.type) == ["slow_response"] && slow.deliveriesQueued == 1)
        #expect(try await f.runtime.database.monitor(id: created.id)?.health.checkState == .degraded)

        let relaxed = try await f.runtime.monitors.update(
            created.publicId.lowercasedString, .table(LuaTable(fields: ["imapPopConfig": config(300_000, 300_000)])), actor: f.admin)
        let fast = try #require(try await executor.runNow(relaxed, failureThreshold: 1))
        #expect(fast.resolved.map(\.type) == ["slow_response"] && fast.deliveriesQueued == 1)
        #expect(try await f.runtime.database.monitor(id: created.id)?.health.checkState == .up)

        await #expect(throws: (any Error).self) {
            _ = try await f.runtime.monitors.update(
                created.publicId.lowercasedString, .table(LuaTable(fields: ["imapPopConfig": config(0, 100)])), actor: f.admin)
        }
    }
}

/// `messageCountMin` and `messageCountMax`: the mailbox as a signal. Dovecot's alice has
/// `DovecotServer.messagesPerUser` (3) messages in INBOX.
@Suite("Message-count thresholds")
struct MessageCountTests {
    @Test("more messages than messageCountMax opens message_count with an alert (state degraded); within the limits it resolves; IMAP and POP3",
          arguments: ["imap", "pop3"])
    func messageCount(_ mailProtocol: String) async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let f = try await WorkerFixture.make()
        func config(min: Int, max: Int) -> LuaValue {
            ["protocol": .string(mailProtocol), "user": "alice", "password": "secret", "messageCountMin": .integer(Int64(min)),
             "messageCountMax": .integer(Int64(max))]
        }
        let port = mailProtocol == "imap" ? dovecot.ports.imap : dovecot.ports.pop3
        let created = try await f.runtime.monitors.create(.table(LuaTable(fields: [
            "customerId": .integer(f.customer.id), "name": "Queue", "hostname": "127.0.0.1", "port": .integer(Int64(port)),
            "notificationEmail": "ops@example.com", "imapPopConfig": config(min: 0, max: DovecotServer.messagesPerUser - 1),
        ])), actor: f.admin)
        let executor = f.runtime.executor(settings: f.settings, clock: f.clock)
        let full = try #require(try await executor.runNow(created, failureThreshold: 1))
        #expect(full.check.result.ok && full.check.result.messageCount == DovecotServer.messagesPerUser)
        #expect(full.opened.map(\.type) == ["message_count"] && full.deliveriesQueued == 1)
        #expect(full.opened.first?.message?.contains("holds 3 message(s), more than 2 (messageCountMax)") == true, "\(full.opened)")
        #expect(try await f.runtime.database.monitor(id: created.id)?.health.checkState == .degraded)

        let widened = try await f.runtime.monitors.update(
            created.publicId.lowercasedString, .table(LuaTable(fields: ["imapPopConfig": config(min: 1, max: 10)])), actor: f.admin)
        let fine = try #require(try await executor.runNow(widened, failureThreshold: 1))
        #expect(fine.resolved.map(\.type) == ["message_count"] && fine.deliveriesQueued == 1)
        #expect(try await f.runtime.database.monitor(id: created.id)?.health.checkState == .up)
    }
}

/// `newestMessageMaxAgeMinutes`: the newest message must be recent (IMAP INTERNALDATE, POP3 the
/// `Date:` header of TOP). Alice's messages were written now (their INTERNALDATE) and are dated
/// 2024-01-01 00:00:01-03 (their headers); the worker's clock starts in 2027.
@Suite("Newest-message age")
struct MessageAgeTests {
    @Test("an old newest message opens message_age with an alert (state degraded); a recent one resolves it; IMAP and POP3",
          arguments: ["imap", "pop3"])
    func messageAge(_ mailProtocol: String) async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let f = try await WorkerFixture.make()
        func config(_ minutes: Int) -> LuaValue {
            ["protocol": .string(mailProtocol), "user": "alice", "password": "secret", "newestMessageMaxAgeMinutes": .integer(Int64(minutes))]
        }
        let port = mailProtocol == "imap" ? dovecot.ports.imap : dovecot.ports.pop3
        let created = try await f.runtime.monitors.create(.table(LuaTable(fields: [
            "customerId": .integer(f.customer.id), "name": "Reports", "hostname": "127.0.0.1", "port": .integer(Int64(port)),
            "notificationEmail": "ops@example.com", "imapPopConfig": config(60),
        ])), actor: f.admin)
        let stale = try #require(try await f.runtime.executor(settings: f.settings, clock: f.clock).runNow(created, failureThreshold: 1))
        #expect(stale.check.result.ok, "\(stale.check.result.message ?? "")")
        let details = try #require(stale.check.result.details)
        let newest = try #require(
            (try JSONSerialization.jsonObject(with: Data(details.utf8)) as? [String: Any])?["newestMessageAt"] as? String)
        if mailProtocol == "pop3" {
            #expect(newest.hasPrefix("2024-01-01T00:00:03"), "the Date header of message 3: \(newest)")
        } else {
            #expect(newest.hasPrefix(String(Timestamp.format(Date()).prefix(10))), "INTERNALDATE, written today: \(newest)")
        }
        #expect(stale.opened.map(\.type) == ["message_age"] && stale.deliveriesQueued == 1)
        let metrics = String(decoding: try await f.runtime.exposition.scrape(), as: UTF8.self)
        let series = #"{monitor="\#(created.publicId.uuidString.lowercased())",name="Reports",customer="\#(f.customer.publicId.uuidString.lowercased())"}"#
        #expect(metrics.contains("mailmon_monitor_messages\(series) 3.0"), "\(metrics.split(separator: "\n").filter { $0.contains("monitor_") })")
        #expect(metrics.contains("mailmon_monitor_newest_message_timestamp_seconds\(series) "))
        #expect(try await f.runtime.database.monitor(id: created.id)?.health.checkState == .degraded)

        // Two hours after the headers' date, and a limit of a year: recent enough.
        let relaxed = try await f.runtime.monitors.update(
            created.publicId.lowercasedString, .table(LuaTable(fields: ["imapPopConfig": config(525_600)])), actor: f.admin)
        let early = ManualClock(try #require(Timestamp.parse("2024-01-01T02:00:00Z")))
        let fresh = try #require(try await f.runtime.executor(settings: f.settings, clock: early).runNow(relaxed, failureThreshold: 1))
        #expect(fresh.resolved.map(\.type) == ["message_age"] && fresh.deliveriesQueued == 1)
        #expect(try await f.runtime.database.monitor(id: created.id)?.health.checkState == .up)
    }
}
