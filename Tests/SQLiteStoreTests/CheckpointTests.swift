import Foundation
import GRDB
@testable import SQLiteStore
import Domain
import Testing

/// WAL checkpoints run off the commit path: commits leave frames for `checkpointWAL` to copy.
@Suite("WAL checkpoints in the background")
struct CheckpointTests {
    /// One commit per organization, through group commit.
    static func insert(into database: AppDatabase, _ range: Range<Int>) async throws {
        for index in range {
            _ = try await database.groupCommit.write { db in
                try db.execute(sql: "INSERT INTO organization (name, createdAt) VALUES (?, 0)", arguments: ["org \(index)"])
            }
        }
    }

    static func organizations(in database: AppDatabase) async throws -> Int? {
        try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organization") }
    }

    @Test("commits below the backstop leave the WAL to checkpointWAL, which copies all of it")
    func checkpoint() async throws {
        let file = TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        // SQLite's default (1,000 pages) would have checkpointed inside one of these commits.
        try await Self.insert(into: database, 0..<1_500)
        let first = try await database.checkpointWAL()
        #expect(first.walFrames > 1_000)
        #expect(first.checkpointedFrames == first.walFrames)
        #expect(try await Self.organizations(in: database) == 1_500)
    }

    @Test("restartWAL completes the log, so that the next commit writes it from its beginning")
    func restart() async throws {
        let file = TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        try await Self.insert(into: database, 0..<1_500)
        #expect(try await database.restartWAL())
        try await Self.insert(into: database, 1_500..<1_501)
        let after = try await database.checkpointWAL()
        // Appended instead, the log would hold the 1,500 commits' frames and this one.
        #expect(after.walFrames > 0 && after.walFrames < 10)
        #expect(try await Self.organizations(in: database) == 1_501)
    }

    @Test("two processes on one file (serve and worker) checkpoint and restart the WAL side by side without losing a write")
    func twoProcesses() async throws {
        let file = TemporaryDatabase()
        defer { file.remove() }
        // Two AppDatabase instances, each with its writer, readers and checkpointer, as
        // `mailmon serve` and `mailmon worker` open the same file.
        let serve = try file.open()
        let worker = try file.open()
        var restarts: [Bool] = []
        try await withThrowingTaskGroup(of: [Bool].self) { group in
            group.addTask { try await Self.insert(into: serve, 0..<1_200); return [] }
            group.addTask { try await Self.insert(into: worker, 1_200..<2_400); return [] }
            for database in [serve, worker] {
                group.addTask {
                    var outcomes: [Bool] = []
                    for _ in 0..<20 {
                        // Either process may find the other one checkpointing: false, never an error.
                        outcomes.append(try await database.restartWAL())
                        _ = try await database.checkpointWAL()
                    }
                    return outcomes
                }
            }
            for try await outcomes in group { restarts += outcomes }
        }
        #expect(restarts.count == 40)
        // Once both are quiet, either one can complete the log, and the next commit starts it over.
        #expect(try await worker.restartWAL())
        try await Self.insert(into: serve, 2_400..<2_401)
        let after = try await worker.checkpointWAL()
        #expect(after.walFrames > 0 && after.walFrames < 10)
        #expect(try await Self.organizations(in: serve) == 2_401)
        let integrity = try await worker.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
    }
}
