public import Domain
public import Foundation
import GRDB

extension AppDatabase: AlertRepository {
    public func dueDeliveries(now: Date, limit: Int) async throws -> [PendingDelivery] {
        try await pool.read { db in try dueDeliveries(db, now: now, limit: limit) }
    }

    public func claimDueDeliveries(now: Date, limit: Int, lease: TimeInterval) async throws -> [PendingDelivery] {
        try await pool.write { db in
            let due = try dueDeliveries(db, now: now, limit: limit)
            let until = StoredTime.milliseconds(now.addingTimeInterval(lease))
            for delivery in due {
                try db.execute(sql: "UPDATE alertOutbox SET nextAttemptAt = ? WHERE id = ?", arguments: [until, delivery.id])
            }
            return due
        }
    }

    /// The recipient is sealed at rest (a webhook URL carries its key).
    func dueDeliveries(_ db: Database, now: Date, limit: Int) throws -> [PendingDelivery] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM alertOutbox WHERE nextAttemptAt <= ? ORDER BY nextAttemptAt, id LIMIT ?",
            arguments: [StoredTime.milliseconds(now), limit]
        ).map { row in
            PendingDelivery(
                id: row["id"], incidentId: row["incidentId"], type: row["type"], channelName: row["channelName"],
                recipient: try opened(row["recipient"]), subject: row["subject"], body: row["body"], attempts: row["attempts"],
                nextAttemptAt: StoredTime.date(row["nextAttemptAt"]), event: AlertEvent(rawValue: row["event"] ?? "trigger") ?? .trigger)
        }
    }

    public func nextDeliveryAt() async throws -> Date? {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT min(nextAttemptAt) FROM alertOutbox").map(StoredTime.date) }
    }

    public func recordAttempt(_ delivery: PendingDelivery, sent: Bool, error: String?, at date: Date, retryAt: Date?) async throws {
        try await pool.write { db in
            // Gone from the outbox: its incident (or monitor) was deleted meanwhile.
            guard try Int64.fetchOne(db, sql: "SELECT id FROM alertOutbox WHERE id = ?", arguments: [delivery.id]) != nil else { return }
            try db.execute(
                sql: "INSERT INTO alert (incidentId, type, status, channelName, sentAt, errorMessage) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [delivery.incidentId, delivery.type, sent ? "sent" : "failed", delivery.channelName, StoredTime.milliseconds(date), error])
            if let retryAt {
                try db.execute(
                    sql: "UPDATE alertOutbox SET attempts = attempts + 1, nextAttemptAt = ? WHERE id = ?",
                    arguments: [StoredTime.milliseconds(retryAt), delivery.id])
            } else {
                try db.execute(sql: "DELETE FROM alertOutbox WHERE id = ?", arguments: [delivery.id])
            }
        }
    }

    public func alerts(monitorId: Int64, limit: Int) async throws -> Page<AlertAttempt> {
        try await pool.read { db in
            let join = "FROM alert a JOIN incident i ON i.id = a.incidentId WHERE i.monitorId = ?"
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(join)", arguments: [monitorId]) ?? 0
            let items = try Row.fetchAll(db, sql: "SELECT a.* \(join) ORDER BY a.id DESC LIMIT ?", arguments: [monitorId, limit])
                .map(Self.alertAttempt(row:))
            return Page(items: items, total: total, page: 1, perPage: limit)
        }
    }

    public func alertChannels(organizationId: Int64, customerId: Int64?) async throws -> [AlertChannel] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM alertChannel WHERE organizationId = ? AND (customerId IS NULL OR customerId = ?) ORDER BY id",
                arguments: [organizationId, customerId]
            ).map(alertChannel(row:))
        }
    }

    public func allAlertChannels(organizationId: Int64) async throws -> [AlertChannel] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alertChannel WHERE organizationId = ? ORDER BY id", arguments: [organizationId])
                .map(alertChannel(row:))
        }
    }

    public func addAlertChannel(
        organizationId: Int64, customerId: Int64?, type: AlertChannelType, name: String, url: String, at date: Date, audit: AuditRecord?
    ) async throws -> AlertChannel {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO alertChannel (organizationId, customerId, type, name, url, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [organizationId, customerId, type.rawValue, name, try sealed(url), StoredTime.milliseconds(date)])
            let id = db.lastInsertedRowID
            if let audit { try Self.record(audit, in: db, targetId: String(id)) }
            return AlertChannel(
                id: id, organizationId: organizationId, customerId: customerId, type: type, name: name, url: url,
                createdAt: date)
        }
    }

    public func deleteAlertChannel(id: Int64, organizationId: Int64, audit: AuditRecord?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM alertChannel WHERE id = ? AND organizationId = ?", arguments: [id, organizationId])
            guard db.changesCount > 0 else { return false }
            if let audit { try Self.record(audit, in: db) }
            return true
        }
    }

    static func alertAttempt(row: Row) -> AlertAttempt {
        let sent: Int64? = row["sentAt"]
        return AlertAttempt(
            id: row["id"], incidentId: row["incidentId"], type: row["type"], status: row["status"], channelName: row["channelName"],
            sentAt: sent.map(StoredTime.date), errorMessage: row["errorMessage"])
    }

    func alertChannel(row: Row) throws -> AlertChannel {
        AlertChannel(
            id: row["id"], organizationId: row["organizationId"], customerId: row["customerId"],
            type: AlertChannelType(rawValue: row["type"]) ?? .webhook, name: row["name"], url: try opened(row["url"]),
            createdAt: StoredTime.date(row["createdAt"]))
    }
}
