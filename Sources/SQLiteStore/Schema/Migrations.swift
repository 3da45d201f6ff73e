import Foundation
public import Domain
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
        migrator.registerMigration("v2: schedule and claims, incident messages, alert outbox and channels, check details") { db in
            // The schedule lives in the monitor row: a worker claims due rows in a write
            // transaction (claimedBy/claimedUntil) so two workers never run the same check.
            try db.alter(table: "monitor") { t in
                t.add(column: "nextCheckAt", .integer)
                t.add(column: "claimedBy", .text)
                t.add(column: "claimedUntil", .integer)
            }
            try db.create(index: "monitor_due", on: "monitor", columns: ["status", "nextCheckAt"])
            try db.alter(table: "checkResult") { t in
                t.add(column: "dueAt", .integer)
                t.add(column: "details", .text)
                t.add(column: "hookError", .text)
            }
            try db.alter(table: "incident") { t in
                t.add(column: "message", .text)
            }
            try db.create(index: "incident_monitor_status", on: "incident", columns: ["monitorId", "status"])
            try db.create(index: "alert_incident", on: "alert", columns: ["incidentId"])
            // Deliveries still owed: written with the incident decision, removed when done.
            try db.create(table: "alertOutbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("incident", onDelete: .cascade).notNull()
                t.column("type", .text).notNull()
                t.column("channelName", .text).notNull()
                t.column("recipient", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("body", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("nextAttemptAt", .integer).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(index: "alertOutbox_due", on: "alertOutbox", columns: ["nextAttemptAt"])
            // Webhook (and Slack-compatible) receivers of an organization or one customer.
            try db.create(table: "alertChannel") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("organization", onDelete: .cascade).notNull()
                t.belongsTo("customer", onDelete: .cascade)
                t.column("type", .text).notNull().check { ["webhook", "slack"].contains($0) }
                t.column("name", .text).notNull()
                t.column("url", .text).notNull()
                t.column("createdAt", .integer).notNull()
            }
        }
        migrator.registerMigration("v3: claim expiry index") { db in
            // The scheduler asks for the earliest claim expiry after every finished check.
            try db.create(index: "monitor_claims", on: "monitor", columns: ["claimedUntil"])
        }
        migrator.registerMigration("v4: monitor counts per customer") { db in
            // The list endpoint's total without a scan: one row per (organization, customer),
            // kept by triggers on every insert, delete (also cascaded) and move.
            try db.execute(
                sql: """
                    CREATE TABLE monitorCount (
                      organizationId INTEGER NOT NULL, customerId INTEGER NOT NULL, count INTEGER NOT NULL,
                      PRIMARY KEY (organizationId, customerId));
                    INSERT INTO monitorCount SELECT organizationId, customerId, count(*) FROM monitor GROUP BY organizationId, customerId;
                    CREATE TRIGGER monitorCount_insert AFTER INSERT ON monitor BEGIN
                      INSERT INTO monitorCount VALUES (NEW.organizationId, NEW.customerId, 1)
                        ON CONFLICT (organizationId, customerId) DO UPDATE SET count = count + 1;
                    END;
                    CREATE TRIGGER monitorCount_delete AFTER DELETE ON monitor BEGIN
                      UPDATE monitorCount SET count = count - 1 WHERE organizationId = OLD.organizationId AND customerId = OLD.customerId;
                    END;
                    CREATE TRIGGER monitorCount_move AFTER UPDATE OF organizationId, customerId ON monitor BEGIN
                      UPDATE monitorCount SET count = count - 1 WHERE organizationId = OLD.organizationId AND customerId = OLD.customerId;
                      INSERT INTO monitorCount VALUES (NEW.organizationId, NEW.customerId, 1)
                        ON CONFLICT (organizationId, customerId) DO UPDATE SET count = count + 1;
                    END;
                    """)
        }
        migrator.registerMigration("v5: drop indexes that another index covers") { db in
            // Each is a prefix of (or equal to) another index on the same table, which
            // answers the same lookups and foreign-key checks; every insert wrote a page
            // of each (a create wrote 9 pages, a check result 4).
            try db.execute(
                sql: """
                    DROP INDEX IF EXISTS monitor_on_organizationId;
                    DROP INDEX IF EXISTS checkResult_on_monitorId;
                    DROP INDEX IF EXISTS incident_on_monitorId;
                    DROP INDEX IF EXISTS alert_on_incidentId;
                    """)
        }
        migrator.registerMigration("v6: platform operators") { db in
            // Reloading the server-wide scripts is the platform operator's action, not a tenant admin's.
            try db.execute(sql: "ALTER TABLE user ADD COLUMN platformOperator BOOLEAN NOT NULL DEFAULT 0")
            // Whoever installed mailmon runs the platform: the first admin (the one printed on first start) becomes its operator.
            try db.execute(
                sql: "UPDATE user SET platformOperator = 1 WHERE id = (SELECT min(id) FROM user WHERE role = 'admin' AND globalSupporter = 0)")
        }
        migrator.registerMigration("v7: customer publicIds unique per organization") { db in
            // A publicId taken in another organization is no longer refused (nor confirmed to exist):
            // the table is rebuilt with UNIQUE (organizationId, publicId), SQLite's documented way to
            // change a constraint (foreign keys are off during migrations and checked after).
            try db.execute(
                sql: """
                    CREATE TABLE customer_v7 (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      publicId TEXT NOT NULL,
                      organizationId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                      name TEXT NOT NULL,
                      email TEXT,
                      allowedCheckCountryCodes TEXT NOT NULL DEFAULT '[]',
                      alertLocationThresholdCount INTEGER NOT NULL DEFAULT 1,
                      createdAt INTEGER NOT NULL,
                      updatedAt INTEGER NOT NULL,
                      UNIQUE (organizationId, publicId));
                    INSERT INTO customer_v7 (id, publicId, organizationId, name, email, allowedCheckCountryCodes,
                                             alertLocationThresholdCount, createdAt, updatedAt)
                      SELECT id, publicId, organizationId, name, email, allowedCheckCountryCodes,
                             alertLocationThresholdCount, createdAt, updatedAt FROM customer;
                    DROP TABLE customer;
                    ALTER TABLE customer_v7 RENAME TO customer;
                    CREATE INDEX customer_publicId ON customer (publicId);
                    """)
        }
        migrator.registerMigration("v8: token expiry and last use") { db in
            // Tokens made over the API may expire; a token in use is marked (to the minute).
            try db.execute(sql: "ALTER TABLE apiToken ADD COLUMN expiresAt INTEGER")
            try db.execute(sql: "ALTER TABLE apiToken ADD COLUMN lastUsedAt INTEGER")
        }
        migrator.registerMigration("v9: secret keys") { db in
            // One row per key that sealed secrets here: a value sealed under it, so that a start with
            // the wrong key file is refused before anything is read or written.
            try db.execute(sql: "CREATE TABLE secretKey (keyId TEXT PRIMARY KEY, canary TEXT NOT NULL, createdAt INTEGER NOT NULL)")
        }
        migrator.registerMigration("v10: monitor state, incident ids and acknowledgements") { db in
            // What the checks say, written with each result: the state and since when, the last failure, the response time.
            for column in [
                "checkState TEXT", "checkStateSince INTEGER", "statusSince INTEGER", "lastFailureCategory TEXT", "lastFailureMessage TEXT",
                "lastFailureAt INTEGER", "lastResponseMs REAL",
            ] {
                try db.execute(sql: "ALTER TABLE monitor ADD COLUMN \(column)")
            }
            // Incidents get a public UUID (the API's id for them) and an acknowledgement.
            try db.execute(sql: "ALTER TABLE incident ADD COLUMN publicId TEXT")
            try db.execute(sql: "ALTER TABLE incident ADD COLUMN acknowledgedAt INTEGER")
            try db.execute(sql: "ALTER TABLE incident ADD COLUMN acknowledgedBy TEXT")
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM incident") {
                try db.execute(sql: "UPDATE incident SET publicId = ? WHERE id = ?", arguments: [UUID().uuidString.lowercased(), id])
            }
            try db.execute(sql: "CREATE UNIQUE INDEX incident_publicId ON incident (publicId)")
            try db.execute(sql: "CREATE INDEX incident_started ON incident (startedAt)")
            // The latest state from the checks so far, for monitors checked before this version.
            try db.execute(
                sql: """
                    UPDATE monitor SET
                      checkState = CASE
                        WHEN EXISTS (SELECT 1 FROM incident i WHERE i.monitorId = monitor.id AND i.status = 'active' AND i.type != 'certificate_expiring') THEN 'down'
                        WHEN (SELECT ok FROM checkResult r WHERE r.monitorId = monitor.id ORDER BY checkedAt DESC, id DESC LIMIT 1) = 0 THEN 'degraded'
                        WHEN EXISTS (SELECT 1 FROM incident i WHERE i.monitorId = monitor.id AND i.status = 'active') THEN 'degraded'
                        ELSE 'up' END,
                      checkStateSince = lastCheckedAt
                    WHERE lastCheckedAt IS NOT NULL
                    """)
        }
        migrator.registerMigration("v11: audit log") { db in
            // Every change made over the API, written in the change's own transaction; never a value, only field names.
            try db.execute(
                sql: """
                    CREATE TABLE auditLog (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      organizationId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                      at INTEGER NOT NULL,
                      userId INTEGER NOT NULL,
                      tokenId INTEGER NOT NULL,
                      action TEXT NOT NULL,
                      targetType TEXT NOT NULL,
                      targetId TEXT,
                      customerId INTEGER,
                      policyVersion TEXT,
                      requestId TEXT,
                      changes TEXT NOT NULL DEFAULT '[]'
                    );
                    CREATE INDEX auditLog_organization ON auditLog (organizationId, id);
                    CREATE INDEX auditLog_target ON auditLog (organizationId, targetId);
                    """)
        }
        migrator.registerMigration("v12: alert channel types teams, discord, telegram, ntfy, pagerduty, opsgenie") { db in
            // SQLite cannot change a CHECK constraint: the table is rebuilt with the wider list, rows and ids kept.
            try db.execute(
                sql: """
                    CREATE TABLE alertChannel_new (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      organizationId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
                      customerId INTEGER REFERENCES customer(id) ON DELETE CASCADE,
                      type TEXT NOT NULL CHECK (type IN ('webhook', 'slack', 'teams', 'discord', 'telegram', 'ntfy', 'pagerduty', 'opsgenie')),
                      name TEXT NOT NULL,
                      url TEXT NOT NULL,
                      createdAt INTEGER NOT NULL
                    );
                    INSERT INTO alertChannel_new (id, organizationId, customerId, type, name, url, createdAt)
                      SELECT id, organizationId, customerId, type, name, url, createdAt FROM alertChannel;
                    DROP TABLE alertChannel;
                    ALTER TABLE alertChannel_new RENAME TO alertChannel;
                    CREATE INDEX alertChannel_organizationId ON alertChannel (organizationId);
                    CREATE INDEX alertChannel_customerId ON alertChannel (customerId);
                    """)
        }
        migrator.registerMigration("v13: alert events") { db in
            // What an owed alert says about its incident (trigger or resolve), for on-call services.
            try db.execute(sql: "ALTER TABLE alertOutbox ADD COLUMN event TEXT NOT NULL DEFAULT 'trigger'")
        }
        migrator.registerMigration("v14: customer status pages") { db in
            // A customer's public status page: its slug (nil: none) and whether it shows hostnames.
            try db.execute(
                sql: """
                    ALTER TABLE customer ADD COLUMN statusPageSlug TEXT;
                    ALTER TABLE customer ADD COLUMN statusPageShowsHostnames INTEGER NOT NULL DEFAULT 0;
                    CREATE UNIQUE INDEX customer_statusPageSlug ON customer (statusPageSlug) WHERE statusPageSlug IS NOT NULL;
                    """)
        }
        return migrator
    }
}
