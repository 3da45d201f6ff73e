public import Domain
public import Foundation
import GRDB

extension AppDatabase: FleetReadingRepository {
    public func fleetReadings(now: Date, perMonitor: Bool) async throws -> FleetReadings {
        try await pool.read { db in
            var readings = FleetReadings()
            for row in try Row.fetchAll(db, sql: "SELECT type, count(*) FROM incident WHERE status = 'active' GROUP BY type") {
                readings.openIncidents[row[0]] = row[1]
            }
            let outbox = try Row.fetchOne(db, sql: "SELECT count(*), min(createdAt) FROM alertOutbox")
            readings.outboxDepth = outbox?[0] ?? 0
            readings.oldestUndeliveredAt = (outbox?[1] as Int64?).map(StoredTime.date)
            let nowMs = StoredTime.milliseconds(now)
            readings.dueUnclaimed =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM monitor WHERE status IN \(Self.checkedStatuses) AND nextCheckAt <= ?
                        AND (claimedUntil IS NULL OR claimedUntil < ?)
                        """, arguments: [nowMs, nowMs]) ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM monitor GROUP BY status") {
                readings.monitorsByStatus[row[0]] = row[1]
            }
            guard perMonitor else { return readings }
            readings.monitors = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.publicId, m.name, c.publicId, m.status, r.ok, r.checkedAt, json_extract(r.timings, '$.total'),
                           r.certificateNotAfter, r.messageCount, json_extract(r.details, '$.newestMessageAt')
                    FROM monitor m JOIN customer c ON c.id = m.customerId
                    LEFT JOIN checkResult r ON r.id = (
                        SELECT id FROM checkResult WHERE monitorId = m.id ORDER BY checkedAt DESC, id DESC LIMIT 1)
                    WHERE m.status != 'disabled'
                    ORDER BY m.id
                    """
            ).compactMap { row in
                guard let publicId = UUID(uuidString: row[0]) else { return nil }
                return MonitorReading(
                    publicId: publicId, name: row[1], customerPublicId: row[2], status: row[3], lastOk: row[4],
                    lastCheckedAt: (row[5] as Int64?).map(StoredTime.date), responseMilliseconds: row[6],
                    certificateNotAfter: (row[7] as Int64?).map(StoredTime.date), messageCount: row[8],
                    newestMessageAt: (row[9] as String?).flatMap(Timestamp.parse))
            }
            return readings
        }
    }

    public func probeReadWrite() async throws {
        // A write transaction that rewrites one row in place: fails when the file or its
        // directory cannot be written (read-only, full disk, locked beyond the busy timeout).
        try await pool.write { db in
            try db.execute(sql: "UPDATE organization SET name = name WHERE id = (SELECT min(id) FROM organization)")
        }
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM organization") }
    }
}
