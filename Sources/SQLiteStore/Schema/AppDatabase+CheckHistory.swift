public import Domain
public import Foundation
import GRDB

extension AppDatabase: CheckHistoryRepository {
    public func recentResults(monitorId: Int64, limit: Int) async throws -> [CheckRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM checkResult WHERE monitorId = ? ORDER BY checkedAt DESC, id DESC LIMIT ?",
                arguments: [monitorId, limit]
            ).map(Self.checkRecord(row:))
        }
    }

    public func results(monitorId: Int64, from: Date, to: Date) async throws -> [CheckRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM checkResult WHERE monitorId = ? AND checkedAt >= ? AND checkedAt < ? ORDER BY checkedAt, id",
                arguments: [monitorId, StoredTime.milliseconds(from), StoredTime.milliseconds(to)]
            ).map(Self.checkRecord(row:))
        }
    }

    public func openIncidents(monitorId: Int64) async throws -> [Incident] {
        try await pool.read { db in try Self.activeIncidents(db, monitorId: monitorId) }
    }

    /// One check's result, schedule, incidents and alerts, written together. Results that
    /// arrive together (a worker finishes many checks at once) share a transaction
    /// (`GroupCommit`); each is all or nothing on its own.
    public func recordCheck(monitorId: Int64, outcome: CheckOutcome) async throws -> RecordedCheck? {
        try await groupCommit.write { db in
            guard try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM monitor WHERE id = ?"), arguments: [monitorId]) != nil else {
                return nil
            }
            let check = try Self.insertResult(db, monitorId: monitorId, outcome.result)
            let checkedAt = StoredTime.milliseconds(outcome.result.checkedAt)
            if let next = outcome.nextCheckAt {
                try db.cachedStatement(
                    sql: "UPDATE monitor SET lastCheckedAt = ?, nextCheckAt = ?, claimedBy = NULL, claimedUntil = NULL WHERE id = ?"
                ).execute(arguments: [checkedAt, StoredTime.milliseconds(next), monitorId])
            } else {
                try db.cachedStatement(sql: "UPDATE monitor SET lastCheckedAt = max(coalesce(lastCheckedAt, 0), ?) WHERE id = ?")
                    .execute(arguments: [checkedAt, monitorId])
            }
            var active = try Self.activeIncidents(db, monitorId: monitorId)
            var resolved: [Incident] = []
            for id in Set(outcome.resolve) {
                guard let index = active.firstIndex(where: { $0.id == id }) else { continue }
                try db.execute(sql: "UPDATE incident SET status = 'resolved', endedAt = ? WHERE id = ?", arguments: [checkedAt, id])
                var incident = active.remove(at: index)
                incident.status = .resolved
                incident.endedAt = outcome.result.checkedAt
                resolved.append(incident)
            }
            var opened: [Incident] = []
            for opening in outcome.open where !active.contains(where: { $0.type == opening.type }) {
                let publicId = UUID()
                try db.execute(
                    sql: "INSERT INTO incident (monitorId, type, status, message, startedAt, publicId) VALUES (?, ?, 'active', ?, ?, ?)",
                    arguments: [monitorId, opening.type, opening.message, checkedAt, publicId.lowercasedString])
                let incident = Incident(
                    id: db.lastInsertedRowID, monitorId: monitorId, type: opening.type, status: .active, message: opening.message,
                    startedAt: outcome.result.checkedAt, endedAt: nil, publicId: publicId)
                active.append(incident)
                opened.append(incident)
            }
            try Self.recordState(db, monitorId: monitorId, result: outcome.result, openIncidentTypes: active.map(\.type))
            var queued = 0
            let known = Dictionary((active + resolved).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for delivery in outcome.deliveries {
                let incidentId: Int64?
                switch delivery.incident {
                case .existing(let id): incidentId = known[id]?.id
                case .opened(let type): incidentId = opened.first { $0.type == type }?.id
                }
                guard let incidentId else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO alertOutbox (incidentId, type, channelName, recipient, subject, body, nextAttemptAt, createdAt, event)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        incidentId, delivery.type, delivery.channelName, try self.sealed(delivery.recipient), delivery.subject, delivery.body, checkedAt,
                        checkedAt, delivery.event.rawValue,
                    ])
                queued += 1
            }
            return RecordedCheck(check: check, opened: opened, resolved: resolved, deliveriesQueued: queued)
        }
    }

    /// The monitor's state after this check (`CheckState.after`), kept with its start, and the last failure and response time.
    static func recordState(_ db: Database, monitorId: Int64, result: NewCheckResult, openIncidentTypes: [String]) throws {
        let state = CheckState.after(ok: result.ok, openIncidentTypes: openIncidentTypes).rawValue
        let at = StoredTime.milliseconds(result.checkedAt)
        try db.cachedStatement(
            sql: """
                UPDATE monitor SET checkStateSince = CASE WHEN checkState IS ?1 THEN checkStateSince ELSE ?2 END, checkState = ?1,
                  lastResponseMs = coalesce(?3, lastResponseMs),
                  lastFailureCategory = CASE WHEN ?4 THEN lastFailureCategory ELSE ?5 END,
                  lastFailureMessage = CASE WHEN ?4 THEN lastFailureMessage ELSE ?6 END,
                  lastFailureAt = CASE WHEN ?4 THEN lastFailureAt ELSE ?2 END
                WHERE id = ?7
                """
        ).execute(arguments: [state, at, result.responseMilliseconds, result.ok, result.category, result.message, monitorId])
    }

    public func incidents(monitorId: Int64, limit: Int) async throws -> Page<Incident> {
        try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incident WHERE monitorId = ?", arguments: [monitorId]) ?? 0
            let items = try Row.fetchAll(
                db, sql: "SELECT * FROM incident WHERE monitorId = ? ORDER BY startedAt DESC, id DESC LIMIT ?", arguments: [monitorId, limit]
            ).map(Self.incident(row:))
            return Page(items: items, total: total, page: 1, perPage: limit)
        }
    }

    public func incidents(monitorId: Int64, overlapping from: Date, _ to: Date) async throws -> [Incident] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM incident WHERE monitorId = ? AND startedAt < ? AND (endedAt IS NULL OR endedAt >= ?) ORDER BY startedAt, id",
                arguments: [monitorId, StoredTime.milliseconds(to), StoredTime.milliseconds(from)]
            ).map(Self.incident(row:))
        }
    }

    public func pruneResults(before date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM checkResult WHERE checkedAt < ?", arguments: [StoredTime.milliseconds(date)])
            return db.changesCount
        }
    }

    private static func insertResult(_ db: Database, monitorId: Int64, _ r: NewCheckResult) throws -> CheckRecord {
        try db.cachedStatement(
            sql: """
                INSERT INTO checkResult (monitorId, checkedAt, dueAt, ok, category, message, timings, messageCount,
                  certificateNotAfter, details, hookVersion, hookError) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                monitorId, StoredTime.milliseconds(r.checkedAt), r.dueAt.map(StoredTime.milliseconds), r.ok, r.category, r.message,
                r.timings, r.messageCount, r.certificateNotAfter.map(StoredTime.milliseconds), r.details, r.hookVersion, r.hookError,
            ])
        return CheckRecord(id: db.lastInsertedRowID, monitorId: monitorId, result: r)
    }

    static func activeIncidents(_ db: Database, monitorId: Int64) throws -> [Incident] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM incident WHERE monitorId = ? AND status = 'active' ORDER BY startedAt, id"),
            arguments: [monitorId]
        ).map(incident(row:))
    }

    static func incident(row: Row) -> Incident {
        let ended: Int64? = row["endedAt"]
        let acknowledged: Int64? = row["acknowledgedAt"]
        let publicId: String? = row["publicId"]
        return Incident(
            id: row["id"], monitorId: row["monitorId"], type: row["type"], status: IncidentStatus(rawValue: row["status"]) ?? .resolved,
            message: row["message"], startedAt: StoredTime.date(row["startedAt"]), endedAt: ended.map(StoredTime.date),
            publicId: publicId.flatMap(UUID.init(text:)), acknowledgedAt: acknowledged.map(StoredTime.date), acknowledgedBy: row["acknowledgedBy"])
    }

    static func checkRecord(row: Row) -> CheckRecord {
        let due: Int64? = row["dueAt"]
        let notAfter: Int64? = row["certificateNotAfter"]
        return CheckRecord(
            id: row["id"], monitorId: row["monitorId"],
            result: NewCheckResult(
                checkedAt: StoredTime.date(row["checkedAt"]), dueAt: due.map(StoredTime.date), ok: row["ok"], category: row["category"],
                message: row["message"], timings: row["timings"], messageCount: row["messageCount"],
                certificateNotAfter: notAfter.map(StoredTime.date), details: row["details"], hookVersion: row["hookVersion"],
                hookError: row["hookError"]))
    }
}
