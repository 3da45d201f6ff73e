import Domain
import Foundation
import GRDB
import MailmonTestSupport
import SQLiteStore
import Testing

@Suite("A database from a newer release")
struct DowngradeGuardTests {
    @Test("an older binary refuses a database that a newer one migrated, naming the migration, and writes nothing")
    func refusesNewerMigrations() throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-downgrade-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mailmon.sqlite"
        _ = try AppDatabase(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')") }
        do {
            _ = try AppDatabase(path: path)
            Issue.record("opened a database from a newer release")
        } catch {
            #expect("\(error)".contains("migrated by a newer mailmon (v99: from the future)"), "\(error)")
        }
    }
}
