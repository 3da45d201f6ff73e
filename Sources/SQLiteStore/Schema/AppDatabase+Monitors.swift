public import Domain
public import Foundation
import GRDB

extension AppDatabase: MonitorRepository {
    public func insertMonitor(
        publicId: UUID, organizationId: Int64, customerId: Int64, fields: MonitorFields, at date: Date, audit: AuditRecord?
    ) async throws -> Monitor? {
        try await groupCommit.write { db in
            let now = StoredTime.milliseconds(date)
            var arguments: StatementArguments = [publicId.lowercasedString]
            _ = arguments.append(contentsOf: try self.arguments(fields))
            _ = arguments.append(contentsOf: [now, now, now, customerId, organizationId])
            // The customer's organization is checked in the same statement: a customer
            // deleted or moved meanwhile leaves nothing written.
            try db.cachedStatement(
                sql: """
                    INSERT INTO monitor (publicId, organizationId, customerId, name, hostname, port, checkInterval, timeoutSeconds,
                      status, config, notificationEmail, notificationPhoneNumber, allowedCheckCountryCodes, policyVersion,
                      createdAt, updatedAt, statusSince)
                    SELECT ?, organizationId, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM customer WHERE id = ? AND organizationId = ?
                    """
            ).execute(arguments: arguments)
            guard db.changesCount == 1 else { return nil }
            let id = db.lastInsertedRowID
            if let audit { try Self.record(audit, in: db) }
            // What was written, without reading it back.
            return Monitor(
                id: id, publicId: publicId, organizationId: organizationId, customerId: customerId, fields: fields,
                lastCheckedAt: nil, createdAt: StoredTime.date(now), updatedAt: StoredTime.date(now),
                health: MonitorHealth(statusSince: StoredTime.date(now)))
        }
    }

