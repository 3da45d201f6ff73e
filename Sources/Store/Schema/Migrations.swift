import GRDB

/// Named migrations, frozen once shipped: they use SQL and GRDB's schema API
/// only, never app types, so later code changes cannot alter what they did.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: organizations, users, tokens, customers, monitors, scripts") { db in
            try db.create(table: "organization") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "user") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("organization", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("role", .text).notNull().check { ["admin", "member", "readonly"].contains($0) }
                t.column("globalSupporter", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "customer") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("publicId", .text).notNull().unique()
                t.belongsTo("organization", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("email", .text)
                t.column("allowedCheckCountryCodes", .text).notNull().defaults(to: "[]")
                t.column("alertLocationThresholdCount", .integer).notNull().defaults(to: 1)
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "apiToken") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("user", onDelete: .cascade).notNull()
                t.column("prefix", .text).notNull()
                t.column("hash", .text).notNull().unique()
                t.belongsTo("customer", onDelete: .cascade)
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "monitor") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("publicId", .text).notNull().unique()
                t.belongsTo("organization", onDelete: .cascade).notNull()
                t.belongsTo("customer", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("hostname", .text).notNull()
                t.column("port", .integer)
                t.column("checkInterval", .integer).notNull()
                t.column("timeoutSeconds", .integer).notNull()
                t.column("status", .text).notNull().check { ["active", "maintenance", "disabled"].contains($0) }
                t.column("config", .text).notNull()
                t.column("notificationEmail", .text)
                t.column("notificationPhoneNumber", .text)
                t.column("allowedCheckCountryCodes", .text).notNull().defaults(to: "[]")
                t.column("lastCheckedAt", .integer)
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
                t.column("policyVersion", .text).notNull()
            }
            try db.create(table: "checkResult") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("monitor", onDelete: .cascade).notNull()
                t.column("checkedAt", .integer).notNull()
                t.column("ok", .boolean).notNull()
                t.column("category", .text)
                t.column("message", .text)
                t.column("timings", .text).notNull()
                t.column("messageCount", .integer)
                t.column("certificateNotAfter", .integer)
                t.column("hookVersion", .text)
            }
            try db.create(index: "checkResult_monitor_time", on: "checkResult", columns: ["monitorId", "checkedAt"])
            try db.create(table: "incident") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("monitor", onDelete: .cascade).notNull()
                t.column("type", .text).notNull()
                t.column("status", .text).notNull().check { ["active", "resolved"].contains($0) }
                t.column("startedAt", .integer).notNull()
                t.column("endedAt", .integer)
            }
            try db.create(table: "alert") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("incident", onDelete: .cascade).notNull()
                t.column("type", .text).notNull()
                t.column("status", .text).notNull()
                t.column("channelName", .text).notNull()
                t.column("sentAt", .integer)
                t.column("errorMessage", .text)
            }
            try db.create(table: "scriptVersion") { t in
                t.column("name", .text).notNull()
                t.column("version", .text).notNull()
                t.column("sha256", .text).notNull()
                t.column("firstActivatedAt", .integer).notNull()
                t.primaryKey(["name", "version"])
            }
            try db.create(index: "monitor_organization", on: "monitor", columns: ["organizationId", "id"])
        }
        return migrator
    }
}
