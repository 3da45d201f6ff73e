public import Foundation
import GRDB

extension AppDatabase: MonitorRepository {
    public func insertMonitor(publicId: UUID, organizationId: Int64, customerId: Int64, fields: MonitorFields, at date: Date) async throws -> Monitor {
        try await pool.write { db in
            let now = StoredTime.milliseconds(date)
            var arguments: StatementArguments = [publicId.uuidString.lowercased(), organizationId, customerId]
            _ = arguments.append(contentsOf: Self.arguments(fields))
            _ = arguments.append(contentsOf: [now, now])
            try db.execute(
                sql: """
                    INSERT INTO monitor (publicId, organizationId, customerId, name, hostname, port, checkInterval, timeoutSeconds,
                      status, config, notificationEmail, notificationPhoneNumber, allowedCheckCountryCodes, policyVersion,
                      createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: arguments)
            return try Self.monitor(db, id: db.lastInsertedRowID)!
        }
    }

    public func monitor(publicId: UUID) async throws -> Monitor? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM monitor WHERE publicId = ?", arguments: [publicId.uuidString.lowercased()])
                .map(Self.monitor(row:))
        }
    }

    public func updateMonitor(id: Int64, fields: MonitorFields, at date: Date) async throws -> Monitor? {
        try await pool.write { db in
            var arguments = Self.arguments(fields)
            _ = arguments.append(contentsOf: [StoredTime.milliseconds(date), fields.checkInterval, id])
            try db.execute(
                sql: """
                    UPDATE monitor SET name = ?, hostname = ?, port = ?, checkInterval = ?, timeoutSeconds = ?, status = ?,
                      config = ?, notificationEmail = ?, notificationPhoneNumber = ?, allowedCheckCountryCodes = ?,
                      policyVersion = ?, updatedAt = ?,
                      nextCheckAt = CASE WHEN status = 'disabled' OR checkInterval != ? THEN NULL ELSE nextCheckAt END
                    WHERE id = ?
                    """, arguments: arguments)
            return db.changesCount == 0 ? nil : try Self.monitor(db, id: id)
        }
    }

    public func deleteMonitor(id: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM monitor WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func monitors(_ query: MonitorQuery) async throws -> Page<(Monitor, customerName: String)> {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let organizationId = query.organizationId { conditions.append("m.organizationId = ?"); _ = arguments.append(contentsOf: [organizationId]) }
            if let customerId = query.customerId { conditions.append("m.customerId = ?"); _ = arguments.append(contentsOf: [customerId]) }
            if let search = query.search, !search.isEmpty {
                conditions.append("(m.name LIKE ? ESCAPE '\\' OR m.hostname LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\')")
                let pattern = SearchPattern.like(search)
                _ = arguments.append(contentsOf: [pattern, pattern, pattern])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let join = "FROM monitor m JOIN customer c ON c.id = m.customerId \(filter)"
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(join)", arguments: arguments) ?? 0
            var pageArguments = arguments
            _ = pageArguments.append(contentsOf: [query.perPage, (query.page - 1) * query.perPage])
            let items = try Row.fetchAll(
                db, sql: "SELECT m.*, c.name AS customerName \(join) ORDER BY m.id LIMIT ? OFFSET ?", arguments: pageArguments
            ).map { (Self.monitor(row: $0), customerName: $0["customerName"] as String) }
            return Page(items: items, total: total, page: query.page, perPage: query.perPage)
        }
    }

    public func countMonitors(customerId: Int64) async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM monitor WHERE customerId = ?", arguments: [customerId]) ?? 0 }
    }

    private static func arguments(_ fields: MonitorFields) -> StatementArguments {
        [
            fields.name, fields.hostname, fields.port, fields.checkInterval, fields.timeoutSeconds, fields.status.rawValue,
            fields.config, fields.notificationEmail, fields.notificationPhoneNumber,
            CountryCodeColumn.encode(fields.allowedCheckCountryCodes), fields.policyVersion,
        ]
    }

    static func monitor(_ db: Database, id: Int64) throws -> Monitor? {
        try Row.fetchOne(db, sql: "SELECT * FROM monitor WHERE id = ?", arguments: [id]).map(monitor(row:))
    }

    static func monitor(row: Row) -> Monitor {
        let lastChecked: Int64? = row["lastCheckedAt"]
        return Monitor(
            id: row["id"], publicId: UUID(uuidString: row["publicId"]) ?? UUID(), organizationId: row["organizationId"],
            customerId: row["customerId"],
            fields: MonitorFields(
                name: row["name"], hostname: row["hostname"], port: row["port"], checkInterval: row["checkInterval"],
                timeoutSeconds: row["timeoutSeconds"], status: MonitorStatus(rawValue: row["status"]) ?? .disabled, config: row["config"],
                notificationEmail: row["notificationEmail"], notificationPhoneNumber: row["notificationPhoneNumber"],
                allowedCheckCountryCodes: CountryCodeColumn.decode(row["allowedCheckCountryCodes"]), policyVersion: row["policyVersion"]),
            lastCheckedAt: lastChecked.map(StoredTime.date), createdAt: StoredTime.date(row["createdAt"]),
            updatedAt: StoredTime.date(row["updatedAt"]))
    }
}