    public func monitor(publicId: UUID) async throws -> Monitor? {
        try await pool.read { db in
            try SQLiteColumns.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.monitorColumns) FROM monitor m WHERE publicId = ?"), arguments: [publicId.lowercasedString],
                monitor(columns:))
        }
    }

    public func monitor(id: Int64) async throws -> Monitor? {
        try await pool.read { db in try monitor(db, id: id) }
    }

    public func updateMonitor(
        id: Int64, fields: MonitorFields, at date: Date, ifUpdatedAt expected: Date, audit: AuditRecord?
    ) async throws -> MonitorUpdate {
        try await groupCommit.write { db in
            var arguments = try self.arguments(fields)
            // updatedAt only grows (by 1 ms at least), so two updates in one millisecond still tell apart.
            _ = arguments.append(contentsOf: [
                StoredTime.milliseconds(date), fields.checkInterval, id, StoredTime.roundTripMilliseconds(expected),
            ])
            try db.execute(
                sql: """
                    UPDATE monitor SET name = ?, hostname = ?, port = ?, checkInterval = ?, timeoutSeconds = ?, status = ?,
                      config = ?, notificationEmail = ?, notificationPhoneNumber = ?, allowedCheckCountryCodes = ?,
                      policyVersion = ?, updatedAt = MAX(?, updatedAt + 1),
                      statusSince = CASE WHEN status != ?6 THEN ?12 ELSE statusSince END,
                      nextCheckAt = CASE WHEN status = 'disabled' OR checkInterval != ? THEN NULL ELSE nextCheckAt END
                    WHERE id = ? AND updatedAt = ?
                    """, arguments: arguments)
            if db.changesCount > 0, let monitor = try self.monitor(db, id: id) {
                if let audit { try Self.record(audit, in: db) }
                return .updated(monitor)
            }
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM monitor WHERE id = ?", arguments: [id]) ?? false
            return exists ? .changedMeanwhile : .notFound
        }
    }

    public func deleteMonitor(id: Int64, audit: AuditRecord?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM monitor WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            if let audit { try Self.record(audit, in: db) }
            return true
        }
    }

    public func replaceMonitorConfig(id: Int64, expected: String, with config: String, at date: Date) async throws -> Bool {
        try await pool.write { db in
            guard let stored = try self.monitor(db, id: id), stored.fields.config == expected else { return false }
            try db.execute(
                sql: "UPDATE monitor SET config = ?, updatedAt = MAX(?, updatedAt + 1) WHERE id = ?",
                arguments: [try self.sealed(config), StoredTime.milliseconds(date), id])
            return true
        }
    }

    /// The WHERE conditions of a query's organization, customer and search (on `monitor m`), their
    /// arguments, and the scope's column names (which `monitorCount` has too).
    static func scopeConditions(_ query: MonitorQuery) -> (conditions: [String], arguments: StatementArguments, scope: [String]) {
        var scope: [String] = []
        var arguments = StatementArguments()
        if let organizationId = query.organizationId { scope.append("organizationId"); _ = arguments.append(contentsOf: [organizationId]) }
        if let customerId = query.customerId { scope.append("customerId"); _ = arguments.append(contentsOf: [customerId]) }
        var conditions = scope.map { "m.\($0) = ?" }
        if let search = query.search, !search.isEmpty {
            // The customers whose name matches are found once, not looked up for every monitor.
            conditions.append(
                "(m.name LIKE ? ESCAPE '\\' OR m.hostname LIKE ? ESCAPE '\\' OR m.customerId IN (SELECT id FROM customer WHERE name LIKE ? ESCAPE '\\'))")
            let pattern = SearchPattern.like(search)
            _ = arguments.append(contentsOf: [pattern, pattern, pattern])
        }
        return (conditions, arguments, scope)
    }

    public func stateCounts(_ query: MonitorQuery) async throws -> [MonitorState: Int] {
        try await pool.read { db in
            let (conditions, arguments, _) = Self.scopeConditions(query)
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT CASE WHEN m.status IN ('disabled', 'maintenance') THEN m.status ELSE coalesce(m.checkState, 'unknown') END,
                          COUNT(*) FROM monitor m \(filter) GROUP BY 1
                        """),
                arguments: arguments)
            var counts: [MonitorState: Int] = [:]
            for row in rows {
                guard let state = MonitorState(rawValue: row[0] as String) else { continue }
                counts[state, default: 0] += row[1] as Int
            }
            return counts
        }
    }

    public func monitors(_ query: MonitorQuery) async throws -> Page<(Monitor, customerName: String)> {
        try await pool.read { db in
            // The scope (organization, customer) filters both monitor and monitorCount by the same columns.
            var (conditions, arguments, scope) = Self.scopeConditions(query)
            let search = query.search.flatMap { $0.isEmpty ? nil : $0 }
            if let state = query.state {
                switch state {
                case .maintenance, .disabled: conditions.append("m.status = '\(state.rawValue)'")
                case .unknown: conditions.append("m.status = 'active' AND m.checkState IS NULL")
                case .up, .down, .degraded: conditions.append("m.status = 'active' AND m.checkState = '\(state.rawValue)'")
                }
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let join = "FROM monitor m JOIN customer c ON c.id = m.customerId \(filter)"
            // Without a search the total comes from monitorCount (kept by triggers), not a scan;
            // with one, the count scans the monitors alone (the filter needs no join).
            let countSQL = search != nil || query.state != nil
                ? "SELECT COUNT(*) FROM monitor m \(filter)"
                : "SELECT coalesce(sum(count), 0) FROM monitorCount" + (scope.isEmpty ? "" : " WHERE " + scope.map { "\($0) = ?" }.joined(separator: " AND "))
            let total = try Int.fetchOne(db.cachedStatement(sql: countSQL), arguments: arguments) ?? 0
            var pageArguments = arguments
            _ = pageArguments.append(contentsOf: [query.perPage, (query.page - 1) * query.perPage])
            let items = try SQLiteColumns.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(Self.monitorColumns), c.name AS customerName \(join) ORDER BY \(query.sortByState ? Self.stateOrder + ", " : "")m.id LIMIT ? OFFSET ?"),
                arguments: pageArguments
            ) { columns in (try monitor(columns: columns), customerName: columns.string(Self.monitorColumnCount)) }
            return Page(items: items, total: total, page: query.page, perPage: query.perPage)
        }
    }

    /// `MonitorState.rank` in SQL: down, degraded, unknown, up, maintenance, disabled.
    static let stateOrder = """
        CASE WHEN m.status = 'disabled' THEN 5 WHEN m.status = 'maintenance' THEN 4 WHEN m.checkState = 'down' THEN 0 \
        WHEN m.checkState = 'degraded' THEN 1 WHEN m.checkState IS NULL THEN 2 ELSE 3 END
        """

    public func countMonitors(customerId: Int64) async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM monitor WHERE customerId = ?", arguments: [customerId]) ?? 0 }
    }

    /// The config is sealed (it carries the mailbox password) when the database has a cipher.
    private func arguments(_ fields: MonitorFields) throws -> StatementArguments {
        [
            fields.name, fields.hostname, fields.port, fields.checkInterval, fields.timeoutSeconds, fields.status.rawValue,
            try sealed(fields.config), fields.notificationEmail, fields.notificationPhoneNumber,
            CountryCodeColumn.encode(fields.allowedCheckCountryCodes), fields.policyVersion,
        ]
    }

    func monitor(_ db: Database, id: Int64) throws -> Monitor? {
        try SQLiteColumns.fetchOne(
            db.cachedStatement(sql: "SELECT \(Self.monitorColumns) FROM monitor m WHERE id = ?"), arguments: [id], monitor(columns:))
    }

    /// The monitor columns in the order `monitor(columns:)` reads them by index;
    /// queries may add their own columns after them.
    static let monitorColumns = """
        m.id, m.publicId, m.organizationId, m.customerId, m.name, m.hostname, m.port, m.checkInterval, m.timeoutSeconds, \
        m.status, m.config, m.notificationEmail, m.notificationPhoneNumber, m.allowedCheckCountryCodes, m.policyVersion, \
        m.lastCheckedAt, m.createdAt, m.updatedAt, m.checkState, m.checkStateSince, m.statusSince, m.lastFailureCategory, \
        m.lastFailureMessage, m.lastFailureAt, m.lastResponseMs
        """
    static let monitorColumnCount: Int32 = 25

    func monitor(columns row: SQLiteColumns) throws -> Monitor {
        Monitor(
            id: row.int64(0), publicId: UUID(text: row.string(1)) ?? UUID(), organizationId: row.int64(2), customerId: row.int64(3),
            fields: MonitorFields(
                name: row.string(4), hostname: row.string(5), port: row.optionalInt(6), checkInterval: row.int(7),
                timeoutSeconds: row.int(8), status: MonitorStatus(rawValue: row.string(9)) ?? .disabled, config: try opened(row.string(10)),
                notificationEmail: row.optionalString(11), notificationPhoneNumber: row.optionalString(12),
                allowedCheckCountryCodes: CountryCodeColumn.decode(row.string(13)), policyVersion: row.string(14)),
            lastCheckedAt: row.optionalInt64(15).map(StoredTime.date), createdAt: StoredTime.date(row.int64(16)),
            updatedAt: StoredTime.date(row.int64(17)),
            health: MonitorHealth(
                checkState: row.optionalString(18).flatMap(CheckState.init(rawValue:)), checkStateSince: row.optionalInt64(19).map(StoredTime.date),
                statusSince: row.optionalInt64(20).map(StoredTime.date), lastFailureCategory: row.optionalString(21),
                lastFailureMessage: row.optionalString(22), lastFailureAt: row.optionalInt64(23).map(StoredTime.date),
                lastResponseMilliseconds: row.optionalDouble(24)))
    }
}
