public import Domain
public import Foundation
import GRDB

extension AppDatabase: ScheduleRepository {
    static let checkedStatuses = "('active', 'maintenance')"

    public func scheduleUnscheduled(now: Date, spread: TimeInterval, perSecond: Double) async throws -> Int {
        let unscheduled = "nextCheckAt IS NULL AND status IN \(Self.checkedStatuses)"
        guard try await pool.read({ db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM monitor WHERE \(unscheduled))") })
            == true
        else { return 0 }
        return try await pool.write { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM monitor WHERE \(unscheduled)") ?? 0
            let window = max(spread, Double(count) / max(perSecond, 1))
            try db.execute(
                sql: """
                    UPDATE monitor SET nextCheckAt = ? + (abs(random()) % max(1, min(?, checkInterval * 60000)))
                    WHERE \(unscheduled)
                    """,
                arguments: [StoredTime.milliseconds(now), Int64(window * 1000)])
            return db.changesCount
        }
    }

    public func claimDueChecks(worker: String, now: Date, limit: Int, grace: TimeInterval) async throws -> [ClaimedCheck] {
        guard limit > 0 else { return [] }
        return try await pool.write { db in
            let nowMs = StoredTime.milliseconds(now)
            let due = try SQLiteColumns.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(Self.monitorColumns), c.alertLocationThresholdCount AS failureThreshold, m.nextCheckAt FROM monitor m JOIN customer c ON c.id = m.customerId
                    WHERE m.status IN \(Self.checkedStatuses) AND m.nextCheckAt <= ? AND (m.claimedUntil IS NULL OR m.claimedUntil < ?)
                    ORDER BY m.nextCheckAt LIMIT ?
                    """), arguments: [nowMs, nowMs, limit]
            ) { row in
                ClaimedCheck(
                    monitor: try monitor(columns: row), dueAt: StoredTime.date(row.int64(Self.monitorColumnCount + 1)),
                    failureThreshold: max(1, row.int(Self.monitorColumnCount)))
            }
            let claim = try db.cachedStatement(sql: "UPDATE monitor SET claimedBy = ?, claimedUntil = ? WHERE id = ?")
            for check in due {
                // A stored timeout outside 1-300 s (a policy's mistake) is clamped, never converted into an overflow.
                let timeout = Double(min(max(check.monitor.fields.timeoutSeconds, 1), 300))
                let until = nowMs + Int64((timeout + grace) * 1000)
                try claim.execute(arguments: [worker, until, check.monitor.id])
            }
            return due
        }
    }

    public func nextDueAt() async throws -> Date? {
        // Index-friendly: the earliest unclaimed due time per status (monitor_due), and the
        // earliest claim expiry (monitor_claims): a claimed row is due again when its claim ends.
        try await pool.read { db in
            let unclaimed = try ["active", "maintenance"].compactMap { status in
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT nextCheckAt FROM monitor WHERE status = ? AND nextCheckAt IS NOT NULL AND claimedUntil IS NULL
                        ORDER BY nextCheckAt LIMIT 1
                        """, arguments: [status])
            }
            // Among claimed rows still due (few: the checks in flight), the earliest time one is due again.
            let claimExpiry = try Int64.fetchOne(
                db,
                sql: """
                    SELECT min(max(nextCheckAt, claimedUntil)) FROM monitor
                    WHERE claimedUntil IS NOT NULL AND nextCheckAt IS NOT NULL AND status IN \(Self.checkedStatuses)
                    """)
            return (unclaimed + [claimExpiry].compactMap { $0 }).min().map(StoredTime.date)
        }
    }

    public func releaseClaims(worker: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE monitor SET claimedBy = NULL, claimedUntil = NULL WHERE claimedBy = ?", arguments: [worker])
        }
    }
}
