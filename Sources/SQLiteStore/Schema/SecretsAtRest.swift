public import Domain
import Foundation
import GRDB

/// Sealing at rest: the key check on open, sealing what is still in clear, and re-sealing under a new key.
enum SecretsAtRest {
    static let canaryText = "mailmon secret key check"
    /// Every column that holds secrets: mailbox configs, channel URLs, and the outbox's recipients (a webhook URL carries its key).
    static let sealedColumns = [("monitor", "config"), ("alertChannel", "url"), ("alertOutbox", "recipient")]

    /// Checks every key the database records against the ring, records the ring's current key,
    /// and seals configs and channel URLs still in clear; then clears the WAL of any clear copy.
    static func prepare(_ pool: DatabasePool, cipher: any SecretCipher) throws {
        let sealedAny = try pool.write { db -> Bool in
            for row in try Row.fetchAll(db, sql: "SELECT keyId, canary FROM secretKey") {
                let keyId: String = row[0]
                guard cipher.hasKey(keyId) else {
                    throw SecretCipherError(
                        "the database holds secrets sealed with key \(keyId), which the key file does not have: start with the key file this database was written with")
                }
                let canary: String = row[1]
                guard (try? cipher.open(canary)) == canaryText else {
                    throw SecretCipherError("key \(keyId) of the key file does not open this database's secrets: the key file is not the one it was written with")
                }
            }
            try recordCurrentKey(db, cipher: cipher)
            var sealed = 0
            for row in try Row.fetchAll(db, sql: "SELECT id, config FROM monitor WHERE config NOT LIKE 'enc:v1:%'") {
                try db.execute(sql: "UPDATE monitor SET config = ? WHERE id = ?", arguments: [try cipher.seal(row[1]), row[0] as Int64])
                sealed += 1
            }
            for (table, column) in sealedColumns.dropFirst() {
                for row in try Row.fetchAll(db, sql: "SELECT id, \(column) FROM \(table) WHERE \(column) NOT LIKE 'enc:v1:%'") {
                    try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE id = ?", arguments: [try cipher.seal(row[1]), row[0] as Int64])
                    sealed += 1
                }
            }
            return sealed > 0
        }
        if sealedAny {
            // The clear pages are in the WAL until a checkpoint: copy it back and empty it now.
            _ = try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
    }

    static func recordCurrentKey(_ db: Database, cipher: any SecretCipher) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO secretKey (keyId, canary, createdAt) VALUES (?, ?, ?)",
            arguments: [cipher.currentKeyId, try cipher.seal(canaryText), StoredTime.milliseconds(Date())])
    }
}

extension AppDatabase {
    /// Re-seals every secret not sealed under the cipher's current key, `batch` rows a transaction
    /// (the processes using the database go on meanwhile); then forgets keys no row uses.
    /// Returns the rows re-sealed and the key ids still in use.
    /// `forgetUnused`: drop the check rows of keys no secret uses (`prune`, once every process sealing with them has restarted).
    public func resealSecrets(batch: Int = 500, forgetUnused: Bool) async throws -> (resealed: Int, keysInUse: Set<String>) {
        guard let cipher else { throw SecretCipherError("this database was opened without a key ring") }
        let current = cipher.currentKeyId
        var total = 0
        for (table, column) in SecretsAtRest.sealedColumns {
            while true {
                let count = try await pool.write { db -> Int in
                    try SecretsAtRest.recordCurrentKey(db, cipher: cipher)
                    let rows = try Row.fetchAll(
                        db, sql: "SELECT id, \(column) FROM \(table) WHERE \(column) NOT LIKE ? LIMIT ?",
                        arguments: ["enc:v1:\(current):%", batch])
                    for row in rows {
                        let value: String = row[1]
                        try db.execute(
                            sql: "UPDATE \(table) SET \(column) = ? WHERE id = ?",
                            arguments: [try cipher.seal(try opened(value)), row[0] as Int64])
                    }
                    return rows.count
                }
                total += count
                if count < batch { break }
            }
        }
        let inUse = try await pool.write { db -> Set<String> in
            var ids = Set<String>()
            for (table, column) in SecretsAtRest.sealedColumns {
                for value in try String.fetchAll(db, sql: "SELECT DISTINCT substr(\(column), 1, 40) FROM \(table)") {
                    if let id = SealedText.keyId(value) { ids.insert(id) }
                }
            }
            ids.insert(current)
            guard forgetUnused else { return ids }
            try db.execute(sql: "DELETE FROM secretKey WHERE keyId NOT IN (\(ids.map { _ in "?" }.joined(separator: ",")))", arguments: StatementArguments(Array(ids)))
            return ids
        }
        _ = try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        return (total, inUse)
    }
}
