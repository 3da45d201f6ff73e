public import Domain
public import Foundation
import GRDB

extension AppDatabase: CustomerRepository {
    public func insertCustomer(_ customer: NewCustomer, audit: AuditRecord?) async throws -> Customer {
        try await pool.write { db in
            let now = StoredTime.milliseconds(Date())
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM customer WHERE organizationId = ? AND publicId = ?",
                arguments: [customer.organizationId, customer.publicId.lowercasedString]) == true {
                throw StoreError.conflict("a customer with publicId \(customer.publicId.lowercasedString) exists")
            }
            try Self.checkSlugFree(customer.statusPage, customerId: nil, in: db)
            try db.execute(
                sql: """
                    INSERT INTO customer (publicId, organizationId, name, email, allowedCheckCountryCodes,
                      alertLocationThresholdCount, createdAt, updatedAt, statusPageSlug, statusPageShowsHostnames)
                      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    customer.publicId.lowercasedString, customer.organizationId, customer.name, customer.email,
                    CountryCodeColumn.encode(customer.allowedCheckCountryCodes), customer.alertLocationThresholdCount, now, now,
                    customer.statusPage?.slug, customer.statusPage?.showHostnames ?? false,
                ])
            let inserted = try Self.customer(db, id: db.lastInsertedRowID)!
            if let audit { try Self.record(audit, in: db) }
            return inserted
        }
    }

    public func updateCustomer(_ customer: Customer, at date: Date, audit: AuditRecord?) async throws -> Customer? {
        try await pool.write { db in
            try Self.checkSlugFree(customer.statusPage, customerId: customer.id, in: db)
            try db.execute(
                sql: """
                    UPDATE customer SET name = ?, email = ?, allowedCheckCountryCodes = ?, alertLocationThresholdCount = ?,
                      statusPageSlug = ?, statusPageShowsHostnames = ?, updatedAt = MAX(?, updatedAt + 1) WHERE id = ?
                    """,
                arguments: [
                    customer.name, customer.email, CountryCodeColumn.encode(customer.allowedCheckCountryCodes),
                    customer.alertLocationThresholdCount, customer.statusPage?.slug, customer.statusPage?.showHostnames ?? false,
                    StoredTime.milliseconds(date), customer.id,
                ])
            guard db.changesCount == 1 else { return nil }
            if let audit { try Self.record(audit, in: db) }
            return try Self.customer(db, id: customer.id)
        }
    }

    public func deleteCustomer(id: Int64, audit: AuditRecord?) async throws -> Bool {
        try await pool.write { db in
            // Monitors, their history, channels and scoped tokens go by the foreign keys' cascades.
            try db.execute(sql: "DELETE FROM customer WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { return false }
            if let audit { try Self.record(audit, in: db) }
            return true
        }
    }

    public func customer(id: Int64) async throws -> Customer? {
        try await pointRead { db in try Self.customer(db, id: id) }
    }

    public func customer(statusPageSlug: String) async throws -> Customer? {
        try await pointRead { db in
            try SQLiteColumns.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.customerColumns) FROM customer WHERE statusPageSlug = ?"), arguments: [statusPageSlug],
                Self.customer(columns:))
        }
    }

    /// A slug is one customer's: another's is a conflict (the unique index would refuse it too).
    static func checkSlugFree(_ page: StatusPageSetting?, customerId: Int64?, in db: Database) throws {
        guard let slug = page?.slug else { return }
        if let owner = try Int64.fetchOne(db, sql: "SELECT id FROM customer WHERE statusPageSlug = ?", arguments: [slug]), owner != customerId {
            throw StoreError.conflict("the status page slug \(slug) is taken")
        }
    }

    public func customer(publicId: UUID, organizationId: Int64?) async throws -> Customer? {
        if let organizationId {
            return try await pointRead { db in
                try SQLiteColumns.fetchOne(
                    db.cachedStatement(sql: "SELECT \(Self.customerColumns) FROM customer WHERE organizationId = ? AND publicId = ?"),
                    arguments: [organizationId, publicId.lowercasedString], Self.customer(columns:))
            }
        }
        return try await pointRead { db in
            try SQLiteColumns.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.customerColumns) FROM customer WHERE publicId = ? ORDER BY id LIMIT 1"),
                arguments: [publicId.lowercasedString], Self.customer(columns:))
        }
    }

    public func customers(
        organizationId: Int64?, onlyCustomerId: Int64?, search: String?, page: Int, perPage: Int
    ) async throws -> Page<Customer> {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let organizationId { conditions.append("organizationId = ?"); _ = arguments.append(contentsOf: [organizationId]) }
            if let onlyCustomerId { conditions.append("id = ?"); _ = arguments.append(contentsOf: [onlyCustomerId]) }
            if let search, !search.isEmpty {
                conditions.append("(name LIKE ? ESCAPE '\\' OR IFNULL(email, '') LIKE ? ESCAPE '\\')")
                let pattern = SearchPattern.like(search)
                _ = arguments.append(contentsOf: [pattern, pattern])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer \(filter)", arguments: arguments) ?? 0
            var pageArguments = arguments
            _ = pageArguments.append(contentsOf: [perPage, (page - 1) * perPage])
            let items = try SQLiteColumns.fetchAll(
                db.cachedStatement(sql: "SELECT \(Self.customerColumns) FROM customer \(filter) ORDER BY id LIMIT ? OFFSET ?"),
                arguments: pageArguments, Self.customer(columns:))
            return Page(items: items, total: total, page: page, perPage: perPage)
        }
    }

    static func customer(_ db: Database, id: Int64) throws -> Customer? {
        try SQLiteColumns.fetchOne(
            db.cachedStatement(sql: "SELECT \(Self.customerColumns) FROM customer WHERE id = ?"), arguments: [id], customer(columns:))
    }

    /// The customer columns in the order `customer(columns:)` reads them.
    static let customerColumns =
        "id, publicId, organizationId, name, email, allowedCheckCountryCodes, alertLocationThresholdCount, createdAt, updatedAt, statusPageSlug, statusPageShowsHostnames"

    static func customer(columns row: SQLiteColumns) -> Customer {
        Customer(
            id: row.int64(0), publicId: UUID(text: row.string(1)) ?? UUID(), organizationId: row.int64(2), name: row.string(3),
            email: row.optionalString(4), allowedCheckCountryCodes: CountryCodeColumn.decode(row.string(5)),
            alertLocationThresholdCount: row.int(6), createdAt: StoredTime.date(row.int64(7)), updatedAt: StoredTime.date(row.int64(8)),
            statusPage: row.optionalString(9).map { StatusPageSetting(slug: $0, showHostnames: row.int(10) != 0) })
    }
}

enum SearchPattern {
    /// A case-insensitive substring pattern for LIKE, with %, _ and \ escaped.
    static func like(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }
}
