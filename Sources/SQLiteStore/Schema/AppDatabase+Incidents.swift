public import Domain
public import Foundation
import GRDB

extension AppDatabase: IncidentRepository {
    static let incidentListingColumns = """
        i.*, m.organizationId AS organizationId, m.publicId AS monitorPublicId, m.name AS monitorName, c.id AS customerId,
        c.publicId AS customerPublicId, c.name AS customerName
        """
    static let incidentJoin = "FROM incident i JOIN monitor m ON m.id = i.monitorId JOIN customer c ON c.id = m.customerId"

    public func incidents(_ query: IncidentQuery) async throws -> Page<IncidentListing> {
        try await pool.read { db in
            var conditions = ["m.organizationId = ?"]
            var arguments: StatementArguments = [query.organizationId]
            if let customerId = query.customerId { conditions.append("m.customerId = ?"); _ = arguments.append(contentsOf: [customerId]) }
            if let monitorId = query.monitorId { conditions.append("i.monitorId = ?"); _ = arguments.append(contentsOf: [monitorId]) }
            if let status = query.status { conditions.append("i.status = ?"); _ = arguments.append(contentsOf: [status.rawValue]) }
            if let type = query.type { conditions.append("i.type = ?"); _ = arguments.append(contentsOf: [type]) }
            let filter = "WHERE " + conditions.joined(separator: " AND ")
            let total = try Int.fetchOne(db, sql: "SELECT count(*) \(Self.incidentJoin) \(filter)", arguments: arguments) ?? 0
            var pageArguments = arguments
            _ = pageArguments.append(contentsOf: [query.perPage, (query.page - 1) * query.perPage])
            let items = try Row.fetchAll(
                db,
                sql: "SELECT \(Self.incidentListingColumns) \(Self.incidentJoin) \(filter) ORDER BY i.startedAt DESC, i.id DESC LIMIT ? OFFSET ?",
                arguments: pageArguments
            ).map(Self.incidentListing(row:))
            return Page(items: items, total: total, page: query.page, perPage: query.perPage)
        }
    }

    public func incident(publicId: UUID) async throws -> IncidentListing? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.incidentListingColumns) \(Self.incidentJoin) WHERE i.publicId = ?", arguments: [publicId.lowercasedString]
            ).map(Self.incidentListing(row:))
        }
    }

    public func acknowledgeIncident(id: Int64, at date: Date, by who: String, audit: AuditRecord?) async throws -> Incident? {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE incident SET acknowledgedAt = ?, acknowledgedBy = ? WHERE id = ? AND acknowledgedAt IS NULL",
                arguments: [StoredTime.milliseconds(date), who, id])
            // Only the acknowledgement that took effect is a change.
            if db.changesCount == 1, let audit { try Self.record(audit, in: db) }
            return try Row.fetchOne(db, sql: "SELECT * FROM incident WHERE id = ?", arguments: [id]).map(Self.incident(row:))
        }
    }

    public func alertAttempts(incidentId: Int64) async throws -> [AlertAttempt] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert WHERE incidentId = ? ORDER BY id", arguments: [incidentId])
                .map(Self.alertAttempt(row:))
        }
    }

    static func incidentListing(row: Row) -> IncidentListing {
        let monitorPublicId: String = row["monitorPublicId"]
        let customerPublicId: String = row["customerPublicId"]
        return IncidentListing(
            incident: incident(row: row), organizationId: row["organizationId"], monitorPublicId: UUID(text: monitorPublicId) ?? UUID(),
            monitorName: row["monitorName"], customerId: row["customerId"], customerPublicId: UUID(text: customerPublicId) ?? UUID(),
            customerName: row["customerName"])
    }
}
