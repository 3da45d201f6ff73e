public import Domain
public import Foundation
import GRDB

extension AppDatabase: AuditRepository {
    /// Writes the entry inside the caller's transaction (the change's own); `targetId` fills in
    /// the id of a row the store just made.
    static func record(_ audit: AuditRecord, in db: Database, targetId: String? = nil) throws {
        let changes = String(decoding: try JSONEncoder().encode(audit.changes), as: UTF8.self)
        try db.cachedStatement(
            sql: """
                INSERT INTO auditLog (organizationId, at, userId, tokenId, action, targetType, targetId, customerId, policyVersion,
                  requestId, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            audit.organizationId, StoredTime.milliseconds(audit.at), audit.userId, audit.tokenId, audit.action, audit.targetType,
            audit.targetId ?? targetId, audit.customerId, audit.policyVersion, audit.requestId, changes,
        ])
    }

    public func recordAudit(_ record: AuditRecord) async throws {
        try await pool.write { db in try Self.record(record, in: db) }
    }

    public func auditEntries(_ query: AuditQuery) async throws -> Page<AuditEntry> {
        try await pool.read { db in
            var conditions = ["a.organizationId = ?"]
            var arguments: StatementArguments = [query.organizationId]
            func add(_ condition: String, _ value: (any DatabaseValueConvertible)?) {
                guard let value else { return }
                conditions.append(condition)
                _ = arguments.append(contentsOf: [value])
            }
            add("a.action = ?", query.action)
            add("a.targetType = ?", query.targetType)
            add("a.targetId = ?", query.targetId)
            add("a.customerId = ?", query.customerId)
            add("a.tokenId = ?", query.tokenId)
            add("a.userId = ?", query.userId)
            add("a.at >= ?", query.since.map(StoredTime.milliseconds))
            add("a.at < ?", query.until.map(StoredTime.milliseconds))
            let filter = "WHERE " + conditions.joined(separator: " AND ")
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM auditLog a \(filter)", arguments: arguments) ?? 0
            var pageArguments = arguments
            _ = pageArguments.append(contentsOf: [query.perPage, (query.page - 1) * query.perPage])
            let items = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.*, u.name AS userName, t.prefix AS tokenPrefix, c.publicId AS customerPublicId FROM auditLog a
                    LEFT JOIN user u ON u.id = a.userId LEFT JOIN apiToken t ON t.id = a.tokenId LEFT JOIN customer c ON c.id = a.customerId
                    \(filter) ORDER BY a.id DESC LIMIT ? OFFSET ?
                    """,
                arguments: pageArguments
            ).map(Self.auditEntry(row:))
            return Page(items: items, total: total, page: query.page, perPage: query.perPage)
        }
    }

    static func auditEntry(row: Row) -> AuditEntry {
        let changesText: String = row["changes"]
        let changes = (try? JSONDecoder().decode([String].self, from: Data(changesText.utf8))) ?? []
        let customerPublicId: String? = row["customerPublicId"]
        return AuditEntry(
            id: row["id"],
            record: AuditRecord(
                organizationId: row["organizationId"], userId: row["userId"], tokenId: row["tokenId"], action: row["action"],
                targetType: row["targetType"], targetId: row["targetId"], customerId: row["customerId"], policyVersion: row["policyVersion"],
                requestId: row["requestId"], changes: changes, at: StoredTime.date(row["at"])),
            userName: row["userName"], tokenPrefix: row["tokenPrefix"], customerPublicId: customerPublicId.flatMap(UUID.init(text:)))
    }
}
