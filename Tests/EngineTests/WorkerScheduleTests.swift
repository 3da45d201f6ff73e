import Notifiers
import App
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Domain
import Testing

/// The schedule on a manual clock: intervals, disabled and re-activated monitors,
/// claims between two workers, a restart that resumes, and the live loop picking
/// up an API change.
@Suite("Worker: scheduling")
struct WorkerScheduleTests {
    @Test("interval in minutes, disabled never checked, re-activation checked within the spread")
    func intervalsAndStatus() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make()
        let monitor = try await f.imapMonitor(dovecot)
        let scheduler = f.scheduler
        try await scheduler.scheduleNew()
        f.clock.advance(5)
        #expect(try await scheduler.runDue().count == 1)
        for _ in 0..<11 {  // 110 s: one more slot at +60 s
            f.clock.advance(10)
            _ = try await scheduler.runDue()
        }
        #expect(try await f.runtime.database.recentResults(monitorId: monitor.id, limit: 10).count == 2)

        _ = try await f.runtime.monitors.update(monitor.publicId.uuidString, ["status": "paused"], actor: f.admin)
        f.clock.advance(3600)
        #expect(try await scheduler.runDue().isEmpty, "disabled monitors are not checked")

        _ = try await f.runtime.monitors.update(monitor.publicId.uuidString, ["status": "active"], actor: f.admin)
        try await scheduler.scheduleNew()
        f.clock.advance(5)
        let checks = try await scheduler.runDue()
        #expect(checks.count == 1, "a re-activated monitor is checked within the spread, not an interval later")
        #expect(checks.first.map { $0.check.result.checkedAt.timeIntervalSince($0.check.result.dueAt!) } ?? -1 >= 0)
        dovecot.stop()
    }

    @Test("two workers on one database never both claim the same due check")
    func claimsAreExclusive() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make()
        for _ in 0..<20 { _ = try await f.imapMonitor(dovecot) }
        let other = f.runtime.scheduler(settings: WorkerSettings(workerId: "other", firstRunSpreadSeconds: 5), clock: f.clock)
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        async let mine = f.scheduler.claimDue(limit: 100)
        async let theirs = other.claimDue(limit: 100)
        let (a, b) = try await (mine, theirs)
        #expect(a.count + b.count == 20)
        #expect(Set(a.map(\.monitor.id)).isDisjoint(with: Set(b.map(\.monitor.id))))
        dovecot.stop()
    }

    @Test("a large batch of new monitors is spread over their interval, a small one within the spread")
    func batchSpread() async throws {
        let dovecot = try DovecotServer.start()
        let settings = WorkerSettings(workerId: "test", firstRunSpreadSeconds: 5, firstRunsPerSecond: 4)
        let f = try await WorkerFixture.make(settings: settings)
        // 400 monitors at 4 first runs a second would need 100 s: capped at the 60 s interval.
        for _ in 0..<400 { _ = try await f.imapMonitor(dovecot) }
        let start = f.clock.now()
        #expect(try await f.scheduler.scheduleNew() == 400)
        f.clock.advance(60)
        let due = try await f.scheduler.claimDue(limit: 1000).map { $0.dueAt.timeIntervalSince(start) }
        #expect(due.count == 400, "all first runs fall within one interval")
        #expect(due.filter { $0 < 5 }.count < 100, "not bunched in the 5 s spread")
        #expect(due.filter { $0 >= 30 }.count > 100, "spread over the whole interval")

        let single = try await f.imapMonitor(dovecot)
        #expect(try await f.scheduler.scheduleNew() == 1)
        f.clock.advance(5)
        #expect(try await f.scheduler.claimDue(limit: 10).map(\.monitor.id) == [single.id], "one new monitor: within the 5 s spread")
        dovecot.stop()
    }

    @Test("a restarted worker resumes from the database: nothing due before the next slot, no storm")
    func restartResumes() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make()
        for _ in 0..<5 { _ = try await f.imapMonitor(dovecot) }
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        #expect(try await f.scheduler.runDue().count == 5)
        let restarted = f.runtime.scheduler(settings: WorkerSettings(workerId: "test-2", firstRunSpreadSeconds: 5), clock: f.clock)
        f.clock.advance(30)
        #expect(try await restarted.runDue().isEmpty, "the next slots are a minute after the last, kept across the restart")
        f.clock.advance(30)
        #expect(try await restarted.runDue().count == 5)
        dovecot.stop()
    }

    @Test("the live loop checks a monitor created through the service within seconds, and stops on cancellation")
    func liveLoop() async throws {
        let dovecot = try DovecotServer.start()
        let f = try await WorkerFixture.make(settings: WorkerSettings(workerId: "live", firstRunSpreadSeconds: 0.2, pollSeconds: 0.1))
        let scheduler = f.runtime.scheduler(settings: f.settings)  // the wall clock
        let loop = Task { try await scheduler.run() }
        let monitor = try await f.imapMonitor(dovecot)
        var results: [CheckRecord] = []
        for _ in 0..<600 where results.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            results = try await f.runtime.database.recentResults(monitorId: monitor.id, limit: 1)
        }
        loop.cancel()
        _ = try? await loop.value
        #expect(results.first?.result.ok == true)
        dovecot.stop()
    }
}
