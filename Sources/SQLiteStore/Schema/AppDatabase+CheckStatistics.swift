public import Domain
public import Foundation
import GRDB

extension AppDatabase: CheckStatisticsRepository {
    public func uptime(monitorId: Int64, since date: Date) async throws -> (checks: Int, ok: Int) {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT COUNT(*) AS checks, coalesce(SUM(ok), 0) AS ok FROM checkResult WHERE monitorId = ? AND checkedAt >= ?",
                arguments: [monitorId, StoredTime.milliseconds(date)])
            return (row?["checks"] ?? 0, row?["ok"] ?? 0)
        }
    }

    public func responseBuckets(monitorId: Int64, from: Date, to: Date, seconds: Int) async throws -> [ResponseBucket] {
        let width = Int64(max(1, seconds)) * 1000
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT (checkedAt / ?) * ? AS bucket, COUNT(*) AS checks, SUM(ok) AS ok,
                      AVG(json_extract(timings, '$.total')) AS average, MAX(json_extract(timings, '$.total')) AS maximum
                    FROM checkResult WHERE monitorId = ? AND checkedAt >= ? AND checkedAt < ?
                    GROUP BY bucket ORDER BY bucket
                    """,
                arguments: [width, width, monitorId, StoredTime.milliseconds(from), StoredTime.milliseconds(to)]
            ).map { row in
                ResponseBucket(
                    start: StoredTime.date(row["bucket"]), checks: row["checks"], ok: row["ok"], averageMs: row["average"],
                    maximumMs: row["maximum"])
            }
        }
    }
}
