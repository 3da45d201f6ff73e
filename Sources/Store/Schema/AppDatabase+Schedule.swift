public import Foundation
import GRDB

extension AppDatabase: ScheduleRepository {
    static let checkedStatuses = "('active', 'maintenance')"

    public func scheduleUnscheduled(now: Date, spread: TimeInterval) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE monitor SET nextCheckAt = ? + (abs(random()) % ?) WHERE nextCheckAt IS NULL AND status IN \(Self.checkedStatuses)",
                arguments: [StoredTime.milliseconds(now), max(1, Int64(spread * 1000))])
            return db.changesCount
        }
    }

    public func claimDueChecks(worker: String, now: Date, limit: Int, grace: TimeInterval) async throws -> [ClaimedCheck] {
        guard limit > 0 else { return [] }
        return try await pool.write { db in
            let nowMs = StoredTime.milliseconds(now)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.*, c.alertLocationThresholdCount AS failureThreshold FROM monitor m JOIN customer c ON c.id = m.customerId
                    WHERE m.status IN \(Self.checkedStatuses) AND m.nextCheckAt <= ? AND (m.claimedUntil IS NULL OR m.claimedUntil < ?)
                    ORDER BY m.nextCheckAt LIMIT ?
                    """, arguments: [nowMs, nowMs, limit])
            return try rows.map { row in
                let monitor = Self.monitor(row: row)
                let until = nowMs + Int64((Double(monitor.fields.timeoutSeconds) + grace) * 1000)
                try db.execute(
                    sql: "UPDATE monitor SET claimedBy = ?, claimedUntil = ? WHERE id = ?", arguments: [worker, until, monitor.id])
                return ClaimedCheck(
                    monitor: monitor, dueAt: StoredTime.date(row["nextCheckAt"]), failureThreshold: max(1, row["failureThreshold"] as Int))
            }
        }
    }

    public func nextDueAt() async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT min(max(nextCheckAt, coalesce(claimedUntil, 0))) FROM monitor WHERE status IN \(Self.checkedStatuses)"
            ).map(StoredTime.date)
        }
    }

    public func releaseClaims(worker: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE monitor SET claimedBy = NULL, claimedUntil = NULL WHERE claimedBy = ?", arguments: [worker])
        }
    }
}
