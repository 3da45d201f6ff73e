import Notifiers
@testable import Engine
import App
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Domain
import Synchronization
import Testing

/// API writes take a permit in the order they arrived; the rest wait without writing anything.
@Suite("Write admission")
struct WriteAdmissionTests {
    @Test("waiting writes are admitted in the order they arrived")
    func arrivalOrder() async throws {
        let admission = WriteAdmission(permits: 1)
        let order = LockedValue<[Int]>([])
        let holder = Latch()
        let first = Task { await admission.admit { await holder.wait() } }
        try await Self.until { admission.waiting == 0 && holder.isWaiting }

        var tasks: [Task<Void, Never>] = []
        for index in 1...5 {
            tasks.append(Task { await admission.admit { order.withLock { $0.append(index) } } })
            try await Self.until { admission.waiting == index }  // queued before the next one starts
        }
        #expect(order.withLock { $0 }.isEmpty, "nothing runs while the permit is held")
        holder.open()
        await first.value
        for task in tasks { await task.value }
        #expect(order.withLock { $0 } == [1, 2, 3, 4, 5])
        #expect(admission.waiting == 0)
    }

    @Test("no more writes are at work at once than there are permits, and every one gets its turn")
    func bounded() async throws {
        let admission = WriteAdmission(permits: 3)
        let counts = LockedValue((now: 0, most: 0, done: 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    await admission.admit {
                        counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        for _ in 0..<5 { await Task.yield() }
                        counts.withLock { $0.now -= 1; $0.done += 1 }
                    }
                }
            }
        }
        let final = counts.withLock { $0 }
        #expect(final.most <= 3 && final.most >= 1)
        #expect(final.done == 40 && final.now == 0)
    }

    @Test("a thrown error gives the permit back")
    func errorReleases() async throws {
        let admission = WriteAdmission(permits: 1)
        await #expect(throws: DomainError.self) { try await admission.admit { throw DomainError.badRequest("no") } }
        #expect(await admission.admit { 7 } == 7)
    }

    @Test("a monitor create waits for a permit, writing nothing, and goes through once one is free")
    func createWaits() async throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-admission-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let runtime = try await MailmonRuntime.open(
            databasePath: directory + "/mailmon.sqlite", scriptsDirectory: ShippedScripts.path, writeConcurrency: 1)
        let token = try #require(try await AccessTokens.bootstrap(runtime.database))
        let admin = try #require(try await runtime.database.principal(tokenHash: AccessTokens.hash(token)))
        let customer = try await runtime.customers.create(try LuaValue(json: Array(#"{"name": "Acme"}"#.utf8)), actor: admin)
        let body = try LuaValue(json: Array("""
            {"customerId": \(customer.id), "name": "Inbox", "hostname": "mail.example.com", "checkInterval": 60, "timeoutSeconds": 30,
             "imapPopConfig": {"protocol": "imap", "tls": true}}
            """.utf8))
        let admission = runtime.monitors.admission
        #expect(admission.permits == 1)

        let holder = Latch()
        let held = Task { await admission.admit { await holder.wait() } }
        try await Self.until { holder.isWaiting }
        let create = Task { try await runtime.monitors.create(body, actor: admin) }
        try await Self.until { admission.waiting == 1 }
        #expect(try await runtime.database.countMonitors(customerId: customer.id) == 0)

        holder.open()
        await held.value
        let monitor = try await create.value
        #expect(monitor.fields.name == "Inbox")
        #expect(try await runtime.database.countMonitors(customerId: customer.id) == 1)
    }

    /// Polls `condition` (a bounded wait, not a timing assertion): fails after ~10 s.
    static func until(_ condition: () -> Bool) async throws {
        for _ in 0..<10_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("condition not reached")
        throw CancellationError()
    }
}

/// A gate a task waits at until the test opens it.
final class Latch: Sendable {
    private let state = Mutex<(open: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func open() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.open = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }
}
