import Foundation
import GRDB

/// `mailmon backup`: a consistent copy of a live database (SQLite's `VACUUM INTO`, which reads
/// one snapshot while the processes using the file go on writing), checked after it is written.
public enum DatabaseBackup {
    public struct Summary: Sendable, Hashable {
        public var bytes: Int
        public var counts: [String: Int]
    }

    /// Writes the copy of `source` to `destination` (which must not exist), then opens the copy
    /// and runs SQLite's integrity check. Returns its size and row counts.
    public static func copy(from source: String, to destination: String) throws -> Summary {
        guard FileManager.default.fileExists(atPath: source) else {
            throw BackupError("no database at \(source)")
        }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw BackupError("\(destination) exists; a backup never overwrites a file")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        let live = try DatabaseQueue(path: source, configuration: configuration)
        // The copy is made unreadable to others before SQLite writes a page into it.
        let created = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard created >= 0 else { throw BackupError("cannot create \(destination): errno \(errno)") }
        close(created)
        try live.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [destination]) }
        let copy = try DatabaseQueue(path: destination, configuration: configuration)
        return try copy.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard integrity == ["ok"] else { throw BackupError("the copy failed SQLite's integrity check: \(integrity.joined(separator: "; "))") }
            var counts: [String: Int] = [:]
            for table in ["organization", "customer", "monitor", "checkResult", "incident", "alert", "alertOutbox", "apiToken"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
            return Summary(bytes: size, counts: counts)
        }
    }
}

public struct BackupError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
