import Dispatch
import Foundation
import GRDB
@testable import SQLiteStore
import Domain
import Testing

/// Group commit: writes that wait together share one transaction, and each still stands alone.
@Suite("Group commit of concurrent writes")
struct GroupCommitTests {
    let file = TemporaryDatabase()

    func open() throws -> AppDatabase { try file.open() }

    /// Holds the writer until `release()`, so that writes queue up behind it.
    final class WriterGate: Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        init(_ database: AppDatabase) { database.pool.asyncWriteWithoutTransaction { _ in self.semaphore.wait() } }
        func release() { semaphore.signal() }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        while !condition() { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test("writes queued while the writer is busy commit in one transaction; each caller gets its own row")
    func batched() async throws {
        defer { file.remove() }
        let database = try open()
        let organization = try await database.ensureDefaultOrganization(name: "Org").id
        let customer = try await database.insertCustomer(
            NewCustomer(publicId: UUID(), organizationId: organization, name: "C", email: nil, allowedCheckCountryCodes: [],
                        alertLocationThresholdCount: 1))
        let before = database.groupCommit.transactions
        let gate = WriterGate(database)
        let count = 50
        let monitors = Task {
            try await withThrowingTaskGroup(of: Monitor?.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await database.insertMonitor(
                            publicId: UUID(), organizationId: organization, customerId: customer.id, fields: .sample("m\(index)"), at: Date())
                    }
                }
                return try await group.reduce(into: [Monitor]()) { if let monitor = $1 { $0.append(monitor) } }
            }
        }
        try await waitUntil { database.groupCommit.waiting == count }
        gate.release()
        let created = try await monitors.value
        #expect(created.count == count)
        #expect(Set(created.map(\.id)).count == count)
        #expect(database.groupCommit.transactions - before == 1)
        let stored = try await database.monitors(MonitorQuery(organizationId: nil, customerId: nil, search: nil, page: 1, perPage: 200))
        #expect(stored.total == count && Set(stored.items.map(\.0.id)) == Set(created.map(\.id)))
        for monitor in created {
            #expect(try await database.monitor(publicId: monitor.publicId) == monitor)
        }
    }

    @Test("a write that fails is rolled back to its savepoint; the others in its transaction commit")
    func failureStaysAlone() async throws {
        defer { file.remove() }
        let database = try open()
        let organization = try await database.ensureDefaultOrganization(name: "Org").id
        let gate = WriterGate(database)
        struct Refused: Error {}
        let writes = Task {
            await withTaskGroup(of: Bool.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        do {
                            try await database.groupCommit.write { db in
                                try db.execute(sql: "INSERT INTO organization (name, createdAt) VALUES (?, 0)", arguments: ["org \(index)"])
                                if index % 3 == 0 { throw Refused() }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
        }
        try await waitUntil { database.groupCommit.waiting == 10 }
        let before = database.groupCommit.transactions
        gate.release()
        #expect(await writes.value == 6)
        #expect(database.groupCommit.transactions - before == 1)
        let names = try await database.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM organization WHERE name LIKE 'org %'") }
        #expect(Set(names) == Set([1, 2, 4, 5, 7, 8].map { "org \($0)" }))
    }

    @Test("a monitor for a customer of another organization is not written")
    func customerOrganization() async throws {
        defer { file.remove() }
        let database = try open()
        let first = try await database.ensureDefaultOrganization(name: "First").id
        let second = try await database.createOrganization(name: "Second")
        let customer = try await database.insertCustomer(
            NewCustomer(publicId: UUID(), organizationId: second, name: "Theirs", email: nil, allowedCheckCountryCodes: [],
                        alertLocationThresholdCount: 1))
        let refused = try await database.insertMonitor(
            publicId: UUID(), organizationId: first, customerId: customer.id, fields: .sample("x"), at: Date())
        #expect(refused == nil)
        let missing = try await database.insertMonitor(publicId: UUID(), organizationId: first, customerId: 999, fields: .sample("y"), at: Date())
        #expect(missing == nil)
        let stored = try await database.monitors(MonitorQuery(organizationId: nil, customerId: nil, search: nil, page: 1, perPage: 10))
        #expect(stored.total == 0 && stored.items.isEmpty)
        #expect(try await database.insertMonitor(
            publicId: UUID(), organizationId: second, customerId: customer.id, fields: .sample("z"), at: Date()) != nil)
    }

    @Test("a job between batches runs outside any transaction, after the batch in progress and before the writes queued behind it")
    func betweenBatches() async throws {
        defer { file.remove() }
        let database = try open()
        _ = try await database.ensureDefaultOrganization(name: "Org")
        let gate = WriterGate(database)
        let writes = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<5 {
                    group.addTask {
                        try await database.groupCommit.write { db in
                            try db.execute(sql: "INSERT INTO organization (name, createdAt) VALUES (?, 0)", arguments: ["org \(index)"])
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        try await waitUntil { database.groupCommit.waiting == 5 }
        let job = Task {
            try await database.groupCommit.betweenBatches { db in
                (db.isInsideTransaction, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organization") ?? -1)
            }
        }
        // The job is queued too; it runs first once the writer is free.
        try await waitUntil { database.groupCommit.waitingBetween == 1 }
        gate.release()
        let (inside, organizations) = try await job.value
        try await writes.value
        #expect(!inside)
        #expect(organizations == 1)
    }
}
