public import Domain
public import Foundation
import GRDB

extension AppDatabase: ScriptVersionRepository {
    public func scriptDigest(name: String, version: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT sha256 FROM scriptVersion WHERE name = ? AND version = ?", arguments: [name, version])
        }
    }

    public func recordScriptVersions(_ versions: [ScriptVersionRecord]) async throws {
        try await pool.write { db in
            for record in versions {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO scriptVersion (name, version, sha256, firstActivatedAt) VALUES (?, ?, ?, ?)",
                    arguments: [record.name, record.version, record.sha256, StoredTime.milliseconds(record.firstActivatedAt)])
            }
        }
    }

    /// Every recorded version, by name, then by first activation (for tests and inspection).
    func scriptVersions() async throws -> [ScriptVersionRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, version, sha256, firstActivatedAt FROM scriptVersion ORDER BY name, firstActivatedAt")
                .map { row in
                    ScriptVersionRecord(
                        name: row["name"], version: row["version"], sha256: row["sha256"],
                        firstActivatedAt: StoredTime.date(row["firstActivatedAt"]))
                }
        }
    }
}
