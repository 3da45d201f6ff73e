public import Domain
public import Foundation
import GRDB

extension AppDatabase: AccessRepository {
    public func principal(tokenHash: String, now: Date) async throws -> Principal? {
        let nowMs = StoredTime.milliseconds(now)
        return try await pointRead { db in
            try SQLiteColumns.fetchOne(
                db.cachedStatement(
                    sql: """
                    SELECT t.id AS tokenId, t.customerId, u.id AS userId, u.organizationId, u.role, u.globalSupporter, u.platformOperator
                    FROM apiToken t JOIN user u ON u.id = t.userId WHERE t.hash = ? AND (t.expiresAt IS NULL OR t.expiresAt > ?)
                    """), arguments: [tokenHash, nowMs], Self.principal(columns:)
            ) ?? nil
        }
    }

    public func markTokenUsed(id: Int64, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE apiToken SET lastUsedAt = ? WHERE id = ?", arguments: [StoredTime.milliseconds(date), id])
        }
    }

    public func ensureDefaultOrganization(name: String) async throws -> (id: Int64, created: Bool) {
        try await pool.write { db in try Self.ensureOrganization(db, name: name) }
    }

    /// The first organization, made with `name` if there is none.
    private static func ensureOrganization(_ db: Database, name: String) throws -> (id: Int64, created: Bool) {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM organization ORDER BY id LIMIT 1") { return (id, false) }
        try db.execute(sql: "INSERT INTO organization (name, createdAt) VALUES (?, ?)", arguments: [name, StoredTime.milliseconds(Date())])
        return (db.lastInsertedRowID, true)
    }

    /// A further organization (an MSP's second tenant); its id.
    public func createOrganization(name: String) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO organization (name, createdAt) VALUES (?, ?)", arguments: [name, StoredTime.milliseconds(Date())])
            return db.lastInsertedRowID
        }
    }

    public func organizations() async throws -> [OrganizationListing] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.id, o.name, o.createdAt,
                      (SELECT count(*) FROM customer WHERE organizationId = o.id),
                      (SELECT count(*) FROM monitor WHERE organizationId = o.id),
                      (SELECT count(*) FROM apiToken t JOIN user u ON u.id = t.userId WHERE u.organizationId = o.id)
                    FROM organization o ORDER BY o.id
                    """
            ).map { row in
                OrganizationListing(
                    id: row[0], name: row[1], createdAt: StoredTime.date(row[2]), customers: row[3], monitors: row[4], tokens: row[5])
            }
        }
    }

    public func bootstrapUser(_ token: NewToken, organizationName: String) async throws -> Principal? {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM user LIMIT 1") != true else { return nil }
            _ = try Self.ensureOrganization(db, name: organizationName)
            return try Self.insertUserWithToken(db, token)  // in the first organization
        }
    }

    public func createUserWithToken(_ token: NewToken, audit: AuditRecord?) async throws -> Principal {
        try await pool.write { db in
            let principal = try Self.insertUserWithToken(db, token)
            if let audit { try Self.record(audit, in: db, targetId: String(principal.tokenId)) }
            return principal
        }
    }

    private static func insertUserWithToken(_ db: Database, _ token: NewToken) throws -> Principal {
        let now = StoredTime.milliseconds(Date())
        let organizationId: Int64
        if let given = token.organizationId {
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM organization WHERE id = ?", arguments: [given]) == true else {
                throw StoreError.notFound("organization \(given)")
            }
            organizationId = given
        } else if let first = try Int64.fetchOne(db, sql: "SELECT id FROM organization ORDER BY id LIMIT 1") {
            organizationId = first
        } else {
            throw StoreError.notFound("no organization; run mailmon serve once to create the default one")
        }
        if let customerId = token.customerId {
            guard try Int64.fetchOne(db, sql: "SELECT organizationId FROM customer WHERE id = ?", arguments: [customerId])
                == organizationId
            else { throw StoreError.notFound("customer \(customerId) in organization \(organizationId)") }
        }
        try db.execute(
            sql: "INSERT INTO user (organizationId, name, role, globalSupporter, platformOperator, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [organizationId, token.userName, token.role.rawValue, token.globalSupporter, token.platformOperator, now])
        let userId = db.lastInsertedRowID
        try db.execute(
            sql: "INSERT INTO apiToken (userId, prefix, hash, customerId, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [userId, token.prefix, token.hash, token.customerId, now, token.expiresAt.map(StoredTime.milliseconds)])
        return Principal(
            userId: userId, organizationId: organizationId, role: token.role, globalSupporter: token.globalSupporter,
            customerId: token.customerId, tokenId: db.lastInsertedRowID, platformOperator: token.platformOperator)
    }

    public func organizationExists(_ id: Int64) async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM organization WHERE id = ?", arguments: [id]) == true }
    }

    public func tokens(organizationId: Int64?) async throws -> [TokenListing] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, t.prefix, u.name, u.organizationId, u.role, u.globalSupporter, t.customerId, t.createdAt, u.platformOperator,
                           t.expiresAt, t.lastUsedAt, c.publicId, c.name
                    FROM apiToken t JOIN user u ON u.id = t.userId LEFT JOIN customer c ON c.id = t.customerId
                    WHERE ? IS NULL OR u.organizationId = ? ORDER BY t.id
                    """, arguments: [organizationId, organizationId]
            ).map { row in
                TokenListing(
                    id: row[0], prefix: row[1], userName: row[2], organizationId: row[3], role: Role(rawValue: row[4]) ?? .readonly,
                    globalSupporter: row[5], customerId: row[6], createdAt: StoredTime.date(row[7]), platformOperator: row[8],
                    expiresAt: (row[9] as Int64?).map(StoredTime.date), lastUsedAt: (row[10] as Int64?).map(StoredTime.date),
                    customerPublicId: (row[11] as String?).flatMap(UUID.init(uuidString:)), customerName: row[12])
            }
        }
    }

    public func revokeToken(id: Int64, audit: AuditRecord?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM apiToken WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { return false }
            if let audit { try Self.record(audit, in: db) }
            return true
        }
    }

    private static func principal(columns row: SQLiteColumns) -> Principal? {
        guard let role = Role(rawValue: row.string(4)) else { return nil }
        return Principal(
            userId: row.int64(2), organizationId: row.int64(3), role: role, globalSupporter: row.int64(5) != 0,
            customerId: row.optionalInt64(1), tokenId: row.int64(0), platformOperator: row.int64(6) != 0)
    }
}
